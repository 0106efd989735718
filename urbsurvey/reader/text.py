"""The text a workbook's cells hold once read, against `limits.MAX_TEXT_CHARS`.

calamine gives every cell its own copy of the text it shows: an .xls or .xlsx shared
string, or an .ods cell repeated across columns and rows, counts once per cell. A
string stored once and shown in many cells is how a file of 1 MB becomes many GB.
`too_much_text` is the one refusal; `check_xlsx_text` bounds an .xlsx's shared strings
(the .xls scan in `biff` and the .ods scan in `ods` count as they go).
"""

from __future__ import annotations

import re
from itertools import zip_longest
from typing import NoReturn

from ..issues import IssueCode
from . import limits
from .model import _reject
from .xmlscan import _ATTRS, _PREFIX
from .zip import _Package

_X_SI = re.compile(rb"<" + _PREFIX + rb"si(?=[\s/>])")
_X_SST_END = re.compile(rb"</" + _PREFIX + rb"sst\s*>")
#: The number in a <v> element (any cell's: an upper bound on the shared ones).
_X_V_NUMBER = re.compile(rb"<" + _PREFIX + rb"v(?=[\s>])" + _ATTRS + rb">\s*\+?([0-9]+)\s*<")
_X_TYPE_S = re.compile(rb"\st\s*=\s*[\"']s[\"']")


#: How a shared string is counted, for the message.
_SHARED = "a shared string counting once per cell that shows it"


def too_much_text(name: str, where: str, sheet: str | None = None) -> NoReturn:
    """Refuse the file: its text, once read, passes the limit (`where`: what reaches it
    and how it was counted)."""
    _reject(
        IssueCode.FILE_TOO_LARGE,
        name,
        f"its cells hold more than {limits.MAX_TEXT_CHARS:,} characters of text once "
        f"read ({where}); the limit is {limits.MAX_TEXT_CHARS:,} characters",
        sheet=sheet,
    )


def _shared_lengths(part: bytes) -> list[int]:
    """Each shared string's length, at most: its bytes in the XML (markup included;
    entities and UTF-8 only shrink once decoded)."""
    starts = [m.start() for m in _X_SI.finditer(part)]
    end = _X_SST_END.search(part, starts[-1]) if starts else None
    bounds = [*starts[1:], end.start() if end is not None else len(part)]
    return [b - a for a, b in zip(starts, bounds, strict=True)]


def check_xlsx_text(pkg: _Package, sheet_keys: set[str]) -> None:
    """The shared strings the sheets' cells show, each counted once per cell.

    At once, from sizes only, when the sheets could not hold enough cells showing the
    longest string (a cell takes 5 bytes or more); else from each sheet's cells of type
    "s", and if need be every number in a <v> taken as an index (numbers in other cells
    add a little). Each shared-strings part counts (calamine reads one of them).
    """
    lengths: list[int] = []
    for key, info in pkg.members.items():
        if key.endswith("sharedstrings.xml"):
            found = _shared_lengths(pkg.xml(key, info))
            lengths = [max(a, b) for a, b in zip_longest(lengths, found, fillvalue=0)]
    if not lengths:
        return
    longest, budget = max(lengths), limits.MAX_TEXT_CHARS
    infos = [(key, pkg.members[key]) for key in sorted(sheet_keys)]
    if sum(info.file_size for _, info in infos) // 5 * longest <= budget:
        return
    parts = [(info.filename, pkg.xml(key, info)) for key, info in infos]
    if sum(len(_X_TYPE_S.findall(part)) for _, part in parts) * longest <= budget:
        return
    total = 0
    for filename, part in parts:
        for _attrs, digits in _X_V_NUMBER.findall(part):
            index = int(digits)
            if index < len(lengths):
                total += lengths[index]
        if total > budget:
            too_much_text(pkg.name, f"{filename} reaches that, {_SHARED}")

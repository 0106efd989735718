"""ods: the used area of every table in `content.xml`, merged ranges, formulas.

calamine parses every sheet of an ods when the file is opened, so every table is
bounded (`MAX_ROWS`, `MAX_COLS`, `MAX_CELLS`) before it is: repeated non-empty cells
and rows count (LibreOffice's trailing empty `number-columns-repeated="16384"` cells
are empty and fine). Formulas come from `table:formula` (without a value, or
referring to another file), merged ranges from `number-*-spanned`, encryption from
the manifest's `encryption-data`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..issues import IssueCode
from . import limits
from .model import _check_dims, _reject, _Scan, cell_ref
from .text import too_much_text
from .xmlscan import _ATTRS, _attr, _text
from .zip import _Package

_O_TAG = re.compile(
    rb"<(/?)(table:table|table:table-row|table:table-cell|table:covered-table-cell)(?=[\s/>])"
    + _ATTRS
    + rb"(>)?"
)
# What makes calamine treat a cell as non-empty: a value attribute, a string type
# (its text is the value, even ""), or a formula.
_O_NONEMPTY = re.compile(
    rb"\s(?:office:(?:value|string-value|date-value|time-value|boolean-value)\s*="
    rb"|office:value-type\s*=\s*[\"']string[\"']|table:formula\s*=)"
)
_O_VALUE = re.compile(
    rb"\soffice:(?:value|string-value|date-value|time-value|boolean-value)\s*="
    rb"|\soffice:value-type\s*=\s*[\"']string[\"']"
)
_ODS_EXTERNAL = re.compile(r"'[^']*'#")
#: A run of spaces's length (`<text:s text:c="12"/>`), as calamine reads it.
_O_SPACES = re.compile(rb"<text:s\s[^>]*?text:c\s*=\s*[\"']\+?0*([0-9]+)")
#: A cell whose value is text (other cells' values are numbers, dates, booleans).
_O_STRING = re.compile(rb"\soffice:(?:value-type\s*=\s*[\"']string[\"']|string-value\s*=)")
#: Where calamine stops reading a cell's text: the first cell end after it.
_O_CELL_END = re.compile(rb"</table:(?:covered-)?table-cell\s*>")


def _count(raw: bytes | None) -> int:
    """A repeat/span count; absurd values saturate instead of being parsed."""
    if raw is None:
        return 1
    raw = raw.strip()
    if not raw.isdigit():
        return 1
    if len(raw) > 9:
        return 10**9
    return max(int(raw), 1)


@dataclass(slots=True)
class _OdsTable:
    name: str
    row: int = 0
    rows: int = 0
    cols: int = 0
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)


_ODS_CELL_FORMS = 4096
_ODS_CHUNK = 1024 * 1024


def _scan_ods(pkg: _Package, scan: _Scan) -> None:
    content = _ods_content(pkg, scan)
    state = _OdsScan(pkg.name, scan)
    start = content.find(b"<table:table")
    for closing, tag, attrs, gt in _ods_tags(content, start):
        if not gt:
            _reject(IssueCode.CORRUPT_FILE, pkg.name, "content.xml has malformed XML")
        table = state.table
        if tag == b"table:table-cell" or tag == b"table:covered-table-cell":
            if table is not None and not closing:
                state.cell(table, attrs)
        elif tag == b"table:table-row":
            if table is not None:
                state.row(table, closing, attrs)
        elif closing:  # </table:table>
            state.end_table()
        elif not attrs.endswith(b"/"):  # <table:table>
            state.start_table(attrs)
    scan.merged = {k: v for k, v in scan.merged.items() if k}
    spaces = (
        sum(map(_run, _O_SPACES.findall(content, max(start, 0)))) if b"text:c" in content else 0
    )
    if state.most * (len(content) + spaces) > limits.MAX_TEXT_CHARS:
        _check_ods_text(content, start, pkg.name)


def _ods_content(pkg: _Package, scan: _Scan) -> bytes:
    """content.xml, once the manifest says the file is not encrypted; macros noted."""
    members, name = pkg.members, pkg.name
    manifest = members.get("meta-inf/manifest.xml")
    if manifest is not None and b"encryption-data" in pkg.xml("meta-inf/manifest.xml", manifest):
        _reject(IssueCode.ENCRYPTED_FILE, name, "the workbook is password-protected")
    scan.has_macros = any(key.startswith(("basic/", "scripts/")) for key in members)
    content_info = members.get("content.xml")
    if content_info is None:
        _reject(IssueCode.CORRUPT_FILE, name, "the OpenDocument package has no content.xml part")
    return pkg.xml("content.xml", content_info)


@dataclass(slots=True)
class _OdsScan:
    """Where the scan of content.xml is: the open tables, the current row's cells."""

    name: str
    scan: _Scan
    stack: list[_OdsTable] = field(default_factory=list)
    table: _OdsTable | None = None
    col: int = 0
    row_repeat: int = 0
    extent: int = 0
    most: int = 1  # the most copies of one non-empty cell (its repeats times its row's)
    # What a cell's or row's attributes say, by their text: writers repeat a few forms.
    cells: dict[bytes, tuple[int, bool, bool, int, int]] = field(default_factory=dict)
    row_forms: dict[bytes, int] = field(default_factory=dict)

    def cell(self, table: _OdsTable, attrs: bytes) -> None:
        """A `<table:table-cell>` or `<table:covered-table-cell>` in `table`."""
        cells = self.cells
        cell = cells.get(attrs)
        if cell is None:
            cell = _ods_cell(attrs)
            if len(cells) < _ODS_CELL_FORMS:
                cells[attrs] = cell
        repeat, nonempty, formula, rows, cols = cell
        col = self.col
        if nonempty:
            self.extent = col + repeat
            if repeat * self.row_repeat > self.most:
                self.most = repeat * self.row_repeat
            if formula:
                _ods_formula(attrs, self.scan, table.name, table.row, col)
        if cols > 1 or rows > 1:
            table.merged.append((table.row, col, table.row + rows - 1, col + cols - 1))
        self.col = col + repeat

    def row(self, table: _OdsTable, closing: bytes, attrs: bytes) -> None:
        """A `<table:table-row>` (self-closing or not) or `</table:table-row>`."""
        if closing:
            if self.extent:
                table.cols = max(table.cols, self.extent)
                table.rows = table.row + self.row_repeat
            table.row += self.row_repeat
            if table.row > limits.MAX_ROWS * 100:
                table.row = limits.MAX_ROWS * 100  # only trailing empty rows can be here
            return
        repeated = self.row_forms.get(attrs)
        if repeated is None:
            repeated = _count(_attr(attrs, b"table:number-rows-repeated"))
            if len(self.row_forms) < _ODS_CELL_FORMS:
                self.row_forms[attrs] = repeated
        self.row_repeat = repeated
        self.col = self.extent = 0
        if attrs.endswith(b"/"):
            table.row += repeated

    def end_table(self) -> None:
        """`</table:table>`: bound the table, keep its merged ranges."""
        stack = self.stack
        if stack:
            done = stack.pop()
            _check_dims(self.name, done.name, done.rows, done.cols)
            if done.merged:
                self.scan.merged[done.name] = done.merged
        self.table = stack[-1] if stack else None

    def start_table(self, attrs: bytes) -> None:
        """`<table:table>` (not self-closing)."""
        raw_name = _attr(attrs, b"table:name")
        table = _OdsTable(name=_text(raw_name) if raw_name is not None else "")
        self.table = table
        self.stack.append(table)
        self.scan.merged.setdefault(table.name, [])


def _ods_tags(content: bytes, pos: int) -> Iterator[tuple[bytes, bytes, bytes, bytes]]:
    """`_O_TAG.findall` from the first table on (`pos`), a chunk at a time (bounded
    memory).

    No tag match spans a "<" after its first character (attribute values exclude
    it), so cutting at a "<" never splits one. Nothing before the first table
    matters (styles, validations).
    """
    if pos < 0:
        return
    end = len(content)
    while pos < end:
        cut = content.find(b"<", pos + _ODS_CHUNK) if end - pos > _ODS_CHUNK else -1
        if cut < 0:
            cut = end
        yield from _O_TAG.findall(content, pos, cut)
        pos = cut


def _check_ods_text(content: bytes, start: int, name: str) -> None:
    """The text the text cells hold once read, a repeated cell counted once per copy, and
    runs of spaces (`<text:s text:c="1000000000"/>`) at their length. A cell's text is
    at most its attributes and the bytes up to the first cell end after it (where
    calamine stops), plus its runs of spaces. Only for files with repeated non-empty
    cells or runs of spaces, when the most copies of a cell times the size of the XML
    could pass the limit."""
    total = 0
    row_repeat = 1
    forms: dict[bytes, tuple[int, bool, bool, int, int]] = {}
    for m in _O_TAG.finditer(content, max(start, 0)):
        closing, tag, attrs = m.group(1), m.group(2), m.group(3)
        if closing:
            continue
        if tag == b"table:table-row":
            row_repeat = _count(_attr(attrs, b"table:number-rows-repeated"))
        elif tag != b"table:table":
            cell = forms.get(attrs) or forms.setdefault(attrs, _ods_cell(attrs))
            if cell[1] and _O_STRING.search(attrs):
                repeat = cell[0]
                end = None if attrs.endswith(b"/") else _O_CELL_END.search(content, m.end())
                stop = end.start() if end is not None else m.end()
                spaces = sum(_run(n) for n in _O_SPACES.findall(content, m.end(), stop))
                total += repeat * row_repeat * (len(attrs) + stop - m.end() + spaces)
                if total > limits.MAX_TEXT_CHARS:
                    too_much_text(
                        name,
                        "content.xml, a repeated cell counting once per copy and a run "
                        "of spaces at its length",
                    )


def _run(digits: bytes) -> int:
    """A run of spaces's length; absurd values saturate instead of being parsed."""
    return int(digits) if len(digits) <= 12 else 10**12


def _ods_cell(attrs: bytes) -> tuple[int, bool, bool, int, int]:
    """A cell's (columns repeated, non-empty, formula, rows spanned, columns spanned)."""
    repeat = rows = cols = 1
    if b"repeated" in attrs:
        repeat = _count(_attr(attrs, b"table:number-columns-repeated"))
    nonempty = _O_NONEMPTY.search(attrs) is not None
    if b"spanned" in attrs:
        cols = _count(_attr(attrs, b"table:number-columns-spanned"))
        rows = _count(_attr(attrs, b"table:number-rows-spanned"))
    return repeat, nonempty, nonempty and b"table:formula" in attrs, rows, cols


def _ods_formula(attrs: bytes, scan: _Scan, sheet: str, row: int, col: int) -> None:
    if _O_VALUE.search(attrs) is None:
        scan.no_value.add((sheet, cell_ref(row, col)))
    formula = _attr(attrs, b"table:formula")
    if formula is not None and _ODS_EXTERNAL.search(_text(formula)):
        scan.external.add((sheet, cell_ref(row, col)))

"""Bounded regular-expression scanning of XML parts, shared by the xlsx and ods scans.

XML is never parsed with an entity-expanding parser: parts are scanned with bounded
(possessive) patterns, and a part that declares a DTD is refused (`zip._Package.xml`).
calamine's quick-xml does not expand DTD entities either (it reports an unknown
entity), so billion laughs and external entities end as `corrupt-file`.
"""

from __future__ import annotations

import html
import re

# A tag's attributes, quoted values whole (a quoted value may hold ">"); possessive,
# so a tag that never closes costs one pass, never a backtracking storm. A self-closing
# tag's attributes end with "/".
_ATTRS = rb"((?:[^<>\"']++|\"[^\"<]*+\"|'[^'<]*+')*+)"
_PREFIX = rb"(?:[A-Za-z_][\w.-]*:)?"


_ATTR_PAIR = re.compile(rb"([^\s=<>/\"']+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)")
#: How many of a character `_has_markup` looks at one by one before one search for the pair.
_MARKS_ONE_BY_ONE = 64


def _has_markup(part: bytes, mark: bytes, start: int = 0) -> bool:
    """Whether `part` holds "<" followed by the byte `mark` (b"!": a comment, CDATA or a
    DTD; b"?": a processing instruction) from `start` on.

    Each `mark` is found by memchr and the byte before it looked at: ~10x faster than a
    search for the two bytes, which fastsearch makes byte by byte in XML full of "<" (a
    sheet's formulas hold a few "!": `Lists!$A$2`). Past `_MARKS_ONE_BY_ONE` of them, one
    search for the pair.
    """
    pos = part.find(mark, start + 1)
    for _ in range(_MARKS_ONE_BY_ONE):
        if pos < 0:
            return False
        if part[pos - 1] == 0x3C:  # "<"
            return True
        pos = part.find(mark, pos + 1)
    return part.find(b"<" + mark, start) >= 0


def _attr(attrs: bytes, *keys: bytes) -> bytes | None:
    """The raw value of the first attribute named one of `keys`.

    Attributes are read in order, each quoted value whole, so text that merely looks
    like `r="A1"` inside another attribute's value is never taken for it.
    """
    for key, double, single in _ATTR_PAIR.findall(attrs):
        if key in keys:
            value: bytes = double or single
            return value
    return None


def _text(raw: bytes) -> str:
    return html.unescape(raw.decode("utf-8", "replace"))

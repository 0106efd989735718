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

"""Normalising what partners type: case, accents and spaces; the longest answer worth reading."""

from __future__ import annotations

import re
import unicodedata

MAX_TEXT_LENGTH = 100
"""Longer text is never a number, money amount, date or yes/no answer."""


def normalise(text: str) -> str:
    """Casefold, strip accents and collapse every kind of whitespace to one space."""
    if text.isascii():
        return " ".join(text.lower().split())
    # Compatibility caseless form: NFKD(casefold(NFKD(text))), then drop combining marks.
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.split())


#: Characters that move the cursor, recolour a terminal, or reorder what follows them
#: (bidi overrides and isolates: `evil\u202excod.xlsx` is shown as `evildoc.xlsx`).
UNSAFE_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def has_unsafe_chars(text: str) -> bool:
    """True for a name holding control or bidi characters (it can forge or disguise)."""
    return UNSAFE_CHARS.search(text) is not None

"""Normalising what partners type: case, accents and spaces; the longest answer worth reading."""

from __future__ import annotations

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

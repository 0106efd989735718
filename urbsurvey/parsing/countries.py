"""Is a partner's `country` one urbsurvey knows (an ISO code or an English name)?"""

from __future__ import annotations

from .tables import _ALPHA2_BY_NAME, _SEPARATOR_BY_ALPHA2
from .text import normalise


def _key(country: str) -> str:
    key = normalise(country).replace(".", "").replace("&", "and")
    return key[4:] if key.startswith("the ") else key


def known_country(country: str) -> bool:
    """True for an ISO 3166 alpha-2 code or a country name that settles number formats."""
    key = _key(country)
    return key.upper() in _SEPARATOR_BY_ALPHA2 or key in _ALPHA2_BY_NAME


def country_names() -> list[str]:
    """The country names known, for "did you mean" (title case: `United Kingdom`)."""
    return [name.title() for name in _ALPHA2_BY_NAME]

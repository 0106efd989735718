"""The domain's words, spelled once: who answers, through what, in which kind of workbook,
and how a returned file fared.

Plain `StrEnum`s with no heavy imports, so the CLI can offer them as choices
without loading the definition models. Each member is its own JSON and SQLite text.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """Who a questionnaire is answered by."""

    CITY = "city"
    MANAGING_AUTHORITY = "managing_authority"
    OTHER = "other"


class Source(StrEnum):
    """Where a partner's answers come from; the default precedence is this order."""

    CITY = "city"
    INTERVIEW = "interview"
    MANAGING_AUTHORITY = "managing_authority"
    OTHER = "other"


#: Each source's place in the default precedence (and in every list of sources), by value.
SOURCE_ORDER: dict[str, int] = {source.value: n for n, source in enumerate(Source)}


class Kind(StrEnum):
    """What a returned workbook is: the partner's questionnaire or an interview record."""

    QUESTIONNAIRE = "questionnaire"
    INTERVIEW = "interview"


class Status(StrEnum):
    """How a returned file fared when it was checked (worst issue wins)."""

    OK = "ok"
    WARNINGS = "warnings"
    ERRORS = "errors"
    UNREADABLE = "unreadable"

"""`ParseError`, the one exception the parsers raise, and its one-line messages."""

from __future__ import annotations

import datetime
from decimal import Decimal

from ..issues import IssueCode


class ParseError(ValueError):
    """Raised for an answer that cannot be understood; the only exception these parsers raise."""

    def __init__(self, code: IssueCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __reduce__(self) -> tuple[type[ParseError], tuple[IssueCode, str]]:
        # Picklable, so errors survive a process pool.
        return (type(self), (self.code, self.message))


_SHOWN_LIMIT = 60


def _shown(value: object) -> str:
    """The answer as the partner would recognise it, short enough for a one-line message."""
    if isinstance(value, str):
        text = " ".join(value.split())
    elif value is None:
        text = ""
    elif isinstance(value, bool):
        text = "TRUE" if value else "FALSE"
    elif isinstance(value, int):
        text = str(value) if value.bit_length() < 256 else f"{Decimal(value):.6E}"
    elif isinstance(value, float):
        text = repr(value)
    elif isinstance(value, datetime.date | datetime.time):
        text = value.isoformat()
    else:
        text = str(value)
    if len(text) > _SHOWN_LIMIT:
        text = text[: _SHOWN_LIMIT - 1] + "…"
    return text


def _error(code: IssueCode, value: object, complaint: str) -> ParseError:
    return ParseError(code, f"'{_shown(value)}' {complaint}")

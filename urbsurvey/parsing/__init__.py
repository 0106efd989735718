"""Pure, fast parsers for the answers partners type into spreadsheet cells.

Every parser takes what a spreadsheet reader returns for a cell (`str`, `int`,
`float`, `bool`, `date`, `datetime`, `time`, `timedelta` or `None`) and either
returns a value or raises `ParseError`, the only exception they raise for an
answer. The error carries an issue code from `issues.CATALOGUE` and a one-line
message, quoting the answer, that a non-programmer can act on.

- `numbers`: `parse_number` (`Number`), `parse_money` (`Money`) and `format_money`,
  `decimal_separator_for_country`, `currency_for_country`; numbers as Europeans type
  them ("1.400.000", "1,4 Mio", "350.000,50 €"), always as `Decimal`, with the second
  reading of an ambiguous figure ("1.400") in `alternative`.
- `dates`: `parse_date`.
- `choices`: `ChoiceMatcher` (by code or any label, in any language), `parse_yes_no`.
- `text`: `normalise` (case, accents, spaces); `errors`: `ParseError`.
- `tables`: the word lists (yes/no, currencies and `KNOWN_CURRENCIES`, countries,
  months, multipliers), built once at import.

Standard library only.
"""

from __future__ import annotations

from .choices import ChoiceMatcher, parse_yes_no
from .dates import parse_date
from .errors import ParseError
from .numbers import (
    Money,
    Number,
    currency_for_country,
    decimal_separator_for_country,
    format_money,
    parse_money,
    parse_number,
)
from .tables import KNOWN_CURRENCIES
from .text import normalise

__all__ = [
    "KNOWN_CURRENCIES",
    "ChoiceMatcher",
    "Money",
    "Number",
    "ParseError",
    "currency_for_country",
    "decimal_separator_for_country",
    "format_money",
    "normalise",
    "parse_date",
    "parse_money",
    "parse_number",
    "parse_yes_no",
]

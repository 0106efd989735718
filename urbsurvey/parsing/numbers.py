"""Numbers and money as Europeans type them, always read as `Decimal`, never through floats.

"1.400.000", "1 400 000", "1,4 Mio", "350.000,50 €", "RON 500.000", "£240,000". A figure
that can honestly be read two ways ("1.400") comes back with the second reading in
`alternative`, unless the respondent's decimal separator settles it.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from ..issues import IssueCode
from .errors import ParseError, _error
from .tables import (
    _ALPHA2_BY_NAME,
    _AMBIGUOUS_CURRENCIES,
    _AMBIGUOUS_MIL,
    _CURRENCY_BY_ALPHA2,
    _CURRENCY_WORDS,
    _MULTIPLIERS,
    _SEPARATOR_BY_ALPHA2,
    KNOWN_CURRENCIES,
)
from .text import MAX_TEXT_LENGTH, normalise


@dataclass(frozen=True, slots=True)
class Number:
    """A number read from a cell; `alternative` is the other reading of an ambiguous text."""

    value: Decimal
    alternative: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Money:
    """An amount of money; `currency` is an ISO 4217 code, or None when none was written."""

    amount: Decimal
    currency: str | None
    alternative: Decimal | None = None


@functools.lru_cache(maxsize=256)  # partners share a few dozen countries: each looked up once
def country_code(country: str | None) -> str | None:
    """The ISO 3166 alpha-2 code ("IT"; also "UK" and "EL") for a code or English name."""
    if not country:
        return None
    key = normalise(country).replace(".", "").replace("&", "and")
    if key.startswith("the "):
        key = key[4:]
    if len(key) == 2:
        return key.upper()
    return _ALPHA2_BY_NAME.get(key)


def decimal_separator_for_country(country: str | None) -> str | None:
    """The decimal separator people in a country type ("," or "."), or None if unknown.

    Takes an ISO 3166 alpha-2 code ("IT", "pt"; also "UK" and "EL") or an English
    country name ("Italy", "the Netherlands"), in any case.
    """
    alpha2 = country_code(country)
    return _SEPARATOR_BY_ALPHA2.get(alpha2) if alpha2 else None


def currency_for_country(country: str | None) -> str | None:
    """The ISO 4217 currency of a country (code or English name): RO → RON, IT → EUR."""
    alpha2 = country_code(country)
    return _CURRENCY_BY_ALPHA2.get(alpha2) if alpha2 else None


_MINUS_AND_APOSTROPHES = str.maketrans(
    {"−": "-", "–": "-", "‐": "-", "‑": "-", "’": "'", "ʼ": "'", "′": "'", "`": "'"}
)

# head (sign, currency) | number core | tail (multiplier, currency). The core is digits with
# single separators between them; it may start with a separator (",5") after a sign or space.
_AMOUNT_RE = re.compile(
    r"(?P<head>[^0-9]*?)"
    r"(?P<core>(?:(?<![^ +\-])[.,])?[0-9](?:[0-9]|[.,' ](?=[0-9]))*)"
    r"(?P<tail>[^0-9]*)"
)
_HEAD_RE = re.compile(r"(?P<sign1>[+\-]?) ?(?P<currency>.*?) ?(?P<sign2>[+\-]?)")
_CORE_SPLIT_RE = re.compile(r"([.,' ])")
_PLAIN_INTEGER_RE = re.compile(r"[+\-]?[0-9]{1,30}")
_MULTIPLIER_ALTERNATION = "|".join(sorted(map(re.escape, _MULTIPLIERS), key=len, reverse=True))
# A multiplier is a whole word (not followed by a letter), optionally abbreviated with ".".
_TAIL_RE = re.compile(rf" ?(?:(?P<mult>{_MULTIPLIER_ALTERNATION})(?![^\W\d_])\.?)? ?(?P<rest>.*)")


@dataclass(frozen=True, slots=True)
class _Amount:
    value: Decimal
    alternative: Decimal | None
    head_currency: str  # normalised text written before the number, "" if none
    tail_currency: str  # normalised text written after the number (and multiplier), "" if none


def _tidy(number: Decimal) -> Decimal:
    """Plain form: no exponent notation for whole numbers, no trailing fractional zeros."""
    sign, digits, exponent = number.as_tuple()
    if not isinstance(exponent, int) or not any(digits):
        return number if not isinstance(exponent, int) else Decimal(0)
    if exponent > 0:
        return Decimal((sign, (*digits, *(0,) * exponent), 0))
    end = len(digits)
    while exponent < 0 and digits[end - 1] == 0:
        end -= 1
        exponent += 1
    return Decimal((sign, digits[:end], exponent))


def _shift(number: Decimal, places: int) -> Decimal:
    """Multiply by 10**places exactly (no context rounding)."""
    sign, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    return _tidy(Decimal((sign, digits, exponent + places)))


def _is_whole(number: Decimal) -> bool:
    _, digits, exponent = number.as_tuple()
    if not isinstance(exponent, int):
        return False
    return exponent >= 0 or not any(digits[exponent:])


def _from_cell_number(value: object) -> Decimal | None:
    """Decimal for an int or finite float cell; None for anything else (bool included)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return _tidy(Decimal(repr(value)))
    return None


def _read_core(
    core: str, sign: str, decimal_separator: str | None, has_multiplier: bool
) -> tuple[Decimal, Decimal | None] | None:
    """Read the digits-and-separators core; None when the layout is not a number."""
    parts = _CORE_SPLIT_RE.split(core)
    if len(parts) == 1:
        return Decimal(sign + core), None
    groups, seps = parts[0::2], parts[1::2]
    if groups[0] == "":  # ",5" or ".5"
        if len(seps) != 1:
            return None
        return Decimal(f"{sign}0.{groups[1]}"), None

    last = len(seps) - 1
    punctuation = [i for i, sep in enumerate(seps) if sep in ".,"]
    kinds = {seps[i] for i in punctuation}
    decimal_at: int | None = None
    if len(kinds) == 2:
        # Both "." and ",": the last one is the decimal separator, once, at the end.
        decimal_at = punctuation[-1]
        if decimal_at != last or seps.count(seps[decimal_at]) != 1:
            return None
    elif len(punctuation) == 1:
        only = punctuation[0]
        if only != last:
            return None  # "1.400 000": a thousands "." mixed with thousands spaces
        if last > 0:
            decimal_at = only  # "1 400,50": spaces group the thousands, "," is decimal
        else:
            before, after = groups
            if len(after) != 3 or len(before) > 3 or before.startswith("0"):
                decimal_at = only  # only one reading is possible
            else:
                return _read_ambiguous(
                    sign, before, after, seps[0], decimal_separator, has_multiplier
                )

    number = _join_groups(sign, groups, seps, decimal_at)
    return None if number is None else (number, None)


def _join_groups(
    sign: str, groups: list[str], seps: list[str], decimal_at: int | None
) -> Decimal | None:
    """The number the digit groups make; None unless one separator groups thousands in threes.

    `decimal_at` is the index in `seps` of the decimal separator, None for a whole number.
    """
    thousands_seps = {sep for i, sep in enumerate(seps) if i != decimal_at}
    if len(thousands_seps) > 1:
        return None
    integer_groups = groups if decimal_at is None else groups[: decimal_at + 1]
    if len(integer_groups) > 1 and (
        len(integer_groups[0]) > 3 or any(len(g) != 3 for g in integer_groups[1:])
    ):
        return None
    digits = "".join(integer_groups)
    if decimal_at is not None:
        digits += "." + groups[-1]
    return Decimal(sign + digits)


def _read_ambiguous(
    sign: str,
    before: str,
    after: str,
    separator: str,
    decimal_separator: str | None,
    has_multiplier: bool,
) -> tuple[Decimal, Decimal | None]:
    """ "1.400" / "1,400": one separator followed by exactly three digits."""
    thousands = Decimal(sign + before + after)
    decimal = _tidy(Decimal(f"{sign}{before}.{after}"))  # 1.4, not 1.400, when shown
    if after == "000":
        # Nobody writes 500.000 meaning 500; if the country says otherwise, keep both readings.
        return thousands, (decimal if separator == decimal_separator else None)
    if decimal_separator is not None:
        return (decimal, None) if separator == decimal_separator else (thousands, None)
    if has_multiplier:
        return decimal, None
    return thousands, decimal


def _read_amount(value: object, text: str, decimal_separator: str | None) -> _Amount:
    """Split a typed amount into sign, currency text, number and multiplier, and read it."""
    if decimal_separator not in (None, ",", "."):
        raise ValueError(f"decimal_separator must be ',', '.' or None, not {decimal_separator!r}")
    if len(text) > MAX_TEXT_LENGTH:
        raise _error(IssueCode.NOT_A_NUMBER, value, "is too long to be a number.")
    cleaned = normalise(text).translate(_MINUS_AND_APOSTROPHES)
    if _PLAIN_INTEGER_RE.fullmatch(cleaned):
        return _Amount(Decimal(cleaned), None, "", "")
    match = _AMOUNT_RE.fullmatch(cleaned)
    if match is None:
        if not cleaned:
            raise ParseError(IssueCode.NOT_A_NUMBER, "The answer is empty, not a number.")
        raise _error(IssueCode.NOT_A_NUMBER, value, "is not a number.")

    head = _HEAD_RE.fullmatch(match["head"].strip())
    tail = _TAIL_RE.fullmatch(match["tail"])
    assert head is not None and tail is not None  # both patterns match any digit-free text
    if head["sign1"] and head["sign2"]:
        raise _error(IssueCode.NOT_A_NUMBER, value, "is not a number.")
    sign = "-" if "-" in (head["sign1"], head["sign2"]) else ""
    multiplier = tail["mult"]

    read = _read_core(match["core"], sign, decimal_separator, multiplier is not None)
    if read is None:
        raise _error(IssueCode.NOT_A_NUMBER, value, "is not a number.")
    number, alternative = read
    if multiplier is not None:
        number, alternative = _multiply(number, alternative, multiplier)
    rest = tail["rest"].strip()
    if rest == ".":  # "5." ends a sentence
        rest = ""
    return _Amount(number, alternative, head["currency"], rest)


def _multiply(
    number: Decimal, alternative: Decimal | None, multiplier: str
) -> tuple[Decimal, Decimal | None]:
    """Both readings times the multiplier ("k", "Mio"); "mil" also gives a thousand-fold reading."""
    if multiplier == _AMBIGUOUS_MIL and alternative is None:
        alternative = _shift(number, 3)
    elif alternative is not None:
        alternative = _shift(alternative, _MULTIPLIERS[multiplier])
    number = _shift(number, _MULTIPLIERS[multiplier])
    return number, alternative


def parse_number(
    value: object, *, decimal_separator: str | None = None, integer: bool = False
) -> Number:
    """Read a number from a cell: a numeric cell, or text such as "1.400.000" or "1,4 Mio".

    `decimal_separator` ("," or "." for the respondent's country) settles "1.400";
    `integer=True` rejects answers that are not whole numbers.
    """
    number = _from_cell_number(value)
    if number is not None:
        result = Number(number)
    elif isinstance(value, str):
        amount = _read_amount(value, value, decimal_separator)
        if amount.head_currency or amount.tail_currency:
            raise _error(IssueCode.NOT_A_NUMBER, value, "is not a number.")
        result = Number(amount.value, amount.alternative)
    else:
        raise _error(IssueCode.NOT_A_NUMBER, value, "is not a number.")
    if not integer:
        return result
    readings = [r for r in (result.value, result.alternative) if r is not None and _is_whole(r)]
    if not readings:
        raise _error(IssueCode.NOT_A_NUMBER, value, "is not a whole number.")
    return Number(_tidy(readings[0]), _tidy(readings[1]) if len(readings) > 1 else None)


def _currency(value: object, written: str) -> str | None:
    """The ISO code for currency text written next to an amount ("" means none written)."""
    if not written:
        return None
    for candidate in (written, written.rstrip(".").rstrip()):
        code = _CURRENCY_WORDS.get(candidate)
        if code is not None:
            return code
        if len(candidate) == 3 and candidate.isascii() and candidate.isalpha():
            if candidate.upper() in KNOWN_CURRENCIES:
                return candidate.upper()
            raise _error(
                IssueCode.UNKNOWN_CURRENCY, value, "is in a currency urbsurvey does not know."
            )
    if written in _AMBIGUOUS_CURRENCIES:
        raise _error(
            IssueCode.UNKNOWN_CURRENCY,
            value,
            "does not say which krona or krone it is: write SEK, DKK, NOK or ISK.",
        )
    if len(written) == 1 and unicodedata.category(written) == "Sc":
        raise _error(IssueCode.UNKNOWN_CURRENCY, value, "is in a currency urbsurvey does not know.")
    raise _error(IssueCode.NOT_A_NUMBER, value, "is not an amount of money.")


def parse_money(value: object, *, decimal_separator: str | None = None) -> Money:
    """Read an amount of money: "€1.4m", "350.000,50 €", "RON 500.000", "£240,000", 1400000."""
    number = _from_cell_number(value)
    if number is not None:
        return Money(number, None)
    if not isinstance(value, str):
        raise _error(IssueCode.NOT_A_NUMBER, value, "is not an amount of money.")
    amount = _read_amount(value, value, decimal_separator)
    before = _currency(value, amount.head_currency)
    after = _currency(value, amount.tail_currency)
    if before and after and before != after:
        raise _error(IssueCode.NOT_A_NUMBER, value, "names two different currencies.")
    return Money(amount.value, before or after, amount.alternative)


def format_money(money: Money) -> str:
    """ "EUR 1400000.50": the form `parse_money` reads back to the same amount and currency."""
    text = f"{money.amount:f}"
    exponent = money.amount.as_tuple().exponent
    if exponent == -3:
        text += "0"  # "1.400" would read as fourteen hundred; "1.4000" cannot
    return f"{money.currency} {text}" if money.currency else text

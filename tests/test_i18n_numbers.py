"""Numbers and amounts in a report read as Babel writes them, in every locale."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from babel.numbers import format_currency, format_decimal

from urbsurvey.report.i18n import Texts

LOCALES = ["en", "fr", "de", "es", "pl", "hi", "en_IN", "ar", "fa", "he", "de_CH", "pt", "ja"]
_rng = random.Random(14)
VALUES: list[int | float | Decimal] = [
    0, 1, 9, 10, 999, 1000, 1234, 12345, 123456, 1234567, 10**15 + 7, 10**20,
    Decimal("948646.00"), Decimal("1E+3"), Decimal("-0"), Decimal("NaN"), -5, Decimal("-1234"),
    Decimal("12.5"), Decimal("0.000"), 5.0, 1234.5,
    Decimal("0.05"), Decimal("0.5"), Decimal("1234.56"), Decimal("999999.99"), Decimal("12.345"),
    Decimal("-12.50"), Decimal("1E-2"), 3036.25, Decimal("123456789012345678.5"),
    *(Decimal(_rng.randrange(10 ** _rng.randrange(1, 16))).scaleb(-2) for _ in range(100)),
    *(_rng.randrange(10 ** _rng.randrange(1, 16)) for _ in range(100)),
]  # fmt: skip


@pytest.mark.parametrize("locale", LOCALES)
def test_numbers_are_written_as_babel_writes_them(locale: str) -> None:
    t = Texts(locale)
    for value in VALUES:
        assert t.number(value) == format_decimal(value, locale=locale), value


@pytest.mark.parametrize("locale", LOCALES)
def test_amounts_are_written_as_babel_writes_them(locale: str) -> None:
    """Whole amounts without cents, others with the currency's digits."""
    t = Texts(locale)
    whole = t._whole_money  # the locale's pattern without cents
    for value in VALUES:
        if not Decimal(str(value)).is_finite():
            continue
        amount = Decimal(str(value))
        for currency in ("EUR", "USD", "HUF", "JPY", "KWD"):
            if amount == amount.to_integral_value():
                expected = format_currency(
                    amount, currency, whole, locale=locale, currency_digits=False
                )
            else:
                expected = format_currency(amount, currency, locale=locale)
            assert t.money(value, currency) == expected, (value, currency)

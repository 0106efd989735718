"""Amounts of money as a report's reader writes them: `€948,646`, `€1.4m`, `RON 500,000`.

One function for every output (sentences, charts, provenance, any template), so a
figure reads the same everywhere. Below a million the whole amount is written with
thousands separators (never `€3.04k` for 3,036); from a million on, millions (or
billions) with at most two decimals.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CURRENCY_SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$"}

_MILLION = Decimal(10**6)
_BILLION = Decimal(10**9)


def currency_prefix(currency: str) -> str:
    """`€` for EUR, `RON ` for a currency without a symbol in common use."""
    return CURRENCY_SYMBOLS.get(currency, f"{currency} ")


def format_amount(value: Decimal | int | float, currency: str, *, exact: bool = False) -> str:
    """€948,646 · €1.4m · €12.35m · €2.1bn · €12.50 · RON 500,000 · −€3,036.

    `exact` writes every amount in full (`€1,200,000`, `€350,000.50`), for provenance.
    """
    amount = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    sign = "−" if amount < 0 else ""
    amount = abs(amount)
    prefix = currency_prefix(currency)
    if exact:
        places = Decimal(1) if amount == amount.to_integral_value() else Decimal("0.01")
        return f"{sign}{prefix}{amount.quantize(places, ROUND_HALF_UP):,f}"
    for size, suffix in ((_BILLION, "bn"), (_MILLION, "m")):
        if amount >= size:
            scaled = (amount / size).quantize(Decimal("0.01"), ROUND_HALF_UP).normalize()
            return f"{sign}{prefix}{scaled:f}{suffix}"
    if amount != amount.to_integral_value() and amount < 1000:
        return f"{sign}{prefix}{amount.quantize(Decimal('0.01'), ROUND_HALF_UP):,f}"
    return f"{sign}{prefix}{amount.quantize(Decimal(1), ROUND_HALF_UP):,f}"

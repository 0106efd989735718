"""Pure, fast parsers for the answers partners type into spreadsheet cells.

Every parser takes what a spreadsheet reader returns for a cell (`str`, `int`,
`float`, `bool`, `date`, `datetime`, `time`, `timedelta` or `None`) and either
returns a value or raises `ParseError`, the only exception they raise for an
answer. The error carries an issue code from `issues.CATALOGUE` and a one-line
message, quoting the answer, that a non-programmer can act on.

Numbers are read as Europeans type them ("1.400.000", "1 400 000", "1,4 Mio",
"350.000,50 €"), always as `Decimal`, never through float arithmetic. A figure
that can honestly be read two ways ("1.400") comes back with the second reading
in `alternative`, so the caller can flag it instead of guessing silently.

Standard library only; regexes and lookup tables are built once at import.
"""

from __future__ import annotations

import datetime
import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

__all__ = [
    "ChoiceMatcher",
    "Money",
    "Number",
    "ParseError",
    "decimal_separator_for_country",
    "format_money",
    "normalise",
    "parse_date",
    "parse_money",
    "parse_number",
    "parse_yes_no",
]

MAX_TEXT_LENGTH = 100
"""Longer text is never a number, money amount, date or yes/no answer."""


def _words(text: str) -> list[str]:
    return text.split()


# --------------------------------------------------------------------------- errors and values


class ParseError(ValueError):
    """Raised for an answer that cannot be understood; the only exception these parsers raise."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __reduce__(self) -> tuple[type[ParseError], tuple[str, str]]:
        # Picklable, so errors survive a process pool.
        return (type(self), (self.code, self.message))


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


# --------------------------------------------------------------------------- text helpers


def normalise(text: str) -> str:
    """Casefold, strip accents and collapse every kind of whitespace to one space."""
    if text.isascii():
        return " ".join(text.lower().split())
    # Compatibility caseless form: NFKD(casefold(NFKD(text))), then drop combining marks.
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.split())


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


def _error(code: str, value: object, complaint: str) -> ParseError:
    return ParseError(code, f"'{_shown(value)}' {complaint}")


# --------------------------------------------------------------------------- countries

_COMMA, _POINT = ",", "."

_SEPARATOR_BY_ALPHA2: dict[str, str] = {
    # EU, EEA and the rest of Europe: decimal comma ...
    **dict.fromkeys(
        _words(
            "AT BE BG HR CY CZ DK EE FI FR DE GR EL HU IS IT LV LT LU NL NO PL PT RO SK SI ES SE "
            "AD AL BA BY FO GE GL ME MK MC MD RS RU SM TR UA VA XK AM AZ KZ"
        ),
        _COMMA,
    ),
    # ... except the British Isles, Malta and Switzerland/Liechtenstein (1'234.50).
    **dict.fromkeys(_words("GB UK IE MT CH LI GI IM JE GG"), _POINT),
    # Elsewhere.
    **dict.fromkeys(_words("AR BO BR CL CO CR EC ID PE PY UY VE VN ZA TN DZ"), _COMMA),
    **dict.fromkeys(
        _words("US CA AU NZ IN JP CN KR SG HK TW IL MX PH TH MY PK NG KE GH EG SA AE"), _POINT
    ),
}

_ALPHA2_BY_NAME: dict[str, str] = {
    # EU member states, with common alternatives and native names.
    "austria": "AT",
    "osterreich": "AT",
    "belgium": "BE",
    "belgique": "BE",
    "belgie": "BE",
    "bulgaria": "BG",
    "croatia": "HR",
    "hrvatska": "HR",
    "cyprus": "CY",
    "czechia": "CZ",
    "czech republic": "CZ",
    "cesko": "CZ",
    "denmark": "DK",
    "danmark": "DK",
    "estonia": "EE",
    "eesti": "EE",
    "finland": "FI",
    "suomi": "FI",
    "france": "FR",
    "germany": "DE",
    "deutschland": "DE",
    "greece": "GR",
    "hellas": "GR",
    "hungary": "HU",
    "magyarorszag": "HU",
    "ireland": "IE",
    "republic of ireland": "IE",
    "eire": "IE",
    "italy": "IT",
    "italia": "IT",
    "latvia": "LV",
    "latvija": "LV",
    "lithuania": "LT",
    "lietuva": "LT",
    "luxembourg": "LU",
    "malta": "MT",
    "netherlands": "NL",
    "holland": "NL",
    "nederland": "NL",
    "poland": "PL",
    "polska": "PL",
    "portugal": "PT",
    "romania": "RO",
    "slovakia": "SK",
    "slovak republic": "SK",
    "slovensko": "SK",
    "slovenia": "SI",
    "slovenija": "SI",
    "spain": "ES",
    "espana": "ES",
    "sweden": "SE",
    "sverige": "SE",
    # EEA and Switzerland.
    "iceland": "IS",
    "island": "IS",
    "liechtenstein": "LI",
    "norway": "NO",
    "norge": "NO",
    "switzerland": "CH",
    "schweiz": "CH",
    "suisse": "CH",
    "svizzera": "CH",
    # The United Kingdom and its nations.
    "united kingdom": "GB",
    "united kingdom of great britain and northern ireland": "GB",
    "great britain": "GB",
    "britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "gbr": "GB",
    # The rest of Europe.
    "albania": "AL",
    "andorra": "AD",
    "belarus": "BY",
    "bosnia and herzegovina": "BA",
    "bosnia": "BA",
    "faroe islands": "FO",
    "georgia": "GE",
    "armenia": "AM",
    "azerbaijan": "AZ",
    "kazakhstan": "KZ",
    "kosovo": "XK",
    "moldova": "MD",
    "republic of moldova": "MD",
    "monaco": "MC",
    "montenegro": "ME",
    "north macedonia": "MK",
    "macedonia": "MK",
    "russia": "RU",
    "russian federation": "RU",
    "san marino": "SM",
    "serbia": "RS",
    "turkey": "TR",
    "turkiye": "TR",
    "ukraine": "UA",
    "vatican": "VA",
    "vatican city": "VA",
    "holy see": "VA",
    "gibraltar": "GI",
    # Elsewhere.
    "united states": "US",
    "united states of america": "US",
    "usa": "US",
    "america": "US",
    "canada": "CA",
    "australia": "AU",
    "new zealand": "NZ",
    "india": "IN",
    "japan": "JP",
    "china": "CN",
    "south korea": "KR",
    "korea": "KR",
    "singapore": "SG",
    "hong kong": "HK",
    "taiwan": "TW",
    "israel": "IL",
    "mexico": "MX",
    "philippines": "PH",
    "thailand": "TH",
    "malaysia": "MY",
    "pakistan": "PK",
    "nigeria": "NG",
    "kenya": "KE",
    "ghana": "GH",
    "egypt": "EG",
    "saudi arabia": "SA",
    "united arab emirates": "AE",
    "argentina": "AR",
    "bolivia": "BO",
    "brazil": "BR",
    "brasil": "BR",
    "chile": "CL",
    "colombia": "CO",
    "costa rica": "CR",
    "ecuador": "EC",
    "indonesia": "ID",
    "peru": "PE",
    "paraguay": "PY",
    "uruguay": "UY",
    "venezuela": "VE",
    "vietnam": "VN",
    "viet nam": "VN",
    "south africa": "ZA",
    "tunisia": "TN",
    "algeria": "DZ",
}


def decimal_separator_for_country(country: str | None) -> str | None:
    """The decimal separator people in a country type ("," or "."), or None if unknown.

    Takes an ISO 3166 alpha-2 code ("IT", "pt"; also "UK" and "EL") or an English
    country name ("Italy", "the Netherlands"), in any case.
    """
    if not country:
        return None
    key = normalise(country).replace(".", "").replace("&", "and")
    if key.startswith("the "):
        key = key[4:]
    if len(key) == 2:
        return _SEPARATOR_BY_ALPHA2.get(key.upper())
    alpha2 = _ALPHA2_BY_NAME.get(key)
    return _SEPARATOR_BY_ALPHA2.get(alpha2) if alpha2 else None


# --------------------------------------------------------------------------- currencies

KNOWN_CURRENCIES: frozenset[str] = frozenset(
    _words(
        # Active ISO 4217 codes.
        "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD "
        "BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN "
        "ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR "
        "ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL "
        "MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN "
        "PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD "
        "SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND "
        "VUV WST XAF XCD XOF XPF YER ZAR ZMW ZWL "
        # European currencies replaced by the euro since 2007, still seen in older answers.
        "CYP EEK HRK LTL LVL MTL SIT SKK"
    )
)
"""ISO 4217 codes `parse_money` accepts as written."""

# Symbols and words people write for a currency, normalised. "kr" is left out on purpose.
_CURRENCY_WORDS: dict[str, str] = {
    **dict.fromkeys(["€", "euro", "euros", "eura", "evro", "ευρω", "евро"], "EUR"),
    **dict.fromkeys(["£", "pound", "pounds", "sterling", "pounds sterling"], "GBP"),
    **dict.fromkeys(["$", "us$", "us $", "dollar", "dollars", "us dollars"], "USD"),
    **dict.fromkeys(["fr", "fr.", "sfr", "sfr.", "chf."], "CHF"),
    **dict.fromkeys(["lei", "leu"], "RON"),
    **dict.fromkeys(["lev", "leva", "лв", "лв."], "BGN"),
    **dict.fromkeys(["zł", "zl", "złoty", "zloty", "zlotys", "złotych", "zlotych"], "PLN"),
    **dict.fromkeys(["ft", "forint", "forints"], "HUF"),
    **dict.fromkeys(["kc", "kc."], "CZK"),
    **dict.fromkeys(["kn", "kuna", "kune"], "HRK"),
    **dict.fromkeys(["₺", "tl"], "TRY"),
    "¥": "JPY",
    "₴": "UAH",
    "₽": "RUB",
}
_AMBIGUOUS_CURRENCIES = frozenset({"kr", "kr."})  # Swedish, Danish, Norwegian or Icelandic

# --------------------------------------------------------------------------- numbers

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

_AMBIGUOUS_MIL = "mil"  # a million in English/Romanian/Czech, a thousand in Spanish/Portuguese
_MULTIPLIERS: dict[str, int] = {
    **dict.fromkeys(["k", "thousand", "thousands", "tsd", "tys", "mila", "mille"], 3),
    **dict.fromkeys(
        [
            "m",
            "mn",
            "mio",
            "mln",
            "million",
            "millions",
            "millionen",
            "millon",
            "millones",
            "milione",
            "milioni",
            "milhao",
            "milhoes",
            "miljoen",
            "miljoenen",
            "miljon",
            "miljoner",
            "milion",
            "miliony",
            "milionow",
            "milioane",
            "milijon",
            "milijona",
            _AMBIGUOUS_MIL,
        ],
        6,
    ),
    **dict.fromkeys(
        [
            "bn",
            "bln",
            "mrd",
            "mld",
            "mds",
            "md",
            "milliard",
            "milliards",
            "miliard",
            "miliardy",
            "miliardo",
            "miliardi",
            "miljard",
            "miljarden",
            "billion",
            "billions",
        ],
        9,
    ),
}
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
    return Decimal(sign + digits), None


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
        raise _error("not-a-number", value, "is too long to be a number.")
    cleaned = normalise(text).translate(_MINUS_AND_APOSTROPHES)
    if _PLAIN_INTEGER_RE.fullmatch(cleaned):
        return _Amount(Decimal(cleaned), None, "", "")
    match = _AMOUNT_RE.fullmatch(cleaned)
    if match is None:
        if not cleaned:
            raise ParseError("not-a-number", "The answer is empty, not a number.")
        raise _error("not-a-number", value, "is not a number.")

    head = _HEAD_RE.fullmatch(match["head"].strip())
    tail = _TAIL_RE.fullmatch(match["tail"])
    assert head is not None and tail is not None  # both patterns match any digit-free text
    if head["sign1"] and head["sign2"]:
        raise _error("not-a-number", value, "is not a number.")
    sign = "-" if "-" in (head["sign1"], head["sign2"]) else ""
    multiplier = tail["mult"]

    read = _read_core(match["core"], sign, decimal_separator, multiplier is not None)
    if read is None:
        raise _error("not-a-number", value, "is not a number.")
    number, alternative = read
    if multiplier is not None:
        if multiplier == _AMBIGUOUS_MIL and alternative is None:
            alternative = _shift(number, 3)
        elif alternative is not None:
            alternative = _shift(alternative, _MULTIPLIERS[multiplier])
        number = _shift(number, _MULTIPLIERS[multiplier])
    rest = tail["rest"].strip()
    if rest == ".":  # "5." ends a sentence
        rest = ""
    return _Amount(number, alternative, head["currency"], rest)


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
            raise _error("not-a-number", value, "is not a number.")
        result = Number(amount.value, amount.alternative)
    else:
        raise _error("not-a-number", value, "is not a number.")
    if not integer:
        return result
    readings = [r for r in (result.value, result.alternative) if r is not None and _is_whole(r)]
    if not readings:
        raise _error("not-a-number", value, "is not a whole number.")
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
            raise _error("unknown-currency", value, "is in a currency urbsurvey does not know.")
    if written in _AMBIGUOUS_CURRENCIES:
        raise _error(
            "unknown-currency",
            value,
            "does not say which krona or krone it is: write SEK, DKK, NOK or ISK.",
        )
    if len(written) == 1 and unicodedata.category(written) == "Sc":
        raise _error("unknown-currency", value, "is in a currency urbsurvey does not know.")
    raise _error("not-a-number", value, "is not an amount of money.")


def parse_money(value: object, *, decimal_separator: str | None = None) -> Money:
    """Read an amount of money: "€1.4m", "350.000,50 €", "RON 500.000", "£240,000", 1400000."""
    number = _from_cell_number(value)
    if number is not None:
        return Money(number, None)
    if not isinstance(value, str):
        raise _error("not-a-number", value, "is not an amount of money.")
    amount = _read_amount(value, value, decimal_separator)
    before = _currency(value, amount.head_currency)
    after = _currency(value, amount.tail_currency)
    if before and after and before != after:
        raise _error("not-a-number", value, "names two different currencies.")
    return Money(amount.value, before or after, amount.alternative)


def format_money(money: Money) -> str:
    """ "EUR 1400000.50": the form `parse_money` reads back to the same amount and currency."""
    text = f"{money.amount:f}"
    exponent = money.amount.as_tuple().exponent
    if exponent == -3:
        text += "0"  # "1.400" would read as fourteen hundred; "1.4000" cannot
    return f"{money.currency} {text}" if money.currency else text


# --------------------------------------------------------------------------- dates

_MONTHS: dict[str, int] = {
    name: number
    for number, names in enumerate(
        [
            "january jan janvier janv gennaio gen enero ene janeiro januar janner januari",
            "february feb fevrier fevr fev febbraio febrero fevereiro februar februari",
            "march mar mars marzo marco marz mrz maart",
            "april apr avril aprile abril abr",
            "may mai maggio mag mayo maio mei",
            "june jun juin giugno giu junio junho juni",
            "july jul juillet juil luglio lug julio julho juli",
            "august aug aout agosto ago augustus",
            "september sep sept septembre settembre set septiembre setiembre setembro",
            "october oct octobre ottobre ott octubre outubro out oktober okt",
            "november nov novembre noviembre novembro",
            "december dec decembre dicembre dic diciembre dezembro dez dezember",
        ],
        start=1,
    )
    for name in names.split()
}

_TIME = r"(?:[ t][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?)?"
_ISO_DATE_RE = re.compile(rf"([0-9]{{4}})([-/.])([0-9]{{1,2}})\2([0-9]{{1,2}}){_TIME}")
_DMY_DATE_RE = re.compile(
    rf"([0-9]{{1,2}}) ?([-/.]) ?([0-9]{{1,2}}) ?\2 ?([0-9]{{4}}|[0-9]{{2}})\.?{_TIME}"
)
_DAY_MONTH_NAME_RE = re.compile(
    r"([0-9]{1,2})(?:(?:st|nd|rd|th|er|o)(?![a-z]))?\.?[ \-/]?(?:de |of )?"
    r"([a-z]+)\.?[ \-/,]*(?:del? )?([0-9]{4}|[0-9]{2})"
)
_MONTH_NAME_DAY_RE = re.compile(r"([a-z]+)\.? ?([0-9]{1,2})(?:st|nd|rd|th)?,? ?([0-9]{4})")

_EXCEL_MAX_SERIAL = 2958465  # 9999-12-31
_EXCEL_EPOCH = datetime.date(1899, 12, 30)  # serial 0 for serials after the fake 1900-02-29


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 70 else 1900
    return year


def _from_excel_serial(value: object, serial: int) -> datetime.date:
    if serial < 1 or serial > _EXCEL_MAX_SERIAL:
        raise _error("invalid-date", value, "is not a date.")
    if serial == 60:  # Excel's 29 February 1900, which never existed
        raise _error("invalid-date", value, "is not a real calendar date.")
    if serial < 60:
        return _EXCEL_EPOCH + datetime.timedelta(days=serial + 1)
    return _EXCEL_EPOCH + datetime.timedelta(days=serial)


def _date_from_text(value: object, text: str) -> datetime.date:
    if len(text) > MAX_TEXT_LENGTH:
        raise _error("invalid-date", value, "is not a date.")
    cleaned = normalise(text)
    parts: tuple[int, int, int] | None = None  # year, month, day
    if match := _ISO_DATE_RE.fullmatch(cleaned):
        parts = int(match[1]), int(match[3]), int(match[4])
    elif match := _DMY_DATE_RE.fullmatch(cleaned):
        parts = _year(match[4]), int(match[3]), int(match[1])
    elif (match := _DAY_MONTH_NAME_RE.fullmatch(cleaned)) and match[2] in _MONTHS:
        parts = _year(match[3]), _MONTHS[match[2]], int(match[1])
    elif (match := _MONTH_NAME_DAY_RE.fullmatch(cleaned)) and match[1] in _MONTHS:
        parts = int(match[3]), _MONTHS[match[1]], int(match[2])
    if parts is None:
        raise _error("invalid-date", value, "is not a date.")
    try:
        return datetime.date(*parts)
    except ValueError:
        raise _error("invalid-date", value, "is not a real calendar date.") from None


def parse_date(value: object) -> datetime.date:
    """Read a date: a date cell, an Excel serial number, or text such as "15/10/2009"."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, bool):
        raise _error("invalid-date", value, "is not a date.")
    if isinstance(value, int):
        return _from_excel_serial(value, value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _error("invalid-date", value, "is not a date.")
        return _from_excel_serial(value, math.floor(value))
    if isinstance(value, str):
        return _date_from_text(value, value)
    raise _error("invalid-date", value, "is not a date.")


# --------------------------------------------------------------------------- yes/no

_YES_NO: dict[str, bool] = {
    **dict.fromkeys(
        _words("yes y oui si sim ja jah kylla ναι da да tak igen ano taip iva true 1"), True
    ),
    **dict.fromkeys(
        _words("no n non nao nej nein nee nei ei οχι nu ne не nie nem le false 0"), False
    ),
}


def parse_yes_no(value: object) -> bool:
    """Read yes or no in the partners' languages ("oui", "nein", "ναι", "tak"), or 1/0."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return value == 1
    if isinstance(value, str) and len(value) <= MAX_TEXT_LENGTH:
        answer = _YES_NO.get(normalise(value).rstrip(".!").rstrip())
        if answer is not None:
            return answer
    raise _error("invalid-choice", value, "is not yes or no.")


# --------------------------------------------------------------------------- choices

_PARTS_RE = re.compile(r"[;\n\r\u2028\u2029]")
_COMMA_SPACING_RE = re.compile(r" ?, ?")


def _choice_key(text: str) -> str:
    key = normalise(text).rstrip(".").rstrip()
    if "," in key:
        key = _COMMA_SPACING_RE.sub(", ", key)
    return key


def _choice_text(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value) if value.bit_length() < 256 else None
    if isinstance(value, float) and math.isfinite(value):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return None


class ChoiceMatcher:
    """Match answers to a question's choices by code or by any label, in any language."""

    __slots__ = ("_allowed", "_by_key", "_exact", "_longest_label")

    def __init__(self, choices: Sequence[tuple[str, Sequence[str]]]) -> None:
        """`choices`: (code, labels in every language) for each choice, in display order."""
        self._by_key: dict[str, str] = {}
        self._longest_label = 1  # the most comma-separated pieces one label spans
        for code, _ in choices:
            self._by_key.setdefault(_choice_key(code), code)
        for code, labels in choices:
            for label in labels:
                key = _choice_key(label)
                if key:
                    self._by_key.setdefault(key, code)
                    self._longest_label = max(self._longest_label, key.count(",") + 1)
        # Most answers are a code or label exactly as offered: found without normalising.
        self._exact = {
            text: self._by_key[key]
            for code, labels in choices
            for text in (code, *labels)
            if (key := _choice_key(text))
        }
        self._allowed = "; ".join(labels[0] if labels else code for code, labels in choices)

    def _invalid(self, value: object) -> ParseError:
        return _error("invalid-choice", value, f"is not one of: {self._allowed}.")

    def _code(self, text: str) -> str | None:
        """The code of the choice `text` names, if any."""
        code = self._exact.get(text)
        return code if code is not None else self._by_key.get(_choice_key(text))

    def match(self, value: object) -> str:
        """The code of the one choice the answer names."""
        text = _choice_text(value)
        code = None if text is None else self._code(text)
        if code is None:
            raise self._invalid(value)
        return code

    def match_many(self, value: object) -> list[str]:
        """Codes of every choice named, in order of appearance, without duplicates.

        Choices are separated by ";" or new lines, or else by "," (preferring the
        longest labels, since a label may itself contain a comma).
        """
        text = _choice_text(value)
        if text is None:
            raise self._invalid(value)
        whole = self._code(text)
        if whole is not None:
            return [whole]
        codes: dict[str, None] = {}
        for part in _PARTS_RE.split(text):
            code = self._exact.get(part.strip())  # the key ignores surrounding spaces
            if code is None:
                key = _choice_key(part)
                if not key:
                    continue
                code = self._by_key.get(key)
            if code is not None:
                codes[code] = None
                continue
            pieces = [piece for piece in part.split(",") if _choice_key(piece)]
            start = 0
            while start < len(pieces):
                for end in range(min(len(pieces), start + self._longest_label), start, -1):
                    code = self._by_key.get(_choice_key(",".join(pieces[start:end])))
                    if code is not None:
                        codes[code] = None
                        start = end
                        break
                else:
                    raise self._invalid(pieces[start])
        if not codes:
            raise self._invalid(value)
        return list(codes)

"""Tests for urbsurvey.parsing: answers as partners type them into spreadsheet cells."""

from __future__ import annotations

import contextlib
import datetime
import pickle
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from urbsurvey.issues import IssueCode
from urbsurvey.parsing import (
    KNOWN_CURRENCIES,
    ChoiceMatcher,
    Money,
    Number,
    ParseError,
    decimal_separator_for_country,
    format_money,
    normalise,
    parse_date,
    parse_money,
    parse_number,
    parse_yes_no,
)

D = Decimal

# --------------------------------------------------------------------------- ParseError


def test_parse_error_carries_code_and_message() -> None:
    with pytest.raises(ParseError) as caught:
        parse_number("12 apples")
    assert caught.value.code == "not-a-number"
    assert caught.value.message == "'12 apples' is not a number."
    assert str(caught.value) == caught.value.message
    assert isinstance(caught.value, ValueError)


def test_parse_error_survives_pickling() -> None:
    error = pickle.loads(pickle.dumps(ParseError(IssueCode.INVALID_DATE, "'x' is not a date.")))
    assert (error.code, error.message) == ("invalid-date", "'x' is not a date.")


def test_long_answers_are_shortened_in_messages() -> None:
    with pytest.raises(ParseError) as caught:
        parse_yes_no("maybe " * 30)
    assert len(caught.value.message) < 100
    assert caught.value.message.endswith("…' is not yes or no.")


# --------------------------------------------------------------------------- normalise


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Ça  Va\tBien\n", "ca va bien"),
        ("São\u00a0Paulo", "sao paulo"),
        ("1\u202f400\u2009000", "1 400 000"),
        ("\u038cΧΙ", "οχι"),  # Greek capital omicron with tonos
        ("όχι", "οχι"),
        ("Straße", "strasse"),
        ("Kyllä", "kylla"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


@given(st.text())
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once


# --------------------------------------------------------------------------- countries


@pytest.mark.parametrize(
    ("country", "expected"),
    [
        ("IT", ","),
        ("pt", ","),
        ("Italy", ","),
        ("Netherlands", ","),
        ("the Netherlands", ","),
        ("GERMANY", ","),
        ("EL", ","),
        ("Greece", ","),
        ("Romania", ","),
        ("Poland", ","),
        ("Sweden", ","),
        ("Norway", ","),
        ("Iceland", ","),
        ("United Kingdom", "."),
        ("UK", "."),
        ("GB", "."),
        ("Ireland", "."),
        ("Malta", "."),
        ("CH", "."),
        ("Switzerland", "."),
        ("US", "."),
        ("United States", "."),
        ("U.S.A.", "."),
        ("Czech Republic", ","),
        ("Czechia", ","),
        ("Bosnia & Herzegovina", ","),
        ("Narnia", None),
        ("ZZ", None),
        ("", None),
        (None, None),
    ],
)
def test_decimal_separator_for_country(country: str | None, expected: str | None) -> None:
    assert decimal_separator_for_country(country) == expected


_EU_EEA_UK_CH_US = [
    "AT",
    "BE",
    "BG",
    "HR",
    "CY",
    "CZ",
    "DK",
    "EE",
    "FI",
    "FR",
    "DE",
    "GR",
    "HU",
    "IE",
    "IT",
    "LV",
    "LT",
    "LU",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SK",
    "SI",
    "ES",
    "SE",
    "IS",
    "LI",
    "NO",
    "GB",
    "CH",
    "US",
]


@pytest.mark.parametrize(
    "code",
    _EU_EEA_UK_CH_US,
)
def test_every_eu_eea_country_has_a_separator(code: str) -> None:
    assert decimal_separator_for_country(code) in (",", ".")
    assert decimal_separator_for_country(code.lower()) == decimal_separator_for_country(code)


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (12, "12"),
        (-3, "-3"),
        (1400000.0, "1400000"),
        (0.1, "0.1"),
        (2.5, "2.5"),
        (-0.0, "0"),
        (1e16, "10000000000000000"),
    ],
)
def test_parse_number_numeric_cells(cell: float, expected: str) -> None:
    number = parse_number(cell)
    assert number == Number(D(expected))
    assert str(number.value) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.400.000", "1400000"),
        ("1 400 000", "1400000"),
        ("1\u00a0400\u00a0000", "1400000"),
        ("1\u202f400\u202f000", "1400000"),
        ("1\u2009400\u2009000", "1400000"),
        ("1'000'000", "1000000"),
        ("1’000", "1000"),
        ("1,4 Mio", "1400000"),
        ("1,4 Mio.", "1400000"),
        ("1,400,000.25", "1400000.25"),
        ("1.400.000,25", "1400000.25"),
        ("1 400 000,25", "1400000.25"),
        ("-5", "-5"),
        ("+5", "5"),
        ("−5", "-5"),
        ("- 5", "-5"),
        ("12", "12"),
        ("  12  ", "12"),
        ("0,5", "0.5"),
        (",5", "0.5"),
        ("1.5", "1.5"),
        ("1,25", "1.25"),
        ("3,1416", "3.1416"),
        ("0.500", "0.5"),
        ("1400.000", "1400"),
        ("5.", "5"),
        ("350k", "350000"),
        ("350 K", "350000"),
        ("2 thousand", "2000"),
        ("2 mln", "2000000"),
        ("1,2 millions", "1200000"),
        ("1.2 million", "1200000"),
        ("1.2 Millionen", "1200000"),
        ("5 m", "5000000"),
        ("5M", "5000000"),
        ("3 bn", "3000000000"),
        ("1 Mrd", "1000000000"),
        ("1,5 Mrd.", "1500000000"),
        ("2 milliards", "2000000000"),
        ("2 billion", "2000000000"),
        ("１２", "12"),
    ],
)
def test_parse_number_text(text: str, expected: str) -> None:
    number = parse_number(text)
    assert number.value == D(expected)
    assert number.alternative is None


def test_parse_number_keeps_written_decimals_exactly() -> None:
    assert parse_number("0,1").value == D("0.1")
    assert parse_number("12345678901234567890.123456789").value == D(
        "12345678901234567890.123456789"
    )
    assert parse_number("1.234567 k").value == D("1234.567")


@pytest.mark.parametrize(
    "text",
    [
        "12 apples",
        "12 34",
        "1 2345",
        "1.2.3",
        "12.34.567",
        "1.400 000",
        "1,400.000,50",
        "abc",
        "€5",
        "5 EUR",
        "$5,000",
        "5 %",
        "--5",
        "1e6",
        "1" * 101,
        "",
        "   ",
    ],
)
def test_parse_number_rejects(text: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_number(text)
    assert caught.value.code == "not-a-number"


@pytest.mark.parametrize(
    "cell",
    [True, False, None, float("nan"), float("inf"), datetime.date(2009, 1, 1), [1]],
)
def test_parse_number_rejects_cells_that_are_not_numbers(cell: object) -> None:
    with pytest.raises(ParseError) as caught:
        parse_number(cell)
    assert caught.value.code == "not-a-number"


def test_parse_number_message_quotes_the_answer() -> None:
    with pytest.raises(ParseError, match=r"^'12 apples' is not a number\.$"):
        parse_number("12 apples")
    with pytest.raises(ParseError, match=r"^'TRUE' is not a number\.$"):
        parse_number(True)


def test_parse_number_rejects_bad_decimal_separator_argument() -> None:
    with pytest.raises(ValueError, match="decimal_separator"):
        parse_number("1", decimal_separator=";")


# Ambiguity: one separator followed by exactly three digits.


@pytest.mark.parametrize("text", ["1.400", "1,400"])
def test_ambiguous_without_country_returns_both_readings(text: str) -> None:
    number = parse_number(text)
    assert number.value == D("1400")
    assert number.alternative == D("1.4")
    assert str(number.alternative) == "1.4"


@pytest.mark.parametrize(
    ("text", "separator", "expected"),
    [
        ("1.400", ",", "1400"),
        ("1.400", ".", "1.4"),
        ("1,400", ",", "1.4"),
        ("1,400", ".", "1400"),
        ("-1,400", ",", "-1.4"),
        ("1,400 Mio", ".", "1400000000"),
        ("1.400 Mio", ",", "1400000000"),  # German press style: 1.400 Mio. = 1.4 billion
    ],
)
def test_ambiguous_settled_by_country(text: str, separator: str, expected: str) -> None:
    assert parse_number(text, decimal_separator=separator) == Number(D(expected))


@pytest.mark.parametrize("text", ["500.000", "500,000", "1.000", "1,000"])
def test_three_zeros_read_as_thousands(text: str) -> None:
    thousands = D(text.replace(".", "").replace(",", ""))
    assert parse_number(text) == Number(thousands)


def test_three_zeros_against_the_country_keep_the_other_reading() -> None:
    assert parse_number("500,000", decimal_separator=",") == Number(D("500000"), D("500"))
    assert parse_number("500,000", decimal_separator=".") == Number(D("500000"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1,400 Mio", "1400000"), ("1.400 mln", "1400000"), ("2,500k", "2500")],
)
def test_ambiguous_before_a_multiplier_is_decimal(text: str, expected: str) -> None:
    assert parse_number(text) == Number(D(expected))


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0.400", "0.4"), ("1234,567", "1234.567"), ("1,4000", "1.4"), ("1 400,500", "1400.5")],
)
def test_only_one_reading_is_not_ambiguous(text: str, expected: str) -> None:
    assert parse_number(text) == Number(D(expected))


def test_mil_is_ambiguous_between_million_and_thousand() -> None:
    assert parse_number("2 mil") == Number(D("2000000"), D("2000"))


# integer=True


@pytest.mark.parametrize(
    ("value", "expected"),
    [(12, "12"), (12.0, "12"), ("1.400.000", "1400000"), ("5,00", "5"), ("1,5k", "1500")],
)
def test_integer_accepts_whole_numbers(value: object, expected: str) -> None:
    number = parse_number(value, integer=True)
    assert number == Number(D(expected))
    assert str(number.value) == expected


@pytest.mark.parametrize("value", ["1.5", "0,25", 2.5, "1,2345"])
def test_integer_rejects_fractions(value: object) -> None:
    with pytest.raises(ParseError) as caught:
        parse_number(value, integer=True)
    assert caught.value.code == "not-a-number"
    assert caught.value.message.endswith("is not a whole number.")


def test_integer_drops_a_fractional_alternative() -> None:
    assert parse_number("1.400", integer=True) == Number(D("1400"))


# --------------------------------------------------------------------------- money


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("€1.4m", "1400000", "EUR"),
        ("EUR 350k", "350000", "EUR"),
        ("350.000,50 €", "350000.50", "EUR"),
        ("RON 500.000", "500000", "RON"),
        ("£240,000", "240000", "GBP"),
        ("$5,000", "5000", "USD"),
        ("5000 lei", "5000", "RON"),
        ("CHF 1'000", "1000", "CHF"),
        ("Fr. 100", "100", "CHF"),
        ("1.400.000 EUR", "1400000", "EUR"),
        ("EUR1400000", "1400000", "EUR"),
        ("€ 1.400.000,00", "1400000", "EUR"),
        ("1,4 Mio. €", "1400000", "EUR"),
        ("2 mln euro", "2000000", "EUR"),
        ("5 euros", "5", "EUR"),
        ("350k€", "350000", "EUR"),
        ("eur 12", "12", "EUR"),
        ("12 EUR.", "12", "EUR"),
        ("EUR -5", "-5", "EUR"),
        ("-€5", "-5", "EUR"),
        ("100 zł", "100", "PLN"),
        ("100 zloty", "100", "PLN"),
        ("100 PLN", "100", "PLN"),
        ("2 000 Kč", "2000", "CZK"),
        ("50 000 Ft", "50000", "HUF"),
        ("1 000 BGN", "1000", "BGN"),
        ("SEK 1 000", "1000", "SEK"),
        ("1.000 DKK", "1000", "DKK"),
        ("1,5 mil. lei", "1500000", "RON"),
        ("1400000", "1400000", None),
        ("1,4 Mio", "1400000", None),
    ],
)
def test_parse_money_text(text: str, amount: str, currency: str | None) -> None:
    money = parse_money(text)
    assert money.amount == D(amount)
    assert money.currency == currency


def test_parse_money_numeric_cells_have_no_currency() -> None:
    assert parse_money(1400000.5) == Money(D("1400000.5"), None)
    assert parse_money(350) == Money(D("350"), None)


def test_parse_money_ambiguity() -> None:
    assert parse_money("€1.400") == Money(D("1400"), "EUR", D("1.4"))
    assert parse_money("€1.400", decimal_separator=".") == Money(D("1.4"), "EUR")
    assert parse_money("€1.400", decimal_separator=",") == Money(D("1400"), "EUR")


@pytest.mark.parametrize("text", ["500 XYZ", "ABC 12", "500 kr", "500 kr.", "₹500"])
def test_parse_money_unknown_currency(text: str) -> None:
    with pytest.raises(ParseError) as caught:
        parse_money(text)
    assert caught.value.code == "unknown-currency"
    assert caught.value.message.startswith(f"'{text}' ")


def test_kr_asks_which_one() -> None:
    with pytest.raises(ParseError, match="SEK, DKK, NOK or ISK"):
        parse_money("500 kr")


@pytest.mark.parametrize("value", ["12 apples", "€", "€5 GBP", "EUR", "", True, None, float("nan")])
def test_parse_money_rejects(value: object) -> None:
    with pytest.raises(ParseError) as caught:
        parse_money(value)
    assert caught.value.code == "not-a-number"


@pytest.mark.parametrize(
    ("money", "text"),
    [
        (Money(D("1400000.50"), "EUR"), "EUR 1400000.50"),
        (Money(D("-5"), "GBP"), "GBP -5"),
        (Money(D("12"), None), "12"),
        (Money(D("1.400"), "EUR"), "EUR 1.4000"),
        (Money(D("1E+6"), "RON"), "RON 1000000"),
    ],
)
def test_format_money(money: Money, text: str) -> None:
    assert format_money(money) == text
    back = parse_money(text)
    assert (back.amount, back.currency) == (money.amount, money.currency)


_AMOUNTS = st.decimals(
    min_value=D("-1e15"), max_value=D("1e15"), places=2, allow_nan=False, allow_infinity=False
)
_ANY_PLACES_AMOUNTS = st.builds(
    lambda units, places: D(units).scaleb(-places),
    st.integers(min_value=-(10**18), max_value=10**18),
    st.integers(min_value=-6, max_value=6),
)


@given(
    st.one_of(_AMOUNTS, _ANY_PLACES_AMOUNTS),
    st.one_of(st.none(), st.sampled_from(sorted(KNOWN_CURRENCIES))),
)
def test_format_money_round_trips(amount: Decimal, currency: str | None) -> None:
    back = parse_money(format_money(Money(amount, currency)))
    assert back.amount == amount
    assert back.currency == currency
    assert back.alternative is None


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime.date(2009, 10, 15), datetime.date(2009, 10, 15)),
        (datetime.datetime(2009, 10, 15, 14, 30), datetime.date(2009, 10, 15)),
        ("15/10/2009", datetime.date(2009, 10, 15)),
        ("15.10.2009", datetime.date(2009, 10, 15)),
        ("15-10-2009", datetime.date(2009, 10, 15)),
        ("15. 10. 2009", datetime.date(2009, 10, 15)),
        ("5/3/2010", datetime.date(2010, 3, 5)),
        ("2009-10-15", datetime.date(2009, 10, 15)),
        ("2009-10-15 00:00:00", datetime.date(2009, 10, 15)),
        ("2009-10-15T08:30", datetime.date(2009, 10, 15)),
        ("15/10/09", datetime.date(2009, 10, 15)),
        ("15/10/69", datetime.date(2069, 10, 15)),
        ("15/10/75", datetime.date(1975, 10, 15)),
        ("15 October 2009", datetime.date(2009, 10, 15)),
        ("15 oct 2009", datetime.date(2009, 10, 15)),
        ("15 Oct. 2009", datetime.date(2009, 10, 15)),
        ("15-Oct-09", datetime.date(2009, 10, 15)),
        ("October 15, 2009", datetime.date(2009, 10, 15)),
        ("Oct 15 2009", datetime.date(2009, 10, 15)),
        ("15th October 2009", datetime.date(2009, 10, 15)),
        ("1er octobre 2009", datetime.date(2009, 10, 1)),
        ("15 décembre 2009", datetime.date(2009, 12, 15)),
        ("15 DECEMBRE 2009", datetime.date(2009, 12, 15)),
        ("3 août 2009", datetime.date(2009, 8, 3)),
        ("15 ottobre 2009", datetime.date(2009, 10, 15)),
        ("15 gennaio 2010", datetime.date(2010, 1, 15)),
        ("15 de octubre de 2009", datetime.date(2009, 10, 15)),
        ("15 enero 2010", datetime.date(2010, 1, 15)),
        ("15 de outubro de 2009", datetime.date(2009, 10, 15)),
        ("2 de março de 2010", datetime.date(2010, 3, 2)),
        ("15. Oktober 2009", datetime.date(2009, 10, 15)),
        ("  15/10/2009  ", datetime.date(2009, 10, 15)),
    ],
)
def test_parse_date(value: object, expected: datetime.date) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    ("serial", "expected"),
    [
        (1, datetime.date(1900, 1, 1)),
        (59, datetime.date(1900, 2, 28)),
        (61, datetime.date(1900, 3, 1)),
        (40101, datetime.date(2009, 10, 15)),
        (40101.75, datetime.date(2009, 10, 15)),
        (2958465, datetime.date(9999, 12, 31)),
    ],
)
def test_parse_date_excel_serials(serial: float, expected: datetime.date) -> None:
    assert parse_date(serial) == expected


@pytest.mark.parametrize(
    "value",
    [
        60,
        0,
        -1,
        0.5,
        2958466,
        float("nan"),
        float("inf"),
        True,
        None,
        datetime.time(10, 30),
        datetime.timedelta(days=3),
        "31/02/2009",
        "29/02/2009",
        "15/13/2009",
        "2009-02-30",
        "32 October 2009",
        "10/15/2009",
        "October 2009",
        "15 Brumaire 2009",
        "next week",
        "40101",
        "",
    ],
)
def test_parse_date_rejects(value: object) -> None:
    with pytest.raises(ParseError) as caught:
        parse_date(value)
    assert caught.value.code == "invalid-date"


def test_parse_date_leap_day() -> None:
    assert parse_date("29/02/2008") == datetime.date(2008, 2, 29)
    with pytest.raises(ParseError, match=r"^'29/02/2009' is not a real calendar date\.$"):
        parse_date("29/02/2009")


# --------------------------------------------------------------------------- yes / no

_YES_NO_PAIRS = [
    ("yes", "no"),
    ("Y", "N"),
    ("Oui", "Non"),
    ("sì", "no"),
    ("si", "no"),
    ("sí", "no"),
    ("sim", "não"),
    ("ja", "nej"),
    ("Ja", "Nein"),
    ("ja", "nee"),
    ("kyllä", "ei"),
    ("ναι", "όχι"),
    ("ΝΑΙ", "ΌΧΙ"),
    ("da", "nu"),
    ("da", "ne"),
    ("tak", "nie"),
    ("igen", "nem"),
    ("ano", "ne"),
    ("áno", "nie"),
    ("jah", "ei"),
    ("jā", "nē"),
    ("taip", "ne"),
    ("iva", "le"),
    ("TRUE", "FALSE"),
    ("1", "0"),
    ("  Yes. ", " no "),
]


@pytest.mark.parametrize(("yes", "no"), _YES_NO_PAIRS)
def test_parse_yes_no_languages(yes: str, no: str) -> None:
    assert parse_yes_no(yes) is True
    assert parse_yes_no(no) is False


@pytest.mark.parametrize(
    ("cell", "expected"), [(True, True), (False, False), (1, True), (0, False), (1.0, True)]
)
def test_parse_yes_no_cells(cell: object, expected: bool) -> None:
    assert parse_yes_no(cell) is expected


@pytest.mark.parametrize(
    "value", ["maybe", "yes and no", "2", 2, -1, 0.5, "", None, datetime.date(2009, 1, 1)]
)
def test_parse_yes_no_rejects(value: object) -> None:
    with pytest.raises(ParseError) as caught:
        parse_yes_no(value)
    assert caught.value.code == "invalid-choice"
    assert caught.value.message.endswith("is not yes or no.")


# --------------------------------------------------------------------------- choices

_THEMES = ChoiceMatcher(
    [
        ("housing", ["Housing", "Logement", "Vivienda"]),
        ("jobs", ["Jobs and skills", "Emploi et compétences"]),
        ("env", ["Environment, climate and energy", "Environnement, climat et énergie"]),
        ("gov", ["Governance", "Gouvernance"]),
    ]
)


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        ("housing", "housing"),
        ("HOUSING", "housing"),
        ("Housing", "housing"),
        ("Logement", "housing"),
        ("  logement  ", "housing"),
        ("Housing.", "housing"),
        ("Emploi et compétences", "jobs"),
        ("emploi et competences", "jobs"),
        ("Jobs  and\u00a0skills", "jobs"),
        ("Environment, climate and energy", "env"),
        ("environment ,climate and energy", "env"),
        ("ENV", "env"),
    ],
)
def test_choice_match(answer: str, code: str) -> None:
    assert _THEMES.match(answer) == code


def test_choice_match_rejects_and_names_the_choices() -> None:
    with pytest.raises(ParseError) as caught:
        _THEMES.match("Tourism")
    assert caught.value.code == "invalid-choice"
    assert caught.value.message == (
        "'Tourism' is not one of: Housing; Jobs and skills; "
        "Environment, climate and energy; Governance."
    )


def test_choice_match_numeric_codes() -> None:
    scale = ChoiceMatcher([("1", ["Poor"]), ("2", ["Fair"]), ("3", ["Good"])])
    assert scale.match(2) == "2"
    assert scale.match(3.0) == "3"
    assert scale.match("good") == "3"
    for bad in (4, 2.5, True, None):
        with pytest.raises(ParseError):
            scale.match(bad)


@pytest.mark.parametrize(
    ("answer", "codes"),
    [
        ("Housing", ["housing"]),
        ("Housing; Governance", ["housing", "gov"]),
        ("Housing\nGovernance", ["housing", "gov"]),
        ("Housing\r\nLogement\n\nGovernance;", ["housing", "gov"]),
        ("Governance, Housing", ["gov", "housing"]),
        ("Housing, Environment, climate and energy", ["housing", "env"]),
        ("Environment, climate and energy, Housing", ["env", "housing"]),
        ("Environnement, climat et énergie; emploi et compétences", ["env", "jobs"]),
        ("housing, gov, , jobs.", ["housing", "gov", "jobs"]),
        ("Environment, climate and energy", ["env"]),
    ],
)
def test_choice_match_many(answer: str, codes: list[str]) -> None:
    assert _THEMES.match_many(answer) == codes


def test_choice_match_many_label_with_comma_preferred_over_parts() -> None:
    matcher = ChoiceMatcher([("a", ["Red"]), ("b", ["Green"]), ("ab", ["Red, green"])])
    assert matcher.match_many("Red, green") == ["ab"]
    assert matcher.match_many("Green, red, green") == ["b", "ab"]
    assert matcher.match_many("Green; Red") == ["b", "a"]


def test_choice_match_many_names_the_bad_part() -> None:
    with pytest.raises(ParseError) as caught:
        _THEMES.match_many("Housing; Tourism, Governance")
    assert caught.value.code == "invalid-choice"
    assert caught.value.message.startswith("'Tourism' is not one of: Housing; ")


@pytest.mark.parametrize("value", ["", " ; ", None])
def test_choice_match_many_rejects_empty(value: object) -> None:
    with pytest.raises(ParseError):
        _THEMES.match_many(value)


_LABELS = st.text(alphabet="abcé ,.;\n\u00a0", max_size=8)


@given(
    st.lists(st.tuples(st.sampled_from("xyz"), st.lists(_LABELS, max_size=3)), max_size=4),
    st.lists(st.one_of(_LABELS, st.sampled_from(["Red", " red ", "x", "x.", "é; a"])), max_size=4),
    st.sampled_from(["; ", ";", "\n", ", ", " ,"]),
)
def test_choice_exact_lookup_agrees_with_normalised(
    choices: list[tuple[str, list[str]]], parts: list[str], joiner: str
) -> None:
    """Looking a label up as typed finds what normalising it finds (first choice wins)."""
    choices = [("a", ["Red"]), *choices]
    fast = ChoiceMatcher(choices)
    slow = ChoiceMatcher(choices)
    slow._exact = {}  # every lookup normalises
    typed = [label for _, labels in choices for label in labels] + parts
    for value in [*typed, joiner.join(parts), joiner.join(typed)]:
        for method in ("match", "match_many"):
            outcomes = []
            for matcher in (fast, slow):
                try:
                    outcomes.append(getattr(matcher, method)(value))
                except ParseError as exc:
                    outcomes.append(exc.message)
            assert outcomes[0] == outcomes[1], (method, value)


# --------------------------------------------------------------------------- robustness

_CELLS = st.one_of(
    st.text(),
    st.text(alphabet="0123456789.,' -+€$£kmMEURlei\u00a0\u202f"),
    st.integers(),
    st.floats(),
    st.booleans(),
    st.none(),
    st.dates(),
    st.datetimes(),
    st.times(),
    st.timedeltas(),
)


@given(_CELLS, st.sampled_from([None, ",", "."]), st.booleans())
def test_parse_number_raises_only_parse_error(
    value: object, separator: str | None, integer: bool
) -> None:
    try:
        result = parse_number(value, decimal_separator=separator, integer=integer)
    except ParseError:
        return
    assert result.value.is_finite()


@given(_CELLS, st.sampled_from([None, ",", "."]))
def test_parse_money_raises_only_parse_error(value: object, separator: str | None) -> None:
    try:
        result = parse_money(value, decimal_separator=separator)
    except ParseError:
        return
    assert result.currency is None or result.currency in KNOWN_CURRENCIES


@given(_CELLS)
def test_parse_date_raises_only_parse_error(value: object) -> None:
    with contextlib.suppress(ParseError):
        parse_date(value)


@given(_CELLS)
def test_parse_yes_no_raises_only_parse_error(value: object) -> None:
    with contextlib.suppress(ParseError):
        parse_yes_no(value)


@given(_CELLS)
def test_choice_matcher_raises_only_parse_error(value: object) -> None:
    for method in (_THEMES.match, _THEMES.match_many):
        with contextlib.suppress(ParseError):
            method(value)

"""Understanding one answer cell: from what the partner typed to a checked value."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from ..definition import TEXT_TYPES, Question, Questionnaire, QuestionType
from ..issues import CATALOGUE, IssueCode, Severity
from ..parsing import (
    ChoiceMatcher,
    ParseError,
    parse_date,
    parse_money,
    parse_number,
    parse_yes_no,
)
from ..workbook.cells import CONTROL_CHARS, MAX_CELL_CHARS
from .record import Answer as Answer  # re-exported: their home before `record`
from .record import AnswerValue as AnswerValue
from .record import MoneyValue as MoneyValue


@dataclass(slots=True)
class Problem:
    """A problem with one answer, before it is placed in a file (see `Issue`)."""

    code: IssueCode
    message: str


@dataclass(frozen=True, slots=True)
class AssumedCurrency:
    """The currency a bare amount is read in, and why (said in the `currency-assumed` warning)."""

    code: str
    why: str


@dataclass(slots=True)
class Interpretation:
    value: AnswerValue
    problems: list[Problem] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems or all(
            CATALOGUE[p.code].severity is Severity.WARNING for p in self.problems
        )


def raw_text(value: object) -> str:
    """The cell as text, the way the partner would read it."""
    if isinstance(value, str):  # most cells
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return f"{value:.15g}"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ") if value.time() != dt.time() else value.date().isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


class Interpreter:
    """Parses answers for one questionnaire and one report currency.

    Choice matchers are built once; a batch of thousands of workbooks reuses them.
    """

    def __init__(
        self, q: Questionnaire, currency: str = "EUR", rates: dict[str, Decimal] | None = None
    ) -> None:
        self.questionnaire = q
        self.currency = currency
        self.rates = {currency: Decimal(1), **(rates or {})}
        self.matchers = {
            question.id: ChoiceMatcher([(c.code, [*c.labels(), c.code]) for c in question.choices])
            for question in q.questions()
            if question.choices
        }

    def interpret(
        self,
        question: Question,
        cell: object,
        *,
        decimal_separator: str | None = None,
        partner_currency: AssumedCurrency | None = None,
    ) -> Interpretation:
        """Parse one answer; a bare amount of money is read in the question's currency,
        else in `partner_currency`, else it is a `missing-currency` error."""
        try:
            if question.type is QuestionType.MONEY:
                result = self._money(question, cell, decimal_separator, partner_currency)
            else:
                result = self._parse(question, cell, decimal_separator)
        except ParseError as exc:
            return Interpretation(None, [Problem(exc.code, exc.message)])
        if result.value is None or isinstance(result.value, str | list | bool):
            return result  # text, choices, yes/no: no figure to bound
        if not _check_magnitude(result):
            self._check_range(question, result)
        return result

    def _parse(self, question: Question, cell: object, sep: str | None) -> Interpretation:
        kind = question.type
        if kind in TEXT_TYPES:
            return self._text(cell if isinstance(cell, str) else raw_text(cell))
        if kind is QuestionType.SINGLE_CHOICE:
            return Interpretation(self.matchers[question.id].match(cell))
        if kind is QuestionType.MULTIPLE_CHOICE:
            return Interpretation(self.matchers[question.id].match_many(cell))
        if kind is QuestionType.YES_NO:
            return Interpretation(parse_yes_no(cell))
        if kind is QuestionType.DATE:
            return Interpretation(parse_date(cell))
        number = parse_number(cell, decimal_separator=sep, integer=kind is QuestionType.INTEGER)
        value: int | Decimal = int(number.value) if kind is QuestionType.INTEGER else number.value
        result = Interpretation(value)
        if number.alternative is not None:
            result.problems.append(_ambiguous(cell, number.value, number.alternative))
        return result

    def _text(self, text: str) -> Interpretation:
        result = Interpretation(text)
        if CONTROL_CHARS.search(text):
            result.problems.append(
                Problem(
                    IssueCode.CONTROL_CHARACTERS,
                    "The answer contains invisible control characters.",
                )
            )
        if len(text) > MAX_CELL_CHARS:
            result.problems.append(
                Problem(IssueCode.ANSWER_TOO_LONG, f"The answer has {len(text):,} characters.")
            )
        return result

    def _money(
        self,
        question: Question,
        cell: object,
        sep: str | None,
        partner_currency: AssumedCurrency | None,
    ) -> Interpretation:
        money = parse_money(cell, decimal_separator=sep)
        problems: list[Problem] = []
        currency = money.currency
        if currency is None:
            assumed = _assumed_currency(question, partner_currency)
            if assumed is None:
                return Interpretation(None, [_no_currency(cell)])
            currency = assumed.code
            problems.append(
                Problem(
                    IssueCode.CURRENCY_ASSUMED,
                    f"{raw_text(cell)!r} has no currency; read as {currency}, {assumed.why}.",
                )
            )
        rate = self.rates.get(currency)
        if rate is None:
            known = ", ".join(sorted(self.rates))
            problems.append(
                Problem(
                    IssueCode.UNKNOWN_CURRENCY,
                    f"No exchange rate for {currency} in {raw_text(cell)!r} "
                    f"(rates are given for: {known}); the amount is left out of the outcomes.",
                )
            )
            return Interpretation(None, problems)
        result = Interpretation(MoneyValue(money.amount, currency, money.amount * rate), problems)
        if money.alternative is not None:
            result.problems.append(_ambiguous(cell, money.amount, money.alternative))
        return result

    def _check_range(self, question: Question, result: Interpretation) -> None:
        low, high = question.min, question.max
        if low is None and high is None:
            return
        value = result.value
        number = value.amount if isinstance(value, MoneyValue) else value
        if not isinstance(number, int | Decimal) or isinstance(number, bool):
            return
        if (low is not None and number < Decimal(str(low))) or (
            high is not None and number > Decimal(str(high))
        ):
            bounds = " and ".join(
                f"{word} {b:g}"
                for word, b in (("at least", low), ("at most", high))
                if b is not None
            )
            result.problems.append(
                Problem(IssueCode.OUT_OF_RANGE, f"{number} is out of range: {bounds}.")
            )
            result.value = None


#: No survey figure is this large; beyond it a number is a typing slip or an attack
#: (and could not be summed or shown exactly).
MAX_MAGNITUDE = Decimal(10) ** 15


def _check_magnitude(result: Interpretation) -> bool:
    """Flag (and drop) a number, amount or converted amount beyond `MAX_MAGNITUDE`."""
    value = result.value
    numbers = (value.amount, value.converted) if isinstance(value, MoneyValue) else (value,)
    for number in numbers:
        if isinstance(number, bool) or not isinstance(number, int | Decimal):
            continue
        if isinstance(number, int) and -MAX_MAGNITUDE <= number <= MAX_MAGNITUDE:
            continue
        if isinstance(number, Decimal) and number.is_finite() and abs(number) <= MAX_MAGNITUDE:
            continue
        shown = f"{Decimal(number):.3E}"
        result.problems.append(
            Problem(
                IssueCode.OUT_OF_RANGE,
                f"{shown} is too large to be a real figure (the limit is 10^15).",
            )
        )
        result.value = None
        return True
    return False


def _assumed_currency(
    question: Question, partner_currency: AssumedCurrency | None
) -> AssumedCurrency | None:
    if question.currency is not None:
        return AssumedCurrency(question.currency, "the currency the question asks for")
    return partner_currency


def _no_currency(cell: object) -> Problem:
    return Problem(
        IssueCode.MISSING_CURRENCY,
        f"{raw_text(cell)!r} has no currency, and neither the question nor the partner "
        "gives one; the amount is left out of the outcomes.",
    )


def _ambiguous(cell: object, read: Decimal, other: Decimal) -> Problem:
    return Problem(
        IssueCode.AMBIGUOUS_NUMBER,
        f"{raw_text(cell)!r} can be read as {read:,} or as {other}; it was read as {read:,}.",
    )

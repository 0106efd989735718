"""The definition format as pydantic models: sections, questions, choices, skip logic, indicators.

Texts are a plain string (English) or a mapping language -> string.
"""

from __future__ import annotations

import hashlib
import json
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StrictBool,
    WithJsonSchema,
    model_validator,
)

from ..vocabulary import Role, Source

ID_PATTERN = r"^[a-z][a-z0-9_]*$"


class QuestionType(StrEnum):
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    YES_NO = "yes_no"
    INTEGER = "integer"
    DECIMAL = "decimal"
    MONEY = "money"
    DATE = "date"


NUMERIC_TYPES = frozenset({QuestionType.INTEGER, QuestionType.DECIMAL, QuestionType.MONEY})
CHOICE_TYPES = frozenset({QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE})
TEXT_TYPES = frozenset({QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT})


def _localised(value: Any) -> Any:
    """A text is either a plain string (English) or a mapping language -> string."""
    if isinstance(value, str):
        return {"en": value}
    return value


def _check_english(value: dict[str, str]) -> dict[str, str]:
    if not value.get("en", "").strip():
        raise ValueError("an English text (`en:`) is required")
    return value


_NOT_BLANK = {"type": "string", "pattern": r"\S"}
#: What a text accepts, as JSON Schema: a string, or a mapping with a non-blank English text.
TEXT_SCHEMA: dict[str, Any] = {
    "anyOf": [
        _NOT_BLANK,
        {
            "type": "object",
            "properties": {"en": _NOT_BLANK},
            "required": ["en"],
            "additionalProperties": {"type": "string"},
        },
    ],
    "description": "A string (English) or {en: ..., fr: ...}",
}

Text = Annotated[
    dict[str, str],
    BeforeValidator(_localised),
    AfterValidator(_check_english),
    WithJsonSchema(TEXT_SCHEMA),
]


#: A number as YAML writes it (`5`, `2.5`); a quoted "5" is text, as the JSON Schema says.
Number = Annotated[float, Strict()]


class Model(BaseModel):
    """The models' common rules. Their validators are built when a definition is first
    validated, not at import: a definition from the cache (`cache`) needs none."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Choice(Model):
    code: str = Field(pattern=ID_PATTERN, description="Stable code used in data and indicators")
    label: Text

    def labels(self) -> list[str]:
        return list(self.label.values())


class Condition(Model):
    """`question` has one of `in` (or, with `not_in`, an answer outside the list).

    For a multiple choice, `in` holds when any selected option is listed and
    `not_in` when any selected option is not listed. For yes/no, use codes
    `yes` and `no`.
    """

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        populate_by_name=True,
        json_schema_extra={"oneOf": [{"required": ["in"]}, {"required": ["not_in"]}]},
    )

    question: str
    in_: list[str] | None = Field(default=None, alias="in")
    not_in: list[str] | None = None

    @property
    def codes(self) -> list[str]:
        return list(self.in_ or self.not_in or [])


class Question(Model):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        # as `_currency_for_money` says, for editors
        json_schema_extra={
            "if": {"required": ["currency"]},
            "then": {"properties": {"type": {"const": "money"}}},
        },
    )

    id: str = Field(pattern=ID_PATTERN)
    type: QuestionType
    text: Text
    hint: Text | None = None
    required: StrictBool | list[Role] = Field(
        default=False, description="true, or the respondent roles for whom it is required"
    )
    choices: list[Choice] = []
    min: Number | None = None
    max: Number | None = None
    ask_when: Condition | None = Field(
        default=None, description="Skip logic: ask only when another question has these answers"
    )
    currency: str | None = Field(
        default=None,
        pattern=r"^[A-Z]{3}$",
        description="money: the currency the question asks for (ISO 4217, e.g. RON); "
        "an amount typed without a currency is read in it",
    )

    @model_validator(mode="after")
    def _currency_for_money(self) -> Question:
        if self.currency is not None and self.type is not QuestionType.MONEY:
            raise ValueError("`currency` is only for money questions")
        return self

    def required_for(self, role: Role | None) -> bool:
        if isinstance(self.required, bool):
            return self.required
        return role in self.required

    def choice_codes(self) -> list[str]:
        if self.type is QuestionType.YES_NO:
            return ["yes", "no"]
        return [c.code for c in self.choices]


class Section(Model):
    id: str = Field(pattern=ID_PATTERN)
    title: Text
    intro: Text | None = None
    precedence: list[Source] | None = Field(
        default=None,
        description="Which source wins when a partner's sources disagree (default: city, "
        "interview, managing_authority, other)",
    )
    questions: list[Question]


class IndicatorKind(StrEnum):
    COUNT = "count"
    SUM = "sum"
    BREAKDOWN = "breakdown"


class Indicator(Model):
    id: str = Field(pattern=ID_PATTERN)
    kind: IndicatorKind
    label: Text
    sentence: Text = Field(
        description="Report sentence; {value} and {partners} are filled in, e.g. "
        "'{value} partners have formally sustained their LSG'"
    )
    roles: list[Role] = [Role.CITY]
    where: Condition | None = Field(default=None, description="count: partners meeting this")
    questions: list[str] = Field(default=[], description="sum: the numeric questions added up")
    breakdown: str | None = Field(
        default=None, description="count or breakdown: a multiple choice split by option"
    )
    exclude: list[str] = Field(default=[], description="breakdown: options left out")


#: Question fields added after the format's first release: left out of the fingerprint while
#: unset, so the stamps of workbooks made before them still match.
_LATER_FIELDS = ("currency",)


class Questionnaire(Model):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    title: Text
    version: str
    languages: list[str] = ["en"]
    roles: list[Role] = list(Role)
    sections: list[Section]
    indicators: list[Indicator] = []
    glossary: dict[str, Text] = Field(
        default={},
        description="Acronyms and terms the questions use, explained in the workbook's "
        "instructions: {LSG: {en: Local Support Group, fr: ...}}",
    )

    def questions(self) -> list[Question]:
        return [q for s in self.sections for q in s.questions]

    def question(self, qid: str) -> Question:
        for q in self.questions():
            if q.id == qid:
                return q
        raise KeyError(qid)

    @cached_property
    def _fingerprint(self) -> str:
        # The glossary explains words to partners; it changes no answer's meaning.
        dumped = self.model_dump(mode="json", by_alias=True, exclude={"glossary"})
        for section in dumped["sections"]:
            for question in section["questions"]:
                for name in _LATER_FIELDS:
                    if question.get(name) is None:
                        question.pop(name, None)
        canonical = json.dumps(dumped, sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]

    def fingerprint(self) -> str:
        """A short hash of the definition's content: stamps and reports quote it."""
        return self._fingerprint


def text(value: dict[str, str] | None, lang: str) -> str:
    """The text in `lang`, falling back to English."""
    if not value:
        return ""
    return value.get(lang) or value["en"]

"""The definition format as pydantic models: what a definition may say, and its JSON Schema.

A definition is validated with these models once, then turned into the plain classes of
`model` (`run_form`), which the rest of urbsurvey uses and the cache (`cache`) keeps:
a run that loads a validated definition imports no pydantic. The two are one format:
`tests/test_definition.py` checks that their fields agree.

Texts are a plain string (English) or a mapping language -> string (`texts.Text`).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, Strict, StrictBool, model_validator

from ..vocabulary import Role, Source
from . import model
from .model import ID_PATTERN, IndicatorKind, QuestionType
from .texts import Text

#: A number as YAML writes it (`5`, `2.5`); a quoted "5" is text, as the JSON Schema says.
Number = Annotated[float, Strict()]


class Model(BaseModel):
    """The models' common rules. Their validators are built when a definition is first
    validated, not at import."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Choice(Model):
    code: str = Field(pattern=ID_PATTERN, description="Stable code used in data and indicators")
    label: Text


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


def run_form(value: Any) -> Any:
    """A validated model as the plain class of `model` of the same name, field by field
    (lists and mappings of models too); any other value as it is."""
    if isinstance(value, BaseModel):
        fields = {name: run_form(getattr(value, name)) for name in type(value).model_fields}
        return getattr(model, type(value).__name__)(**fields)
    if isinstance(value, list):
        return [run_form(v) for v in value]
    if isinstance(value, dict):
        return {k: run_form(v) for k, v in value.items()}
    return value


def validate(data: object) -> model.Questionnaire:
    """A definition's data (as parsed from YAML) validated, as the plain classes; raises
    pydantic's ValidationError. The checks across the document are `checks.cross_check`."""
    return _validated(Questionnaire.model_validate(data))


def from_json(text: str) -> model.Questionnaire:
    """A definition kept as its `definition_json` (by a store), validated again."""
    return _validated(Questionnaire.model_validate_json(text))


def _validated(spec: Questionnaire) -> model.Questionnaire:
    questionnaire: model.Questionnaire = run_form(spec)
    questionnaire.__dict__["definition_json"] = spec.model_dump_json(by_alias=True)  # its cache
    return questionnaire


def spec_of(questionnaire: model.Questionnaire) -> Questionnaire:
    """The pydantic model of a definition (for its dumps with pydantic's options)."""
    return Questionnaire.model_validate_json(questionnaire.definition_json)

"""A validated definition as plain classes: sections, questions, choices, skip logic, indicators.

What a definition may say, and how it is validated, is `spec` (pydantic models); a
definition that passed is made of these classes (`spec.run_form`), with the same fields.
They import nothing of pydantic, so a definition from the cache (`cache`) is used
without it. Frozen, as the models are; built only from a validated definition. They are
not dataclasses: making six dataclasses costs a one-file `validate` more than reading it
(each compiles its methods at import); `_Plain` gives them the same behaviour.

Texts are a mapping language -> string with an English text (`en`).
"""

from __future__ import annotations

import hashlib
import json
from enum import Enum, StrEnum
from functools import cached_property
from typing import Any, ClassVar, Self

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


class IndicatorKind(StrEnum):
    COUNT = "count"
    SUM = "sum"
    BREAKDOWN = "breakdown"


class _Plain:
    """A frozen record whose fields are its class's annotations, in order: built from
    keyword arguments (every field), equal when of one class with equal fields."""

    FIELDS: ClassVar[tuple[str, ...]] = ()
    #: Field -> the name pydantic's model gives it in a definition, where they differ.
    ALIASES: ClassVar[dict[str, str]] = {}

    def __init_subclass__(cls) -> None:
        annotations = cls.__annotations__.items()  # strings: `from __future__ import annotations`
        cls.FIELDS = tuple(n for n, kind in annotations if not kind.startswith("ClassVar"))

    def __init__(self, **values: Any) -> None:
        if set(values) != set(self.FIELDS):
            raise TypeError(f"{type(self).__name__} takes exactly the fields {self.FIELDS}")
        for name in self.FIELDS:
            object.__setattr__(self, name, values[name])

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen: cannot delete {name!r}")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, n) == getattr(other, n) for n in self.FIELDS)

    __hash__ = None  # type: ignore[assignment]  # fields are lists and mappings

    def __repr__(self) -> str:
        shown = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.FIELDS)
        return f"{type(self).__name__}({shown})"

    def replace(self, **changes: Any) -> Self:
        """A copy with `changes` (what it computes from its fields is computed again)."""
        return type(self)(**{n: getattr(self, n) for n in self.FIELDS} | changes)


class Choice(_Plain):
    code: str
    label: dict[str, str]

    def labels(self) -> list[str]:
        return list(self.label.values())


class Condition(_Plain):
    """`question` has one of `in` (or, with `not_in`, an answer outside the list)."""

    ALIASES: ClassVar[dict[str, str]] = {"in_": "in"}

    question: str
    in_: list[str] | None
    not_in: list[str] | None

    @property
    def codes(self) -> list[str]:
        return list(self.in_ or self.not_in or [])


class Question(_Plain):
    id: str
    type: QuestionType
    text: dict[str, str]
    hint: dict[str, str] | None
    required: bool | list[Role]
    choices: list[Choice]
    min: float | None
    max: float | None
    ask_when: Condition | None
    currency: str | None

    def required_for(self, role: Role | None) -> bool:
        if isinstance(self.required, bool):
            return self.required
        return role in self.required

    def choice_codes(self) -> list[str]:
        if self.type is QuestionType.YES_NO:
            return ["yes", "no"]
        return [c.code for c in self.choices]


class Section(_Plain):
    id: str
    title: dict[str, str]
    intro: dict[str, str] | None
    precedence: list[Source] | None
    questions: list[Question]


class Indicator(_Plain):
    id: str
    kind: IndicatorKind
    label: dict[str, str]
    sentence: dict[str, str]
    roles: list[Role]
    where: Condition | None
    questions: list[str]
    breakdown: str | None
    exclude: list[str]


#: Question fields added after the format's first release: left out of the fingerprint while
#: unset, so the stamps of workbooks made before them still match.
_LATER_FIELDS = ("currency",)


class Questionnaire(_Plain):
    id: str
    title: dict[str, str]
    version: str
    languages: list[str]
    roles: list[Role]
    sections: list[Section]
    indicators: list[Indicator]
    glossary: dict[str, dict[str, str]]

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
        dumped = as_data(self, by_alias=True)
        del dumped["glossary"]
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

    @cached_property
    def definition_json(self) -> str:
        """The definition as pydantic writes it (`model_dump_json(by_alias=True)`): what a
        store keeps. Set when the definition is validated; made again for a copy."""
        from .spec import Questionnaire as Spec

        return Spec.model_validate(as_data(self, by_alias=True)).model_dump_json(by_alias=True)


def as_data(value: Any, by_alias: bool = False) -> Any:
    """The plain data of a definition or any part of it, as pydantic's
    `model_dump(mode="json")` gives it: mappings, lists, strings, numbers, None."""
    if isinstance(value, _Plain):
        names = value.ALIASES if by_alias else {}
        return {names.get(n, n): as_data(getattr(value, n), by_alias) for n in value.FIELDS}
    if isinstance(value, list):
        return [as_data(v, by_alias) for v in value]
    if isinstance(value, dict):
        return {k: as_data(v, by_alias) for k, v in value.items()}
    if isinstance(value, Enum):
        return value.value
    return value


def text(value: dict[str, str] | None, lang: str) -> str:
    """The text in `lang`, falling back to English."""
    if not value:
        return ""
    return value.get(lang) or value["en"]

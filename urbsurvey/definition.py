"""Questionnaire definitions: the YAML format as pydantic models.

A definition declares everything survey-specific: sections, questions, choices,
skip logic and the headline indicators. Nothing about any one survey lives in
Python. `load_definition` turns a YAML file into a `Questionnaire` or raises a
`DefinitionError` whose problems each name the YAML line.
"""

from __future__ import annotations

import hashlib
import json
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from . import yamlio
from .errors import DefinitionError

ID_PATTERN = r"^[a-z][a-z0-9_]*$"


class Role(StrEnum):
    CITY = "city"
    MANAGING_AUTHORITY = "managing_authority"
    OTHER = "other"


class Source(StrEnum):
    """Where a partner's answers come from; the default precedence is this order."""

    CITY = "city"
    INTERVIEW = "interview"
    MANAGING_AUTHORITY = "managing_authority"
    OTHER = "other"


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


Text = Annotated[
    dict[str, str],
    BeforeValidator(_localised),
    AfterValidator(_check_english),
    Field(json_schema_extra={"description": "A string (English) or {en: ..., fr: ...}"}),
]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    question: str
    in_: list[str] | None = Field(default=None, alias="in")
    not_in: list[str] | None = None

    @property
    def codes(self) -> list[str]:
        return list(self.in_ or self.not_in or [])


class Question(Model):
    id: str = Field(pattern=ID_PATTERN)
    type: QuestionType
    text: Text
    hint: Text | None = None
    required: bool | list[Role] = Field(
        default=False, description="true, or the respondent roles for whom it is required"
    )
    choices: list[Choice] = []
    min: float | None = None
    max: float | None = None
    ask_when: Condition | None = Field(
        default=None, description="Skip logic: ask only when another question has these answers"
    )

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
        data = self.model_dump(mode="json", by_alias=True, exclude={"glossary"})
        canonical = json.dumps(data, sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]

    def fingerprint(self) -> str:
        """A short hash of the definition's content: stamps and reports quote it."""
        return self._fingerprint


def text(value: dict[str, str] | None, lang: str) -> str:
    """The text in `lang`, falling back to English."""
    if not value:
        return ""
    return value.get(lang) or value["en"]


# --- loading -----------------------------------------------------------------


def load_definition(path: Path) -> Questionnaire:
    """Read, validate and cross-check a definition file; raise DefinitionError."""
    import yaml  # lazy: only needed when a definition is read

    try:
        source = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DefinitionError(str(path), [f"cannot read the file: {exc.strerror}"]) from exc
    reader = yamlio.loader(source)
    try:
        node = reader.get_single_node()
        data = reader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        raise DefinitionError(str(path), [f"{where}not valid YAML ({exc})"]) from exc
    finally:
        reader.dispose()
    lines = _line_index(node)
    if not isinstance(data, dict):
        raise DefinitionError(str(path), ["line 1: the file must be a mapping (id:, title:, ...)"])
    try:
        questionnaire = Questionnaire.model_validate(data)
    except ValidationError as exc:
        raise DefinitionError(str(path), _pydantic_problems(exc, lines)) from exc
    problems = [f"{_line_of(loc, lines)}{message}" for loc, message in cross_check(questionnaire)]
    if problems:
        raise DefinitionError(str(path), problems)
    return questionnaire


Loc = tuple[str | int, ...]


def _line_index(node: Any) -> dict[Loc, int]:
    """Map every path in the YAML document to its 1-based line."""
    index: dict[Loc, int] = {}

    def walk(n: Any, loc: Loc) -> None:
        index[loc] = n.start_mark.line + 1
        if n.id == "mapping":
            for key, value in n.value:
                index[(*loc, key.value)] = key.start_mark.line + 1
                walk(value, (*loc, key.value))
        elif n.id == "sequence":
            for i, item in enumerate(n.value):
                walk(item, (*loc, i))

    if node is not None:
        walk(node, ())
    return index


def _line_of(loc: Loc, lines: dict[Loc, int]) -> str:
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return f"line {lines[loc[:end]]}: "
    return ""


def _pydantic_problems(exc: ValidationError, lines: dict[Loc, int]) -> list[str]:
    problems = []
    for error in exc.errors():
        loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and "[" in p))
        where = ".".join(str(p) for p in loc) or "(top)"
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "missing":
            message = "this field is required"
        elif error["type"] == "extra_forbidden":
            message = "unknown field (check the spelling)"
        problems.append(f"{_line_of(loc, lines)}{where}: {message}")
    return problems


def cross_check(q: Questionnaire) -> list[tuple[Loc, str]]:
    """Checks across the document that a field validator cannot make alone."""
    problems: list[tuple[Loc, str]] = []
    seen: dict[str, Loc] = {}
    for si, section in enumerate(q.sections):
        loc: Loc = ("sections", si, "id")
        if section.id in seen:
            problems.append(
                (loc, f"duplicate id {section.id!r} (also used at {_dotted(seen[section.id])})")
            )
        seen.setdefault(section.id, loc)
    questions: dict[str, Question] = {}
    for si, section in enumerate(q.sections):
        for qi, question in enumerate(section.questions):
            qloc: Loc = ("sections", si, "questions", qi)
            problems += _check_question(question, qloc)
            if question.id in seen:
                problems.append(
                    (
                        (*qloc, "id"),
                        f"duplicate id {question.id!r} (also used at {_dotted(seen[question.id])})",
                    )
                )
            seen.setdefault(question.id, (*qloc, "id"))
            questions[question.id] = question
    for si, section in enumerate(q.sections):
        for qi, question in enumerate(section.questions):
            if question.ask_when:
                loc = ("sections", si, "questions", qi, "ask_when")
                problems += _check_condition(question.ask_when, loc, questions)
                if question.ask_when.question == question.id:
                    problems.append((loc, f"question {question.id!r} cannot depend on itself"))
    ids: set[str] = set()
    for ii, indicator in enumerate(q.indicators):
        problems += _check_indicator(indicator, ("indicators", ii), questions)
        if indicator.id in ids:
            problems.append((("indicators", ii, "id"), f"duplicate indicator id {indicator.id!r}"))
        ids.add(indicator.id)
    return problems


def _dotted(loc: Loc) -> str:
    return ".".join(str(p) for p in loc)


def _check_question(question: Question, loc: Loc) -> list[tuple[Loc, str]]:
    problems: list[tuple[Loc, str]] = []
    if question.type in CHOICE_TYPES and not question.choices:
        problems.append(((*loc, "type"), f"{question.type} question {question.id!r} needs choices"))
    if question.type not in CHOICE_TYPES and question.choices:
        problems.append(((*loc, "choices"), f"a {question.type} question has no choices"))
    if question.type not in NUMERIC_TYPES and (
        question.min is not None or question.max is not None
    ):
        problems.append(((*loc, "min"), f"min/max apply to numbers, not to {question.type}"))
    if question.min is not None and question.max is not None and question.min > question.max:
        problems.append(((*loc, "min"), "min is larger than max"))
    codes = [c.code for c in question.choices]
    for ci, code in enumerate(codes):
        if code in codes[:ci]:
            problems.append(((*loc, "choices", ci, "code"), f"duplicate choice code {code!r}"))
    return problems


def _check_condition(
    cond: Condition, loc: Loc, questions: dict[str, Question]
) -> list[tuple[Loc, str]]:
    target = questions.get(cond.question)
    if target is None:
        return [((*loc, "question"), f"no question has the id {cond.question!r}")]
    if (cond.in_ is None) == (cond.not_in is None):
        return [(loc, "give exactly one of `in:` or `not_in:` (the answers that count)")]
    allowed = target.choice_codes()
    if not allowed:
        return [
            ((*loc, "question"), f"{cond.question!r} is a {target.type} question, not a choice")
        ]
    key = "in" if cond.in_ is not None else "not_in"
    return [
        (
            (*loc, key, i),
            f"{cond.question!r} has no choice {code!r} (choices: {', '.join(allowed)})",
        )
        for i, code in enumerate(cond.codes)
        if code not in allowed
    ]


def _check_indicator(
    ind: Indicator, loc: Loc, questions: dict[str, Question]
) -> list[tuple[Loc, str]]:
    problems: list[tuple[Loc, str]] = []
    if ind.kind is IndicatorKind.COUNT and ind.where is None:
        problems.append((loc, f"count indicator {ind.id!r} needs `where:` (which partners count)"))
    if ind.where is not None:
        problems += _check_condition(ind.where, (*loc, "where"), questions)
    if ind.kind is IndicatorKind.SUM and not ind.questions:
        problems.append((loc, f"sum indicator {ind.id!r} needs `questions:` to add up"))
    for i, qid in enumerate(ind.questions):
        target = questions.get(qid)
        if target is None:
            problems.append(((*loc, "questions", i), f"no question has the id {qid!r}"))
        elif target.type not in NUMERIC_TYPES:
            problems.append(
                ((*loc, "questions", i), f"cannot sum {qid!r}: it is a {target.type} question")
            )
    if ind.kind is IndicatorKind.BREAKDOWN and ind.breakdown is None:
        problems.append((loc, f"breakdown indicator {ind.id!r} needs `breakdown:` (a question)"))
    if ind.breakdown is not None:
        target = questions.get(ind.breakdown)
        if target is None:
            problems.append(((*loc, "breakdown"), f"no question has the id {ind.breakdown!r}"))
        elif target.type not in CHOICE_TYPES | {QuestionType.YES_NO}:
            problems.append(((*loc, "breakdown"), f"cannot break down a {target.type} question"))
        else:
            problems += [
                ((*loc, "exclude", i), f"{ind.breakdown!r} has no choice {code!r}")
                for i, code in enumerate(ind.exclude)
                if code not in target.choice_codes()
            ]
    if "{value}" not in ind.sentence["en"]:
        problems.append(((*loc, "sentence"), "the sentence must contain {value}"))
    return problems


def json_schema() -> dict[str, Any]:
    """JSON Schema of the definition format, for editors' autocompletion."""
    schema = Questionnaire.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "urbsurvey questionnaire definition"
    return schema

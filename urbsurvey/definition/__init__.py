"""Questionnaire definitions: the YAML format, loaded and checked.

A definition declares everything survey-specific: sections, questions, choices,
skip logic and the headline indicators. Nothing about any one survey lives in
Python. `load_definition` turns a YAML file into a `Questionnaire` or raises a
`DefinitionError` whose problems each name the YAML line.

- `model`: a validated definition as plain classes (`Questionnaire`, `Question`, ...) and
  `QuestionType`; `Role` and `Source` are re-exported from `urbsurvey.vocabulary`.
- `spec`: the format as pydantic models, which validate a definition (imported only then);
  `texts`: `Text`, a text for pydantic (survey.yaml and coding files have texts too).
- `load`: `load_definition` (YAML with line numbers → `Questionnaire`).
- `checks`: `cross_check`, the checks across a document.
- `schema`: `json_schema` of the format.
- `cache`: definitions validated before, kept in their plain form between runs.
"""

from ..vocabulary import Role, Source
from .checks import cross_check
from .load import load_definition
from .model import (
    CHOICE_TYPES,
    ID_PATTERN,
    NUMERIC_TYPES,
    TEXT_TYPES,
    Choice,
    Condition,
    Indicator,
    IndicatorKind,
    Question,
    Questionnaire,
    QuestionType,
    Section,
    text,
)
from .schema import json_schema

__all__ = [
    "CHOICE_TYPES",
    "ID_PATTERN",
    "NUMERIC_TYPES",
    "TEXT_TYPES",
    "Choice",
    "Condition",
    "Indicator",
    "IndicatorKind",
    "Question",
    "QuestionType",
    "Questionnaire",
    "Role",
    "Section",
    "Source",
    "cross_check",
    "json_schema",
    "load_definition",
    "text",
]

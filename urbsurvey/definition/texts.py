"""A text of a definition, a survey.yaml or a coding file, for pydantic: a plain string
(English) or a mapping language -> string with a non-blank English text.

A module of its own, so the survey and coding models use it without building the
definition's (`spec`).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, WithJsonSchema


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

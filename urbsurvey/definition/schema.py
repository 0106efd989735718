"""The JSON Schema of the definition format, for editors' autocompletion."""

from __future__ import annotations

from typing import Any


def json_schema() -> dict[str, Any]:
    """JSON Schema of the definition format, for editors' autocompletion."""
    from .spec import Questionnaire  # pydantic: imported only here

    schema = Questionnaire.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "urbsurvey questionnaire definition"
    return schema

"""JSON Schema checks with the schema itself checked once per session, not per call.

`jsonschema.validate(data, schema)` checks the schema against its metaschema at every
call (about half a second for the report's). `validate` here does the same checks with
a validator made, and its schema checked, the first time a schema is used.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match


def validator(schema: Any) -> Draft202012Validator:
    """The 2020-12 validator of `schema`, which raises `SchemaError` if `schema` is not valid."""
    return _validator(json.dumps(schema, sort_keys=True))


def validate(data: Any, schema: Any) -> None:
    """`jsonschema.validate(data, schema)`: raises its best-matching `ValidationError`."""
    error = best_match(validator(schema).iter_errors(data))
    if error is not None:
        raise error


@cache
def _validator(text: str) -> Draft202012Validator:
    schema = json.loads(text)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)

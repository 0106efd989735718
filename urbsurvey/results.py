"""The JSON that `validate` and `ingest` print, as types: the one source of its shape.

`pipeline.Validation.to_json` and `pipeline.IngestResult.to_json` build these
TypedDicts, mypy checks every field they fill, and `json_schema` derives the
published JSON Schema (docs/validate.schema.json, docs/ingest.schema.json) from
the same classes, so the schema, the output and the README cannot drift apart.
"""

from __future__ import annotations

from typing import (
    Any,
    Literal,
    NotRequired,  # pydantic needs this one on 3.11
)

from typing_extensions import TypedDict

from .issues import IssueCode, Severity
from .vocabulary import Kind, Role, Status


class IssueDict(TypedDict):
    """An issue in JSON output (validate, ingest, the report)."""

    severity: Severity
    code: IssueCode
    file: str
    sheet: str | None
    cell: str | None
    message: str
    hint: str


class QuestionnaireRef(TypedDict):
    """The questionnaire the files were checked against."""

    id: str
    version: str
    fingerprint: str


class Summary(TypedDict):
    """How many files were read, and how many ended in each status."""

    files: int
    ok: int
    warnings: int
    errors: int
    unreadable: int


class CheckedFile(TypedDict):
    """One file as `validate` checked it."""

    file: str
    sha256: str
    format: str | None
    partner: str | None
    role: Role | None
    kind: Kind
    status: Status
    answers: int
    errors: int
    warnings: int
    #: For a workbook that came by e-mail: message, sender, date, subject, attachment.
    provenance: NotRequired[dict[str, str]]


class ValidationJSON(TypedDict):
    """`urbsurvey validate --format json`."""

    questionnaire: QuestionnaireRef
    summary: Summary
    files: list[CheckedFile]
    issues: list[IssueDict]


class AddedFile(TypedDict):
    """A file `ingest` stored (a new submission, or a new version of one)."""

    file: str
    partner: str | None
    role: Role | None
    kind: Kind
    status: Status


class StoreTotals(TypedDict):
    """What the store holds after the run: every version, and the ones that count."""

    submissions: int
    current: int


class IngestJSON(TypedDict):
    """`urbsurvey ingest --format json`."""

    store: str
    added: list[AddedFile]
    unchanged: int
    totals: StoreTotals
    issues: list[IssueDict]


SCHEMAS: dict[str, type[Any]] = {"validate": ValidationJSON, "ingest": IngestJSON}


def json_schema(command: Literal["validate", "ingest"]) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a command's `--format json` output."""
    from pydantic import TypeAdapter

    from . import __version__

    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **TypeAdapter(SCHEMAS[command]).json_schema(),
        "title": f"urbsurvey {command} --format json (urbsurvey {__version__})",
    }
    _forbid_extra_fields(schema)
    return schema


def _forbid_extra_fields(node: Any) -> None:
    """Every object lists all its fields: a field added to the output must be in the types."""
    if isinstance(node, dict):
        if node.get("type") == "object" and "properties" in node:
            node["additionalProperties"] = False
        for value in node.values():
            _forbid_extra_fields(value)
    elif isinstance(node, list):
        for value in node:
            _forbid_extra_fields(value)

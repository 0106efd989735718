"""validate/ingest JSON against the published JSON Schema (docs/*.schema.json), on a toy survey."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from urbsurvey.cli import app
from urbsurvey.results import json_schema

from .conftest import REPO, TOY
from .support.schemas import validate, validator
from .support.workbooks import filled, survey_folder

DOCS = REPO / "docs"
runner = CliRunner()


def _published(command: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((DOCS / f"{command}.schema.json").read_text("utf-8"))
    validator(schema)  # checked against its metaschema (raises SchemaError)
    return schema


@pytest.fixture(scope="module")
def toy_survey(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three cities: a clean return, a bad figure, a file that is no spreadsheet, Gent silent."""
    root = survey_folder(
        tmp_path_factory.mktemp("toy"),
        [{"name": "Graz", "country": "AT"}, {"name": "Lund", "country": "SE"}, "Gent"],
        questionnaire=TOY,
    )
    returns = root / "returns"
    filled(returns, {"km_built": "12,5", "kept": "ja"}, questionnaire=TOY, partner="Graz",
           name="graz.xlsx")  # fmt: skip
    filled(returns, {"km_built": "twelve", "kept": "yes", "budget": "SEK 40 000"},
           questionnaire=TOY, partner="Lund", name="lund.xlsx")  # fmt: skip
    (returns / "notes.xlsx").write_text("minutes of the steering group\n", "utf-8")
    return root


@pytest.mark.parametrize("command", ["validate", "ingest"])
def test_published_schema_is_the_one_the_types_give(command: str) -> None:
    """docs/*.schema.json is regenerated on purpose: `json_schema(command)` written out."""
    assert _published(command) == json_schema(command)  # type: ignore[arg-type]


def test_validate_json_matches_its_schema(toy_survey: Path) -> None:
    result = runner.invoke(app, ["validate", str(toy_survey), "--format", "json"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    validate(data, _published("validate"))
    assert data["summary"] == {"files": 3, "ok": 1, "warnings": 0, "errors": 1, "unreadable": 1}
    statuses = {f["file"]: f["status"] for f in data["files"]}
    assert statuses["returns/lund.xlsx"] == "errors"
    assert statuses["returns/notes.xlsx"] == "unreadable"
    assert {i["code"] for i in data["issues"]} >= {"not-a-number", "not-a-spreadsheet",
                                                   "missing-response"}  # fmt: skip


def test_ingest_json_matches_its_schema(toy_survey: Path, tmp_path: Path) -> None:
    store = tmp_path / "bikes.sqlite"
    command = ["ingest", str(toy_survey), "--store", str(store), "--format", "json"]
    first, again = runner.invoke(app, command), runner.invoke(app, command)
    schema = _published("ingest")
    for result in (first, again):
        validate(json.loads(result.stdout), schema)
    data = json.loads(again.stdout)
    assert [f["file"] for f in json.loads(first.stdout)["added"]] == [
        "returns/graz.xlsx", "returns/lund.xlsx", "returns/notes.xlsx"]  # fmt: skip
    assert (data["added"], data["unchanged"]) == ([], 3)
    assert data["totals"] == {"submissions": 3, "current": 3}


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("files", 0, "status"), "fine"),  # not one of the four statuses
        (("issues", 0, "code"), "invalid-choise"),  # not a catalogue code
        (("summary", "files"), "3"),  # a count as text
        (("files", 0, "checked_by"), "me"),  # a field the types do not declare
    ],
)
def test_the_schema_rejects_what_urbsurvey_never_writes(
    toy_survey: Path, path: tuple[str | int, ...], value: object
) -> None:
    result = runner.invoke(app, ["validate", str(toy_survey), "--format", "json"])
    data = json.loads(result.stdout)
    node: Any = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(jsonschema.ValidationError):
        validate(data, _published("validate"))

"""`urbsurvey export`: a Frictionless Data Package for analysts, and the store's views."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from urbsurvey.cli import app

from .conftest import MILE_EXAMPLE, TOY
from .support.workbooks import filled

runner = CliRunner()


def validated(descriptor: Path) -> Any:
    """Frictionless's validation of a Data Package (frictionless takes a fifth of a second
    to import, so it is imported by the tests that use it, not by every pytest worker)."""
    import frictionless

    return frictionless.validate(descriptor)


TOY_SURVEY = f"""\
title: "Bike lanes pilot, one year on"
questionnaire: {TOY}
currency: GBP
exchange_rates: {{EUR: 0.85}}
partners:
  - {{name: Bologna, country: IT, lead: true}}
  - {{name: Cork, country: IE}}
  - {{name: Parma, country: IT}}
"""


@pytest.fixture
def toy_survey(tmp_path: Path) -> Path:
    """A non-MILE survey: pounds as report currency, one partner who sent nothing."""
    root = tmp_path / "bikes"
    returns = root / "returns"
    returns.mkdir(parents=True)
    (root / "survey.yaml").write_text(TOY_SURVEY, encoding="utf-8")
    filled(returns, {"km_built": "12,5", "kept": "sì", "budget": "EUR 20k",
                     "funders": "The city; EU funds", "opened_on": dt.date(2024, 5, 2),
                     "mood": "Mixed", "contact": 'Anna, "the" planner'},
           questionnaire=TOY, partner="Bologna", name="bologna.xlsx")  # fmt: skip
    filled(returns, {"km_built": 3, "kept": "no", "why_not": "Shops objected.",
                     "budget": "£4,000", "counters": "-2"},
           questionnaire=TOY, partner="Parma", name="parma.xlsx")  # fmt: skip
    return root


def export(source: Path, out: Path, *extra: str) -> Path:
    result = runner.invoke(app, ["export", str(source), "-o", str(out), *extra])
    assert result.exit_code == 0, result.output
    return out


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def fields(descriptor: dict[str, Any], resource: str) -> dict[str, dict[str, Any]]:
    res = next(r for r in descriptor["resources"] if r["name"] == resource)
    return {f["name"]: f for f in res["schema"]["fields"]}


def test_the_package_is_valid_and_types_every_answer(toy_survey: Path, tmp_path: Path) -> None:
    out = export(toy_survey, tmp_path / "package")
    report = validated(out / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    descriptor = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    schema = fields(descriptor, "partners")
    assert {q: schema[q]["type"] for q in ("km_built", "opened_on", "counters", "kept", "budget")} \
        == {"km_built": "number", "opened_on": "date", "counters": "integer", "kept": "boolean",
            "budget": "number"}  # fmt: skip
    assert schema["budget"]["unit"] == "GBP"
    assert schema["mood"]["constraints"] == {"enum": ["happy", "mixed", "angry"]}
    assert schema["mood"]["categories"][1] == {"value": "mixed", "label": "Mixed"}
    assert schema["km_built"]["constraints"] == {"minimum": 0.0, "maximum": 500.0}
    answers = next(r for r in descriptor["resources"] if r["name"] == "answers")
    assert answers["schema"]["primaryKey"] == ["file", "question"]
    assert answers["schema"]["foreignKeys"][0]["reference"] == {
        "resource": "partners", "fields": ["partner"],
    }  # fmt: skip


def test_partners_csv_has_every_partner_and_money_in_the_report_currency(
    toy_survey: Path, tmp_path: Path
) -> None:
    out = export(toy_survey, tmp_path / "package")
    partners = {r["partner"]: r for r in rows(out / "partners.csv")}
    assert list(partners) == ["Bologna", "Cork", "Parma"]
    bologna, cork, parma = partners["Bologna"], partners["Cork"], partners["Parma"]
    assert (bologna["budget"], bologna["km_built"], bologna["kept"]) == ("17000", "12.5", "true")
    assert (bologna["funders"], bologna["mood"], bologna["opened_on"]) == (
        "city;eu", "mixed", "2024-05-02",
    )  # fmt: skip
    assert bologna["contact"] == 'Anna, "the" planner'
    assert (bologna["country"], bologna["lead"], bologna["returned"]) == ("IT", "true", "true")
    assert cork["returned"] == "false" and cork["km_built"] == "" and cork["budget"] == ""
    assert parma["budget"] == "4000" and parma["kept"] == "false"
    assert parma["counters"] == ""  # -2 is out of range: left out, and in issues.csv
    issues = rows(out / "issues.csv")
    out_of_range = next(i for i in issues if i["code"] == "out-of-range")
    assert out_of_range["file"] == "returns/parma.xlsx" and out_of_range["cell"]
    assert any(i["code"] == "missing-response" and "Cork" in i["message"] for i in issues)
    indicators = {r["id"]: r for r in rows(out / "indicators.csv")}
    assert indicators["budget_total"]["value"] == "21000"
    assert indicators["cities_keeping"]["partners"] == "Bologna"


def test_every_answer_row_points_at_its_cell_and_file_hash(
    toy_survey: Path, tmp_path: Path
) -> None:
    out = export(toy_survey, tmp_path / "package")
    answers = rows(out / "answers.csv")
    assert len(answers) >= 12
    for row in answers:
        path = toy_survey / row["file"]
        assert row["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        cell = openpyxl.load_workbook(path)[row["sheet"]][row["cell"]].value
        if isinstance(cell, dt.datetime):
            cell = cell.date().isoformat()
        assert str(cell).strip() == row["raw"], row
    budget = next(r for r in answers if r["partner"] == "Bologna" and r["question"] == "budget")
    assert (budget["raw"], budget["value"], budget["amount"], budget["currency"]) == (
        "EUR 20k", "17000", "20000", "EUR",
    )  # fmt: skip
    invalid = next(r for r in answers if r["question"] == "counters")
    assert (invalid["raw"], invalid["value"], invalid["valid"]) == ("-2", "", "false")
    descriptor = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert {s["path"]: s["sha256"] for s in descriptor["sources"]} == {
        r["file"]: r["sha256"] for r in answers
    }


def test_the_mile_package_adds_up_to_the_reported_funding(tmp_path: Path) -> None:
    out = export(MILE_EXAMPLE, tmp_path / "mile")
    report = validated(out / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    partners = rows(out / "partners.csv")
    assert len(partners) == 9
    total = sum(
        float(p[q] or 0) for p in partners for q in ("funding_secured", "funding_provisional")
    )
    funding = next(r for r in rows(out / "indicators.csv") if r["id"] == "funding_secured_eur")
    assert total == float(funding["value"])
    assert funding["display"] == "€1.4m"


def test_a_tampered_csv_fails_validation(toy_survey: Path, tmp_path: Path) -> None:
    out = export(toy_survey, tmp_path / "package")
    path = out / "partners.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("17000", "99999"), encoding="utf-8")
    assert not validated(out / "datapackage.json").valid


# --- the store, for Datasette and any SQLite tool ------------------------------------


@pytest.fixture
def toy_store(toy_survey: Path, tmp_path: Path) -> Path:
    store = tmp_path / "bikes.sqlite"
    result = runner.invoke(app, ["ingest", str(toy_survey), "--store", str(store)])
    assert result.exit_code == 1, result.output  # Parma's -2 counters is an error
    return store


def test_current_answers_view_has_typed_values(toy_store: Path) -> None:
    db = sqlite3.connect(toy_store)
    db.row_factory = sqlite3.Row
    got = {
        (r["partner"], r["question"]): dict(r) for r in db.execute("SELECT * FROM current_answers")
    }
    budget = got[("Bologna", "budget")]
    assert (budget["value_number"], budget["money_amount"], budget["money_currency"]) == (
        17000.0, 20000.0, "EUR",
    )  # fmt: skip
    assert got[("Bologna", "km_built")]["value_number"] == 12.5
    assert got[("Bologna", "opened_on")]["value_date"] == "2024-05-02"
    assert got[("Bologna", "kept")]["value_bool"] == 1
    assert got[("Parma", "kept")]["value_bool"] == 0
    assert got[("Bologna", "funders")]["value_text"] == "city;eu"
    assert got[("Bologna", "mood")]["value_text"] == "mixed"
    assert got[("Parma", "counters")]["valid"] == 0
    assert got[("Parma", "counters")]["value_number"] is None
    assert got[("Bologna", "budget")]["source"] == "city"
    partners = {r["partner"]: dict(r) for r in db.execute("SELECT * FROM partners")}
    assert partners["Parma"]["files_with_errors"] == 1
    assert partners["Bologna"]["answers"] == len([k for k in got if k[0] == "Bologna"])


def test_a_new_version_replaces_answers_in_the_view(toy_survey: Path, toy_store: Path) -> None:
    filled(toy_survey / "returns", {"km_built": 4, "kept": "yes", "counters": 2},
           questionnaire=TOY, partner="Parma", name="parma-v2.xlsx")  # fmt: skip
    runner.invoke(app, ["ingest", str(toy_survey), "--store", str(toy_store)])
    db = sqlite3.connect(toy_store)
    km = db.execute(
        "SELECT value_number, file FROM current_answers WHERE partner='Parma' AND question=?",
        ("km_built",),
    ).fetchall()
    assert km == [(4.0, "returns/parma-v2.xlsx")]


def test_datasette_metadata_describes_every_table_and_view(toy_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "metadata.json"
    result = runner.invoke(app, ["export", str(toy_store), "--format", "datasette", "-o", str(out)])
    assert result.exit_code == 0, result.output
    tables = json.loads(out.read_text(encoding="utf-8"))["databases"]["bikes"]["tables"]
    db = sqlite3.connect(toy_store)
    names = {n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type IN "
                                      "('table', 'view')")}  # fmt: skip
    assert set(tables) == names
    for view in ("current_answers", "partners"):
        columns = [r[1] for r in db.execute(f"PRAGMA table_info({view})")]
        assert set(tables[view]["columns"]) == set(columns), view

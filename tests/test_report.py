"""`urbsurvey report` on the bundled MILE example reproduces the published 2009 outcomes."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from urbsurvey.cli import app

from .conftest import MILE_EXAMPLE, TOY
from .support.coverage import covers
from .support.documents import html_elements, md_tables, unescaped_pipes
from .support.workbooks import filled

runner = CliRunner()
GOLDEN = Path(__file__).parent / "golden"
EPOCH = {"SOURCE_DATE_EPOCH": "1258934400"}  # 2009-11-23, for reproducible reports


def report(*args: str) -> str:
    result = runner.invoke(app, ["report", *args], env=EPOCH)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def mile_json() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(report(str(MILE_EXAMPLE), "--format", "json"))
    return data


def indicator(data: dict[str, Any], iid: str) -> dict[str, Any]:
    return next(i for i in data["indicators"] if i["id"] == iid)


def test_published_headline_outcomes(mile_json: dict[str, Any]) -> None:
    formal = indicator(mile_json, "lsg_sustained_formally")
    assert formal["value"] == 4
    assert formal["partners"] == ["Amadora", "Sevilla", "Vantaa", "Venice"]
    assert formal["sentence"].startswith(
        "4 partners have formally sustained their LSG beyond the life of the project "
        "(Amadora, Sevilla, Vantaa, Venice)."
    )
    assert indicator(mile_json, "lsg_sustained_informally")["partners"] == [
        "Komotini", "Nea Alikarnassos", "Timisoara",
    ]  # fmt: skip
    funding = indicator(mile_json, "funding_secured_eur")
    assert funding["value"] == 1_400_000
    assert funding["display"] == "€1.4m"
    assert funding["unit"] == "EUR"
    assert len(funding["partners"]) == 4
    assert indicator(mile_json, "lap_implementation_ongoing")["value"] == 7
    impact = indicator(mile_json, "ongoing_local_impact")
    assert impact["value"] == 8
    assert "Rotterdam" not in impact["partners"]
    five_kinds = ["service_practice", "policy_framework", "new_ideas", "inter_agency",
                  "awareness_events"]  # fmt: skip
    assert all(impact["breakdown"][kind] > 0 for kind in five_kinds)
    assert "none" not in impact["breakdown"]


def test_every_figure_points_at_its_cells(mile_json: dict[str, Any]) -> None:
    funding = indicator(mile_json, "funding_secured_eur")
    cells = {(s["partner"], s["question"]): s for s in funding["sources"]}
    venice = cells[("Venice", "funding_secured")]
    assert venice["sheet"] == "Responses"
    assert venice["file"].startswith("returns/")
    assert venice["cell"].startswith("C")
    for ind in mile_json["indicators"]:
        assert {s["partner"] for s in ind["sources"]} >= set(ind["partners"]), ind["id"]


@covers("answer-conflict")
def test_respondents_methodology_and_lessons(mile_json: dict[str, Any]) -> None:
    assert len(mile_json["respondents"]["expected"]) == 9
    assert mile_json["respondents"]["missing"] == []
    assert mile_json["methodology"]["interviews"] == 12
    assert mile_json["methodology"]["response_rate"]["rate"] == 1.0
    themes = {t["title"]: t["partners"] for g in mile_json["lessons"] for t in g["themes"]}
    assert themes["Networked members"] == ["Amadora", "Venice", "Timisoara", "Sevilla"]
    assert themes["Woo your Managing Authority"] == [
        "Amadora", "Komotini", "Venice", "Nea Alikarnassos", "Timisoara",
    ]  # fmt: skip
    assert themes["Creating formal partnerships"] == ["Amadora", "Sevilla"]
    assert all(i["code"] != "coding-reference" for i in mile_json["issues"])
    conflict = next(c for c in mile_json["conflicts"] if c["partner"] == "Timisoara")
    assert conflict["question"] == "ma_in_lsg"
    assert any(i["code"] == "answer-conflict" for i in mile_json["issues"])
    assert len(mile_json["inputs"]) == 24
    assert all(len(i["sha256"]) == 64 for i in mile_json["inputs"])


@pytest.mark.parametrize("fmt", ["md", "json"])
def test_golden_report(fmt: str) -> None:
    """Regenerate on purpose with UPDATE_GOLDEN=1 and review the diff."""
    body = report(str(MILE_EXAMPLE), "--format", fmt)
    golden = GOLDEN / f"mile-2009.{fmt}"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(body, encoding="utf-8")
    assert body == golden.read_text(encoding="utf-8")


def test_html_and_xlsx_files(tmp_path: Path) -> None:
    html = tmp_path / "r.html"
    report(str(MILE_EXAMPLE), "--format", "html", "-o", str(html))
    text = html.read_text(encoding="utf-8")
    assert "<svg" in text and "4 partners have formally sustained" in text
    xlsx = tmp_path / "r.xlsx"
    report(str(MILE_EXAMPLE), "--format", "xlsx", "-o", str(xlsx))
    wb = openpyxl.load_workbook(xlsx)
    assert {"Answers", "Indicators", "Issues", "Inputs"} <= set(wb.sheetnames)
    values = [c.value for row in wb["Indicators"].iter_rows() for c in row]
    assert "lsg_sustained_formally" in values


def test_xlsx_needs_an_output_file() -> None:
    result = runner.invoke(app, ["report", str(MILE_EXAMPLE), "--format", "xlsx"])
    assert result.exit_code != 0


def test_report_from_a_store_matches_the_folder(tmp_path: Path, mile_json: dict[str, Any]) -> None:
    store = tmp_path / "mile.sqlite"
    via_store = json.loads(report(str(MILE_EXAMPLE), "--store", str(store), "--format", "json"))
    assert [i["value"] for i in via_store["indicators"]] == [
        i["value"] for i in mile_json["indicators"]
    ]
    again = json.loads(report(str(store), "--format", "json"))
    assert [i["partners"] for i in again["indicators"]] == [
        i["partners"] for i in mile_json["indicators"]
    ]


def test_toy_questionnaire_report(tmp_path: Path) -> None:
    folder = tmp_path / "returns"
    folder.mkdir()
    for city, km, kept in (("Bologna", "12,5", "sì"), ("Parma", "3", "no")):
        filled(folder, {"km_built": km, "kept": kept, "budget": "EUR 20k", "funders": "EU funds"},
               questionnaire=TOY, partner=city, name=f"{city}.xlsx")  # fmt: skip
    data = json.loads(report(str(folder), "--questionnaire", str(TOY), "--format", "json"))
    values = {i["id"]: i["value"] for i in data["indicators"]}
    assert values == {"cities_keeping": 1, "km_total": 15.5, "budget_total": 40000.0,
                      "funders_split": 2}  # fmt: skip
    assert data["survey"]["questionnaire"]["id"] == "toy-bike-lanes"
    # the toy questionnaire goes through validate and ingest too
    checked = runner.invoke(app, ["validate", str(folder), "--questionnaire", str(TOY)])
    assert checked.exit_code == 0, checked.output
    store = tmp_path / "toy.sqlite"
    stored = runner.invoke(
        app, ["ingest", str(folder), "--questionnaire", str(TOY), "--store", str(store)]
    )
    assert stored.exit_code == 0, stored.output
    again = json.loads(report(str(store), "--questionnaire", str(TOY), "--format", "json"))
    assert {i["id"]: i["value"] for i in again["indicators"]} == values


def test_strict_fails_on_data_errors(tmp_path: Path) -> None:
    survey = tmp_path / "survey"
    shutil.copytree(MILE_EXAMPLE, survey)
    (survey / "returns" / "broken.xlsx").write_bytes(b"not a workbook")
    plain = runner.invoke(app, ["report", str(survey), "--format", "json"])
    assert plain.exit_code == 0
    strict = runner.invoke(app, ["report", str(survey), "--format", "json", "--strict"])
    assert strict.exit_code == 1
    issue = next(i for i in json.loads(plain.stdout)["issues"] if i["file"].endswith("broken.xlsx"))
    assert issue["code"] == "not-a-spreadsheet"


HOSTILE = {
    "ulsg_functioning": "formal",
    "lap_stage": "adopted",
    "local_impact": "new ideas stimulated",
    "ulsg_sustaining": "<script>alert(1)</script> a | b\nnew line `code`",
    "barriers": '=HYPERLINK("http://evil.example","click")',
    "barriers_overcome": "<img src=x onerror=alert(1)> [x](javascript:alert(1))",
}


def test_hostile_partner_text_in_every_format(tmp_path: Path) -> None:
    folder = tmp_path / "returns"
    folder.mkdir()

    def as_text(wb: Any) -> None:  # what a partner typed as text, not a formula
        for row in wb["Responses"].iter_rows():
            if row[0].value == "barriers":
                row[2].data_type = "s"

    filled(folder, HOSTILE, partner="<b>Evil|City</b>", name="evil.xlsx", edit=as_text)
    src = [str(folder), "--questionnaire", "mile-followup-2009"]
    md = report(*src, "--format", "md")
    assert "<script>" not in md and "<img" not in md
    assert "[x](javascript:" not in md  # brackets escaped: no live link
    tables = md_tables(md)
    assert any("Evil" in line for t in tables for line in t)
    for t in tables:  # every row of every table has its header's number of cells
        assert all(unescaped_pipes(line) == unescaped_pipes(t[0]) for line in t), t[0]
    html_file = tmp_path / "r.html"
    report(*src, "--format", "html", "-o", str(html_file))
    html = html_file.read_text(encoding="utf-8")
    elements = html_elements(html)
    assert "script" not in {tag for tag, _ in elements}
    assert not [a for _, attrs in elements for a in attrs if a.startswith("on")]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    data = json.loads(report(*src, "--format", "json"))
    answers = data["partners"][0]["answers"]
    assert answers["barriers"] == HOSTILE["barriers"]  # stored verbatim
    xlsx = tmp_path / "r.xlsx"
    report(*src, "--format", "xlsx", "-o", str(xlsx))
    for ws in openpyxl.load_workbook(xlsx):
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    assert cell.data_type == "s", (ws.title, cell.coordinate)


@covers("coding-reference")
def test_coding_example_with_no_answer_is_reported(tmp_path: Path) -> None:
    survey = tmp_path / "survey"
    shutil.copytree(MILE_EXAMPLE, survey)
    coding = survey / "coding.yaml"
    text = coding.read_text(encoding="utf-8")
    text = text.replace(
        "examples:",
        "examples:\n      - {partner: Rotterdam, source: managing_authority,"
        " question: ma_relation}",
        1,
    )
    coding.write_text(text, encoding="utf-8")
    data = json.loads(report(str(survey), "--format", "json"))
    (issue,) = [i for i in data["issues"] if i["code"] == "coding-reference"]
    assert issue["file"] == "coding.yaml"
    assert "Rotterdam has no managing_authority answer to 'ma_relation'" in issue["message"]

"""Survey waves: MILE 2009 as wave 1, a follow-up built from it, and two toy waves."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import openpyxl
import pytest
import yaml
from jsonschema.exceptions import best_match
from typer.testing import CliRunner

from urbsurvey.cli import app
from urbsurvey.resources import bundled_questionnaires

from .conftest import MILE_EXAMPLE, TOY
from .support.documents import md_tables
from .support.workbooks import filled, row_of

runner = CliRunner()
EPOCH = {"SOURCE_DATE_EPOCH": "1290470400"}  # 2010-11-23


def run(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args), env=EPOCH)
    assert result.exit_code == code, result.output
    return result.stdout


def typed(value: Any) -> Any:
    """A merged answer from the JSON report as a partner would type it again."""
    if isinstance(value, list):
        return "; ".join(value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return value


# Wave 2 of MILE, a year on: Rotterdam has dropped out, Komotini's LSG became formal,
# Torino's LAP went from adopted to implemented, Venice secured €120k more, the LAP
# stage question was reworded and a question on LSG members was added.
PROGRESS: dict[str, dict[str, Any]] = {
    "Komotini": {"ulsg_functioning": "formal"},
    "Torino": {"ulsg_functioning": "informal", "lap_stage": "implementing_part"},
    "Venice": {"funding_secured": 520000},
}


@pytest.fixture(scope="module")
def mile_wave2(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("mile-2010")
    wave1 = json.loads(run("report", str(MILE_EXAMPLE), "--format", "json"))
    definition = yaml.safe_load(
        bundled_questionnaires()["mile-followup-2009"].read_text(encoding="utf-8")
    )
    definition.update(id="mile-followup-2010", version="2.0")
    ulsg, lap = definition["sections"][0], definition["sections"][1]
    lap["questions"][0]["text"]["en"] = "What stage has your Local Action Plan reached?"
    ulsg["questions"].append(
        {"id": "lsg_members", "type": "integer", "min": 0, "text": "How many members?"}
    )
    (root / "mile-2010.yaml").write_text(yaml.safe_dump(definition, allow_unicode=True))
    survey = yaml.safe_load((MILE_EXAMPLE / "survey.yaml").read_text(encoding="utf-8"))
    survey["partners"] = [p for p in survey["partners"] if p["name"] != "Rotterdam"]
    survey.update(
        questionnaire="mile-2010.yaml",
        wave="2010-11",
        waves=[{"id": "2009-10", "path": str(MILE_EXAMPLE)}],
        coding=None,
    )
    (root / "survey.yaml").write_text(yaml.safe_dump(survey, allow_unicode=True))
    for partner in wave1["partners"]:
        name = partner["partner"]
        if name == "Rotterdam":
            continue
        answers = {q: typed(v) for q, v in partner["answers"].items() if v is not None}
        for money in ("funding_secured", "funding_provisional"):  # the JSON has them in EUR
            if money in answers:
                answers[money] = f"EUR {answers[money]}"
        answers.update(PROGRESS.get(name, {}))
        filled(root / "returns", answers, questionnaire=root / "mile-2010.yaml",
               partner=name, name=f"{name}.xlsx")  # fmt: skip
    return root


@pytest.fixture(scope="module")
def comparison(mile_wave2: Path) -> dict[str, Any]:
    waves: dict[str, Any] = json.loads(run("report", str(mile_wave2), "--format", "json"))["waves"]
    return waves


def test_the_comparison_follows_the_published_report_schema(mile_wave2: Path) -> None:
    report = json.loads(run("report", str(mile_wave2), "--format", "json"))
    validator = jsonschema.Draft202012Validator(json.loads(run("report", "--schema")))
    validator.validate(report)

    def broken(change: Callable[[dict[str, Any]], object]) -> str:
        wrong = json.loads(json.dumps(report))
        change(wrong["waves"])
        return str(best_match(validator.iter_errors(wrong)).message)

    assert broken(lambda w: w["indicators"][0]["values"]["2009-10"].pop("display")) == (
        "'display' is a required property"
    )
    assert broken(lambda w: w.pop("partners_one_wave")) == (
        "'partners_one_wave' is a required property"
    )
    assert broken(lambda w: w["partners"][0].update(changes="none")) == (
        "'none' is not of type 'array'"
    )


def test_every_shared_indicator_has_its_value_per_wave_and_the_change(
    comparison: dict[str, Any],
) -> None:
    assert comparison["ids"] == ["2009-10", "2010-11"]
    rows = {
        i["id"]: (
            i["values"]["2009-10"]["display"],
            i["values"]["2010-11"]["display"],
            i["change"] and i["change"]["display"],
        )
        for i in comparison["indicators"]
    }
    assert rows == {
        "lsg_sustained_formally": ("4", "5", "+1"),
        "lsg_sustained_informally": ("3", "3", "±0"),
        "funding_secured_eur": ("€1.4m", "€1.52m", "+€120,000"),
        "lap_implementation_ongoing": ("7", "8", "+1"),
        "lap_actions_implemented": ("18", "18", "±0"),
        "ongoing_local_impact": ("8", "8", "±0"),
    }


def test_a_reworded_question_is_flagged_beside_the_figures_resting_on_it(
    comparison: dict[str, Any],
) -> None:
    flags = {i["id"]: i["flags"] for i in comparison["indicators"]}
    assert flags["lap_implementation_ongoing"] == [
        "lap_stage: wording changed between 2009-10 and 2010-11"
    ]
    assert flags["lsg_sustained_formally"] == []
    questions = {q["id"]: q for q in comparison["questions"]}
    assert questions["lap_stage"]["changes"] == ["wording"]
    assert questions["lap_stage"]["before"] == "What stage has your LAP reached?"
    assert questions["lsg_members"]["only_in"] == "2010-11"


def test_what_changed_per_partner_and_who_is_in_one_wave_only(
    comparison: dict[str, Any],
) -> None:
    changes = {
        p["partner"]: [(c["question"], c["before"], c["after"], c["change"]) for c in p["changes"]]
        for p in comparison["partners"]
    }
    assert changes["Komotini"] == [
        ("ulsg_functioning", "Informally: members still meet in other local groupings",
         "Yes, it continues and meets regularly", ""),
    ]  # fmt: skip
    assert changes["Torino"] == [
        ("ulsg_functioning", "No", "Informally: members still meet in other local groupings", ""),
        ("lap_stage", "Adopted, implementation not yet started", "Being implemented in part", ""),
    ]
    assert changes["Venice"] == [("funding_secured", "€400,000", "€520,000", "up by €120,000")]
    assert changes["Sevilla"] == []
    torino = next(p for p in comparison["partners"] if p["partner"] == "Torino")
    assert torino["changes"][1]["flags"] == [
        "lap_stage: wording changed between 2009-10 and 2010-11"
    ]
    assert comparison["partners_one_wave"] == [{"partner": "Rotterdam", "wave": "2009-10"}]


def test_the_markdown_report_shows_the_comparison(mile_wave2: Path) -> None:
    md = run("report", str(mile_wave2))
    section = md[md.index("## Compared with earlier waves") :]
    tables = md_tables(section)
    indicators = tables[0]
    assert indicators[0].startswith("| Indicator | 2009-10 | 2010-11 | Change |")
    assert any(
        "LAP implementation ongoing" in line
        and "| 7 | 8 | \\+1 |" in line  # `+` escaped: GitHub shows +1
        and "wording changed" in line
        for line in indicators
    ), indicators
    assert "Venice" in section and "up by €120,000" in section
    assert "Only in 2009-10: Rotterdam." in section
    html = tmp_html(mile_wave2)
    assert "Compared with earlier waves" in html and "up by €120,000" in html


def tmp_html(survey: Path) -> str:
    out = survey / "report.html"
    run("report", str(survey), "--format", "html", "-o", str(out))
    return out.read_text(encoding="utf-8")


# --- a survey that is not MILE: an indicator redefined, choices changed ------------------


def toy_wave(root: Path, wave: str, definition: dict[str, Any], answers: dict[str, dict[str, Any]],
             waves: list[dict[str, str]] | None = None) -> Path:  # fmt: skip
    root.mkdir(parents=True)
    (root / "toy.yaml").write_text(yaml.safe_dump(definition, allow_unicode=True))
    survey = {"title": f"Bike lanes {wave}", "questionnaire": "toy.yaml", "currency": "GBP",
              "exchange_rates": {"EUR": 0.85}, "wave": wave, "waves": waves or [],
              "partners": [{"name": n} for n in answers]}  # fmt: skip
    (root / "survey.yaml").write_text(yaml.safe_dump(survey, allow_unicode=True))
    for partner, typed_answers in answers.items():
        filled(root / "returns", typed_answers, questionnaire=root / "toy.yaml",
               partner=partner, name=f"{partner}.xlsx")  # fmt: skip
    return root


def test_a_redefined_indicator_is_shown_but_not_compared(tmp_path: Path) -> None:
    first = yaml.safe_load(TOY.read_text(encoding="utf-8"))
    second = yaml.safe_load(TOY.read_text(encoding="utf-8"))
    mood = second["sections"][1]["questions"][2]
    mood["choices"].append({"code": "indifferent", "label": "Indifferent"})
    second["indicators"][0]["where"] = {"question": "mood", "in": ["happy"]}  # cities_keeping
    second["indicators"].append({"id": "happy", "kind": "count", "label": "Happy cities",
                                 "sentence": "{value}", "where": {"question": "mood",
                                                                  "in": ["happy"]}})  # fmt: skip
    toy_wave(tmp_path / "y1", "year 1", first, {
        "Bologna": {"km_built": 10, "kept": "yes", "budget": "EUR 20k", "mood": "Mixed"},
        "Parma": {"km_built": 3, "kept": "no", "budget": "£4,000"},
    })  # fmt: skip
    y2 = toy_wave(tmp_path / "y2", "year 2", second, {
        "Bologna": {"km_built": 14, "kept": "yes", "budget": "EUR 30k", "mood": "Happy"},
        "Lucca": {"km_built": 1, "kept": "yes"},
    }, waves=[{"id": "year 1", "path": "../y1"}])  # fmt: skip
    waves = json.loads(run("report", str(y2), "--format", "json"))["waves"]
    rows = {i["id"]: i for i in waves["indicators"]}
    kept = rows["cities_keeping"]
    assert kept["change"] is None
    assert kept["not_compared"] == "the indicator's definition changed between year 1 and year 2"
    assert kept["values"] == {"year 1": {"value": 1, "display": "1"},
                              "year 2": {"value": 1, "display": "1"}}  # fmt: skip
    assert rows["km_total"]["change"] == {"value": 2.0, "display": "+2"}
    assert rows["budget_total"]["change"]["display"] == "+£4,500"  # £21,000 → £25,500 (Parma gone)
    assert waves["indicators_one_wave"] == [{"id": "happy", "label": "Happy cities",
                                             "wave": "year 2"}]  # fmt: skip
    bologna = next(p for p in waves["partners"] if p["partner"] == "Bologna")
    mood_change = next(c for c in bologna["changes"] if c["question"] == "mood")
    assert mood_change["flags"] == ["mood: choices changed between year 1 and year 2"]
    assert ("km_built", "10", "14", "up by 4") in [
        (c["question"], c["before"], c["after"], c["change"]) for c in bologna["changes"]
    ]
    assert waves["partners_one_wave"] == [{"partner": "Parma", "wave": "year 1"},
                                          {"partner": "Lucca", "wave": "year 2"}]  # fmt: skip
    md = run("report", str(y2))
    assert "not compared: the indicator's definition changed" in md


def test_a_wave_path_that_does_not_exist_is_a_clear_error(tmp_path: Path) -> None:
    definition = yaml.safe_load(TOY.read_text(encoding="utf-8"))
    y2 = toy_wave(tmp_path / "y2", "year 2", definition, {"Bologna": {"km_built": 1}},
                  waves=[{"id": "year 1", "path": "../nowhere"}])  # fmt: skip
    result = runner.invoke(app, ["report", str(y2)])
    assert result.exit_code == 2
    assert result.output.startswith("Error: ")
    assert "wave 'year 1'" in result.output and "nowhere" in result.output


# --- next wave's workbooks with the previous answers beside the answer cell --------------


def test_prefill_shows_previous_answers_beside_an_empty_answer_cell(
    mile_wave2: Path, tmp_path: Path
) -> None:
    partners = tmp_path / "partners.csv"
    partners.write_text("partner\nVenice\nTorino\nLisboa\n", encoding="utf-8")
    out = tmp_path / "next"
    run("template", str(mile_wave2 / "mile-2010.yaml"), "--partners", str(partners),
        "--prefill-from", str(mile_wave2), "-o", str(out))  # fmt: skip
    ws = openpyxl.load_workbook(out / "Venice-city.xlsx")["Responses"]
    header = [c.value for c in ws[4]]
    assert header[:6] == ["ID", "Question", "Answer", "Help", "Notes", "Previous answer (2010-11)"]
    secured = row_of(ws, "funding_secured")
    assert ws.cell(row=secured, column=6).value == "€520,000"
    assert ws.cell(row=secured, column=3).value is None
    assert ws.cell(row=row_of(ws, "lap_stage"), column=6).value == "Being implemented in part"
    lisboa = openpyxl.load_workbook(out / "Lisboa-city.xlsx")["Responses"]
    assert lisboa.cell(row=row_of(lisboa, "lap_stage"), column=6).value is None
    # returned untouched, the previous answers are not taken as this wave's answers
    definition = str(mile_wave2 / "mile-2010.yaml")
    venice = str(out / "Venice-city.xlsx")
    checked = json.loads(
        run("validate", venice, "--questionnaire", definition, "--format", "json", code=1)
    )
    assert {i["code"] for i in checked["issues"]} == {"missing-required"}
    assert checked["files"][0]["answers"] == 0


def test_an_earlier_wave_can_be_read_from_its_store(tmp_path: Path) -> None:
    definition = yaml.safe_load(TOY.read_text(encoding="utf-8"))
    y1 = toy_wave(tmp_path / "y1", "year 1", definition,
                  {"Bologna": {"km_built": 10, "kept": "yes"}})  # fmt: skip
    run("ingest", str(y1), "--store", str(tmp_path / "y1.sqlite"))
    y2 = toy_wave(tmp_path / "y2", "year 2", definition,
                  {"Bologna": {"km_built": 12.5, "kept": "yes"}},
                  waves=[{"id": "year 1", "store": "../y1.sqlite",
                          "questionnaire": "../y1/toy.yaml"}])  # fmt: skip
    waves = json.loads(run("report", str(y2), "--format", "json"))["waves"]
    km = next(i for i in waves["indicators"] if i["id"] == "km_total")
    assert (km["values"]["year 1"]["display"], km["change"]["display"]) == ("10", "+2.5")


def test_waves_that_name_each_other_are_read_once(tmp_path: Path) -> None:
    definition = yaml.safe_load(TOY.read_text(encoding="utf-8"))
    toy_wave(tmp_path / "y1", "year 1", definition, {"Bologna": {"km_built": 10}},
             waves=[{"id": "year 2", "path": "../y2"}])  # fmt: skip
    y2 = toy_wave(tmp_path / "y2", "year 2", definition, {"Bologna": {"km_built": 11}},
                  waves=[{"id": "year 1", "path": "../y1"}])  # fmt: skip
    waves = json.loads(run("report", str(y2), "--format", "json"))["waves"]
    assert waves["ids"] == ["year 1", "year 2"]


def test_the_xlsx_report_has_the_comparison_sheets(mile_wave2: Path) -> None:
    out = mile_wave2 / "report.xlsx"
    run("report", str(mile_wave2), "--format", "xlsx", "-o", str(out))
    wb = openpyxl.load_workbook(out)
    waves = [[c.value for c in row] for row in wb["Waves"].iter_rows()]
    assert waves[0][:4] == ["Indicator", "2009-10", "2010-11", "Change"]
    assert ["Actual and provisional funding secured", "€1.4m", "€1.52m", "+€120,000"] in [
        r[:4] for r in waves
    ]
    changes = [[c.value for c in row] for row in wb["Wave changes"].iter_rows()]
    venice = ["Venice", "Funding secured for the LAP so far", "€400,000", "€520,000"]
    assert [*venice, "up by €120,000"] in [r[:5] for r in changes]
    assert ["Rotterdam", "only in 2009-10"] in [r[:2] for r in changes]

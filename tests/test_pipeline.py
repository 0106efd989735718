"""The library's three use cases, called from Python as a script would: no command line."""

from __future__ import annotations

from pathlib import Path

import urbsurvey
from tests.conftest import TOY
from tests.support.workbooks import filled, survey_folder


def test_validate_ingest_report_without_the_cli(tmp_path: Path) -> None:
    returns = tmp_path / "returns"
    returns.mkdir()
    for city, km, budget in (("Bologna", "12,5", "EUR 20k"), ("Gdańsk", "3", "€ 5.000")):
        filled(returns, {"km_built": km, "kept": "yes", "budget": budget},
               questionnaire=TOY, partner=city, name=f"{city}.xlsx")  # fmt: skip
    (returns / "scan.xlsx").write_bytes(b"%PDF-1.4 not a workbook")

    checked = urbsurvey.validate([returns], questionnaire=str(TOY))
    summary = checked.to_json()["summary"]
    assert summary["files"] == 3 and summary["ok"] == 2 and summary["unreadable"] == 1
    assert checked.failed()  # the unreadable file is an error

    store = tmp_path / "bikes.sqlite"
    stored = urbsurvey.ingest([returns], store, questionnaire=str(TOY))
    assert sorted(s.partner or "" for s in stored.added if s.readable) == ["Bologna", "Gdańsk"]
    assert urbsurvey.ingest([returns], store, questionnaire=str(TOY)).unchanged == 3

    report = urbsurvey.make_report(store, questionnaire=str(TOY))
    values = {i.id: i.value for i in report.indicators}
    assert values["km_total"] == 15.5
    assert values["budget_total"] == 25000.0
    assert values["cities_keeping"] == 2


def test_template_without_the_cli(tmp_path: Path) -> None:
    """`pipeline.template` writes what `urbsurvey template` writes: one partner's workbook,
    or one per partner of a survey folder, and says which."""
    from urbsurvey import pipeline

    one = pipeline.template(str(TOY), tmp_path / "graz.xlsx", partner="Graz", lang="it")
    assert one.folder is None and one.paths == [tmp_path / "graz.xlsx"]
    (checked,) = urbsurvey.validate(one.paths, questionnaire=str(TOY)).batch.submissions
    assert checked.partner == "Graz" and checked.readable

    survey = survey_folder(tmp_path / "bikes", ["Graz", "Lund"], questionnaire=TOY)
    many = pipeline.template(str(survey), tmp_path / "out")
    assert many.folder == tmp_path / "out"
    assert sorted(p.parent for p in many.paths) == [tmp_path / "out"] * 2
    assert len(many.paths) == 2 and all(p.is_file() for p in many.paths)

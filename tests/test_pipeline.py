"""The library's three use cases, called from Python as a script would: no command line."""

from __future__ import annotations

from pathlib import Path

import urbsurvey
from tests.conftest import TOY
from tests.support.workbooks import filled


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
    values = {i["id"]: i["value"] for i in report["indicators"]}
    assert values["km_total"] == 15.5
    assert values["budget_total"] == 25000.0
    assert values["cities_keeping"] == 2

"""Figures you can trust on a survey that is not MILE (issue #9).

An URBACT transfer network's follow-up (tests/fixtures/transfer-network.yaml): eight
cities, five currencies with rates (EUR, RON, PLN, GBP, SEK) and one without (CZK),
French and English workbooks, the partners' usual habits. Every case is a real
survey folder and real workbooks, made here, run through validate, ingest and report.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
from collections.abc import Mapping, Sequence
from contextlib import closing
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from urbsurvey.cli import app
from urbsurvey.errors import StoreError
from urbsurvey.intake.answers import MoneyValue
from urbsurvey.issues import Severity
from urbsurvey.pipeline import ingest, report, validate
from urbsurvey.report.amounts import format_amount
from urbsurvey.report.render import render

from .support.coverage import covers
from .support.workbooks import filled, where

NETWORK = Path(__file__).parent / "fixtures" / "transfer-network.yaml"
runner = CliRunner()

RATES = {"RON": 0.2, "PLN": 0.23, "GBP": 1.15, "SEK": 0.088}
PARTNERS: list[dict[str, Any]] = [
    {"name": "Lille", "country": "FR", "lead": True},
    {"name": "Cluj-Napoca", "country": "RO", "aliases": ["Cluj"]},
    {"name": "Gdynia", "country": "Poland"},
    {"name": "Bristol", "country": "GB"},
    {"name": "Malmö", "country": "SE", "aliases": ["Malmo"]},
    {"name": "Porto", "country": "PT"},
    {"name": "Brno", "country": "CZ"},  # koruna: survey.yaml gives no rate
    {"name": "Network office", "currency": "eur"},  # no country: the currency is given
]
CODING = """\
groups:
  - {id: food, title: "Food in schools"}
themes:
  - id: local_sourcing
    group: food
    title: "Local sourcing needs the procurement office on board"
    examples:
      - {partner: Lille, question: group_status}
      - {partner: Porto, question: group_status}
"""


def network(root: Path, partners: list[dict[str, Any]] = PARTNERS) -> Path:
    """A survey folder as a secretariat writes it: rates with comments, a coding file."""
    root.mkdir(parents=True)
    (root / "returns").mkdir()
    lines = [
        'title: "Canteens transfer network: follow-up 2024"',
        "introduction: |",
        "  Eight cities transferred a good practice on school canteens.",
        "",
        "  This follow-up asks what remains a year later.",
        f"questionnaire: {NETWORK}",
        "language: en",
        "currency: EUR",
        "exchange_rates:",
        *(f"  {code}: {rate}   # one {code} in euro" for code, rate in RATES.items()),
        "expected_roles: [city]",
        "coding: coding.yaml",
        "partners:",
        *(f"  - {json.dumps(p, ensure_ascii=False)}" for p in partners),
    ]
    (root / "survey.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (root / "coding.yaml").write_text(CODING, encoding="utf-8")
    return root


def ret(root: Path, partner: str, answers: Mapping[str, object], **kw: Any) -> Path:
    """A partner's returned workbook in the survey's `returns/`."""
    name = kw.pop("name", f"{partner.lower().replace(' ', '-')}.xlsx")
    return filled(
        root / "returns", answers, questionnaire=NETWORK, partner=partner, name=name, **kw
    )


CONTINUING = {"group_status": "It continues"}


def indicator(data: dict[str, Any], ind: str) -> dict[str, Any]:
    return next(i for i in data["indicators"] if i["id"] == ind)


def _money(value: object) -> MoneyValue:
    assert isinstance(value, MoneyValue), value
    return value


def issues_at(data: list[Any], code: str) -> list[Any]:
    return [i for i in data if (i["code"] if isinstance(i, dict) else i.code) == code]


# --------------------------------------------------------------------------- currency rule


@pytest.fixture
def money_survey(tmp_path: Path) -> Path:
    root = network(tmp_path / "canteens")
    ret(root, "Lille", {**CONTINUING, "transfer_budget": "1 200 000"}, lang="fr")
    ret(root, "Cluj-Napoca", {**CONTINUING, "transfer_budget": 1200000})  # a numeric cell
    ret(root, "Gdynia", {**CONTINUING, "transfer_budget": "PLN 400.000", "network_fee": 5000})
    ret(root, "Bristol", {**CONTINUING, "transfer_budget": "£240,000"})
    ret(root, "Malmö", {**CONTINUING, "transfer_budget": "2 000 000 SEK"})
    ret(root, "Brno", {**CONTINUING, "transfer_budget": "3 500 000"})  # CZK: no rate
    ret(root, "Network office", {**CONTINUING, "transfer_budget": "3036"})
    return root


@covers("currency-assumed")
def test_bare_amount_is_read_in_the_partners_currency_and_says_so(money_survey: Path) -> None:
    v = validate([money_survey])
    subs = {s.partner: s for s in v.batch.submissions}
    values = {p: s.answers["transfer_budget"].value for p, s in subs.items()}
    cluj = _money(values["Cluj-Napoca"])
    # before: RON 1,200,000 was counted as €1,200,000 in silence
    assert (cluj.currency, cluj.converted) == ("RON", Decimal(240000))
    assert _money(values["Lille"]).currency == "EUR"
    assert _money(values["Network office"]).currency == "EUR"
    assumed = {i.file: i for i in issues_at(v.batch.all_issues(), "currency-assumed")}
    warning = assumed["returns/cluj-napoca.xlsx"]
    assert warning.severity is Severity.WARNING
    cluj_file = money_survey / "returns" / "cluj-napoca.xlsx"
    assert (warning.sheet, warning.cell) == where(cluj_file, "transfer_budget")
    assert "RON" in warning.message and "Cluj-Napoca's country (RO)" in warning.message
    office = assumed["returns/network-office.xlsx"]
    assert "survey.yaml gives for Network office" in office.message
    # written currencies are never "assumed"
    assert "returns/gdynia.xlsx" in assumed  # the fee, asked in euros, not the budget
    assert "the currency the question asks for" in assumed["returns/gdynia.xlsx"].message
    assert not {"returns/bristol.xlsx", "returns/malmö.xlsx"} & set(assumed)


@covers("missing-currency")
def test_bare_amount_without_a_currency_to_read_it_in_is_an_error(tmp_path: Path) -> None:
    root = network(tmp_path / "canteens", [*PARTNERS, {"name": "Ghent"}])  # no country
    path = ret(root, "Ghent", {**CONTINUING, "transfer_budget": "80000"})
    v = validate([root])
    (error,) = issues_at(v.batch.all_issues(), "missing-currency")
    assert error.severity is Severity.ERROR
    assert (error.file, error.sheet, error.cell) == (
        "returns/ghent.xlsx",
        *where(path, "transfer_budget"),
    )
    assert "'80000'" in error.message
    # a question that asks for a currency settles it, partner or not
    ret(root, "Ghent", {**CONTINUING, "network_fee": "2500"}, name="ghent.xlsx")
    sub = validate([root]).batch.submissions[0]
    assert _money(sub.answers["network_fee"].value).currency == "EUR"


def test_amount_in_a_currency_without_rate_is_left_out_and_said(money_survey: Path) -> None:
    data = report(money_survey)
    budget = indicator(data, "budget_total")
    # before: "... by 6 partners." with Brno silently missing
    assert "Brno" not in budget["partners"]
    assert "by 6 partners; 1 amount could not be converted (Brno)." in budget["sentence"]
    (left,) = budget["left_out"]
    assert (left["partner"], left["raw"], left["code"]) == ("Brno", "3 500 000", "unknown-currency")
    # Lille 1.2m + Cluj 240,000 + Gdynia 92,000 + Bristol 276,000 + Malmö 176,000 + office 3,036
    assert budget["value"] == pytest.approx(1_987_036)
    assert budget["display"] == "€1.99m"


# --------------------------------------------------------------------------- skip logic


def test_an_answer_the_skip_logic_hides_never_counts(tmp_path: Path) -> None:
    root = network(tmp_path / "canteens")
    ret(root, "Lille", {**CONTINUING, "group_members": 12}, lang="fr")
    ret(root, "Porto", {**CONTINUING, "group_members": "9"})
    # the group has stopped, but the member count from last year is still in the workbook
    stopped = ret(root, "Gdynia", {"group_status": "It has stopped", "group_members": 40})
    data = report(root)
    members = indicator(data, "members_continuing")
    assert members["value"] == 21  # before: 61, the stopped group's 40 people included
    assert members["partners"] == ["Lille", "Porto"]
    assert indicator(data, "groups_continuing")["value"] == 2
    (warning,) = issues_at(data["issues"], "skipped-answered")
    assert (warning["sheet"], warning["cell"]) == where(stopped, "group_members")
    # kept and shown, marked hidden
    row = next(r for r in data["matrix"]["rows"] if r["partner"] == "Gdynia")
    col = [c["id"] for c in data["matrix"]["columns"]].index("group_members")
    assert row["cells"][col].startswith("40 [hidden by the skip logic")
    assert row["hidden"] == ["group_members"]
    assert (
        "group_members"
        not in next(p for p in data["partners"] if p["partner"] == "Gdynia")["answers"]
    )
    # the store keeps it, hidden, and a report from the store agrees
    store = tmp_path / "canteens.sqlite"
    ingest([root], store)
    with closing(sqlite3.connect(store)) as db:
        assert db.execute(
            "SELECT raw, hidden FROM answers WHERE question='group_members' AND submission_id ="
            " (SELECT id FROM submissions WHERE partner='Gdynia')"
        ).fetchone() == ("40", 1)
    assert indicator(report(store), "members_continuing")["value"] == 21


# --------------------------------------------------------------------------- one submission rule


def _two_versions(root: Path) -> tuple[Path, Path]:
    """Porto's corrected return, dated later, but the file of the first one changed last."""
    final = ret(
        root,
        "Porto",
        {**CONTINUING, "group_members": 14, "respondent.date": dt.date(2024, 4, 15)},
        name="porto-final.xlsx",
    )
    first = ret(
        root,
        "Porto",
        {**CONTINUING, "group_members": 9, "respondent.date": dt.date(2024, 3, 1)},
        name="porto.xlsx",
    )
    os.utime(final, (1_700_000_000, 1_700_000_000))
    os.utime(first, (1_710_000_000, 1_710_000_000))  # opened and saved again later
    return first, final


def _issue_set(issues: Sequence[Mapping[str, Any]]) -> set[tuple[str, str, str]]:
    return {(i["code"], i["severity"], i["file"]) for i in issues}


def test_one_rule_picks_the_current_submission_folder_and_store(tmp_path: Path) -> None:
    root = network(tmp_path / "canteens")
    ret(root, "Lille", {**CONTINUING, "group_members": 12}, lang="fr")
    first, final = _two_versions(root)
    (root / "returns" / "resent").mkdir()
    shutil.copy2(final, root / "returns" / "resent" / "porto-final.xlsx")  # one file, twice

    v = validate([root])
    assert [s.file for s in v.batch.counted if s.partner == "Porto"] == ["returns/porto-final.xlsx"]
    folder_issues = _issue_set([i.to_dict() for i in v.batch.all_issues()])
    expected = {
        ("resubmission", "warning", "returns/porto.xlsx"),
        ("duplicate-file", "warning", "returns/resent/porto-final.xlsx"),
    }
    assert expected <= folder_issues
    assert not issues_at([i.to_dict() for i in v.batch.all_issues()], "duplicate-submission")
    message = next(i for i in v.batch.all_issues() if i.code == "resubmission").message
    assert "returns/porto-final.xlsx" in message and "2024-04-15" in message

    # the store, fed in the worst order: the corrected file first, the older one after it
    store = tmp_path / "canteens.sqlite"
    shutil.rmtree(root / "returns" / "resent")
    first.rename(tmp_path / "porto.xlsx")
    ingest([root], store)
    (tmp_path / "porto.xlsx").rename(first)
    later = ingest([root], store)
    assert [s.file for s in later.added] == ["returns/porto.xlsx"]
    assert _issue_set([i.to_dict() for i in later.all_issues()]) == {
        ("resubmission", "warning", "returns/porto.xlsx")
    }  # before: a resubmission warning, and the older return became current
    from_store = report(store)
    assert indicator(from_store, "members_continuing")["value"] == 26  # 12 + Porto's final 14
    assert indicator(report(root), "members_continuing")["value"] == 26
    assert _issue_set(from_store["issues"]) == _issue_set(report(root)["issues"])


@pytest.mark.parametrize("command", ["validate", "ingest"])
def test_strict_gives_the_same_exit_code_both_ways(tmp_path: Path, command: str) -> None:
    root = network(tmp_path / "canteens")
    ret(root, "Lille", {**CONTINUING, "group_members": 12, "network_fee": "EUR 100"}, lang="fr")
    _two_versions(root)
    extra = ["--store", str(tmp_path / "s.sqlite")] if command == "ingest" else []
    plain = runner.invoke(app, [command, str(root), *extra, "--format", "json"])
    assert plain.exit_code == 0, plain.output  # before (validate): 1, two errors
    strict = runner.invoke(
        app,
        [command, str(root), "--store", str(tmp_path / "t.sqlite"), "--strict"]
        if command == "ingest"
        else [command, str(root), "--strict"],
    )
    assert strict.exit_code == 1  # the resubmission warning, both ways
    codes = {i["code"] for i in json.loads(plain.stdout)["issues"]}
    assert "resubmission" in codes and "duplicate-submission" not in codes


# --------------------------------------------------------------------------- report from a store


def test_report_from_the_store_is_the_report_of_the_folder(tmp_path: Path) -> None:
    root = network(tmp_path / "canteens")
    ret(root, "Lille", {**CONTINUING, "group_members": 12}, lang="fr")
    ret(root, "Porto", {**CONTINUING, "group_members": "9", "transfer_budget": "€ 85.000"})
    ret(root, "Cluj-Napoca", {"group_status": "It has stopped"})
    store = tmp_path / "canteens.sqlite"
    ingest([root], store)
    from_folder = report(root)
    moved = tmp_path / "archive" / "canteens-2024"
    moved.parent.mkdir()
    root.rename(moved)  # the folder has moved: the store alone must do
    code, out = _cli_json("report", store)
    assert code == 0
    for key in ("survey", "respondents", "methodology", "lessons", "indicators", "currency"):
        assert out[key] == from_folder[key], key
    # before: "7 of 0 partners", the questionnaire's title, no lessons
    assert out["survey"]["title"] == "Canteens transfer network: follow-up 2024"
    assert out["methodology"]["response_rate"]["expected"] == 8
    assert out["methodology"]["response_rate"]["returned"] == 3
    assert out["lessons"][0]["themes"][0]["partners"] == ["Lille", "Porto"]
    assert {m["partner"] for m in out["respondents"]["missing"]} == {
        "Gdynia",
        "Bristol",
        "Malmö",
        "Brno",
        "Network office",
    }
    md = render(out, "md").decode()
    assert "**3** of 8 partners returned the questionnaire" in md


def test_a_late_file_added_to_the_store_keeps_its_survey(tmp_path: Path) -> None:
    root = network(tmp_path / "canteens")
    ret(root, "Lille", {**CONTINUING, "group_members": 12}, lang="fr")
    store = tmp_path / "s.sqlite"
    ingest([root], store)
    late = ret(tmp_path / "mail", "Porto", {**CONTINUING, "group_members": 9})
    ingest([late], store, questionnaire=str(NETWORK))  # one file from an e-mail, later
    data = report(store)
    assert data["survey"]["title"] == "Canteens transfer network: follow-up 2024"
    assert data["methodology"]["response_rate"]["expected"] == 8
    assert indicator(data, "members_continuing")["value"] == 21


def test_a_store_holds_one_survey(tmp_path: Path) -> None:
    root = network(tmp_path / "canteens")
    ret(root, "Lille", CONTINUING)
    store = tmp_path / "s.sqlite"
    ingest([root], store)
    other = tmp_path / "bikes"
    other.mkdir()
    with pytest.raises(StoreError, match="holds questionnaire 'transfer-followup'") as raised:
        ingest([other], store, questionnaire="mile-followup-2009")
    assert "one store holds one survey" in (raised.value.hint or "")


# --------------------------------------------------------------------------- money conversion


def test_the_report_states_how_it_converted_money(money_survey: Path) -> None:
    data = report(money_survey)
    currency = data["currency"]
    assert currency["code"] == "EUR"
    yaml_lines = (money_survey / "survey.yaml").read_text(encoding="utf-8").splitlines()
    rates = {r["currency"]: r for r in currency["rates"]}
    assert set(rates) == {"RON", "PLN", "GBP", "SEK"}  # every rate used, and only those
    for code, rate in rates.items():
        line = int(rate["source"].removeprefix("survey.yaml line "))
        assert yaml_lines[line - 1].strip().startswith(f"{code}: {RATES[code]}")
        assert rate["rate"] == RATES[code]
    sources = {s["partner"]: s for s in indicator(data, "budget_total")["sources"]}
    cluj = sources["Cluj-Napoca"]
    assert (cluj["raw"], cluj["converted"], cluj["converted_display"]) == (
        "1200000",
        240000.0,
        "€240,000",
    )
    assert sources["Network office"]["converted_display"] == "€3,036"  # never "€3.04k"
    assert sources["Lille"]["converted_display"] == "€1,200,000"  # provenance: in full
    md = render(data, "md").decode()
    assert "1 RON = 0.2 EUR (survey.yaml line" in md
    assert "| 1200000 | €240,000 |" in md
    html = render(data, "html").decode()
    assert "1 SEK = 0.088 EUR (survey.yaml line" in html
    assert '<td class="num">€240,000</td>' in html


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (948646, "EUR", "€948,646"),
        (3036, "EUR", "€3,036"),
        (1_400_000, "EUR", "€1.4m"),
        (949_999, "GBP", "£949,999"),
        (12_345_678, "EUR", "€12.35m"),
        (500_000, "RON", "RON 500,000"),
        (12.5, "EUR", "€12.50"),
    ],
)
def test_amounts_as_a_reader_writes_them(amount: float, currency: str, shown: str) -> None:
    assert format_amount(amount, currency) == shown


def _cli_json(*args: str | Path) -> tuple[int, Any]:
    result = runner.invoke(app, [*map(str, args), "--format", "json"])
    return result.exit_code, json.loads(result.stdout)


def test_a_store_of_schema_1_is_upgraded_when_opened(tmp_path: Path) -> None:
    """A store made before this release: no `hidden`, `replaced_by` or `survey` yet."""
    root = network(tmp_path / "canteens")
    ret(root, "Lille", {**CONTINUING, "group_members": 12}, lang="fr")
    store = tmp_path / "old.sqlite"
    ingest([root], store)
    with closing(sqlite3.connect(store)) as db:  # take it back to schema 1
        db.executescript(
            "DROP VIEW current_answers; ALTER TABLE answers DROP COLUMN hidden;"
            " DROP INDEX submissions_key; ALTER TABLE submissions DROP COLUMN replaced_by;"
            " DROP TABLE survey; UPDATE meta SET value='1' WHERE key='schema';"
        )
    ret(root, "Porto", {**CONTINUING, "group_members": 9})
    ingest([root], store)  # opens, upgrades, adds Porto
    with closing(sqlite3.connect(store)) as db:
        assert db.execute("SELECT value FROM meta WHERE key='schema'").fetchone() == ("2",)
    assert indicator(report(store), "members_continuing")["value"] == 21

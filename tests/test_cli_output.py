"""What the main commands print, asserted whole (as a user reads it), on a survey that is not MILE:
questionnaire list and check, validate, ingest, report, template, status and feedback.

A changed column, a stray traceback or a lost `Tip:` fails here. The terminal is
100 columns wide (COLUMNS), so rich wraps the same way on every machine.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from urbsurvey.cli import app

from .conftest import TOY
from .support.workbooks import filled, survey_folder, where

runner = CliRunner()


def run(*args: str) -> Result:
    return runner.invoke(app, list(args), env={"COLUMNS": "100"})


@pytest.fixture
def bikes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The bike-lane survey of three cities: a clean return, a bad figure, a file that is no
    spreadsheet, and Gent silent. The working directory is its parent, so paths are short."""
    root = survey_folder(
        tmp_path / "bikes",
        [{"name": "Graz", "country": "AT"}, {"name": "Lund", "country": "SE"}, "Gent"],
        questionnaire=TOY,
    )
    returns = root / "returns"
    filled(returns, {"km_built": "12,5", "kept": "ja"}, questionnaire=TOY, partner="Graz",
           name="graz.xlsx")  # fmt: skip
    filled(returns, {"km_built": "twelve", "kept": "yes"}, questionnaire=TOY, partner="Lund",
           name="lund.xlsx")  # fmt: skip
    (returns / "notes.xlsx").write_text("minutes of the steering group\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    return Path("bikes")


def test_questionnaire_list() -> None:
    result = run("questionnaire", "list")
    assert result.exit_code == 0
    assert result.output == (
        "┏━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━┳━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓\n"
        "┃ ID                 ┃ Version ┃ Languages ┃ Title                                                 ┃\n"
        "┡━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━╇━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┩\n"
        "│ mile-followup-2009 │ 1.0     │ en, fr    │ MILE follow-up survey: URBACT Local Support Groups    │\n"
        "│                    │         │           │ and Local Action Plans                                │\n"
        "└────────────────────┴─────────┴───────────┴───────────────────────────────────────────────────────┘\n"
    )  # fmt: skip


VALIDATE_TABLE = (
    "toy-bike-lanes version 2                                                          \n"
    "┏━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━┳━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━┳━━━━━━━━┳━━━━━━━━━━┓\n"
    "┃ File               ┃ Partner ┃ Role ┃ Status     ┃ Answers ┃ Errors ┃ Warnings ┃\n"
    "┡━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━╇━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━╇━━━━━━━━╇━━━━━━━━━━┩\n"
    "│ returns/graz.xlsx  │ Graz    │ city │ ok         │ 2       │ 0      │ 0        │\n"
    "│ returns/lund.xlsx  │ Lund    │ city │ errors     │ 2       │ 1      │ 0        │\n"
    "│ returns/notes.xlsx │         │      │ unreadable │ 0       │ 1      │ 0        │\n"
    "└────────────────────┴─────────┴──────┴────────────┴─────────┴────────┴──────────┘\n"
)  # fmt: skip


def not_a_number(bikes: Path) -> str:
    """Lund's bad figure, pointed at the cell where the answer really is."""
    sheet, cell = where(bikes / "returns" / "lund.xlsx", "km_built")
    return (
        f"error not-a-number returns/lund.xlsx, sheet {sheet}, cell {cell}: km_built: 'twelve' is not a number.\n"
        "    Type a number, for example 12 or 1.400.000.\n"
    )  # fmt: skip


NOT_A_SPREADSHEET = (
    "error not-a-spreadsheet returns/notes.xlsx: returns/notes.xlsx: not a spreadsheet: looks like CSV or\n"
    "text\n"
    "    Ask the partner to save the questionnaire as .xlsx (or .xls/.ods) and send it again.\n"
)  # fmt: skip


def test_validate_table(bikes: Path) -> None:
    result = run("validate", str(bikes))
    assert result.exit_code == 1  # an error in the data
    assert result.output == (
        VALIDATE_TABLE
        + not_a_number(bikes)
        + NOT_A_SPREADSHEET
        + "warning missing-response survey.yaml: No city questionnaire from Gent.\n"
        "    An expected partner has not returned this questionnaire: send a reminder.\n"
        "3 files: 1 ok, 0 with warnings, 1 with errors, 1 unreadable.\n"
    )


def test_ingest_then_again(bikes: Path) -> None:
    first = run("ingest", str(bikes), "--store", "bikes.sqlite")
    assert first.exit_code == 1
    assert first.output == (
        "added returns/graz.xlsx: Graz (city), ok\n"
        "added returns/lund.xlsx: Lund (city), errors\n"
        "added returns/notes.xlsx: no partner, unreadable\n"
        + not_a_number(bikes)
        + NOT_A_SPREADSHEET
        + "3 added, 0 unchanged; the store holds 3 submissions, 3 current.\n"
    )
    again = run("ingest", str(bikes), "--store", "bikes.sqlite")
    assert (again.exit_code, again.output) == (
        0,
        "0 added, 3 unchanged; the store holds 3 submissions, 3 current.\n",
    )


def test_ingest_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    missing = run("ingest", "retunrs", "--store", "bikes.sqlite")
    assert (missing.exit_code, missing.output) == (
        2,
        "Error: retunrs: no such file or folder\n"
        "Tip: Check the spelling; give a survey folder, folders of workbooks or files.\n",
    )
    Path("blank.xlsx").write_bytes(b"")
    unstamped = run("ingest", "blank.xlsx", "--store", "bikes.sqlite")
    assert (unstamped.exit_code, unstamped.output) == (
        2,
        "Error: no questionnaire: the files carry no version stamp naming a bundled questionnaire\n"
        "Tip: Give --questionnaire ID|FILE, or point at a survey folder with a survey.yaml.\n",
    )
    assert not Path("bikes.sqlite").exists()  # nothing was stored, not even an empty store


BROKEN_DEFINITION = """\
id: bike-counts
title: "Bike counts"
version: "1"
sections:
  - id: counts
    title: Counts
    questions:
      - {id: weekday, type: integer, text: "Bikes on a weekday"}
      - {id: weekday, type: integer, text: "Bikes on a Sunday"}
      - id: why
        type: long_text
        text: "Why so few?"
        ask_when: {question: wekday, in: [few]}
indicators:
  - id: total
    kind: sum
    questions: [why]
    label: Total
    sentence: "{value} bikes."
"""


def test_questionnaire_check_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("counts.yaml").write_text(BROKEN_DEFINITION, "utf-8")
    result = run("questionnaire", "check", "counts.yaml")
    assert result.exit_code == 1
    assert result.output == (
        f"{tmp_path / 'counts.yaml'}: the questionnaire definition has 3 problem(s):\n"
        "  - line 9: duplicate id 'weekday' (also used at sections.0.questions.0.id)\n"
        "  - line 13: no question has the id 'wekday'\n"
        "  - line 17: cannot sum 'why': it is a long_text question\n"
    )


def test_report_and_template_say_what_they_wrote(bikes: Path) -> None:
    report = run("report", str(bikes), "-o", "bikes.md")
    assert (report.exit_code, report.output) == (0, "Wrote bikes.md\n")
    assert Path("bikes.md").read_text("utf-8").startswith("# Test survey\n")
    templates = run("template", str(bikes), "-o", "to-send")
    assert (templates.exit_code, templates.output) == (0, "Wrote 3 workbooks to to-send\n")
    assert sorted(p.name for p in Path("to-send").iterdir()) == [
        "Gent-city.xlsx", "Graz-city.xlsx", "Lund-city.xlsx"]  # fmt: skip


def test_template_without_partners(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("template", str(TOY), "-o", "bikes.xlsx")
    assert (result.exit_code, result.output) == (
        2,
        "Error: give --partner NAME, --partners FILE.csv, or a survey folder instead of ID|FILE\n"
        "Tip: Example: urbsurvey template mile-followup-2009 --partner Venice -o venice.xlsx\n",
    )
    assert not Path("bikes.xlsx").exists()


def test_status_table(bikes: Path) -> None:
    received = dt.datetime(2009, 11, 20, 12, tzinfo=dt.UTC).timestamp()
    for workbook in (bikes / "returns").iterdir():
        os.utime(workbook, (received, received))
    result = run("status", str(bikes))
    assert result.exit_code == 0
    assert result.output == (
        "Test survey                                                                                         \n"
        "┏━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━┳━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━┓\n"
        "┃ Partner ┃ Role       ┃ State       ┃ File       ┃ Received   ┃ From ┃ Errors ┃ Warnings ┃ E-mail ┃\n"
        "┡━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━╇━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━┩\n"
        "│ Graz    │ city       │ complete    │ returns/gr │ 2009-11-20 │      │ 0      │ 0        │        │\n"
        "│         │            │             │ az.xlsx    │            │      │        │          │        │\n"
        "│ Lund    │ city       │ needs fixes │ returns/lu │ 2009-11-20 │      │ 1      │ 0        │        │\n"
        "│         │            │             │ nd.xlsx    │            │      │        │          │        │\n"
        "│ Gent    │ city       │ missing     │            │            │      │ 0      │ 0        │        │\n"
        "│ ?       │ (not       │ needs fixes │ returns/no │ 2009-11-20 │      │ 1      │ 0        │        │\n"
        "│         │ expected)  │             │ tes.xlsx   │            │      │        │          │        │\n"
        "└─────────┴────────────┴─────────────┴────────────┴────────────┴──────┴────────┴──────────┴────────┘\n"
        "3 expected: 1 complete, 1 need fixes, 1 missing.\n"
    )  # fmt: skip


def test_feedback(bikes: Path) -> None:
    result = run("feedback", str(bikes), "-o", "to-send")
    assert (result.exit_code, result.output) == (
        0,
        "fixes Lund (city): 1 to fix, to ?: Lund-city-fixes.xlsx, Lund-city-message.txt\n"
        "reminder Gent (city), to ?: Gent-city.xlsx, Gent-city-reminder.txt\n"
        "skipped returns/notes.xlsx: no known partner: see `urbsurvey status`\n"
        "1 fix request and 1 reminder in to-send.\n",
    )
    assert sorted(p.name for p in Path("to-send").iterdir()) == [
        "Gent-city-reminder.txt", "Gent-city.xlsx", "Lund-city-fixes.xlsx",
        "Lund-city-message.txt"]  # fmt: skip

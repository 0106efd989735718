"""The secretariat's loop: the ledger (`status`), fix requests and reminders (`feedback`),
and the corrected return completing the ledger. On the toy recycling survey (not MILE)."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from urbsurvey.cli import app

from .support.surveys import fill, recycling_survey
from .support.workbooks import row_of, sha256

runner = CliRunner()


@pytest.fixture
def survey(tmp_path: Path) -> Path:
    root = recycling_survey(tmp_path / "survey")
    result = runner.invoke(app, ["template", str(root), "-o", str(tmp_path / "blank")])
    assert result.exit_code == 0, result.output
    blank = tmp_path / "blank"
    fill(  # three planted errors
        blank / "Lyon-city.xlsx",
        {
            "respondent.name": "Claire Martin",
            "points_opened": "douze",  # not a number
            "weee_accepted": "Oui",
            "weee_tonnes": -3,  # below the minimum
            "materials.glass": "✓",
            "payt": "Oui",  # not one of the listed answers
            "running_cost": "12.000 €",
        },
        root / "returns" / "lyon.xlsx",
    )
    fill(
        blank / "Cork-city.xlsx",
        {
            "respondent.name": "Jim Murphy",
            "respondent.email": "j.murphy@cork.example",
            "points_opened": 4,
            "weee_accepted": "No",
            "materials.paper": "✓",
        },
        root / "returns" / "cork.xlsx",
    )
    return root


def status(survey: Path, fmt: str = "json") -> str:
    result = runner.invoke(app, ["status", str(survey), "--format", fmt])
    assert result.exit_code == 0, result.output
    return result.output


def ledger(survey: Path) -> dict[str, dict[str, object]]:
    return {r["partner"]: r for r in json.loads(status(survey))["responses"]}


def test_status_is_the_response_ledger(survey: Path) -> None:
    rows = ledger(survey)
    assert set(rows) == {"Lyon", "Cork", "Namur"}
    lyon, cork, namur = rows["Lyon"], rows["Cork"], rows["Namur"]
    assert (lyon["state"], lyon["errors"], lyon["file"]) == ("needs fixes", 3, "returns/lyon.xlsx")
    assert lyon["email"] == "dechets@lyon.example"  # no e-mail in the block: survey.yaml's
    assert lyon["from"] == "Claire Martin"
    assert (cork["state"], cork["errors"], cork["warnings"]) == ("complete", 0, 0)
    assert cork["email"] == "j.murphy@cork.example"  # the respondent block's
    assert (namur["state"], namur["file"], namur["email"]) == (
        "missing",
        None,
        "environnement@namur.example",
    )
    assert all(r["expected"] and r["role"] == "city" for r in rows.values())
    summary = json.loads(status(survey))["summary"]
    assert summary == {"expected": 3, "complete": 1, "needs fixes": 1, "missing": 1}
    table = list(csv.DictReader(io.StringIO(status(survey, "csv"))))
    assert [(r["partner"], r["state"], r["errors"]) for r in table] == [
        ("Lyon", "needs fixes", "3"),
        ("Cork", "complete", "0"),
        ("Namur", "missing", "0"),
    ]
    text = status(survey, "table")
    assert "1 complete, 1 need fixes, 1 missing" in " ".join(text.split())


def test_feedback_end_to_end(survey: Path, tmp_path: Path) -> None:
    original = survey / "returns" / "lyon.xlsx"
    before = sha256(original)
    out = tmp_path / "out"
    result = runner.invoke(app, ["feedback", str(survey), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "Lyon-city-fixes.xlsx",
        "Lyon-city-message.txt",
        "Namur-city-reminder.txt",
        "Namur-city.xlsx",
    ]
    assert sha256(original) == before  # the partner's file is never touched

    # the copy: three commented, highlighted cells, in French, on the questions at fault
    wb = openpyxl.load_workbook(out / "Lyon-city-fixes.xlsx")
    ws = wb["Réponses"]
    commented = {c.coordinate: c.comment.text for row in ws.iter_rows() for c in row if c.comment}
    at = {qid: f"C{row_of(ws, qid)}" for qid in ("points_opened", "weee_tonnes", "payt")}
    assert set(commented) == set(at.values())
    assert "« douze » n'est pas un nombre" in commented[at["points_opened"]]
    assert "Écrivez un chiffre d'au moins 0" in commented[at["weee_tonnes"]]
    assert "“Oui, en place”; “Prévue”; “Non”" in commented[at["payt"]]
    for cell in at.values():
        assert ws[cell].fill.fgColor.rgb.endswith("F4B6B6")
    # the partner's answers are kept in the copy
    assert ws.cell(row=row_of(ws, "respondent.name"), column=3).value == "Claire Martin"
    assert ws.cell(row=row_of(ws, "materials.glass"), column=3).value == "✓"
    assert ws.cell(row=row_of(ws, "running_cost"), column=3).value == "12.000 €"

    # the message names the three fixes, in French, ready to paste
    message = (out / "Lyon-city-message.txt").read_text(encoding="utf-8")
    assert message.startswith("To: dechets@lyon.example\nSubject: Points de recyclage")
    items = [line for line in message.splitlines() if line[:2] in ("1.", "2.", "3.", "4.")]
    assert len(items) == 3
    assert items[0].startswith(
        f"1. Combien de points de recyclage sont ouverts ? (feuille « Réponses », cellule "
        f"{at['points_opened']}) : « douze » n'est pas un nombre."
    )
    assert "Tonnes de DEEE collectées" in items[1] and "Existe-t-il une redevance" in items[2]
    assert "survey@network.example" in message and "18/12/2026" in message

    # the reminder, in Namur's language, with its blank workbook
    reminder = (out / "Namur-city-reminder.txt").read_text(encoding="utf-8")
    assert reminder.startswith("To: environnement@namur.example\n")
    assert "Nous n'avons pas encore reçu vos réponses" in reminder
    blank = openpyxl.load_workbook(out / "Namur-city.xlsx")["Réponses"]
    assert blank.cell(row=row_of(blank, "respondent.partner"), column=3).value == "Namur"

    # the partner corrects the copy and sends it back: it supersedes the first return
    fixed = fill(
        out / "Lyon-city-fixes.xlsx",
        {"points_opened": 12, "weee_tonnes": 3, "payt": "Prévue"},
        survey / "returns" / "lyon-corrected.xlsx",
    )
    later = original.stat().st_mtime + 60
    os.utime(fixed, (later, later))
    lyon = ledger(survey)["Lyon"]
    assert (lyon["state"], lyon["file"], lyon["errors"]) == (
        "complete",
        "returns/lyon-corrected.xlsx",
        0,
    )
    rerun = runner.invoke(app, ["feedback", str(survey), "-o", str(tmp_path / "again")])
    assert "0 fix requests and 1 reminder" in " ".join(rerun.output.split())


def test_fix_request_in_english(survey: Path, tmp_path: Path) -> None:
    fill(
        tmp_path / "blank" / "Cork-city.xlsx",
        {"points_opened": 4, "weee_accepted": "No", "materials.paper": "maybe"},
        survey / "returns" / "cork.xlsx",
    )
    out = tmp_path / "out"
    assert runner.invoke(app, ["feedback", str(survey), "-o", str(out)]).exit_code == 0
    message = (out / "Cork-city-message.txt").read_text(encoding="utf-8")
    assert "Dear Cork team," in message
    assert "1. Which materials are collected? — Paper, cardboard (sheet “Responses”" in message
    assert "“maybe” is not a tick. Write ✓ (or x) to tick this answer" in message


@pytest.mark.parametrize(
    ("attachments", "said"),
    [
        ([("namur.xlsx", b"%PDF-1.4 not a workbook")], "nous ne pouvons pas ouvrir le fichier"),
        ([], "Aucun questionnaire n'y était joint"),
    ],
)
def test_an_unusable_email_return_is_asked_for_again(
    survey: Path, tmp_path: Path, attachments: list[tuple[str, bytes]], said: str
) -> None:
    from .test_mail import message

    eml = survey / "returns" / "namur.eml"
    eml.write_bytes(message("environnement@namur.example", "Namur", attachments).as_bytes())
    namur = ledger(survey)["Namur"]
    file = "returns/namur.eml" + (" › namur.xlsx" if attachments else "")
    assert (namur["state"], namur["file"], namur["from"]) == (
        "needs fixes",
        file,
        "environnement@namur.example",
    )
    out = tmp_path / "out"
    assert runner.invoke(app, ["feedback", str(survey), "-o", str(out)]).exit_code == 0
    text = (out / "Namur-city-message.txt").read_text(encoding="utf-8")
    assert said in text and f"({file})" in text
    blank = openpyxl.load_workbook(out / "Namur-city.xlsx")["Réponses"]
    assert blank.cell(row=row_of(blank, "respondent.partner"), column=3).value == "Namur"


def test_ledger_csv_never_holds_a_formula(survey: Path, tmp_path: Path) -> None:
    fill(
        tmp_path / "blank" / "Cork-city.xlsx",
        {"respondent.name": "+HYPERLINK(\"http://x.example\",\"y\")", "points_opened": 4,
         "weee_accepted": "No", "materials.paper": "✓"},
        survey / "returns" / "cork.xlsx",
    )  # fmt: skip
    rows = {r["partner"]: r for r in csv.DictReader(io.StringIO(status(survey, "csv")))}
    assert rows["Cork"]["from"] == '\'+HYPERLINK("http://x.example","y")'

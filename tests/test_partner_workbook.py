"""The workbook a partner fills in, looked at as a city official would: in its own
language, protected, with tick rows, visible skip logic, and printable.

Tested on a toy recycling survey in French and English (not MILE).
"""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from urbsurvey.cli import app
from urbsurvey.issues import Issue
from urbsurvey.pipeline import validate
from urbsurvey.workbook.words import ui_words

from .support.convert import convert, requires_soffice
from .support.coverage import covers
from .support.surveys import fill, recycling_survey
from .support.workbooks import row_of

runner = CliRunner()


@pytest.fixture
def survey(tmp_path: Path) -> Path:
    return recycling_survey(tmp_path / "survey")


@pytest.fixture
def blanks(survey: Path, tmp_path: Path) -> Path:
    out = tmp_path / "blank"
    result = runner.invoke(app, ["template", str(survey), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "Wrote 3 workbooks" in result.output
    return out


def visible_texts(wb: Any) -> list[str]:
    """Every text a partner can see: cells of visible sheets, sheet names, dropdown messages."""
    texts: list[str] = []
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            continue
        texts.append(ws.title)
        texts += [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
        for dv in ws.data_validations.dataValidation:
            texts += [dv.error or "", dv.errorTitle or ""]
        texts += [ws.oddFooter.center.text or ""]
    return texts


def english_only_words() -> set[str]:
    """The workbook words whose French differs from the English (so must not appear in fr)."""
    en, fr = ui_words()["en"], ui_words()["fr"]

    def flat(table: Any) -> dict[str, str]:
        out: dict[str, str] = {}
        for key, value in table.items():
            if isinstance(value, dict):
                out.update({f"{key}.{k}": v for k, v in flat(value).items()})
            else:
                out[key] = str(value)
        return out

    e, f = flat(en), flat(fr)
    return {v for k, v in e.items() if f.get(k) != v and len(v) > 3 and "{" not in v}


def test_french_workbook_speaks_only_french(blanks: Path) -> None:
    wb = openpyxl.load_workbook(blanks / "Lyon-city.xlsx")
    assert [ws.title for ws in wb.worksheets if ws.sheet_state == "visible"] == [
        "Réponses",
        "Mode d'emploi",
    ]
    ws = wb["Réponses"]
    assert [c.value for c in ws[4]] == ["ID", "Question", "Réponse", "Aide", "Remarques"]
    texts = visible_texts(wb)
    leaked = [t for t in texts if any(word in t for word in english_only_words())]
    assert leaked == []
    for word in ("Responses", "Answer", "Help", "Notes", "Please choose from the list."):
        assert not any(word in t for t in texts), word
    assert {dv.error for dv in ws.data_validations.dataValidation} == {
        "Merci de choisir dans la liste.",
        "Écrivez ✓ (ou x) pour cocher cette réponse, ou laissez la cellule vide.",
    }
    instructions = " ".join(str(c.value) for c in wb["Mode d'emploi"]["A"] if c.value)
    assert "« Réponses »" in instructions and "« Réponse »" in instructions
    # the money help is said once, in French
    help_ = ws.cell(row=row_of(ws, "running_cost"), column=4).value
    assert help_ == "Un montant avec sa devise, par ex. 1.400.000 € ou EUR 350k."


def test_english_workbook_words(blanks: Path) -> None:
    wb = openpyxl.load_workbook(blanks / "Cork-city.xlsx")
    ws = wb["Responses"]
    assert [c.value for c in ws[4]] == ["ID", "Question", "Answer", "Help", "Notes"]
    texts = " ".join(visible_texts(wb))
    assert "Réponse" not in texts and "Merci" not in texts


def test_respondent_block_and_instructions_come_from_survey_yaml(blanks: Path) -> None:
    wb = openpyxl.load_workbook(blanks / "Lyon-city.xlsx")
    ws = wb["Réponses"]

    def answer(fid: str) -> object:
        return ws.cell(row=row_of(ws, fid), column=3).value

    assert answer("respondent.partner") == "Lyon"
    assert answer("respondent.organisation") == "Métropole de Lyon, direction des déchets"
    assert answer("respondent.country") == "FR"
    assert answer("respondent.role") == "Ville (partenaire)"
    lines = [
        " ".join(str(c.value) for c in row if c.value) for row in wb["Mode d'emploi"].iter_rows()
    ]
    text = "\n".join(lines)
    assert "cellules jaunes" in text
    assert "envoyez-le par e-mail à survey@network.example" in text
    assert "avant le 18/12/2026" in text
    assert "Contactez Ana Pereira, survey@network.example" in text
    assert "Glossaire" in lines
    assert "WEEE DEEE : déchets d'équipements électriques et électroniques" in lines
    assert any(line.startswith("PAYT Redevance incitative") for line in lines)


def test_sheet_is_protected_so_only_answers_and_notes_change(blanks: Path) -> None:
    ws = openpyxl.load_workbook(blanks / "Cork-city.xlsx")["Responses"]
    assert ws.protection.sheet is True
    assert not ws.protection.password
    assert ws.protection.insertRows is False  # inserting rows (for comments) is allowed
    for qid in ("points_opened", "respondent.name", "materials.glass"):
        r = row_of(ws, qid)
        assert ws.cell(row=r, column=1).protection.locked, qid  # the ID
        assert ws.cell(row=r, column=2).protection.locked, qid  # the question
        assert not ws.cell(row=r, column=3).protection.locked, qid  # the answer
        assert not ws.cell(row=r, column=5).protection.locked, qid  # the notes
        assert ws.cell(row=r, column=3).fill.fgColor.rgb.endswith("FFF59D"), qid  # yellow
    # the multiple choice's own row is not an answer cell: its options are
    r = row_of(ws, "materials")
    assert ws.cell(row=r, column=3).protection.locked
    assert "Tick ✓ every answer that applies" in ws.cell(row=r, column=4).value


def test_interview_record_asks_identity_once(survey: Path, tmp_path: Path) -> None:
    out = tmp_path / "cork-interview.xlsx"
    result = runner.invoke(
        app, ["template", str(survey), "--partner", "Cork", "--interview", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(out)["Responses"]
    ids = [c.value for c in ws["A"] if c.value]
    assert "respondent.name" not in ids and "respondent.date" not in ids
    assert ids.count("interview.date") == 1
    sections = [r[1] for r in ws.iter_rows(values_only=True) if r[0] is None and r[1]]
    assert "About you" not in sections and "Interview record" in sections


def test_skip_logic_is_said_in_the_help(blanks: Path) -> None:
    ws = openpyxl.load_workbook(blanks / "Lyon-city.xlsx")["Réponses"]
    help_ = ws.cell(row=row_of(ws, "weee_tonnes"), column=4).value
    assert help_.startswith(
        "Répondez seulement si vous avez répondu “Oui” à « Les points acceptent-ils les DEEE ? »."
    )
    help_ = ws.cell(row=row_of(ws, "textile_partner"), column=4).value
    assert help_.startswith("Répondez seulement si vous avez répondu “Textiles”")


@requires_soffice
@pytest.mark.parametrize(
    ("answers", "grey"),
    [
        ({"weee_accepted": "Non"}, {"weee_tonnes"}),
        ({"weee_accepted": "Oui"}, set()),
        ({}, set()),  # nothing answered yet: nothing is greyed
        ({"materials.glass": "✓"}, {"textile_partner"}),
        ({"materials.glass": "✓", "materials.textiles": "✓"}, set()),
    ],
)
def test_a_question_the_partners_answer_hides_turns_grey(
    blanks: Path, tmp_path: Path, answers: dict[str, object], grey: set[str]
) -> None:
    """The conditional-formatting rules, evaluated by LibreOffice on the partner's answers."""
    wb = openpyxl.load_workbook(blanks / "Lyon-city.xlsx")
    ws = wb["Réponses"]
    for qid, value in answers.items():
        ws.cell(row=row_of(ws, qid), column=3).value = value
    rules = {}
    for rng in ws.conditional_formatting:
        for rule in rng.rules:
            first = min(r.min_row for r in rng.sqref.ranges)
            rules[ws.cell(row=first, column=1).value] = rule.formula[0]
    assert set(rules) == {"weee_tonnes", "textile_partner"}
    out = wb.create_sheet("check")
    for i, (qid, formula) in enumerate(sorted(rules.items()), start=1):
        out.cell(row=i, column=1).value = qid
        out.cell(row=i, column=2).value = "=" + formula.replace("$C$", "'Réponses'!$C$")
    src = tmp_path / "check.xlsx"
    wb.save(src)
    computed = openpyxl.load_workbook(convert(src, "xlsx", tmp_path / "lo"), data_only=True)
    values = {r[0]: r[1] for r in computed["check"].iter_rows(values_only=True)}
    assert {qid for qid, hidden in values.items() if hidden} == grey


@requires_soffice
@pytest.mark.parametrize("name", ["Lyon-city.xlsx", "Cork-city.xlsx"])
def test_blank_workbook_prints_one_page_wide(blanks: Path, tmp_path: Path, name: str) -> None:
    pdf = convert(blanks / name, "pdf", tmp_path / "pdf")
    pages = int(
        next(
            line.split()[-1]
            for line in subprocess.run(
                ["pdfinfo", str(pdf)], capture_output=True, text=True, check=True
            ).stdout.splitlines()
            if line.startswith("Pages:")
        )
    )
    assert pages <= 5
    texts = [pdf_page_text(pdf, p) for p in range(1, pages + 1)]
    french = name.startswith("Lyon")
    last_header = "Remarques" if french else "Notes"
    title = "Points de recyclage" if french else "Recycling points: six-month check"
    question_pages = [t for t in texts if "points_opened" in t or "opened_on" in t]
    assert question_pages
    for text in texts[: len(question_pages)]:
        assert title in text  # the title on every page
    for text in question_pages:
        lines = text.splitlines()
        # every column on the same page: the header row, repeated, ends with the notes
        assert any(line.split()[:2] == ["ID", "Question"] and last_header in line for line in lines)


def pdf_page_text(pdf: Path, page: int) -> str:
    args = ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"]
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


# --------------------------------------------------------------------------- read back


def answers_of(survey: Path) -> dict[str, dict[str, object]]:
    v = validate([survey])
    return {
        s.partner or "?": {q: a.value for q, a in s.answers.items()} | {"_issues": s.issues}
        for s in v.batch.submissions
    }


@covers("invalid-tick")
def test_multiple_choice_read_from_ticks_and_from_typed_labels(survey: Path, blanks: Path) -> None:
    returns = survey / "returns"
    fill(
        blanks / "Lyon-city.xlsx",
        {"points_opened": 12, "weee_accepted": "Non", "materials.glass": "✓",
         "materials.textiles": "x", "textile_partner": "Le Relais"},
        returns / "lyon.xlsx",
    )  # fmt: skip
    fill(  # an older habit: the labels typed in the question's own row
        blanks / "Cork-city.xlsx",
        {"points_opened": 4, "weee_accepted": "Yes", "materials": "Glass; Paper, cardboard"},
        returns / "cork.xlsx",
    )
    fill(  # both at once, and a tick that is not one
        blanks / "Namur-city.xlsx",
        {"points_opened": 3, "weee_accepted": "Oui", "materials": "Verre",
         "materials.paper": "oui", "materials.textiles": "peut-être"},
        returns / "namur.xlsx",
    )  # fmt: skip
    got = answers_of(survey)
    assert got["Lyon"]["materials"] == ["glass", "textiles"]
    assert got["Cork"]["materials"] == ["glass", "paper"]
    assert got["Namur"]["materials"] == ["glass", "paper"]
    assert [i.code for i in got["Lyon"]["_issues"]] == []  # type: ignore[attr-defined]
    assert [i.code for i in got["Cork"]["_issues"]] == []  # type: ignore[attr-defined]
    namur_issues: list[Issue] = got["Namur"]["_issues"]  # type: ignore[assignment]
    (bad,) = namur_issues
    assert (bad.code, bad.sheet) == ("invalid-tick", "Réponses")
    ws = openpyxl.load_workbook(returns / "namur.xlsx")["Réponses"]
    assert bad.cell == f"C{row_of(ws, 'materials.textiles')}"
    assert "'peut-être' is not a tick for 'Textiles'" in bad.message


@requires_soffice
@pytest.mark.parametrize("fmt", ["ods", "xls"])
def test_ticks_read_back_from_libreoffice_formats(
    survey: Path, blanks: Path, tmp_path: Path, fmt: str
) -> None:
    xlsx = fill(
        blanks / "Lyon-city.xlsx",
        {"points_opened": 12, "weee_accepted": "Oui", "weee_tonnes": "3,5",
         "materials.paper": "✓", "opened_on": dt.date(2026, 5, 4)},
        tmp_path / "lyon.xlsx",
    )  # fmt: skip
    convert(xlsx, fmt, survey / "returns")
    got = answers_of(survey)["Lyon"]
    assert got["materials"] == ["paper"]
    assert got["opened_on"] == dt.date(2026, 5, 4)
    assert [i.code for i in got["_issues"]] == []  # type: ignore[attr-defined]

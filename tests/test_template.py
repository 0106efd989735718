"""Partner workbooks: what `urbsurvey template` writes, read back as a user's Excel would."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from urbsurvey.cli import app
from urbsurvey.definition import Questionnaire
from urbsurvey.workbook import contract

from .conftest import TOY

runner = CliRunner()


def make(tmp_path: Path, *args: str) -> Path:
    out = tmp_path / "out.xlsx"
    result = runner.invoke(app, ["template", *args, "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def rows_by_id(ws: Any) -> dict[str, tuple[int, list[Any]]]:
    found = {}
    for r, row in enumerate(ws.iter_rows(values_only=True), start=1):
        if row[0]:
            found[str(row[0])] = (r, list(row))
    return found


def test_mile_workbook_contract(tmp_path: Path, mile: Questionnaire) -> None:
    wb = openpyxl.load_workbook(make(tmp_path, "mile-followup-2009", "--partner", "Venice"))
    assert wb.sheetnames[0] == "Responses"
    assert {"Responses", "Instructions", "Lists", contract.STAMP_SHEET} == set(wb.sheetnames)
    ws = wb["Responses"]
    header = [c.value for c in ws[4]]
    assert header == ["ID", "Question", "Answer", "Help", "Notes"]
    ids = rows_by_id(ws)
    assert ids["ID"][0] == 4
    question_ids = [
        i for i, (r, _) in ids.items() if r > 4 and i not in contract.RESERVED_IDS and "." not in i
    ]
    assert question_ids == [q.id for q in mile.questions()]
    assert ids["respondent.partner"][1][2] == "Venice"
    assert ids["respondent.role"][1][2] == "City (partner)"
    assert ids["ulsg_functioning"][1][1] == "Does the ULSG continue to function? *"
    assert "Tick ✓ every answer that applies" in ids["local_impact"][1][3]
    # every single choice and yes/no answer cell has a dropdown listing its labels
    lists = wb["Lists"]
    dropdowns = {}
    for dv in ws.data_validations.dataValidation:
        if "!" not in dv.formula1:  # an inline list: the tick
            labels = [dv.formula1.strip('"')]
        else:
            column = dv.formula1.split("!")[1].split(":")[0].replace("$", "")[:-1]
            labels = [c.value for c in lists[column][1:] if c.value]
        for rng in dv.sqref.ranges:
            dropdowns[rng.coord] = labels
    row = ids["ulsg_functioning"][0]
    assert dropdowns[f"C{row}"] == [
        "Yes, it continues and meets regularly",
        "Informally: members still meet in other local groupings",
        "No",
    ]
    assert dropdowns[f"C{ids['ma_in_lsg'][0]}"] == ["Yes", "No"]
    assert dropdowns[f"C{ids['respondent.role'][0]}"][:2] == [
        "City (partner)",
        "Managing authority",
    ]
    assert f"C{ids['local_impact'][0]}" not in dropdowns  # multiple choice: one tick row each
    assert dropdowns[f"C{ids['local_impact.new_ideas'][0]}"] == ["✓"]
    # the hidden stamp
    stamp = wb[contract.STAMP_SHEET]
    assert stamp.sheet_state == "hidden"
    assert lists.sheet_state == "hidden"
    values = {r[0]: r[1] for r in stamp.iter_rows(values_only=True)}
    assert values == {
        "questionnaire": "mile-followup-2009",
        "version": "1.0",
        "language": "en",
        "partner": "Venice",
        "role": "city",
        "kind": "questionnaire",
        "fingerprint": mile.fingerprint(),
        "generator": values["generator"],
    }
    assert str(values["generator"]).startswith("urbsurvey ")


def test_french_workbook(tmp_path: Path) -> None:
    out = make(tmp_path, "mile-followup-2009", "--partner", "Sevilla", "--lang", "fr")
    wb = openpyxl.load_workbook(out)
    ids = rows_by_id(wb["Réponses"])
    assert ids["ulsg_functioning"][1][1].startswith("Le groupe local de soutien")
    assert ids["respondent.role"][1][2] == "Ville (partenaire)"
    assert wb["Mode d'emploi"]["A1"].value == "Comment remplir ce questionnaire"
    lists = [c.value for c in wb["Lists"]["B"] if c.value]
    assert "Oui, il continue et se réunit régulièrement" in lists
    stamp = {r[0]: r[1] for r in wb[contract.STAMP_SHEET].iter_rows(values_only=True)}
    assert stamp["language"] == "fr"


def test_interview_record_and_managing_authority(tmp_path: Path) -> None:
    out = make(
        tmp_path, "mile-followup-2009", "--partner", "Venice", "--role", "managing_authority",
        "--interview",
    )  # fmt: skip
    wb = openpyxl.load_workbook(out)
    ids = rows_by_id(wb["Responses"])
    assert {"interview.interviewee", "interview.interviewer", "interview.date"} <= set(ids)
    assert ids["respondent.role"][1][2] == "Managing authority"
    assert not ids["ulsg_functioning"][1][1].endswith("*")  # required for cities only
    stamp = {r[0]: r[1] for r in wb[contract.STAMP_SHEET].iter_rows(values_only=True)}
    assert (stamp["kind"], stamp["role"]) == ("interview", "managing_authority")


def test_toy_questionnaire_template(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(make(tmp_path, str(TOY), "--partner", "Bologna", "--lang", "it"))
    ids = rows_by_id(wb["Responses"])
    assert ids["km_built"][1][1] == "Chilometri di pista costruiti *"
    assert "At least 0" in ids["km_built"][1][3]


def test_partner_text_is_never_a_formula(tmp_path: Path) -> None:
    out = make(tmp_path, "mile-followup-2009", "--partner", '=HYPERLINK("http://x","y")')
    cell = openpyxl.load_workbook(out)["Responses"]["C6"]
    assert cell.value == '=HYPERLINK("http://x","y")'
    assert cell.data_type == "s"


def test_partners_csv_gives_safe_file_names(tmp_path: Path) -> None:
    csv = tmp_path / "partners.csv"
    csv.write_text(
        "partner,role\nVenice,city\nVenice,managing_authority\n../../etc/x,city\ncon,city\n"
        "Nea Alikarnassos,\n",
        encoding="utf-8",
    )
    outdir = tmp_path / "out"
    result = runner.invoke(
        app, ["template", "mile-followup-2009", "--partners", str(csv), "-o", str(outdir)]
    )
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in outdir.iterdir())
    assert names == [
        "Nea-Alikarnassos-city.xlsx", "Venice-city.xlsx", "Venice-managing_authority.xlsx",
        "con-city.xlsx", "etc-x-city.xlsx",
    ]  # fmt: skip
    assert not (tmp_path / "etc").exists()
    wb = openpyxl.load_workbook(outdir / "etc-x-city.xlsx")
    assert rows_by_id(wb["Responses"])["respondent.partner"][1][2] == "../../etc/x"


def test_bad_partner_list_says_which_line(tmp_path: Path) -> None:
    csv = tmp_path / "partners.csv"
    csv.write_text("partner,role\nVenice,mayor\n", encoding="utf-8")
    result = runner.invoke(
        app, ["template", "mile-followup-2009", "--partners", str(csv), "-o", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert result.output.startswith("Error: ") and "line 2: unknown role 'mayor'" in result.output
    assert "Tip: Use one of: city, managing_authority, other." in result.output


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_opens_the_workbook_cleanly(tmp_path: Path) -> None:
    out = make(tmp_path, "mile-followup-2009", "--partner", "Venice", "--lang", "fr")
    done = subprocess.run(
        [
            "soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless",
            "--convert-to", "ods", "--outdir", str(tmp_path / "conv"), str(out),
        ],
        capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Error" not in done.stderr
    converted = tmp_path / "conv" / "out.ods"
    assert converted.stat().st_size > 0
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_path(str(converted))
    rows = book.get_sheet_by_name("Réponses").to_python()
    assert rows[3][:3] == ["ID", "Question", "Réponse"]


def test_partner_list_copies_match_a_workbook_built_directly(tmp_path: Path) -> None:
    """`--partners` patches one saved workbook per role; each copy must equal a fresh one."""
    csv = tmp_path / "partners.csv"
    csv.write_text('partner,role,lang\n"Rotterdam <Charlois> & co",city,fr\n', encoding="utf-8")
    outdir = tmp_path / "out"
    runner.invoke(
        app, ["template", "mile-followup-2009", "--partners", str(csv), "-o", str(outdir)]
    )
    single = make(tmp_path, "mile-followup-2009", "--partner", "Rotterdam <Charlois> & co",
                  "--lang", "fr")  # fmt: skip
    (copy,) = outdir.iterdir()
    a, b = openpyxl.load_workbook(copy), openpyxl.load_workbook(single)
    assert a.sheetnames == b.sheetnames
    for name in a.sheetnames:
        assert list(a[name].values) == list(b[name].values), name
    assert rows_by_id(a["Réponses"])["respondent.partner"][1][2] == "Rotterdam <Charlois> & co"

"""XLSForm in and out: a form written as KoboToolbox/ODK users write them, and round trips."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from urbsurvey.cli import app
from urbsurvey.definition import Questionnaire, QuestionType, load_definition
from urbsurvey.definition.spec import validate
from urbsurvey.errors import XLSFormError
from urbsurvey.xlsform.exporter import build_xlsform, export_xlsform
from urbsurvey.xlsform.importer import read_xlsform

from .conftest import TOY

runner = CliRunner()


def pyxform_convert(path: Path) -> Any:
    """The reference converter's conversion of an XLSForm (pyxform takes half a second to
    import, so it is imported by the tests that use it, not by every pytest worker)."""
    from pyxform.xls2xform import convert

    return convert(xlsform=str(path))


def sheet(table: str) -> list[list[str]]:
    """A Markdown table (as pyxform's tests write forms) as rows of cells."""
    rows = []
    for line in table.strip().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not all(set(c) <= set("-: ") for c in cells):
            rows.append(cells)
    return rows


def form(tmp_path: Path, name: str = "form.xlsx", **sheets: str) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, table in sheets.items():
        ws = wb.create_sheet(title)
        for row in sheet(table):
            ws.append([c or None for c in row])
    path = tmp_path / name
    wb.save(path)
    return path


# A household-style form in the manner of the XLSForm spec's examples: two languages,
# groups, skip logic, a constraint, and things urbsurvey cannot carry over.
SURVEY = """
| type                   | name        | label::English (en)         | label::Español (es)            | hint::English (en)       | required | constraint             | relevant                                         | calculation       | appearance |
| ---------------------- | ----------- | --------------------------- | ------------------------------ | ------------------------ | -------- | ---------------------- | ------------------------------------------------ | ----------------- | ---------- |
| start                  | start       |                             |                                |                          |          |                        |                                                  |                   |            |
| begin_group            | household   | Household                   | Hogar                          |                          |          |                        |                                                  |                   |            |
| note                   | intro       | About the people who live here | Sobre las personas que viven aquí |                   |          |                        |                                                  |                   |            |
| integer                | members     | How many people live here?  | ¿Cuántas personas viven aquí?  | Count children too       | yes      | . >= 1 and . <= 30     |                                                  |                   |            |
| select_one yes_no      | has_garden  | Is there a garden?          | ¿Hay un jardín?                |                          | yes      |                        |                                                  |                   |            |
| select_multiple crops  | crops       | What do you grow?           | ¿Qué cultiva?                  |                          |          |                        | ${has_garden} = 'yes'                            |                   |            |
| text                   | crops_other | Which other crops?          | ¿Qué otros cultivos?           |                          |          |                        | selected(${crops}, 'other')                      |                   | multiline  |
| decimal                | garden_cost | Yearly cost of the garden   | Costo anual del jardín         | Amount in EUR            |          | . >= 0                 | ${has_garden} = 'yes' and ${members} > 2         |                   |            |
| calculate              | per_person  |                             |                                |                          |          |                        |                                                  | ${garden_cost} div ${members} |  |
| end_group              |             |                             |                                |                          |          |                        |                                                  |                   |            |
| begin_repeat           | person      | Each person                 | Cada persona                   |                          |          |                        |                                                  |                   |            |
| text                   | person_name | Name                        | Nombre                         |                          |          |                        |                                                  |                   |            |
| end_repeat             |             |                             |                                |                          |          |                        |                                                  |                   |            |
| date                   | visited     | Date of the visit           | Fecha de la visita             |                          |          |                        |                                                  |                   |            |
| geopoint               | location    | Where is the house?         | ¿Dónde está la casa?           |                          |          |                        |                                                  |                   |            |
"""
CHOICES = """
| list_name | name       | label::English (en) | label::Español (es) |
| --------- | ---------- | ------------------- | ------------------- |
| yes_no    | yes        | Yes                 | Sí                  |
| yes_no    | no         | No                  | No                  |
| crops     | maize      | Maize               | Maíz                |
| crops     | beans      | Beans               | Frijoles            |
| crops     | other      | Other               | Otro                |
"""
SETTINGS = """
| form_title              | form_id          | version | default_language |
| ----------------------- | ---------------- | ------- | ---------------- |
| Household garden survey | household_garden | 2024.1  | English (en)     |
"""


@pytest.fixture
def household(tmp_path: Path) -> Path:
    path = form(tmp_path, survey=SURVEY, choices=CHOICES, settings=SETTINGS)
    pyxform_convert(path)  # the reference converter accepts the fixture as it is
    return path


def test_an_xlsform_becomes_sections_questions_languages_and_skip_logic(household: Path) -> None:
    q = read_xlsform(household).questionnaire
    assert (q.id, q.version, q.title, q.languages) == (
        "household_garden", "2024.1", {"en": "Household garden survey"}, ["en", "es"],
    )  # fmt: skip
    assert [s.id for s in q.sections] == ["household", "part_2"]
    assert q.sections[0].title == {"en": "Household", "es": "Hogar"}
    assert q.sections[0].intro == {
        "en": "About the people who live here",
        "es": "Sobre las personas que viven aquí",
    }
    types = {question.id: question.type for question in q.questions()}
    assert types == {
        "members": QuestionType.INTEGER,
        "has_garden": QuestionType.SINGLE_CHOICE,
        "crops": QuestionType.MULTIPLE_CHOICE,
        "crops_other": QuestionType.LONG_TEXT,
        "garden_cost": QuestionType.MONEY,  # its hint names a currency
        "visited": QuestionType.DATE,
    }
    members = q.question("members")
    assert (members.required, members.min, members.max) == (True, 1, 30)
    assert members.hint == {"en": "Count children too"}
    assert members.text["es"] == "¿Cuántas personas viven aquí?"
    crops = q.question("crops")
    assert [(c.code, c.label) for c in crops.choices] == [
        ("maize", {"en": "Maize", "es": "Maíz"}),
        ("beans", {"en": "Beans", "es": "Frijoles"}),
        ("other", {"en": "Other", "es": "Otro"}),
    ]
    assert crops.ask_when is not None
    assert (crops.ask_when.question, crops.ask_when.in_) == ("has_garden", ["yes"])
    other = q.question("crops_other").ask_when
    assert other is not None and (other.question, other.in_) == ("crops", ["other"])
    cost = q.question("garden_cost")
    assert cost.min == 0 and cost.ask_when is None  # a compound condition is not guessed


def test_what_cannot_be_carried_over_is_listed_with_its_row(household: Path) -> None:
    remarks = read_xlsform(household).remarks

    def said(row: int, words: str) -> bool:
        return any(r.row == row and words in r.message for r in remarks)

    assert said(2, "start 'start' is not a question")
    assert said(9, "decimal 'garden_cost' is read as money because its text mentions a currency")
    assert said(9, "relevant \"${has_garden} = 'yes' and ${members} > 2\" is not of the form")
    assert said(10, "calculate 'per_person' is not a question")
    assert said(12, "repeat 'person' is not carried over")
    assert said(13, "'person_name' is inside a repeat")
    assert said(16, "geopoint 'location' has no urbsurvey equivalent")
    assert len(remarks) == 7


def test_import_writes_a_definition_that_loads_and_names_what_was_left(
    household: Path, tmp_path: Path
) -> None:
    out = tmp_path / "household.yaml"
    result = runner.invoke(app, ["questionnaire", "import", str(household), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"Wrote {out} (household_garden: 2 sections, 6 questions, languages en, es)" in (
        result.stdout
    )
    assert "survey sheet, row 13: 'person_name' is inside a repeat" in result.stderr
    assert load_definition(out) == read_xlsform(household).questionnaire
    header = out.read_text(encoding="utf-8").splitlines()[:12]
    assert any("row 16: geopoint 'location'" in line for line in header)


def test_choice_codes_and_names_xlsform_allows_become_valid_ids(tmp_path: Path) -> None:
    path = form(
        tmp_path,
        survey="""
        | type                 | name      | label       | relevant             |
        | select_one rating    | Rating-1  | How good?   |                      |
        | text                 | why       | Why?        | ${Rating-1} = '1'    |
        """,
        choices="""
        | list_name | name | label |
        | rating    | 1    | Bad   |
        | rating    | 2    | Good  |
        """,
    )
    result = read_xlsform(path)
    q = result.questionnaire
    assert q.id == "form" and q.languages == ["en"]
    assert [c.code for c in q.question("rating_1").choices] == ["q_1", "q_2"]
    assert (
        str(result.remarks[0])
        == "choices sheet, row 2: choice '1' of list 'rating' has the code 'q_1'"
    )
    assert any("question 'Rating-1' has the id 'rating_1'" in str(r) for r in result.remarks)


def test_a_french_only_form_keeps_french_and_says_english_was_copied(tmp_path: Path) -> None:
    path = form(
        tmp_path,
        survey="""
        | type    | name   | label::Français (fr)        |
        | integer | agents | Combien d'agents ?          |
        """,
        settings="""
        | form_title | form_id | default_language |
        | Enquête    | enquete | Français (fr)    |
        """,
    )
    result = read_xlsform(path)
    assert result.questionnaire.question("agents").text == {
        "fr": "Combien d'agents ?",
        "en": "Combien d'agents ?",
    }
    assert "no English labels" in str(result.remarks[0])


@pytest.mark.parametrize("ref", ["mile-followup-2009", str(TOY)])
def test_a_definition_exported_converts_with_pyxform_and_imports_back_equal(
    ref: str, tmp_path: Path, mile: Questionnaire, toy: Questionnaire
) -> None:
    q = mile if ref == "mile-followup-2009" else toy
    out = tmp_path / "form.xlsx"
    remarks = export_xlsform(q, out)
    converted = pyxform_convert(out)
    assert converted.warnings == []
    back = read_xlsform(out)
    assert back.remarks == []
    assert back.questionnaire == q.replace(indicators=[], glossary={})
    glossary = [
        f"the glossary ({', '.join(q.glossary)}) is not exported: XLSForm has no glossary "
        "(keep it in the YAML definition)"
    ] * bool(q.glossary)
    assert [str(r) for r in remarks] == [
        f"indicator {ind.id!r} is not exported: XLSForm has no indicators "
        "(keep them in the YAML definition)"
        for ind in q.indicators
    ] + glossary


def test_the_exported_mile_form_carries_french_and_skip_logic_into_the_xform(
    mile: Questionnaire, tmp_path: Path
) -> None:
    out = tmp_path / "mile.xlsx"
    export_xlsform(mile, out)
    xform = pyxform_convert(out).xform
    assert "Le groupe local de soutien (GLS) continue-t-il de fonctionner ?" in xform
    assert (
        "/data/ulsg/ulsg_functioning  = 'formal' or  /data/ulsg/ulsg_functioning  = 'informal'"
        in xform
    )


def test_not_in_on_a_multiple_choice_is_exported_as_the_options_not_listed(
    tmp_path: Path,
) -> None:
    q = validate(
        {
            "id": "impact",
            "title": "Impact",
            "version": "1",
            "sections": [
                {
                    "id": "s",
                    "title": "S",
                    "questions": [
                        {
                            "id": "impact",
                            "type": "multiple_choice",
                            "text": "Impact?",
                            "choices": [
                                {"code": "jobs", "label": "Jobs"},
                                {"code": "homes", "label": "Homes"},
                                {"code": "none", "label": "None"},
                            ],
                        },
                        {
                            "id": "details",
                            "type": "long_text",
                            "text": "Details",
                            "ask_when": {"question": "impact", "not_in": ["none"]},
                        },
                    ],
                }
            ],
        }
    )
    wb, _ = build_xlsform(q)
    relevant = [row[6].value for row in wb["survey"].iter_rows(min_row=2)]
    assert "selected(${impact}, 'jobs') or selected(${impact}, 'homes')" in relevant


def test_texts_starting_like_formulas_are_written_as_text(tmp_path: Path) -> None:
    q = validate(
        {
            "id": "f",
            "title": '=HYPERLINK("http://x")',
            "version": "1",
            "sections": [
                {
                    "id": "s",
                    "title": "S",
                    "questions": [{"id": "a", "type": "short_text", "text": "=1+1"}],
                }
            ],
        }
    )
    out = tmp_path / "f.xlsx"
    export_xlsform(q, out)
    wb = openpyxl.load_workbook(out)
    cells = [c for row in wb["survey"].iter_rows() for c in row if c.value == "=1+1"]
    assert cells and all(c.data_type == "s" for c in cells)
    assert read_xlsform(out).questionnaire.question("a").text == {"en": "=1+1"}


def test_a_file_that_is_not_an_xlsform_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(XLSFormError, match=r"missing\.xlsx: no such file"):
        read_xlsform(tmp_path / "missing.xlsx")
    text = tmp_path / "form.xlsx"
    text.write_text("type,name\n", encoding="utf-8")
    with pytest.raises(XLSFormError, match=r"form\.xlsx: not an \.xlsx workbook"):
        read_xlsform(text)
    plain = form(tmp_path, name="plain.xlsx", Sheet1="| a | b |")
    with pytest.raises(XLSFormError, match="no sheet named `survey`") as caught:
        read_xlsform(plain)
    assert caught.value.hint is not None and "choices" in caught.value.hint


def test_an_imported_form_runs_through_template_and_validate(
    household: Path, tmp_path: Path
) -> None:
    from .support.workbooks import filled

    definition = tmp_path / "household.yaml"
    run = runner.invoke(app, ["questionnaire", "import", str(household), "-o", str(definition)])
    assert run.exit_code == 0, run.output
    returned = filled(tmp_path / "returns", {"members": "4", "has_garden": "Sí",
                      "crops": "Maíz; Other", "crops_other": "Chillies", "garden_cost": "€ 120,50"},
                      questionnaire=definition, partner="Casa Rosa", lang="es", name="rosa.xlsx")  # fmt: skip
    checked = runner.invoke(
        app, ["validate", str(returned), "--questionnaire", str(definition), "--format", "json"]
    )
    assert checked.exit_code == 0, checked.output
    assert json.loads(checked.stdout)["files"][0]["answers"] == 5

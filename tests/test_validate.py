"""`urbsurvey validate` on real returned workbooks: every issue code, every answer form.

Each test is a partner's situation: the real template, filled in and edited the
way partners do, saved and read back. Issues are checked by code, sheet and cell
(the cell found from the workbook's own row for the question, never a fixed
number), and their messages must name what the partner wrote.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import re
import shutil
import struct
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from urbsurvey.cli import app
from urbsurvey.intake.answers import Answer, MoneyValue
from urbsurvey.intake.record import Submission
from urbsurvey.issues import CATALOGUE, Issue, IssueCode, Severity
from urbsurvey.pipeline import Validation, validate
from urbsurvey.workbook import contract

from .conftest import TOY
from .support.convert import requires_soffice
from .support.coverage import COVERED, covers
from .support.workbooks import (
    MILE,
    MILE_FULL,
    MILE_FULL_PARSED,
    MILE_REQUIRED,
    NBSP,
    NNBSP,
    add_sheet,
    as_format,
    delete_sheet,
    duplicate_row,
    filled,
    make_xlsm,
    merge_answers,
    merge_titles,
    move_header_down,
    rename_sheet,
    rewrite_zip,
    set_id,
    set_stamp,
    sha256,
    sheet_part,
    survey_folder,
    swap_rows,
    where,
)
from .support.workbooks import insert_rows as insert_rows_before

runner = CliRunner()
TESTS = Path(__file__).parent

#: Test modules asserting the codes produced outside validate (ingest, the report).
COVERING_ELSEWHERE = (
    "tests.test_ingest",
    "tests.test_report",
    "tests.test_partner_workbook",
    "tests.test_mail",
    "tests.test_figures",
    "tests.test_first_hour",
    "tests.test_values",
    "tests.test_isolation",
)


FULL, FULL_PARSED, REQUIRED = MILE_FULL, MILE_FULL_PARSED, MILE_REQUIRED


# --------------------------------------------------------------------------- helpers


def check(*paths: Path, questionnaire: str | Path | None = MILE) -> Validation:
    return validate(list(paths), None if questionnaire is None else str(questionnaire))


def found(v: Validation) -> set[tuple[str, str | None, str | None]]:
    return {(i.code, i.sheet, i.cell) for i in v.batch.all_issues()}


def codes(v: Validation) -> set[str]:
    return {i.code for i in v.batch.all_issues()}


def the(v: Validation, code: str) -> Issue:
    """The one issue with `code`; its severity and hint are the catalogue's."""
    matching = [i for i in v.batch.all_issues() if i.code == code]
    assert len(matching) == 1, [i.to_dict() for i in v.batch.all_issues()]
    issue = matching[0]
    assert issue.severity is CATALOGUE[IssueCode(code)].severity
    assert issue.hint == CATALOGUE[IssueCode(code)].hint
    return issue


def only(v: Validation) -> Submission:
    assert len(v.batch.submissions) == 1
    return v.batch.submissions[0]


def answer(path: Path, qid: str, questionnaire: str | Path = MILE) -> Answer:
    return only(check(path, questionnaire=questionnaire)).answers[qid]


def parsed(sub: Submission) -> dict[str, object]:
    return {qid: a.value for qid, a in sub.answers.items()}


# --------------------------------------------------------------------------- the file as a whole


@covers("empty-file")
@pytest.mark.parametrize("content", [b"", b"\r\n  \n", b"\x00" * 64])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "venice.xlsx"
    path.write_bytes(content)
    v = check(path)
    issue = the(v, "empty-file")
    assert (issue.sheet, issue.cell, issue.file) == (None, None, str(path))
    assert "empty" in issue.message
    assert only(v).status == "unreadable"
    assert v.failed()


@covers("not-a-spreadsheet")
@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n", "PDF"),
        (b"ID,Answer\nulsg_functioning,formal\n", "CSV"),
        (b"<!DOCTYPE html><html><body>Questionnaire</body></html>", "HTML"),
    ],
)
def test_not_a_spreadsheet(tmp_path: Path, content: bytes, said: str) -> None:
    path = tmp_path / "venice.xlsx"  # the name says xlsx; the content decides
    path.write_bytes(content)
    issue = the(check(path), "not-a-spreadsheet")
    assert said in issue.message
    assert issue.sheet is None and issue.cell is None


ENCRYPTED = sorted((TESTS / "fixtures").glob("encrypted.*"))


@covers("encrypted-file")
@pytest.mark.parametrize("fixture", ENCRYPTED, ids=[p.suffix for p in ENCRYPTED])
def test_encrypted_file(fixture: Path) -> None:
    """Password-protected workbooks as Excel and LibreOffice save them (committed fixtures)."""
    v = check(fixture)
    assert "password" in the(v, "encrypted-file").message
    assert only(v).status == "unreadable"


def test_encrypted_fixtures_are_there() -> None:
    assert {p.suffix for p in ENCRYPTED} >= {".xlsx", ".xls", ".ods"}


@covers("corrupt-file")
@pytest.mark.parametrize("damage", ["truncated", "bad part"])
def test_corrupt_file(tmp_path: Path, damage: str) -> None:
    path = filled(tmp_path, REQUIRED)
    data = path.read_bytes()
    part = sheet_part(path)
    if damage == "truncated":  # a download or an e-mail attachment cut short
        path.write_bytes(data[: len(data) // 2])
    else:  # a byte of the sheet damaged on the way
        with zipfile.ZipFile(path) as z:
            info = z.getinfo(part)
        raw = bytearray(data)
        name_len, extra_len = struct.unpack_from("<HH", raw, info.header_offset + 26)
        start = info.header_offset + 30 + name_len + extra_len
        raw[start + info.compress_size // 4] ^= 0xFF  # where it breaks the deflate stream
        path.write_bytes(bytes(raw))
    v = check(path)
    issue = the(v, "corrupt-file")
    expected = {
        "truncated": f"{path}: the zip package is damaged or truncated (File is not a zip file)",
        "bad part": f"{path}: part {part} is damaged (size or checksum)",
    }
    assert issue.message == expected[damage]
    assert only(v).status == "unreadable"


def _huge_dimension(wb: Any) -> None:
    wb[contract.RESPONSES_SHEET]["XFD1048576"] = "x"


@covers("file-too-large")
def test_file_too_large_dimension(tmp_path: Path) -> None:
    path = filled(tmp_path, REQUIRED, edit=_huge_dimension)
    issue = the(check(path), "file-too-large")
    assert "XFD1048576" in issue.message
    assert issue.sheet == contract.RESPONSES_SHEET


def test_file_too_large_zip_bomb(tmp_path: Path) -> None:
    path = filled(tmp_path, REQUIRED)
    rewrite_zip(path, add={"customXml/item1.xml": b" " * (11 * 1024 * 1024)})
    v = check(path)
    assert "zip bomb" in the(v, "file-too-large").message
    assert only(v).status == "unreadable"


@covers("macros-present")
def test_macros_present(tmp_path: Path) -> None:
    plain = filled(tmp_path, REQUIRED, name="plain.xlsx")
    path = make_xlsm(plain, tmp_path / "venice.xlsm")
    v = check(path)
    issue = the(v, "macros-present")
    assert issue.severity is Severity.WARNING and "macros" in issue.message
    sub = only(v)
    assert sub.format == "xlsm"
    assert sub.answers["ulsg_functioning"].value == "no"  # read all the same
    assert codes(v) == {"macros-present"}


@covers("external-link")
def test_external_link(tmp_path: Path) -> None:
    root = survey_folder(tmp_path / "survey", [{"name": "Venice", "country": "IT"}])
    link = "=SUM('[budget.xlsx]Sheet1'!A1)"
    path = filled(root / "returns", {**REQUIRED, "funding_secured": link})
    part = sheet_part(path)
    # Excel saves the last value it fetched beside the formula.
    rewrite_zip(
        path,  # an empty value as openpyxl writes it (`<v />`, or `<v></v>` since 3.1.3)
        lambda name, b: (
            re.sub(rb"<v(?: ?/>|></v>)", b"<v>350000</v>", b, count=1) if name == part else b
        ),
    )
    v = check(root, questionnaire=None)  # the saved 350000 is read in Venice's euros
    sheet, cell = where(path, "funding_secured")
    assert ("external-link", sheet, cell) in found(v)
    assert "funding_secured" in the(v, "external-link").message
    assert only(v).answers["funding_secured"].value == MoneyValue(
        Decimal(350000), "EUR", Decimal(350000)
    )
    assert "formula-no-value" not in codes(v)


@covers("duplicate-file")
def test_duplicate_file(tmp_path: Path) -> None:
    first = filled(tmp_path / "returns", REQUIRED)
    shutil.copyfile(first, tmp_path / "returns" / "venice (1).xlsx")
    v = check(tmp_path / "returns")
    issue = the(v, "duplicate-file")
    other = ({"venice.xlsx", "venice (1).xlsx"} - {issue.file}).pop()  # the one read first
    assert f"Same content as {other}" in issue.message
    assert len(v.batch.counted) == 1
    assert "duplicate-submission" not in codes(v)


# --------------------------------------------------------------------------- the workbook contract


def _no_header(wb: Any) -> None:
    ws = wb[contract.RESPONSES_SHEET]
    for cell in ws[4]:
        cell.value = None


@covers("missing-header")
def test_missing_header(tmp_path: Path) -> None:
    v = check(filled(tmp_path, REQUIRED, edit=_no_header))
    issue = the(v, "missing-header")
    assert issue.severity is Severity.ERROR
    assert "Responses" in issue.message and "Instructions" in issue.message  # sheets it saw
    assert only(v).answers == {}


@covers("missing-stamp")
def test_missing_stamp(tmp_path: Path) -> None:
    v = check(filled(tmp_path, REQUIRED, edit=delete_sheet(contract.STAMP_SHEET)))
    issue = the(v, "missing-stamp")
    assert MILE in issue.message
    assert codes(v) == {"missing-stamp"}
    sub = only(v)
    assert sub.partner == "Venice" and sub.answers["lap_stage"].value == "in_preparation"


@covers("questionnaire-mismatch")
def test_questionnaire_mismatch(tmp_path: Path) -> None:
    path = filled(tmp_path, {"km_built": 12, "kept": "yes"}, questionnaire=TOY, name="toy.xlsx")
    v = check(path)
    assert ("questionnaire-mismatch", contract.STAMP_SHEET, "B1") in found(v)
    message = the(v, "questionnaire-mismatch").message
    assert "toy-bike-lanes" in message and MILE in message
    assert v.failed()


def test_questionnaire_mismatch_is_not_counted(tmp_path: Path) -> None:
    """A workbook for another questionnaire is reported once and never displaces a real return."""
    good = filled(tmp_path, REQUIRED, name="venice.xlsx")
    wrong = filled(tmp_path, {"km_built": 12}, questionnaire=TOY, name="venice-bikes.xlsx")
    os.utime(good, (1_000_000_000, 1_000_000_000))
    os.utime(wrong, (1_100_000_000, 1_100_000_000))  # the wrong one is newer
    v = check(tmp_path)
    mismatched = next(s for s in v.batch.submissions if s.file == "venice-bikes.xlsx")
    assert {i.code for i in mismatched.issues} == {"questionnaire-mismatch"}
    assert [s.file for s in v.batch.counted] == ["venice.xlsx"]


@covers("version-mismatch")
def test_version_mismatch(tmp_path: Path) -> None:
    v = check(filled(tmp_path, REQUIRED, edit=set_stamp("version", "0.9")))
    assert ("version-mismatch", contract.STAMP_SHEET, "B2") in found(v)
    message = the(v, "version-mismatch").message
    assert "'0.9'" in message and "'1.0'" in message
    sub = only(v)
    assert sub.version == "0.9"
    assert sub.answers["ulsg_functioning"].value == "no"  # matched by id all the same
    assert not v.failed()


@covers("unknown-question")
def test_unknown_question(tmp_path: Path) -> None:
    path = filled(
        tmp_path, {**REQUIRED, "lap_unplanned": "A desk."}, edit=set_id("lap_unplanned", "lap_plan")
    )
    v = check(path)
    assert ("unknown-question", *where(path, "lap_plan", "ID")) in found(v)
    assert "'lap_plan'" in the(v, "unknown-question").message
    assert "lap_unplanned" not in only(v).answers


@covers("duplicate-question")
def test_duplicate_question(tmp_path: Path) -> None:
    path = filled(tmp_path, REQUIRED, edit=duplicate_row("lap_stage", "Discontinued"))
    sheet, first = where(path, "lap_stage", "ID")
    second = f"A{int(first[1:]) + 1}"
    v = check(path)
    assert ("duplicate-question", sheet, second) in found(v)
    assert first in the(v, "duplicate-question").message
    assert only(v).answers["lap_stage"].value == "in_preparation"  # the first row counts


@covers("merged-answer")
def test_merged_answer(tmp_path: Path) -> None:
    path = filled(
        tmp_path,
        {**REQUIRED, "ma_relation": "Good relations; separate meetings too."},
        edit=merge_answers("ma_relation", "ma_separate_meetings"),
    )
    v = check(path)
    sheet, first = where(path, "ma_relation")
    _, last = where(path, "ma_separate_meetings")
    assert ("merged-answer", sheet, first) in found(v)
    assert f"{first}:{last}" in the(v, "merged-answer").message
    sub = only(v)
    assert sub.answers["ma_relation"].value == "Good relations; separate meetings too."
    assert "ma_separate_meetings" not in sub.answers


@covers("formula-no-value")
def test_formula_without_value(tmp_path: Path) -> None:
    path = filled(
        tmp_path,
        {**REQUIRED, "lap_stage": "Being implemented in part", "lap_actions_implemented": "=1+1"},
    )
    v = check(path)
    assert ("formula-no-value", *where(path, "lap_actions_implemented")) in found(v)
    assert "lap_actions_implemented" in the(v, "formula-no-value").message
    assert "lap_actions_implemented" not in only(v).answers


# --------------------------------------------------------------------------- the respondent


@covers("missing-partner")
def test_missing_partner(tmp_path: Path) -> None:
    path = filled(tmp_path, REQUIRED, partner=None)
    v = check(path)
    assert ("missing-partner", *where(path, "respondent.partner")) in found(v)
    assert only(v).partner is None


@covers("unknown-partner")
def test_unknown_partner(tmp_path: Path) -> None:
    root = survey_folder(tmp_path / "survey", ["Venice", {"name": "Torino", "aliases": ["Turin"]}])
    atlantis = filled(root / "returns", REQUIRED, partner="Atlantis", name="atlantis.xlsx")
    filled(root / "returns", REQUIRED, partner="turin", name="torino.xlsx")  # an alias
    v = check(root, questionnaire=None)
    unknown = [i for i in v.batch.all_issues() if i.code == "unknown-partner"]
    assert [(i.file, i.sheet, i.cell) for i in unknown] == [
        ("returns/atlantis.xlsx", *where(atlantis, "respondent.partner"))
    ]
    assert "'Atlantis'" in unknown[0].message and "Venice, Torino" in unknown[0].message
    partners = {s.file: s.partner for s in v.batch.submissions}
    assert partners["returns/torino.xlsx"] == "Torino"


@covers("invalid-role")
def test_invalid_role(tmp_path: Path) -> None:
    path = filled(tmp_path, {**REQUIRED, "respondent.role": "Mayor"})
    v = check(path)
    assert ("invalid-role", *where(path, "respondent.role")) in found(v)
    assert "'Mayor'" in the(v, "invalid-role").message


@pytest.mark.parametrize(
    ("typed", "role"),
    [("Managing authority", "managing_authority"), ("managing_authority", "managing_authority")],
)
def test_role_understood(tmp_path: Path, typed: str, role: str) -> None:
    sub = only(check(filled(tmp_path, {**REQUIRED, "respondent.role": typed})))
    assert sub.role is not None and sub.role.value == role


@covers("missing-response")
def test_missing_response(tmp_path: Path) -> None:
    root = survey_folder(tmp_path / "survey", ["Venice", "Amadora"])
    filled(root / "returns", REQUIRED)
    v = check(root, questionnaire=None)
    issue = the(v, "missing-response")
    assert issue.file == "survey.yaml"
    assert "Amadora" in issue.message and "Venice" not in issue.message


# --------------------------------------------------------------------------- answers


@covers("missing-required")
def test_missing_required(tmp_path: Path) -> None:
    path = filled(tmp_path, {**REQUIRED, "lap_stage": None})
    v = check(path)
    assert ("missing-required", *where(path, "lap_stage")) in found(v)
    assert "lap_stage" in the(v, "missing-required").message


def test_required_depends_on_role(tmp_path: Path) -> None:
    """lap_stage is required of cities only: a managing authority may leave it blank."""
    path = filled(tmp_path, {}, role="managing_authority", name="venice-ma.xlsx")
    assert codes(check(path)) == set()


@covers("invalid-choice")
def test_invalid_choice(tmp_path: Path) -> None:
    path = filled(tmp_path, {**REQUIRED, "ulsg_functioning": "maybe"})
    v = check(path)
    assert ("invalid-choice", *where(path, "ulsg_functioning")) in found(v)
    message = the(v, "invalid-choice").message
    assert "'maybe'" in message
    for label in (
        "Yes, it continues and meets regularly",
        "Informally: members still meet in other local groupings",
        "No",
    ):
        assert label in message
    assert only(v).answers["ulsg_functioning"].valid is False


def test_invalid_multiple_choice_names_the_bad_part(tmp_path: Path) -> None:
    path = filled(tmp_path, {**REQUIRED, "funding_sources": "ESF; lottery"})
    message = the(check(path), "invalid-choice").message
    assert "'lottery'" in message and "ERDF" in message


@covers("not-a-number")
def test_not_a_number(tmp_path: Path) -> None:
    path = filled(
        tmp_path,
        {**REQUIRED, "lap_stage": "Being implemented in part", "lap_actions_implemented": "a few"},
    )
    v = check(path)
    assert ("not-a-number", *where(path, "lap_actions_implemented")) in found(v)
    assert "'a few'" in the(v, "not-a-number").message


@covers("out-of-range")
def test_out_of_range(tmp_path: Path) -> None:
    path = filled(
        tmp_path,
        {**REQUIRED, "lap_stage": "Being implemented in part", "lap_actions_implemented": -2},
    )
    v = check(path)
    assert ("out-of-range", *where(path, "lap_actions_implemented")) in found(v)
    message = the(v, "out-of-range").message
    assert "-2" in message and "at least 0" in message
    assert only(v).answers["lap_actions_implemented"].value is None


@covers("unknown-currency")
def test_unknown_currency(tmp_path: Path) -> None:
    root = survey_folder(tmp_path / "survey", ["Venice"])  # rates for EUR only
    path = filled(root / "returns", {**REQUIRED, "funding_secured": "USD 500"})
    v = check(root, questionnaire=None)
    issue = the(v, "unknown-currency")
    assert (issue.sheet, issue.cell) == where(path, "funding_secured")
    assert "USD" in issue.message and "EUR" in issue.message
    assert only(v).answers["funding_secured"].value is None


@covers("ambiguous-number")
def test_ambiguous_number_without_country(tmp_path: Path) -> None:
    path = filled(tmp_path, {**REQUIRED, "funding_secured": "1.400 €"})
    v = check(path)
    assert ("ambiguous-number", *where(path, "funding_secured")) in found(v)
    message = the(v, "ambiguous-number").message
    assert "'1.400 €'" in message and "1.4" in message
    assert only(v).answers["funding_secured"].value == MoneyValue(
        Decimal(1400), "EUR", Decimal(1400)
    )


def test_ambiguous_number_settled_by_country(tmp_path: Path) -> None:
    root = survey_folder(tmp_path / "survey", [{"name": "Venice", "country": "IT"}])
    filled(root / "returns", {**REQUIRED, "funding_secured": "1.400"})
    v = check(root, questionnaire=None)
    assert codes(v) == {"currency-assumed"}  # Italy: 1400, in euros
    assert only(v).answers["funding_secured"].value == MoneyValue(
        Decimal(1400), "EUR", Decimal(1400)
    )


@covers("invalid-date")
def test_invalid_date(tmp_path: Path) -> None:
    path = filled(
        tmp_path, {"km_built": 3, "kept": "yes", "opened_on": "31/02/2009"}, questionnaire=TOY
    )
    v = check(path, questionnaire=TOY)
    assert ("invalid-date", *where(path, "opened_on")) in found(v)
    assert "'31/02/2009'" in the(v, "invalid-date").message


@covers("skipped-answered")
def test_skipped_answered(tmp_path: Path) -> None:
    path = filled(tmp_path, {**REQUIRED, "ulsg_sustaining": "We still meet."})  # functioning: No
    v = check(path)
    assert ("skipped-answered", *where(path, "ulsg_sustaining")) in found(v)
    message = the(v, "skipped-answered").message
    assert "ulsg_functioning" in message and "formal" in message


def test_no_skip_warning_when_the_condition_is_unknown(tmp_path: Path) -> None:
    """An invalid answer to the question a follow-up depends on: no skip warning on top."""
    path = filled(
        tmp_path,
        {**REQUIRED, "lap_stage": "sideways", "lap_actions_implemented": 4},
    )
    assert codes(check(path)) == {"invalid-choice"}


@covers("control-characters")
def test_control_characters(tmp_path: Path) -> None:
    path = filled(tmp_path, {**REQUIRED, "barriers": "Staff\x07 turnover\x0b and budgets"})
    v = check(path)
    assert ("control-characters", *where(path, "barriers")) in found(v)
    assert "barriers" in the(v, "control-characters").message


@covers("answer-too-long")
def test_answer_too_long(tmp_path: Path) -> None:
    text = "The LSG met. " * 3077  # 40,001 characters
    assert len(text) > 40_000
    path = filled(tmp_path, {**REQUIRED, "barriers": text})
    v = check(path)
    assert ("answer-too-long", *where(path, "barriers")) in found(v)
    assert f"{len(text.strip()):,}" in the(v, "answer-too-long").message
    assert only(v).answers["barriers"].value == text.strip()  # kept whole


def test_every_catalogue_code_is_tested() -> None:
    """A code added to the catalogue needs a test marked `@covers(code)`, here or elsewhere."""
    for module in COVERING_ELSEWHERE:
        importlib.import_module(module)
    missing = set(IssueCode) - set(COVERED)
    assert not missing, f"catalogue codes with no test: {sorted(missing)}"
    elsewhere = {code for code, test in COVERED.items() if not test.startswith(__name__)}
    assert elsewhere == {
        "suspicious-name",
        "resubmission",
        "answer-conflict",
        "coding-reference",
        "invalid-tick",
        "currency-assumed",
        "missing-currency",
        "mail-no-workbook",
        "partner-from-sender",
        "error-value",
        "not-a-regular-file",
    }


# --------------------------------------------------------------------------- answers understood


@pytest.mark.parametrize(
    "typed",
    [
        "formal",
        "Yes, it continues and meets regularly",
        "Oui, il continue et se réunit régulièrement",
        "  yes,  IT continues and MEETS regularly. ",
        "OUI, il continue et se reunit regulierement",
        f"Yes,{NBSP}it continues and meets\tregularly",
    ],
)
def test_single_choice_forms(tmp_path: Path, typed: str) -> None:
    path = filled(tmp_path, {**REQUIRED, "ulsg_functioning": typed})
    v = check(path)
    assert only(v).answers["ulsg_functioning"].value == "formal"
    assert codes(v) == set()


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("Yes", True),
        ("oui", True),
        ("sì", True),
        ("Ja", True),
        ("ναι", True),
        ("NEJ", False),
        ("non", False),
        ("No.", False),
        (1, True),
        (True, True),
    ],
)
def test_yes_no_in_partner_languages(tmp_path: Path, typed: object, value: bool) -> None:
    path = filled(tmp_path, {**REQUIRED, "ma_in_lsg": typed})
    assert answer(path, "ma_in_lsg").value is value


@pytest.mark.parametrize(
    "typed",
    [
        "ESF; National funds",
        "ESF, National funds",
        "ESF\nNational funds",
        "esf;national",
        "FSE ; fonds nationaux",
        "ESF; National funds; ESF",
    ],
)
def test_multiple_choice_separators(tmp_path: Path, typed: str) -> None:
    path = filled(tmp_path, {**REQUIRED, "funding_sources": typed})
    assert answer(path, "funding_sources").value == ["esf", "national"]


def test_multiple_choice_label_with_a_comma(tmp_path: Path) -> None:
    path = filled(
        tmp_path,
        {"km_built": 1, "kept": "yes", "funders": "The region, or the province, EU funds"},
        questionnaire=TOY,
    )
    assert answer(path, "funders", TOY).value == ["region", "eu"]


MONEY = [
    ("1.400.000", Decimal(1400000), "EUR", Decimal(1400000)),
    (f"1{NBSP}400{NBSP}000", Decimal(1400000), "EUR", Decimal(1400000)),
    (f"1{NNBSP}400{NNBSP}000 €", Decimal(1400000), "EUR", Decimal(1400000)),
    ("1,4 Mio", Decimal(1400000), "EUR", Decimal(1400000)),
    ("€1.4m", Decimal(1400000), "EUR", Decimal(1400000)),
    ("EUR 350k", Decimal(350000), "EUR", Decimal(350000)),
    ("350.000,50 €", Decimal("350000.50"), "EUR", Decimal("350000.50")),
    ("RON 500.000", Decimal(500000), "RON", Decimal(120000)),
    ("£240,000", Decimal(240000), "GBP", Decimal(268800)),
    (150000, Decimal(150000), "EUR", Decimal(150000)),
    (1234.5, Decimal("1234.5"), "EUR", Decimal("1234.5")),
]


@pytest.fixture
def money_survey(tmp_path: Path) -> Path:
    venice = {"name": "Venice", "currency": "EUR"}  # no country: "240,000" is not ambiguous
    return survey_folder(tmp_path / "survey", [venice], rates={"RON": 0.24, "GBP": 1.12})


@pytest.mark.parametrize(("typed", "amount", "currency", "converted"), MONEY)
def test_money_forms(
    money_survey: Path, typed: object, amount: Decimal, currency: str, converted: Decimal
) -> None:
    filled(money_survey / "returns", {**REQUIRED, "funding_secured": typed})
    v = check(money_survey, questionnaire=None)
    written = isinstance(typed, str) and any(c.isalpha() or c in "€£" for c in typed.strip("Mio"))
    # a bare amount is read in the currency survey.yaml gives Venice, and the report says so
    assert codes(v) == (set() if written else {"currency-assumed"})
    value = only(v).answers["funding_secured"].value
    assert isinstance(value, MoneyValue)
    assert (value.amount, value.currency, value.converted) == (amount, currency, converted)
    assert isinstance(value.amount, Decimal) and isinstance(value.converted, Decimal)


OPENED = dt.date(2009, 5, 4)


@pytest.mark.parametrize(
    "typed",
    [
        OPENED,
        dt.datetime(2009, 5, 4, 0, 0),
        (OPENED - dt.date(1899, 12, 30)).days,  # the serial number Excel shows unformatted
        "04/05/2009",
        "2009-05-04",
        "4 May 2009",
        "4 maggio 2009",
    ],
)
def test_date_forms(tmp_path: Path, typed: object) -> None:
    path = filled(tmp_path, {"km_built": 3, "kept": "yes", "opened_on": typed}, questionnaire=TOY)
    v = check(path, questionnaire=TOY)
    assert codes(v) == set()
    assert only(v).answers["opened_on"].value == OPENED


def test_toy_questionnaire_validates(tmp_path: Path) -> None:
    path = filled(
        tmp_path,
        {
            "km_built": "12,5",
            "opened_on": "04/05/2009",
            "counters": 4,
            "kept": "No",
            "why_not": "Shopkeepers complained.",
            "budget": "EUR 350k",
            "funders": "Il comune; EU funds",
            "mood": "mixed",
            "contact": "Marco Rossi",
        },
        questionnaire=TOY,
        lang="it",
        partner="Bologna",
        name="bologna.xlsx",
    )
    v = check(path, questionnaire=TOY)
    assert codes(v) == set()
    assert parsed(only(v)) == {
        "km_built": Decimal("12.5"),
        "opened_on": OPENED,
        "counters": 4,
        "kept": False,
        "why_not": "Shopkeepers complained.",
        "budget": MoneyValue(Decimal(350000), "EUR", Decimal(350000)),
        "funders": ["city", "eu"],
        "mood": "mixed",
        "contact": "Marco Rossi",
    }


# --------------------------------------------------------------------------- robustness


def test_full_return_is_clean(tmp_path: Path) -> None:
    path = filled(tmp_path, FULL)
    v = check(path)
    sub = only(v)
    assert codes(v) == set() and sub.status == "ok"
    assert {k: parsed(sub)[k] for k in FULL_PARSED} == FULL_PARSED
    assert set(sub.answers) == {q for q in FULL if not q.startswith("respondent.")}
    assert sub.respondent["respondent.date"] == "2009-10-19"
    # the block keeps the workbook's order, whatever the hash seed (the store keeps its JSON)
    assert list(sub.respondent) == [f for f in contract.RESPONDENT_FIELDS if f in sub.respondent]
    for qid, a in sub.answers.items():
        assert (a.sheet, a.cell) == where(path, qid)


EDITS: dict[str, Any] = {
    "rows inserted above the questions": insert_rows_before("ulsg_functioning", 3, "(our notes)"),
    "rows inserted between questions": [
        insert_rows_before("lap_stage", 2, "see attachment"),
        insert_rows_before("funding_sources", 1),
    ],
    "rows reordered": [swap_rows("barriers", "ma_relation"), swap_rows("lap_stage", "ma_in_lsg")],
    "Responses renamed": rename_sheet("Responses", "Risposte"),
    "sheets added before it": [
        add_sheet("Cover", 0, rows=[["Questionnaire of the City of Venice"], ["Answer", "below"]]),
        add_sheet("Calc", 1, hidden=True, rows=[["ID", "total"], ["x", 3]]),
    ],
    "header moved down 10 rows": move_header_down(10),
    "merged title cells": merge_titles(),
    "all of it": [
        move_header_down(10),
        merge_titles(),
        insert_rows_before("lap_stage", 2, "see attachment"),
        swap_rows("barriers", "ma_relation"),
        rename_sheet("Responses", "Risposte"),
        add_sheet("Cover", 0),
        add_sheet("Calc", 1, hidden=True),
    ],
}


@pytest.mark.parametrize("edit", list(EDITS), ids=list(EDITS))
def test_answers_land_on_the_right_question(tmp_path: Path, edit: str) -> None:
    original = only(check(filled(tmp_path, FULL, name="original.xlsx")))
    path = filled(tmp_path, FULL, edit=EDITS[edit])
    v = check(path)
    sub = only(v)
    assert codes(v) == set()
    assert parsed(sub) == parsed(original)
    assert sub.respondent == original.respondent
    for qid in ("ulsg_functioning", "lap_stage", "ma_relation", "barriers", "funding_sources"):
        assert (sub.answers[qid].sheet, sub.answers[qid].cell) == where(path, qid)


def test_error_cells_follow_inserted_rows(tmp_path: Path) -> None:
    path = filled(
        tmp_path,
        {**REQUIRED, "ulsg_functioning": "maybe"},
        edit=[move_header_down(10), insert_rows_before("ulsg_functioning", 2)],
    )
    sheet, cell = where(path, "ulsg_functioning")
    assert int(cell[1:]) > 20  # well below where the template had it
    assert ("invalid-choice", sheet, cell) in found(check(path))


# --------------------------------------------------------------------------- .xls and .ods


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The full return, and its .xls and .ods copies saved by LibreOffice (once per module)."""
    base = tmp_path_factory.mktemp("formats")
    original = filled(base, FULL, name="venice.xlsx")
    copies = {fmt: as_format(original, fmt, base / fmt) for fmt in ("xls", "ods")}
    return {"xlsx": original, **copies}


@requires_soffice
@pytest.mark.parametrize("fmt", ["xls", "ods"])
def test_other_formats_read_the_same(converted: dict[str, Path], fmt: str) -> None:
    original = only(check(converted["xlsx"]))
    v = check(converted[fmt])
    copy = only(v)
    assert copy.format == fmt
    assert codes(v) == set()
    assert parsed(copy) == parsed(original)
    assert copy.respondent == original.respondent
    assert {q: (a.sheet, a.cell) for q, a in copy.answers.items()} == {
        q: (a.sheet, a.cell) for q, a in original.answers.items()
    }


# --------------------------------------------------------------------------- batches


def test_batch_with_bad_files(tmp_path: Path) -> None:
    folder = tmp_path / "returns"
    good = filled(folder, FULL, name="venice.xlsx")
    corrupt = filled(folder, REQUIRED, partner="Torino", name="torino.xlsx")
    corrupt.write_bytes(corrupt.read_bytes()[:3000])
    empty = folder / "amadora.xlsx"
    empty.write_bytes(b"")
    (folder / "notes.txt").write_text("not a workbook, not picked up")
    before = {p.name: sha256(p) for p in folder.iterdir()}
    v = check(folder)
    statuses = {s.file: s.status for s in v.batch.submissions}
    assert statuses == {
        "venice.xlsx": "ok",
        "torino.xlsx": "unreadable",
        "amadora.xlsx": "unreadable",
    }
    assert {(i.file, i.code) for i in v.batch.all_issues()} == {
        ("torino.xlsx", "corrupt-file"),
        ("amadora.xlsx", "empty-file"),
    }
    venice = next(s for s in v.batch.submissions if s.file == "venice.xlsx")
    assert {k: parsed(venice)[k] for k in FULL_PARSED} == FULL_PARSED
    assert {p.name: sha256(p) for p in folder.iterdir()} == before  # nothing written
    assert good.exists() and empty.exists()


# --------------------------------------------------------------------------- the command line


def invoke(*args: str | Path) -> Any:
    return runner.invoke(app, ["validate", *map(str, args)])


def test_cli_clean_exits_0(tmp_path: Path) -> None:
    result = invoke(filled(tmp_path, FULL), "--questionnaire", MILE)
    assert result.exit_code == 0, result.output
    assert "1 ok" in result.stdout


def test_cli_warnings(tmp_path: Path) -> None:
    path = filled(tmp_path, {**REQUIRED, "funding_secured": "1.400 €"})
    result = invoke(path, "--questionnaire", MILE)
    assert result.exit_code == 0, result.output
    assert "ambiguous-number" in result.stdout
    strict = invoke(path, "--questionnaire", MILE, "--strict")
    assert strict.exit_code == 1, strict.output


def test_cli_errors_exit_1(tmp_path: Path) -> None:
    path = filled(tmp_path, {**REQUIRED, "ulsg_functioning": "maybe"})
    result = invoke(path, "--questionnaire", MILE)
    assert result.exit_code == 1
    assert "invalid-choice" in result.stdout and "maybe" in result.stdout


def test_cli_json(tmp_path: Path) -> None:
    folder = tmp_path / "returns"
    path = filled(folder, {**REQUIRED, "ulsg_functioning": "maybe"})
    filled(folder, FULL, partner="Torino", name="torino.xlsx")
    (folder / "empty.xlsx").write_bytes(b"")
    result = invoke(folder, "--questionnaire", MILE, "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["summary"] == {"files": 3, "ok": 1, "warnings": 0, "errors": 1, "unreadable": 1}
    files = {f["file"]: f for f in data["files"]}
    assert set(files) == {"venice.xlsx", "torino.xlsx", "empty.xlsx"}
    for f in files.values():
        assert {"file", "partner", "role", "status", "errors", "warnings"} <= set(f)
    venice = files["venice.xlsx"]
    assert {k: venice[k] for k in ("partner", "role", "status", "errors", "warnings")} == {
        "partner": "Venice",
        "role": "city",
        "status": "errors",
        "errors": 1,
        "warnings": 0,
    }
    assert files["empty.xlsx"]["status"] == "unreadable"
    issues = {i["code"]: i for i in data["issues"]}
    assert set(issues) == {"invalid-choice", "empty-file"}
    sheet, cell = where(path, "ulsg_functioning")
    assert issues["invalid-choice"] == {
        "severity": "error",
        "code": "invalid-choice",
        "file": "venice.xlsx",
        "sheet": sheet,
        "cell": cell,
        "message": issues["invalid-choice"]["message"],
        "hint": CATALOGUE[IssueCode.INVALID_CHOICE].hint,
    }
    assert "'maybe'" in issues["invalid-choice"]["message"]
    assert issues["empty-file"]["sheet"] is None


def test_cli_finds_the_questionnaire_in_the_stamp(tmp_path: Path) -> None:
    folder = tmp_path / "returns"
    filled(folder, FULL)
    filled(folder, {**FULL, "core_group_active": "sideways"}, partner="Torino", name="torino.xlsx")
    result = runner.invoke(app, ["validate", str(folder), "--format", "json"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert data["questionnaire"]["id"] == MILE
    assert [(i["file"], i["code"]) for i in data["issues"]] == [("torino.xlsx", "invalid-choice")]


def test_cli_toy_questionnaire(tmp_path: Path) -> None:
    path = filled(tmp_path, {"km_built": "twelve", "kept": "yes"}, questionnaire=TOY)
    result = invoke(path, "--questionnaire", TOY, "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["questionnaire"]["id"] == "toy-bike-lanes"
    assert [(i["code"], i["cell"]) for i in data["issues"]] == [
        ("not-a-number", where(path, "km_built")[1])
    ]


def test_cli_no_questionnaire_anywhere(tmp_path: Path) -> None:
    path = filled(tmp_path, REQUIRED, edit=delete_sheet(contract.STAMP_SHEET))
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert result.output.startswith("Error: no questionnaire")
    assert "Tip: Give --questionnaire ID|FILE" in result.output

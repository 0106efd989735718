"""Hostile .xls returns: the pre-checks follow the records python-calamine really reads.

(And the decoded-text limit for .xlsx shared strings and .ods repeated cells.)

Every file is written here record by record (`support.xls`), a few KB each (the
shared-string one holds one 65,535-character string, so it is larger): a second
workbook stream (`Book` beside `Workbook`, or a `Workbook` in a sub-storage, which
calamine reads although the root has another), a sheet offset pointing inside another
record or past the end, a DIMENSIONS record declaring 268 million rows, one long shared
string shown in thousands of cells, and cells whose saved value is an error (BOOLERR,
and a FORMULA whose cached result is one). The reader-level tests show what calamine
would read; `test_a_batch_with_every_hostile_xls` runs them end to end through the
console script beside good returns of a survey that is not MILE.
"""

from __future__ import annotations

import io
import json
import shutil
import struct
from pathlib import Path
from typing import Any

import pytest
import python_calamine

from urbsurvey.issues import Issue
from urbsurvey.reader import Workbook, limits, read_workbook

from .support.convert import SOFFICE
from .support.coverage import covers
from .support.script import URBSURVEY
from .support.workbooks import as_format, filled, survey_folder, where
from .support.xls import (
    BOUNDSHEET,
    FORMULA,
    Sheet,
    bof,
    bool_err,
    dimensions,
    formula_error,
    label,
    label_sst,
    number,
    ole_file,
    record,
    workbook_stream,
)
from .test_isolation import (
    TOY,
    aborts_in_process,
    assert_no_crash,
    tiny_ods,
    urbsurvey,
)
from .test_reader_hostile import _sheet, _xlsx

needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
needs_script = pytest.mark.skipif(URBSURVEY is None, reason="no urbsurvey console script")
LONG = 65_535  # the longest string an SST holds


def _good_stream(text: str = "visible", tail: bytes = b"") -> bytes:
    return workbook_stream([Sheet("Responses", [label(0, 0, text), number(0, 1, 12.5)], tail=tail)])


def _read(path: Path, data: bytes) -> Workbook | Issue:
    path.write_bytes(data)
    return read_workbook(path)


def _issue(path: Path, data: bytes, code: str) -> Issue:
    result = _read(path, data)
    assert isinstance(result, Issue), f"{path.name} was accepted"
    assert result.code == code, result.message
    assert result.file == str(path)
    return result


def _calamine_cells(data: bytes) -> list[list[Any]]:
    """What python-calamine reads from the first sheet of `data`."""
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    return book.get_sheet_by_name(book.sheet_names[0]).to_python()


def _offset_fields(stream: bytes) -> list[int]:
    """Where each BOUNDSHEET record's sheet offset is in `stream` (the globals only)."""
    out: list[int] = []
    pos = 0
    while pos + 4 <= len(stream):
        rtype, length = struct.unpack_from("<HH", stream, pos)
        if rtype == 0x000A:
            return out
        if rtype == BOUNDSHEET:
            out.append(pos + 4)
        pos += 4 + length
    return out


def _set_offset(stream: bytes, offset: int) -> bytes:
    """`stream` with its first BOUNDSHEET record pointing at `offset`."""
    at = _offset_fields(stream)[0]
    return stream[:at] + struct.pack("<I", offset) + stream[at + 4 :]


# ------------------------------------------------------------------------- the files


def two_streams(path: Path) -> Path:
    """A harmless `Book` at the root and the real `Workbook` hidden in a sub-storage."""
    path.write_bytes(
        ole_file({"Book": _good_stream("checked")}, {"Hidden": {"Workbook": _good_stream("read")}})
    )
    return path


#: A sheet that would never be seen walking the records from the start of the stream.
_HIDDEN = bof(0x0010) + dimensions(0, 268_435_456, 0, 1) + label(0, 0, "hidden") + record(0x000A)


def offset_inside_a_record(path: Path, hidden: bytes = _HIDDEN) -> Path:
    """BOUNDSHEET points inside a record (an unknown type, skipped) holding another sheet."""
    stream = _good_stream(tail=record(0x00EF, hidden))
    path.write_bytes(ole_file({"Workbook": _set_offset(stream, stream.index(hidden))}))
    return path


def declared_rows(path: Path) -> Path:
    """A one-cell sheet whose DIMENSIONS record declares 268,435,456 rows."""
    head = dimensions(0, 268_435_456, 0, 1)
    path.write_bytes(ole_file({"Workbook": workbook_stream([Sheet("R", [number(0, 0, 1)], head)])}))
    return path


def repeated_string(path: Path, cells: int) -> Path:
    """One 65,535-character shared string shown in `cells` cells (15 bytes each)."""
    refs = [label_sst(i % 60_000, i // 60_000, 0) for i in range(cells)]
    stream = workbook_stream([Sheet("Responses", refs)], strings=["y" * LONG])
    path.write_bytes(ole_file({"Workbook": stream}))
    return path


# ------------------------------------------------------------------------- reader level


def test_the_writer_makes_files_calamine_reads(tmp_path: Path) -> None:
    stream = workbook_stream(
        [Sheet("Responses", [label_sst(0, 0, 1), number(1, 1, 12.5)]), Sheet("Other", [])],
        strings=["unused", "km_built"],
    )
    book = _read(tmp_path / "plain.xls", ole_file({"Workbook": stream}))
    assert isinstance(book, Workbook), book
    assert book.sheet_names == ["Responses", "Other"]
    assert book.sheet("Responses").rows == [["km_built", None], [None, 12.5]]


def test_calamine_reads_a_workbook_hidden_in_a_storage_so_two_are_refused(tmp_path: Path) -> None:
    path = two_streams(tmp_path / "two.xls")
    assert _calamine_cells(path.read_bytes())[0][0] == "read"  # not the root's `Book`
    issue = _issue(path, path.read_bytes(), "corrupt-file")
    assert "more than one workbook stream (Book, Workbook)" in issue.message


@pytest.mark.parametrize("names", [("Workbook", "Book"), ("WORKBOOK", "Book"), ("book", "Book")])
def test_two_workbook_streams_at_the_root_are_refused(
    tmp_path: Path, names: tuple[str, str]
) -> None:
    data = ole_file({names[0]: _good_stream("first"), names[1]: _good_stream("second")})
    issue = _issue(tmp_path / "two.xls", data, "corrupt-file")
    assert f"({names[0]}, {names[1]})" in issue.message


def test_a_lone_book_stream_is_the_one_checked(tmp_path: Path) -> None:
    """BIFF5 names its stream `Book`: it is read, and checked like `Workbook`."""
    good = _read(tmp_path / "book.xls", ole_file({"Book": _good_stream()}))
    assert isinstance(good, Workbook) and good.sheet("Responses").rows[0] == ["visible", 12.5]
    bomb = (
        declared_rows(tmp_path / "bomb.xls")
        .read_bytes()
        .replace("Workbook".encode("utf-16-le"), "Book\0\0\0\0".encode("utf-16-le"))
    )
    _issue(tmp_path / "book-bomb.xls", bomb, "file-too-large")


def test_a_biff5_book_has_its_sheet_names_read_as_calamine_reads_them(tmp_path: Path) -> None:
    """BIFF5 writes a sheet's name without the flags byte of BIFF8."""

    def bof5(kind: int) -> bytes:
        return record(0x0809, struct.pack("<HHHH", 0x0500, kind, 0x0DBB, 0x07CC))

    def boundsheet(offset: int) -> bytes:
        return record(BOUNDSHEET, struct.pack("<IBBB", offset, 0, 0, 7) + b"Answers")

    head = bof5(0x0005)
    sheet = bof5(0x0010) + bool_err(0, 1, "#REF!") + record(0x000A)
    offset = len(head) + len(boundsheet(0)) + 4
    stream = head + boundsheet(offset) + record(0x000A) + sheet
    data = ole_file({"Book": stream})
    names = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)).sheet_names
    book = _read(tmp_path / "biff5.xls", data)
    assert isinstance(book, Workbook) and book.sheet_names == names == ["Answers"]
    assert book.error_cells == {("Answers", "B1"): "#REF!"}


def test_a_sheet_offset_inside_another_record_is_refused(tmp_path: Path) -> None:
    harmless = bof(0x0010) + label(0, 0, "hidden") + record(0x000A)
    path = offset_inside_a_record(tmp_path / "inside.xls", harmless)
    assert _calamine_cells(path.read_bytes()) == [["hidden"]]  # what calamine would read
    issue = _issue(path, path.read_bytes(), "corrupt-file")
    assert "sheet 'Responses'" in issue.message and "inside another record" in issue.message
    assert issue.sheet == "Responses"


def test_sheet_offsets_past_the_end_shared_or_not_at_a_sheet_are_refused(tmp_path: Path) -> None:
    stream = _good_stream()
    past = _issue(
        tmp_path / "past.xls", ole_file({"Workbook": _set_offset(stream, 10**6)}), "corrupt-file"
    )
    assert "past the end" in past.message
    first = stream.index(struct.pack("<HH", 0x0809, 16), 1)  # the sheet's BOF
    after_bof = _set_offset(stream, first + 20)  # the record after it (a BOF is 20 bytes)
    assert (
        "not a sheet's beginning"
        in _issue(tmp_path / "after.xls", ole_file({"Workbook": after_bof}), "corrupt-file").message
    )
    two = workbook_stream([Sheet("A", [number(0, 0, 1)]), Sheet("B", [number(0, 0, 2)])])
    a, b = _offset_fields(two)
    same = two[:b] + two[a : a + 4] + two[b + 4 :]  # B's offset is A's
    shared = _issue(tmp_path / "same.xls", ole_file({"Workbook": same}), "corrupt-file")
    assert "'A' and 'B' claim the same place" in shared.message


def test_declared_rows_are_refused_before_calamine_reserves_them(tmp_path: Path) -> None:
    path = declared_rows(tmp_path / "rows.xls")
    assert path.stat().st_size < 10 * 1024
    assert aborts_in_process(path), "calamine no longer reserves the declared cells"
    issue = _issue(path, path.read_bytes(), "file-too-large")
    assert "268,435,456 rows" in issue.message and "DIMENSIONS" in issue.message
    assert "100,000 rows" in issue.message and issue.sheet == "R"


def test_a_declared_area_that_wraps_around_is_refused(tmp_path: Path) -> None:
    """Last row before the first: calamine's 32-bit subtraction wraps to 4 billion rows."""
    head = dimensions(5, 2, 0, 1)
    data = ole_file({"Workbook": workbook_stream([Sheet("R", [number(0, 0, 1)], head)])})
    assert "4,294,967,293 rows" in _issue(tmp_path / "wrap.xls", data, "file-too-large").message


def test_an_ordinary_declared_area_is_fine(tmp_path: Path) -> None:
    head = dimensions(0, 65_536, 0, 20)  # the whole height of an .xls sheet, 20 columns
    data = ole_file({"Workbook": workbook_stream([Sheet("R", [number(9, 3, 1)], head)])})
    assert isinstance(_read(tmp_path / "tall.xls", data), Workbook)


def test_shared_text_is_counted_once_per_cell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "MAX_TEXT_CHARS", 10 * LONG)
    fits = repeated_string(tmp_path / "ten.xls", 10)
    assert isinstance(read_workbook(fits), Workbook)
    over = repeated_string(tmp_path / "eleven.xls", 11)
    issue = _issue(over, over.read_bytes(), "file-too-large")
    assert f"more than {10 * LONG:,} characters of text" in issue.message


def test_the_default_text_limit_stops_a_string_repeated_in_20000_cells(tmp_path: Path) -> None:
    """1.3 billion characters from a 360 KB file: calamine aborts in a plain process."""
    path = repeated_string(tmp_path / "many.xls", 20_000)
    assert aborts_in_process(path), "calamine no longer copies the string into each cell"
    issue = _issue(path, path.read_bytes(), "file-too-large")
    assert "50,000,000 characters" in issue.message


def test_error_cells_are_noted_at_their_cells(tmp_path: Path) -> None:
    cells = [
        label(0, 0, "km_built"),
        bool_err(0, 1, "#DIV/0!"),
        label(1, 0, "counters"),
        formula_error(1, 1, "#N/A"),
        label(2, 0, "kept"),
        bool_err(2, 1, "#REF!"),
        number(3, 1, 4),
    ]
    data = ole_file({"Workbook": workbook_stream([Sheet("Responses", cells)])})
    assert [row[1] for row in _calamine_cells(data)] == ["", "", "", 4.0]  # errors read empty
    book = _read(tmp_path / "errors.xls", data)
    assert isinstance(book, Workbook)
    assert book.error_cells == {
        ("Responses", "B1"): "#DIV/0!",
        ("Responses", "B2"): "#N/A",
        ("Responses", "B3"): "#REF!",
    }


# ------------------------------------------------------------------------- .xlsx and .ods

_SST_HEAD = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def shared_string_xlsx(
    path: Path, cells: int, cell: bytes = b'<c r="A%d" t="s"><v>0</v></c>'
) -> Path:
    """One 1,000,000-character shared string shown in `cells` cells (a few KB deflated)."""
    sst = _SST_HEAD + b"<si><t>" + b"y" * 1_000_000 + b"</t></si><si><t>short</t></si></sst>"
    rows = b"".join(
        b'<row r="%d">' % r + cell.replace(b"%d", b"%d" % r) + b"</row>"
        for r in range(1, cells + 1)
    )
    return _xlsx(path, _sheet(rows), {"xl/sharedStrings.xml": sst})


def test_an_xlsx_shared_string_counts_once_per_cell(tmp_path: Path) -> None:
    path = shared_string_xlsx(tmp_path / "shared.xlsx", 2_000)
    assert path.stat().st_size < 30 * 1024
    assert aborts_in_process(path), "calamine no longer copies the string into each cell"
    issue = _issue(path, path.read_bytes(), "file-too-large")
    assert "a shared string counting once per cell" in issue.message
    assert "xl/worksheets/sheet1.xml" in issue.message


@pytest.mark.parametrize(
    "cell",
    [
        b'<c r="A%d" t = "s"><v>0</v></c>',  # spaces around "="
        b'<c r="A%d" t="s"><f>A2</f><v>+00</v></c>',  # an element first, the index "+00"
    ],
)
def test_other_forms_of_a_shared_string_cell_count_too(tmp_path: Path, cell: bytes) -> None:
    path = shared_string_xlsx(tmp_path / "shared.xlsx", 60, cell)
    assert _calamine_cells(path.read_bytes())[0][0] == "y" * 1_000_000  # calamine reads it
    _issue(path, path.read_bytes(), "file-too-large")


def test_a_short_shared_string_in_many_cells_is_fine(tmp_path: Path) -> None:
    path = shared_string_xlsx(tmp_path / "short.xlsx", 2_000, b'<c r="A%d" t="s"><v>1</v></c>')
    book = read_workbook(path)
    assert isinstance(book, Workbook) and book.sheet("Responses").rows[1999] == ["short"]


def test_ods_text_in_a_cell_nested_in_a_repeated_cell_counts(tmp_path: Path) -> None:
    """calamine reads a cell's text up to the first cell end: a cell inside it included."""
    cell = (
        '<table:table-cell table:number-columns-repeated="900" office:value-type="string">'
        f"<table:table-cell><text:p>{'z' * 100_000}</text:p></table:table-cell>"
    )
    path = tiny_ods(tmp_path / "nested.ods", f"<table:table-row>{cell}</table:table-row>")
    assert len(_calamine_cells(path.read_bytes())[0][0]) == 100_000
    issue = _issue(path, path.read_bytes(), "file-too-large")
    assert "a repeated cell counting once per copy" in issue.message


def test_repeated_numbers_in_an_ods_are_not_text(tmp_path: Path) -> None:
    cell = (
        '<table:table-cell table:number-columns-repeated="900" office:value-type="float" '
        'office:value="1"/>'
    )
    rows = f'<table:table-row table:number-rows-repeated="2000">{cell}</table:table-row>'
    book = read_workbook(tiny_ods(tmp_path / "numbers.ods", rows))
    assert isinstance(book, Workbook), book


# ------------------------------------------------------------------------- end to end


def _boolerr_instead_of_formula(xls: Path, cell: tuple[int, int]) -> None:
    """Rewrite the FORMULA record at `cell` (0-based row, col) of a LibreOffice .xls as a
    BOOLERR #N/A plus a filler record of the same total size (every offset stays)."""
    data = bytearray(xls.read_bytes())
    target = struct.pack("<HHHH", FORMULA, 0, *cell)
    at = 0
    while True:
        at = data.index(target[:2], at)
        length, row, col = struct.unpack_from("<HHH", data, at + 2)
        if (row, col) == cell and length >= 20:
            break
        at += 1
    replacement = bool_err(*cell, "#N/A") + record(0x0000, b"\x00" * (length - 12))
    assert len(replacement) == 4 + length
    data[at : at + 4 + length] = replacement
    xls.write_bytes(bytes(data))


HOSTILE = {
    "x-two-streams.xls": ("corrupt-file", "more than one workbook stream"),
    "x-offset-inside.xls": ("corrupt-file", "inside another record"),
    "x-declared-rows.xls": ("file-too-large", "268,435,456 rows"),
    "x-repeated-string.xls": ("file-too-large", "50,000,000 characters"),
    "x-shared-string.xlsx": ("file-too-large", "a shared string counting once per cell"),
}


@pytest.fixture
def batch(tmp_path: Path) -> Path:
    """A toy-bike-lanes survey: good .xlsx returns, and every hostile .xls."""
    partners = ["Lyon", "Graz", "Porto", "Bern", "Oslo"]
    root = survey_folder(tmp_path / "survey", partners, questionnaire=TOY, expected_roles=["city"])
    returns = root / "returns"
    answers: dict[str, object] = {"km_built": 12.5, "kept": "Yes", "counters": 4}
    for partner in ("Lyon", "Graz"):
        filled(returns, answers, questionnaire=TOY, partner=partner, name=f"{partner.lower()}.xlsx")
    two_streams(returns / "x-two-streams.xls")
    offset_inside_a_record(returns / "x-offset-inside.xls")
    declared_rows(returns / "x-declared-rows.xls")
    repeated_string(returns / "x-repeated-string.xls", 800)  # 52 million characters
    shared_string_xlsx(returns / "x-shared-string.xlsx", 2_000)
    return root


def _xls_returns(root: Path, work: Path) -> dict[str, Path]:
    """Porto's good .xls, Bern's with #DIV/0! in a formula, Oslo's with a BOOLERR #N/A:
    real files saved by LibreOffice. The xlsx each came from, by name."""
    answers: dict[str, object] = {"km_built": 12.5, "kept": "Yes", "counters": 4}
    sources = {
        "porto.xls": filled(work, answers, questionnaire=TOY, partner="Porto", name="porto.xlsx"),
        "bern.xls": filled(
            work,
            {**answers, "km_built": "=1/0"},
            questionnaire=TOY,
            partner="Bern",
            name="bern.xlsx",
        ),
        "oslo.xls": filled(
            work,
            {**answers, "counters": "=NA()"},
            questionnaire=TOY,
            partner="Oslo",
            name="oslo.xlsx",
        ),
    }
    for name, source in sources.items():
        shutil.copyfile(as_format(source, "xls", work / "lo"), root / "returns" / name)
    _, cell = where(sources["oslo.xls"], "counters")
    row, col = int(cell[1:]) - 1, ord(cell[0]) - ord("A")
    _boolerr_instead_of_formula(root / "returns" / "oslo.xls", (row, col))
    return sources


def _json_validate(root: Path) -> dict[str, object]:
    run = urbsurvey("validate", root, "--format", "json")
    assert_no_crash(run)
    return json.loads(run.stdout)  # type: ignore[no-any-return]


@needs_script
def test_a_batch_with_every_hostile_xls(batch: Path) -> None:
    report = _json_validate(batch)
    status = {f["file"]: f["status"] for f in report["files"]}  # type: ignore[attr-defined]
    assert status["returns/lyon.xlsx"] == status["returns/graz.xlsx"] == "ok"
    messages = {i["file"]: (i["code"], i["message"]) for i in report["issues"]}  # type: ignore[attr-defined]
    for name, (code, words) in HOSTILE.items():
        assert status[f"returns/{name}"] == "unreadable", name
        found_code, message = messages[f"returns/{name}"]
        assert found_code == code and words in message, (name, message)
    human = urbsurvey("validate", batch, env={"COLUMNS": "200"})
    assert_no_crash(human)
    assert "2 ok" in human.stdout
    for name in HOSTILE:
        assert name in human.stdout, name
    assert "inside another record" in human.stdout
    assert "DIMENSIONS" in human.stdout


@needs_script
@needs_soffice
@covers("error-value")
def test_error_values_in_xls_returns_are_issues_at_their_cells(batch: Path, tmp_path: Path) -> None:
    sources = _xls_returns(batch, tmp_path / "work")
    report = _json_validate(batch)
    status = {f["file"]: f["status"] for f in report["files"]}  # type: ignore[attr-defined]
    assert status["returns/porto.xls"] == "ok"
    assert status["returns/bern.xls"] == status["returns/oslo.xls"] == "errors"
    errors = {
        (i["file"], i["sheet"], i["cell"]): i["message"]
        for i in report["issues"]  # type: ignore[attr-defined]
        if i["code"] == "error-value"
    }
    bern = where(sources["bern.xls"], "km_built")
    oslo = where(sources["oslo.xls"], "counters")
    assert errors == {
        ("returns/bern.xls", *bern): "The answer to 'km_built' is the error #DIV/0!, not a value.",
        ("returns/oslo.xls", *oslo): "The answer to 'counters' is the error #N/A, not a value.",
    }
    for name in HOSTILE:
        assert status[f"returns/{name}"] == "unreadable"

"""urbsurvey.reader on real workbooks: openpyxl-written .xlsx, LibreOffice-converted .xls/.ods."""

from __future__ import annotations

import datetime
import io
import shutil
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from urbsurvey.issues import Issue
from urbsurvey.reader import MAX_ROWS, ReadError, Workbook, cell_ref, read_workbook

from .support.convert import convert, requires_soffice

MERGED = (7, 1, 8, 3)  # B8:D9


def _build(path: Path) -> Path:
    """Answers from B3 (rows 1-2 and column A empty), a formula, a link, a merge."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Responses"
    ws["B3"] = "text"
    ws["C3"] = 12
    ws["D3"] = 1.5
    ws["E3"] = datetime.date(2024, 5, 1)
    ws["F3"] = True
    ws["C5"] = "=1+1"  # openpyxl saves no cached result
    ws["C6"] = "='[other.xlsx]Sheet1'!A1"
    ws.merge_cells("B8:D9")
    ws["B8"] = "merged"
    hidden = wb.create_sheet("Stamp")
    hidden.sheet_state = "hidden"
    hidden["A1"] = "stamp"
    wb.save(path)
    return path


def _open(path: Path) -> Workbook:
    wb = read_workbook(path)
    assert not isinstance(wb, Issue), wb
    return wb


class _Files(dict[str, Path]):
    """The workbook as .xlsx; its .xls and .ods copies made by LibreOffice when first asked for."""

    def __missing__(self, fmt: str) -> Path:
        if fmt not in ("xls", "ods") or not shutil.which("soffice"):
            pytest.skip("LibreOffice (soffice) is not installed")
        self[fmt] = convert(self["xlsx"], fmt, self["xlsx"].parent)
        return self[fmt]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("reader")
    return _Files(xlsx=_build(d / "answers.xlsx"))


#: Every format; the LibreOffice-made ones are left out of `make test-fast`.
FORMATS = [
    "xlsx",
    pytest.param("xls", marks=pytest.mark.libreoffice),
    pytest.param("ods", marks=pytest.mark.libreoffice),
]


def test_cell_ref() -> None:
    assert cell_ref(0, 0) == "A1"
    assert cell_ref(11, 2) == "C12"
    assert cell_ref(0, 25) == "Z1"
    assert cell_ref(0, 26) == "AA1"
    assert cell_ref(0, 701) == "ZZ1"
    assert cell_ref(0, 702) == "AAA1"
    assert cell_ref(1048575, 16383) == "XFD1048576"


@pytest.mark.parametrize("fmt", FORMATS)
def test_values_types_and_origin_a1(files: dict[str, Path], fmt: str) -> None:
    wb = _open(files[fmt])
    assert wb.format == fmt
    assert wb.sheet_names == ["Responses", "Stamp"]
    rows = wb.sheet("Responses").rows
    # Origin A1 although the first filled cell is B3; empty cells are None.
    assert rows[0][0] is None and rows[1][1] is None and rows[2][0] is None
    text, number, real, date, flag = rows[2][1:6]
    assert text == "text"
    assert number == 12 and type(number) is int  # whole numbers read as int everywhere
    assert real == 1.5 and type(real) is float
    assert date == datetime.date(2024, 5, 1)
    # LibreOffice has no boolean cell type: in .ods a TRUE is the number 1 (with a
    # boolean format), so only the Excel formats give a bool back.
    assert flag is True if fmt != "ods" else flag == 1
    assert rows[7][1] == "merged"


@pytest.mark.parametrize("fmt", FORMATS)
def test_hidden_sheet_and_merged_ranges(files: dict[str, Path], fmt: str) -> None:
    wb = _open(files[fmt])
    responses, stamp = wb.sheet("Responses"), wb.sheet("Stamp")
    assert responses.visible is True
    assert stamp.visible is False
    assert stamp.rows == [["stamp"]]
    assert responses.merged == [MERGED]


def test_sheets_are_read_lazily_and_cached(files: dict[str, Path]) -> None:
    wb = _open(files["xlsx"])
    assert wb._cache == {}
    first = wb.sheet("Responses")
    assert list(wb._cache) == ["Responses"]
    assert wb.sheet("Responses") is first
    with pytest.raises(KeyError):
        wb.sheet("No such sheet")


def test_formula_without_cached_value_and_external_link_xlsx(files: dict[str, Path]) -> None:
    wb = _open(files["xlsx"])
    assert ("Responses", "C5") in wb.formulas_without_value
    assert wb.external_link_cells == {("Responses", "C6")}
    assert wb.has_external_links is True
    assert wb.sheet("Responses").rows[4][2] is None  # nothing computed, nothing fetched


@requires_soffice
def test_libreoffice_saves_results_and_keeps_links(files: dict[str, Path]) -> None:
    xls, ods = _open(files["xls"]), _open(files["ods"])
    for wb in (xls, ods):
        assert wb.formulas_without_value == set()  # LibreOffice computed =1+1
        assert wb.sheet("Responses").rows[4][2] == 2
        assert wb.has_external_links is True
    assert ods.external_link_cells == {("Responses", "C6")}
    assert xls.external_link_cells == set()  # xls: only "there are links"


@requires_soffice
def test_format_is_decided_by_content_not_name(files: dict[str, Path], tmp_path: Path) -> None:
    as_ods = tmp_path / "really-xlsx.ods"
    shutil.copy(files["xlsx"], as_ods)
    as_xlsx = tmp_path / "really-xls.xlsx"
    shutil.copy(files["xls"], as_xlsx)
    no_ext = tmp_path / "really-ods"
    shutil.copy(files["ods"], no_ext)
    for path, fmt in ((as_ods, "xlsx"), (as_xlsx, "xls"), (no_ext, "ods")):
        wb = _open(path)
        assert wb.format == fmt
        assert wb.sheet("Responses").rows[2][1] == "text"


def _rezip(src: Path, dst: Path, replace: dict[str, bytes], drop: tuple[str, ...] = ()) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename not in drop:
                zout.writestr(info.filename, replace.pop(info.filename, zin.read(info)))
        for name, data in replace.items():
            zout.writestr(name, data)
    return dst


def test_xlsm_has_macros(files: dict[str, Path], tmp_path: Path) -> None:
    src = files["xlsx"]
    with zipfile.ZipFile(src) as z:
        types = z.read("[Content_Types].xml")
    types = types.replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    xlsm = _rezip(
        src,
        tmp_path / "macros.xlsx",  # the name says xlsx; the content says xlsm
        {"[Content_Types].xml": types, "xl/vbaProject.bin": b"\xd0\xcf\x11\xe0not run"},
    )
    wb = _open(xlsm)
    assert wb.format == "xlsm"
    assert wb.has_macros is True
    assert wb.sheet("Responses").rows[2][1] == "text"
    assert _open(src).has_macros is False


_HEAD = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def _with_sheet(files: dict[str, Path], tmp_path: Path, sheet_data: bytes) -> Path:
    sheet = _HEAD + sheet_data + b"</worksheet>"
    return _rezip(files["xlsx"], tmp_path / "edited.xlsx", {"xl/worksheets/sheet1.xml": sheet})


def test_a_huge_dimension_hint_or_far_empty_styled_cell_is_fine(
    files: dict[str, Path], tmp_path: Path
) -> None:
    """The real cells decide, not the <dimension> hint nor empty styled cells."""
    path = _with_sheet(
        files,
        tmp_path,
        b'<dimension ref="A1:XFD1048576"/><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
        b'<row r="3"><c r="C3"><v>5</v></c></row>'
        b'<row r="1048576"><c r="XFD1048576" s="1"/></row></sheetData>',
    )
    assert _open(path).sheet("Responses").rows == [["x", None, None], [None] * 3, [None, None, 5]]


def test_cells_without_references_are_placed_in_order(
    files: dict[str, Path], tmp_path: Path
) -> None:
    path = _with_sheet(
        files,
        tmp_path,
        b'<sheetData><row><c t="inlineStr"><is><t>a</t></is></c><c><v>2</v></c></row>'
        b'<row r="3"><c r="B3"><f>1+1</f></c></row></sheetData>',
    )
    wb = _open(path)
    assert wb.sheet("Responses").rows == [["a", 2]]  # B3 has no value: not a cell
    assert wb.formulas_without_value == {("Responses", "B3")}


def test_a_long_sheet_within_the_limits_is_read(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    for i in range(1, 2501):
        ws.cell(i, 1, f"q{i}")
        ws.cell(i, 3, i)
    ws.cell(10, 700, "far right")  # 2,500 x 700 cells: under MAX_CELLS
    path = tmp_path / "long.xlsx"
    wb.save(path)
    rows = _open(path).sheet(ws.title).rows
    assert len(rows) == 2500 < MAX_ROWS
    assert rows[2499][2] == 2500
    assert rows[9][699] == "far right"


def test_shared_formula_external_refs_follow_the_master(
    files: dict[str, Path], tmp_path: Path
) -> None:
    path = _with_sheet(
        files,
        tmp_path,
        b'<sheetData><row r="1">'
        b'<c r="A1"><f t="shared" ref="A1:B1" si="0">[1]Sheet1!A1</f><v>3</v></c>'
        b'<c r="B1"><f t="shared" si="0"/><v>4</v></c>'
        b'<c r="C1"><f>SUM(Table1[Amount])+Sheet2!A1</f><v>5</v></c>'
        b'<c r="D1" t="str"><f>""</f><v></v></c>'
        b"</row></sheetData>",
    )
    wb = _open(path)
    assert wb.external_link_cells == {("Responses", "A1"), ("Responses", "B1")}
    assert wb.formulas_without_value == set()  # D1: Excel's saved empty-text result


def test_sheet_damaged_only_inside_raises_read_error(
    files: dict[str, Path], tmp_path: Path
) -> None:
    """The workbook opens; the broken sheet raises ReadError, the other still reads."""
    sheet = _HEAD + b'<sheetData><row r="1"><c r="A1"><v>1</v></c></row>'
    path = _rezip(files["xlsx"], tmp_path / "cut.xlsx", {"xl/worksheets/sheet1.xml": sheet})
    wb = _open(path)
    with pytest.raises(ReadError) as caught:
        wb.sheet("Responses")
    issue = caught.value.issue
    assert issue.code == "corrupt-file"
    assert issue.sheet == "Responses"
    assert str(path) in issue.message
    assert wb.sheet("Stamp").rows == [["stamp"]]


def test_display_name_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"")
    issue = read_workbook(path, display_name="Lisbon/answers.xlsx")
    assert isinstance(issue, Issue)
    assert issue.file == "Lisbon/answers.xlsx"
    assert "Lisbon/answers.xlsx" in issue.message


def test_calamine_gets_the_checked_parts_stored(
    files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parts inflated by the checks reach calamine stored, byte for byte (a sheet with
    a copy of its merged ranges after its root tag); the others as they were; every
    member, in order, under its own name."""
    from urbsurvey.reader import xlsx
    from urbsurvey.reader.model import _Scan
    from urbsurvey.reader.packages import _check_zip

    monkeypatch.setattr(xlsx, "_MERGED_FIRST_MIN_BYTES", 0)  # the fixture's sheets are small

    data = files["xlsx"].read_bytes()
    fmt, for_calamine = _check_zip(data, "answers.xlsx", _Scan())
    assert fmt == "xlsx"
    copied = 0
    with (
        zipfile.ZipFile(io.BytesIO(data)) as before,
        zipfile.ZipFile(io.BytesIO(for_calamine)) as after,
    ):
        assert after.namelist() == before.namelist()
        for info in after.infolist():
            content, original = after.read(info), before.read(info.filename)  # CRC checked
            if content != original:
                root = original.index(b">", original.index(b"<worksheet")) + 1
                copy = content[root : root + len(content) - len(original)]
                assert content == original[:root] + copy + original[root:]
                assert copy.startswith(b"<mergeCells") and copy in original
                copied += 1
        assert copied == 1  # the answers sheet: the template merges its title rows
        sheet = after.getinfo("xl/worksheets/sheet1.xml")
        assert sheet.compress_type == zipfile.ZIP_STORED


def test_a_package_zipfile_must_read_reaches_calamine_unchanged(
    files: dict[str, Path], tmp_path: Path
) -> None:
    """A zip comment sends the directory to zipfile: no copy is made, all still reads."""
    from urbsurvey.reader.model import _Scan
    from urbsurvey.reader.packages import _check_zip

    path = tmp_path / "commented.xlsx"
    with zipfile.ZipFile(files["xlsx"]) as zin, zipfile.ZipFile(path, "w") as zout:
        for info in zin.infolist():
            zout.writestr(info, zin.read(info))
        zout.comment = b"a comment"
    data = path.read_bytes()
    assert _check_zip(data, "x", _Scan())[1] is data
    assert _open(path).sheet("Responses").rows[2][1] == "text"


def test_members_with_data_descriptors_are_read(files: dict[str, Path]) -> None:
    """Written to a stream, zipfile puts sizes after the data (flag bit 3)."""

    class Stream(io.RawIOBase):
        def __init__(self) -> None:
            self.chunks: list[bytes] = []

        def writable(self) -> bool:
            return True

        def write(self, b: Any) -> int:
            self.chunks.append(bytes(b))
            return len(b)

    stream = Stream()
    with zipfile.ZipFile(files["xlsx"]) as zin, zipfile.ZipFile(stream, "w") as zout:
        for info in zin.infolist():
            with zout.open(info.filename, "w") as member:
                member.write(zin.read(info))
    data = b"".join(stream.chunks)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert all(info.flag_bits & 0x8 for info in z.infolist())
    path = files["xlsx"].parent / "descriptors.xlsx"
    path.write_bytes(data)
    wb = _open(path)
    assert wb.sheet("Responses").rows[2][1] == "text"
    assert wb.external_link_cells == {("Responses", "C6")}


def test_formula_prefilter(files: dict[str, Path], tmp_path: Path) -> None:
    """A data validation's <formula1> is no formula cell; a prefixed <x:f> still is."""
    validation = (
        b'<dataValidations count="1"><dataValidation type="list" sqref="C1">'
        b"<formula1>Lists!$A$1:$A$3</formula1></dataValidation></dataValidations>"
    )
    path = _with_sheet(
        files,
        tmp_path,
        b'<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData>' + validation,
    )
    assert _open(path).formulas_without_value == set()
    path = _with_sheet(
        files,
        tmp_path,
        b'<sheetData xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<row r="1"><c r="A1"><x:f>1+1</x:f></c></row></sheetData>' + validation,
    )
    assert _open(path).formulas_without_value == {("Responses", "A1")}


def _with_crc(src: Path, dst: Path, member: str, crc: int) -> Path:
    """A copy whose central directory declares `crc` for `member` (its bytes unchanged)."""
    data = bytearray(src.read_bytes())
    pos = data.find(b"PK\x01\x02")
    while pos >= 0:
        name_len = int.from_bytes(data[pos + 28 : pos + 30], "little")
        if data[pos + 46 : pos + 46 + name_len] == member.encode():
            data[pos + 16 : pos + 20] = crc.to_bytes(4, "little")
        pos = data.find(b"PK\x01\x02", pos + 46)
    dst.write_bytes(bytes(data))
    return dst


def test_workbooks_sharing_parts_byte_for_byte_each_report_their_own_findings(
    files: dict[str, Path], tmp_path: Path
) -> None:
    """A batch's identical parts are inflated and scanned once: every workbook still says
    what its sheets hold, under its own sheet names, and a damaged copy is still refused."""
    src = files["xlsx"]
    for path in (src, Path(shutil.copy(src, tmp_path / "copy.xlsx")), src):
        wb = _open(path)
        assert ("Responses", "C5") in wb.formulas_without_value
        assert ("Responses", "C6") in wb.external_link_cells
        assert wb.sheet("Responses").rows[2][1] == "text"
    with zipfile.ZipFile(src) as z:
        listing = z.read("xl/workbook.xml").replace(b'name="Responses"', b'name="Answers"')
        crc = z.getinfo("xl/worksheets/sheet1.xml").CRC
    renamed = _open(_rezip(src, tmp_path / "renamed.xlsx", {"xl/workbook.xml": listing}))
    assert ("Answers", "C5") in renamed.formulas_without_value
    assert ("Responses", "C5") not in renamed.formulas_without_value
    damaged = read_workbook(
        _with_crc(src, tmp_path / "damaged.xlsx", "xl/worksheets/sheet1.xml", crc ^ 1)
    )
    assert isinstance(damaged, Issue) and damaged.code == "corrupt-file"
    assert "damaged (size or checksum)" in damaged.message

"""urbsurvey.reader on broken and crafted files: an Issue back, never an exception.

Every test checks the issue code, that the message names the file, that
`read_workbook` returned (did not raise) and that the input file is unchanged.

tests/fixtures/encrypted.{xlsx,xls,ods} are tiny password-protected copies (password
"secret") of a two-cell workbook: the .xls and .ods saved by LibreOffice 7.4 through
UNO (storeToURL with a Password), the .xlsx (Agile encryption, an OLE container with
EncryptionInfo/EncryptedPackage streams) by msoffcrypto-tool, as LibreOffice 7.4 does
not encrypt .xlsx from the command line.
"""

from __future__ import annotations

import hashlib
import io
import resource
import struct
import time
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
import python_calamine

from urbsurvey import reader
from urbsurvey.issues import Issue
from urbsurvey.reader import ReadError, Workbook, ods, read_workbook, xlsx

from .support.convert import convert, requires_soffice

FIXTURES = Path(__file__).parent / "fixtures"
MB = 1024 * 1024


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _cells_text(result: Workbook | Issue) -> str:
    if isinstance(result, Issue):
        return result.message
    return repr([result.sheet(n).rows for n in result.sheet_names])


def _hostile(path: Path, code: str, *, display_name: str | None = None) -> Issue:
    before = _sha(path)
    try:
        result = read_workbook(path, display_name=display_name)
    except Exception as exc:  # the point of these tests
        pytest.fail(f"read_workbook raised {exc!r} instead of returning an issue")
    assert isinstance(result, Issue), f"expected {code}, read a workbook: {result}"
    assert result.code == code, result
    name = display_name or str(path)
    assert result.file == name
    assert name in result.message
    assert _sha(path) == before, "the input file was changed"
    return result


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


# --- Building packages by hand -----------------------------------------------------------

_TYPES = (
    b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
    b'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.spreadsheetml.sheet.main+xml"/></Types>'
)
_ROOT_RELS = (
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="Responses" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WB_RELS = (
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
_SHEET_HEAD = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def _sheet(rows: bytes) -> bytes:
    return _SHEET_HEAD + b"<sheetData>" + rows + b"</sheetData></worksheet>"


def _xlsx_parts(sheet: bytes, extra: dict[str, bytes] | None = None) -> dict[str, bytes]:
    parts = {
        "[Content_Types].xml": _TYPES,
        "_rels/.rels": _ROOT_RELS,
        "xl/workbook.xml": _WORKBOOK,
        "xl/_rels/workbook.xml.rels": _WB_RELS,
        "xl/worksheets/sheet1.xml": sheet,
    }
    parts.update(extra or {})
    return parts


def _zip(path: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def _xlsx(path: Path, sheet: bytes, extra: dict[str, bytes] | None = None) -> Path:
    return _zip(path, _xlsx_parts(sheet, extra))


def _raw_zip(path: Path, members: list[tuple[str, bytes, int, int]]) -> Path:
    """A zip from (name, deflated stream, declared size, crc), sizes as given."""
    out = io.BytesIO()
    central = b""
    for name, stream, size, crc in members:
        offset = out.tell()
        fields = (20, 0, 8, 0, 0x21, crc, len(stream), size, len(name), 0)
        out.write(struct.pack("<4s5H3I2H", b"PK\x03\x04", *fields) + name.encode() + stream)
        central += (
            struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, *fields, 0, 0, 0, 0, offset)
            + name.encode()
        )
    cd_offset = out.tell()
    out.write(central)
    out.write(
        struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, len(members), len(members),
                    len(central), cd_offset, 0)
    )  # fmt: skip
    path.write_bytes(out.getvalue())
    return path


def _deflated(data: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def _zeros_stream(mib: int) -> bytes:
    """A raw deflate stream of `mib` MiB of zeros, built without inflating anything."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(b"\0" * MB) + c.flush(zlib.Z_FULL_FLUSH)  # self-contained block
    return block * mib + b"\x03\x00"  # ... then an empty final block


def _normal_members(sheet: bytes | None = None) -> list[tuple[str, bytes, int, int]]:
    parts = _xlsx_parts(sheet or _sheet(b'<row r="1"><c r="A1"><v>1</v></c></row>'))
    return [(n, _deflated(d), len(d), zlib.crc32(d)) for n, d in parts.items()]


# --- Not a workbook ------------------------------------------------------------------------


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "answers.xlsx"
    path.write_bytes(b"")
    _hostile(path, "empty-file")
    path.write_bytes(b"  \r\n\x00")
    _hostile(path, "empty-file", display_name="Gdansk/answers.xlsx")


def test_csv_renamed_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "answers.xlsx"
    path.write_text("ID;Answer\nq1;yes\nq2;12\n", encoding="utf-8")
    assert "CSV or text" in _hostile(path, "not-a-spreadsheet").message


def test_pdf_renamed_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "answers.xlsx"
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    assert "PDF" in _hostile(path, "not-a-spreadsheet").message


def test_html_and_binary_renamed_xls(tmp_path: Path) -> None:
    page = tmp_path / "export.xls"
    page.write_bytes(b"<!DOCTYPE html><html><body><table><tr><td>1</td></tr></table>")
    assert "web page" in _hostile(page, "not-a-spreadsheet").message
    blob = tmp_path / "blob.xls"
    blob.write_bytes(bytes(range(256)) * 4)
    _hostile(blob, "not-a-spreadsheet")


def test_zip_without_a_workbook(tmp_path: Path) -> None:
    plain = _zip(tmp_path / "answers.xlsx", {"notes.txt": b"hello"})
    assert "zip archive without a workbook" in _hostile(plain, "not-a-spreadsheet").message
    word = _zip(tmp_path / "letter.xlsx", {"[Content_Types].xml": _TYPES,
                                           "word/document.xml": b"<w:document/>"})  # fmt: skip
    assert "Word" in _hostile(word, "not-a-spreadsheet").message


def test_excel_package_missing_its_workbook_part(tmp_path: Path) -> None:
    parts = _xlsx_parts(_sheet(b""))
    del parts["xl/workbook.xml"]
    path = _zip(tmp_path / "answers.xlsx", parts)
    assert "xl/workbook.xml" in _hostile(path, "corrupt-file").message


def test_xlsb_is_not_accepted(tmp_path: Path) -> None:
    path = _zip(tmp_path / "answers.xlsx", {"[Content_Types].xml": _TYPES,
                                            "xl/workbook.bin": b"\x83\x01\x00"})  # fmt: skip
    assert ".xlsb" in _hostile(path, "not-a-spreadsheet").message


def test_parts_differing_only_in_case(tmp_path: Path) -> None:
    """calamine finds parts ignoring case: two such parts make the reading ambiguous."""
    parts = _xlsx_parts(_sheet(b'<row r="1"><c r="A1"><v>1</v></c></row>'))
    parts["XL/Worksheets/Sheet1.xml"] = _far_sheet(b'<row r="9"><c r="XFD9"><v>1</v></c></row>')
    _hostile(_zip(tmp_path / "answers.xlsx", parts), "corrupt-file")


def test_ods_without_its_mimetype(tmp_path: Path) -> None:
    good = _ods(tmp_path / "good.ods", b"<table:table-row>" + _ODS_CELL + b"</table:table-row>")
    with zipfile.ZipFile(good) as z:
        parts = {i.filename: z.read(i) for i in z.infolist() if i.filename != "mimetype"}
    manifest = parts["META-INF/manifest.xml"]
    assert b"opendocument.spreadsheet" in manifest
    _hostile(_zip(tmp_path / "answers.ods", parts), "corrupt-file")


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "gone.xlsx"
    issue = read_workbook(path)
    assert isinstance(issue, Issue) and issue.code == "corrupt-file"
    assert str(path) in issue.message


@requires_soffice
def test_office_file_without_a_workbook_stream(tmp_path: Path) -> None:
    """An OLE file like .xls but without the Workbook stream (a Word .doc, say)."""
    xls = convert(_real_xlsx(tmp_path / "full.xlsx"), "xls", tmp_path)
    data = xls.read_bytes()
    name = "Workbook".encode("utf-16-le")
    assert data.count(name) == 1
    path = tmp_path / "letter.xls"
    path.write_bytes(data.replace(name, "Document".encode("utf-16-le")))
    assert "without a workbook" in _hostile(path, "not-a-spreadsheet").message


# --- Damaged ---------------------------------------------------------------------------------


def _real_xlsx(path: Path) -> Path:
    wb = openpyxl.Workbook()
    wb.active.title = "Responses"
    for i in range(1, 40):
        wb.active.cell(i, 1, f"q{i}")
        wb.active.cell(i, 2, f"answer number {i}")
    wb.save(path)
    return path


def test_truncated_zip(tmp_path: Path) -> None:
    data = _real_xlsx(tmp_path / "full.xlsx").read_bytes()
    path = tmp_path / "answers.xlsx"
    path.write_bytes(data[: len(data) // 2])
    _hostile(path, "corrupt-file")


@requires_soffice
def test_truncated_xls(tmp_path: Path) -> None:
    xls = convert(_real_xlsx(tmp_path / "full.xlsx"), "xls", tmp_path)
    path = tmp_path / "answers.xls"
    path.write_bytes(xls.read_bytes()[: xls.stat().st_size // 2])
    _hostile(path, "corrupt-file")


def test_malformed_styles_part(tmp_path: Path) -> None:
    # calamine parses xl/styles.xml when it opens the workbook (number formats tell
    # dates from numbers), so garbage there is a corrupt workbook, not ignored.
    src = _real_xlsx(tmp_path / "full.xlsx")
    with zipfile.ZipFile(src) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    parts["xl/styles.xml"] = b"<styleSheet><numFmts><numFmt numFmtId='1' \x00garbage<<"
    _hostile(_zip(tmp_path / "answers.xlsx", parts), "corrupt-file")


def test_two_workbook_kinds_in_one_package(tmp_path: Path) -> None:
    parts = _xlsx_parts(_sheet(b'<row r="1"><c r="A1"><v>1</v></c></row>'))
    parts = {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", **parts}
    parts["content.xml"] = b"<office:document-content/>"
    _hostile(_zip(tmp_path / "answers.xlsx", parts), "corrupt-file")


# --- XML attacks -----------------------------------------------------------------------------

_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" '
    b'uniqueCount="1"><si><t>&lol9;</t></si></sst>'
)
_STRING_CELL = _sheet(b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>')


def test_billion_laughs_in_shared_strings(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "answers.xlsx", _STRING_CELL, {"xl/sharedStrings.xml": _LAUGHS})
    peak, start = _peak_mb(), time.perf_counter()
    issue = _hostile(path, "corrupt-file")  # quick-xml reports the unknown entity
    assert time.perf_counter() - start < 2
    assert _peak_mb() - peak < 200
    assert "lollol" not in issue.message


def test_external_entity_is_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-PARTNER-DATA-4711", encoding="utf-8")
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY xxe SYSTEM "'
        + secret.as_uri().encode()
        + b'">]><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        b'count="1" uniqueCount="1"><si><t>&xxe;</t></si></sst>'
    )
    in_strings = _xlsx(tmp_path / "a.xlsx", _STRING_CELL, {"xl/sharedStrings.xml": xxe})
    in_sheet = _xlsx(
        tmp_path / "b.xlsx",
        xxe.split(b"<sst")[0]
        + _sheet(b'<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row>'),
    )
    for path in (in_strings, in_sheet):
        issue = _hostile(path, "corrupt-file")
        assert "TOP-SECRET" not in _cells_text(issue)


# --- Too large -------------------------------------------------------------------------------


def test_zip_bomb_member(tmp_path: Path) -> None:
    """A sheet part declaring 1 GiB of zeros (about 1 MB on disk): refused unread."""
    bomb = _zeros_stream(1024)
    members = [m for m in _normal_members() if m[0] != "xl/worksheets/sheet1.xml"]
    members.append(("xl/worksheets/sheet1.xml", bomb, 1024 * MB, 0))
    path = _raw_zip(tmp_path / "answers.xlsx", members)
    assert path.stat().st_size < 2 * MB
    peak, start = _peak_mb(), time.perf_counter()
    issue = _hostile(path, "file-too-large")
    assert time.perf_counter() - start < 1
    assert _peak_mb() - peak < 200
    assert "zip bomb" in issue.message


def test_member_inflating_past_its_declared_size(tmp_path: Path) -> None:
    """The directory says 10 KB, the stream holds 64 MiB: inflating stops at 10 KB."""
    members = _normal_members()
    members.append(("xl/sharedStrings.xml", _zeros_stream(64), 10_000, 0))
    path = _raw_zip(tmp_path / "answers.xlsx", members)
    start = time.perf_counter()
    assert "declared size" in _hostile(path, "file-too-large").message
    assert time.perf_counter() - start < 1


def test_xml_parts_too_large_in_total(tmp_path: Path) -> None:
    members = _normal_members()
    junk = bytes(range(256)) * 8 * 1024  # 2 MB; the directory claims 150 MB (75:1)
    members.append(("xl/sharedStrings.xml", junk, 150 * MB, 0))
    _hostile(_raw_zip(tmp_path / "answers.xlsx", members), "file-too-large")


def test_too_many_members(tmp_path: Path) -> None:
    parts = _xlsx_parts(_sheet(b""))
    parts.update({f"xl/media/image{i}.png": b"" for i in range(reader.MAX_MEMBERS)})
    _hostile(_zip(tmp_path / "answers.xlsx", parts), "file-too-large")


def test_file_too_large_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "answers.xlsx"
    with path.open("wb") as f:
        f.write(b"PK\x03\x04")
        f.truncate(reader.MAX_FILE_BYTES + 1)  # sparse: nothing big is written
    _hostile(path, "file-too-large")


def _far_sheet(far_cell: bytes) -> bytes:
    return _sheet(b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>' + far_cell)


@pytest.mark.parametrize(
    "far_cell",
    [
        b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
        # A ">" inside a quoted attribute value must not hide the reference after it.
        b'<row r="1048576"><c foo="x/>" r="XFD1048576"><v>1</v></c></row>',
        # No reference at all: the position comes from the row.
        b'<row r="1048576"><c><v>1</v></c></row>',
        # Prefixed elements (allowed by XML namespaces).
        b'<x:row xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        b'r="5"><x:c r="XFD5"><x:v>1</x:v></x:c></x:row>',
    ],
    ids=["plain", "quoted-gt", "implicit", "prefixed"],
)
def test_absurd_dimensions_xlsx(tmp_path: Path, far_cell: bytes) -> None:
    """Cells at A1 and XFD1048576 would make calamine allocate 17 billion cells."""
    path = _xlsx(tmp_path / "answers.xlsx", _far_sheet(far_cell))
    assert path.stat().st_size < 2500  # about 2 KB
    peak, start = _peak_mb(), time.perf_counter()
    issue = _hostile(path, "file-too-large")
    assert time.perf_counter() - start < 1
    assert _peak_mb() - peak < 200
    assert issue.sheet == "Responses"


def _ods(path: Path, table_rows: bytes) -> Path:
    content = (
        b'<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        b'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        b'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3">'
        b'<office:body><office:spreadsheet><table:table table:name="Responses">'
        + table_rows
        + b"</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        b'<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        b'<manifest:file-entry manifest:full-path="/" manifest:media-type="application/'
        b'vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet",
                   compress_type=zipfile.ZIP_STORED)  # fmt: skip
        z.writestr("META-INF/manifest.xml", manifest)
        z.writestr("content.xml", content)
    return path


_ODS_CELL = b'<table:table-cell office:value-type="float" office:value="1"/>'
_ODS_TRAILING = (
    b'<table:table-row table:number-rows-repeated="1048570">'
    b'<table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
)


def test_ods_trailing_empty_repeats_are_fine(tmp_path: Path) -> None:
    rows = (
        b"<table:table-row>" + _ODS_CELL
        + b'<table:table-cell table:number-columns-repeated="16383"/></table:table-row>'
        + _ODS_TRAILING
    )  # fmt: skip
    wb = read_workbook(_ods(tmp_path / "answers.ods", rows))
    assert isinstance(wb, Workbook)
    assert wb.sheet("Responses").rows == [[1]]


@pytest.mark.parametrize(
    "rows",
    [
        # A filled cell repeated across every column of a million rows.
        b'<table:table-row table:number-rows-repeated="1048576">'
        b'<table:table-cell office:value-type="float" office:value="1" '
        b'table:number-columns-repeated="16384"/></table:table-row>',
        # A decoy repeat inside another attribute's quoted value.
        b"<table:table-row><table:table-cell table:style-name='a table:number-columns-"
        b'repeated="1"\' office:value-type="float" office:value="1" '
        b'table:number-columns-repeated="100000000"/></table:table-row>',
        # Empty rows between two filled ones are real rows.
        b"<table:table-row>" + _ODS_CELL + b"</table:table-row>"
        b'<table:table-row table:number-rows-repeated="5000000"><table:table-cell/>'
        b"</table:table-row><table:table-row>" + _ODS_CELL + b"</table:table-row>",
    ],
    ids=["repeated", "decoy", "rows-between"],
)
def test_absurd_dimensions_ods(tmp_path: Path, rows: bytes) -> None:
    path = _ods(tmp_path / "answers.ods", rows + _ODS_TRAILING)
    peak, start = _peak_mb(), time.perf_counter()
    _hostile(path, "file-too-large")
    assert time.perf_counter() - start < 1
    assert _peak_mb() - peak < 200


@requires_soffice
def test_absurd_dimensions_xls(tmp_path: Path) -> None:
    """xls allows 65,536 x 256 cells; calamine reads every sheet when it opens the file
    (A1 plus IV65536 cost it about 1 GB and 3 s), so the BIFF records are bounded first."""
    wb = openpyxl.Workbook()
    wb.active.title = "Responses"
    wb.active["A1"] = "x"
    wb.active["IV65536"] = 1
    wb.save(tmp_path / "far.xlsx")
    path = convert(tmp_path / "far.xlsx", "xls", tmp_path)
    peak, start = _peak_mb(), time.perf_counter()
    issue = _hostile(path, "file-too-large")
    assert time.perf_counter() - start < 1
    assert _peak_mb() - peak < 200
    assert "IV65536" in issue.message


# --- Encrypted -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["encrypted.xlsx", "encrypted.xls", "encrypted.ods"])
def test_password_protected(name: str) -> None:
    issue = _hostile(FIXTURES / name, "encrypted-file")
    assert "ask the partner for an unprotected copy" in issue.hint


# --- calamine failing in any way -------------------------------------------------------------


class PanicException(BaseException):
    """Stands for pyo3_runtime.PanicException (a Rust panic), a BaseException."""


class _Exploding:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc

    def from_filelike(self, *args: object, **kwargs: object) -> None:
        raise self.exc

    from_path = from_filelike


def test_a_panic_in_calamine_is_an_issue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _real_xlsx(tmp_path / "answers.xlsx")
    monkeypatch.setattr(
        python_calamine, "CalamineWorkbook", _Exploding(PanicException("index out of bounds"))
    )
    assert "PanicException" in _hostile(path, "corrupt-file").message


@pytest.mark.parametrize("exc", [KeyboardInterrupt(), SystemExit(3)])
def test_interrupts_still_propagate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exc: BaseException
) -> None:
    path = _real_xlsx(tmp_path / "answers.xlsx")
    monkeypatch.setattr(python_calamine, "CalamineWorkbook", _Exploding(exc))
    with pytest.raises(type(exc)):
        read_workbook(path)


def test_a_panic_reading_a_sheet_is_a_read_error(tmp_path: Path) -> None:
    path = _real_xlsx(tmp_path / "answers.xlsx")
    wb = read_workbook(path)
    assert isinstance(wb, Workbook)

    class Book:
        def get_sheet_by_name(self, name: str) -> None:
            raise PanicException("attempt to subtract with overflow")

    wb._book = Book()
    with pytest.raises(ReadError) as caught:
        wb.sheet("Responses")
    assert caught.value.issue.code == "corrupt-file"
    assert str(path) in caught.value.issue.message


@pytest.mark.parametrize("chunk", [1, 7, 64, 1024 * 1024])
def test_ods_scan_in_chunks_reads_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    """content.xml is scanned a chunk at a time, cut at a "<": no chunk size changes
    what is found, and a tag left open is still malformed."""
    monkeypatch.setattr(ods, "_ODS_CHUNK", chunk)
    spanned = (
        b'<table:table-row><table:table-cell office:value-type="string" '
        b'table:number-columns-spanned="2" table:number-rows-spanned="1"><text:p>a &gt; b'
        b"</text:p></table:table-cell><table:covered-table-cell/>"
        b'<table:table-cell table:formula="of:=1+1"/></table:table-row>'
    )
    wb = read_workbook(_ods(tmp_path / "answers.ods", spanned + _ODS_TRAILING))
    assert isinstance(wb, Workbook)
    assert wb.sheet("Responses").merged == [(0, 0, 0, 1)]
    assert wb.formulas_without_value == {("Responses", "C1")}
    far = (
        b'<table:table-row table:number-rows-repeated="1048576">'
        + _ODS_CELL[:-2]
        + (b' table:number-columns-repeated="16384"/></table:table-row>')
    )
    _hostile(_ods(tmp_path / "far.ods", far + _ODS_TRAILING), "file-too-large")
    open_tag = b"<table:table-row>" + _ODS_CELL[:-2] + b"<text:p>x</text:p></table:table-row>"
    _hostile(_ods(tmp_path / "open.ods", open_tag), "corrupt-file")


# --- Sheets handed to calamine with a copy of their merged ranges first (xlsx._merged_first) ---

_CELLS = b'<row r="1"><c r="A1" t="inlineStr"><is><t>a</t></is></c><c r="B1"><v>2</v></c></row>'
_DATA = b"<sheetData>" + _CELLS + b"</sheetData>"
_MERGED = b'<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells>'
_MERGED_2 = _MERGED.replace(b"A1:B1", b"A1:A2")
_AFTER = b'<pageMargins left="0.5" right="0.5" top="1" bottom="1" header="0.5" footer="0.5"/>'
_CHECKS = (
    b'<dataValidations count="1"><dataValidation type="list" sqref="C6"><formula1>'
    b"=Lists!$A$2:$A$3</formula1></dataValidation></dataValidations>"
)


def _ws(*pieces: bytes, end: bytes = b"</worksheet>") -> bytes:
    return _SHEET_HEAD + b"".join(pieces) + end


@pytest.mark.parametrize(
    "sheet",
    [
        _ws(_DATA, _MERGED, _AFTER),
        _ws(_DATA, _CHECKS, _MERGED, _AFTER),
        _ws(_DATA, _AFTER),
        _ws(_DATA, b"<mergeCells/>"),
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + _ws(_DATA, _MERGED),
        # a comment or CDATA where merged ranges seem to be; a processing instruction
        _ws(b"<!-- ", _MERGED, b" -->", _DATA, _MERGED_2),
        _ws(b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[', _MERGED,
            b"]]></t></is></c></row></sheetData>"),
        _ws(_DATA, b"<?pi ", _MERGED, b"?>"),
        # what only the merged-ranges pass reads is damaged: calamine refuses the sheet
        _ws(_DATA, b'<pageMargins left="0.5/>', _MERGED),
        _ws(_DATA, b"<!x>", _MERGED),
        _ws(_DATA, b"<pageMargins", _MERGED),
        _ws(_DATA, b"</x>", _MERGED),  # closes the root: read
        _ws(_DATA, b"</x></y>", _MERGED),  # then nothing is open: refused
        _ws(_DATA, b"<a></a></b></c>", _MERGED),
        _ws(_DATA, b"a & b", _MERGED),
        _ws(_DATA, b"<a>\xff</a>", _MERGED),
        _ws(_DATA, b"<a>&amp;&#10;&x;</a>", _MERGED),
        _ws(_DATA, _MERGED.replace(b"A1:B1", b"A1:B")),
        _ws(_DATA, b'<mergeCells count="1"><mergeCell ref="A1:B1"/>'),
        _ws(_DATA, end=b"<pageMargins"),
        # the cells leave nothing open: a close tag after them is refused
        _ws(b'<sheetData><row r="1"><c r="A1"><v>1</v></c></row></row></sheetData>', _AFTER,
            _MERGED),
        _ws(b'<sheetData><row r="1"><c r="A1"><v>1</v></c></row></row></sheetData>', _MERGED),
        _ws(b'<sheetData><row r="1"><c r="A1"><v>1</v></c></row></row></sheetData>', _AFTER),
        _SHEET_HEAD + b"</worksheet>" + _DATA + _MERGED + b"</worksheet>",
        # merged ranges before the cells, inside them, twice, prefixed, unusual
        _ws(_MERGED, _DATA),
        _ws(b'<sheetData><row r="1"><c r="A1"><v>1</v></c>', _MERGED, b"</row></sheetData>",
            _MERGED_2),
        _ws(_DATA, _MERGED, _MERGED_2),
        b"<x:worksheet xmlns:x='u'><x:sheetData>" + _CELLS + b"</x:sheetData>" + _MERGED
        + b"</x:worksheet>",
        _ws(b"<sheetData>" + _CELLS + b"</x:sheetData>", _MERGED),
        _ws(b'<sheetPr codeName="sheetData"/>', _DATA, _MERGED),
        _ws(b'<sheetPr codeName="</sheetData>"/>', _DATA, b"</a>", _MERGED),
        _ws(_DATA, b'<x:mergeCells count="1"><x:mergeCell ref="A1:B1"/></x:mergeCells>'),
        _ws(_DATA, b'<mergeCells count="1"><mergeCell ref="A1:B1">x</mergeCell></mergeCells>'),
        _ws(_DATA, b'<mergeCells count="1"><mergeCell ref="A1:B1"/></mergeCells >'),
    ],
)  # fmt: skip
def test_a_sheet_reads_as_calamine_reads_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sheet: bytes
) -> None:
    """However the sheet is written, its cells and merged ranges are what calamine reads
    from the file as it is, and a sheet calamine refuses stays refused."""
    monkeypatch.setattr(xlsx, "_MERGED_FIRST_MIN_BYTES", 0)  # these sheets are small
    path = _xlsx(tmp_path / "answers.xlsx", sheet)
    try:
        direct = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(
            "Responses"
        )
        expected: tuple[object, object] | None = (
            [[v or None for v in row] for row in direct.to_python(skip_empty_area=False)],
            [(a[0], a[1], b[0], b[1]) for a, b in direct.merged_cell_ranges or []],
        )
    except python_calamine.CalamineError:
        expected = None
    wb = read_workbook(path)
    assert isinstance(wb, Workbook)
    try:
        read = wb.sheet("Responses")
    except ReadError:
        assert expected is None
        return
    assert expected == (read.rows, read.merged)


def test_a_sheet_with_much_markup_after_its_cells_reads_as_calamine_reads_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past `_MERGED_FIRST_MAX_BETWEEN` of markup between the cells and the merged ranges
    the sheet goes to calamine as it is (no copy first), and reads the same."""
    monkeypatch.setattr(xlsx, "_MERGED_FIRST_MIN_BYTES", 0)
    monkeypatch.setattr(xlsx, "_MERGED_FIRST_MAX_BETWEEN", 100)
    copied: list[object] = []
    first = xlsx._merged_first

    def merged_first(part: bytes) -> tuple[int, int, int] | None:
        copied.append(found := first(part))
        return found

    monkeypatch.setattr(xlsx, "_merged_first", merged_first)
    for between in (b"", b"<a/>" * 40):
        path = _xlsx(tmp_path / "answers.xlsx", _ws(_DATA, between, _MERGED))
        wb = read_workbook(path)
        assert isinstance(wb, Workbook)
        assert wb.sheet("Responses").merged == [(0, 0, 0, 1)]
    assert copied[0] is not None and copied[1] is None

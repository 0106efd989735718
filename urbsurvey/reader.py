"""Read one returned workbook safely and fast.

`read_workbook(path)` decides the format by content (never by file name), checks the
file cheaply before any parser sees it, then lets python-calamine (Rust) read it. It
returns a `Workbook` or, for a file that cannot or must not be read, an `Issue`; it
never raises for a bad file. `Workbook.sheet(name)` reads one sheet on demand and
raises only `ReadError` (carrying an `Issue`) for a bad sheet.

What is checked before calamine runs, and why:

* Files larger than `MAX_FILE_BYTES` are refused unread.
* Zip packages (xlsx/xlsm/ods): the central directory's sizes must stay within
  `MAX_MEMBERS`, `MAX_XML_BYTES` (all parts but images, embeddings and *.bin,
  which calamine never reads) and the `MAX_RATIO`/`RATIO_MIN_BYTES` compression
  rule (zip bombs). Every part this module reads, and every other non-binary part
  large enough to hide a bomb, is inflated once with a hard cap at its declared
  size, so no part calamine reads can expand past what the directory says. The
  parts inflated here reach calamine stored (uncompressed) in a copy of the
  package, so it reads the very bytes checked and does not inflate them again. Part
  names must be unique ignoring case (calamine looks parts up case-insensitively),
  and a package may carry only one workbook kind (calamine, given bytes, tries the
  kinds in turn and could otherwise read one that was not checked).
* Absurd dimensions: calamine turns a sheet into a dense grid, so two cells at A1
  and XFD1048576 make it allocate 17 billion cells and abort the process. Before
  calamine sees a sheet, the cells' real positions are bounded: the xlsx sheet XML
  is scanned for cell references (the `<dimension>` hint is ignored, it is only a
  hint), the ods `content.xml` for repeated non-empty cells and rows (LibreOffice's
  trailing empty `number-columns-repeated="16384"` cells are empty and fine), and
  the xls `Workbook` stream's BIFF cell records. A sheet over `MAX_ROWS`,
  `MAX_COLS` or `MAX_CELLS` (counted from A1) makes the file `file-too-large`.
  calamine parses every sheet of an xls or ods when the file is opened, so those
  limits are checked for the whole file in `read_workbook`, and for xlsx too, for
  one rule everywhere.
* The same scans find formulas without a cached value and formulas that refer to
  another workbook (xlsx fully; ods from `table:formula`; xls stores every result,
  and only says whether external links exist, via SUPBOOK records).
* Encryption is recognised from the container (OLE `EncryptionInfo` stream, xls
  FILEPASS record, ods manifest `encryption-data`) before calamine is asked.

This module never parses XML with an entity-expanding parser: it scans with
bounded regular expressions, and refuses parts that declare a DTD. calamine's
quick-xml does not expand DTD entities (it reports an unknown entity), so billion
laughs and external entities end as `corrupt-file`. Nothing opens a network
connection, and macros are never run (calamine does not execute VBA).

calamine errors and Rust panics (`pyo3_runtime.PanicException`, a BaseException)
become `corrupt-file`; KeyboardInterrupt, SystemExit and GeneratorExit propagate.

Cell values: empty cells are None; whole-number floats become int (xlsx stores 12
as a float, xls as an integer: both read 12); dates are `datetime.date` or
`datetime.datetime` as calamine types them. LibreOffice has no boolean cells, so an
.ods TRUE reads 1. Merged ranges come from calamine for xlsx/xls and from the
content scan (`number-*-spanned`) for ods.
"""

from __future__ import annotations

import array
import datetime
import html
import io
import posixpath
import re
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import python_calamine

from urbsurvey.issues import Issue, make_issue

CellValue = (
    str
    | int
    | float
    | bool
    | datetime.date
    | datetime.datetime
    | datetime.time
    | datetime.timedelta
    | None
)

# --- Limits -----------------------------------------------------------------------------
#: Largest file read at all (bytes on disk). A questionnaire is a few tens of KB.
MAX_FILE_BYTES = 20 * 1024 * 1024
#: Largest sum of the declared uncompressed sizes of a package's XML parts.
MAX_XML_BYTES = 100 * 1024 * 1024
#: Most members (parts) a zip package may have.
MAX_MEMBERS = 10_000
#: A member inflating more than MAX_RATIO:1 to more than RATIO_MIN_BYTES is a bomb.
MAX_RATIO = 100
RATIO_MIN_BYTES = 10 * 1024 * 1024
#: Largest sheet read, counted from A1 to the last non-empty cell.
MAX_ROWS = 100_000
MAX_COLS = 1_000
MAX_CELLS = 2_000_000
#: Members compressed to more than this are inflated once to check their declared
#: size even when this module does not need their content (deflate can expand at
#: most ~1032:1, so a smaller member cannot hide more than ~4 MB).
VERIFY_MIN_COMPRESSED = 4096

_ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CALAMINE_MSG_MAX = 200
MB = 1024 * 1024
_BIG_INT = 2.0**53


@dataclass(slots=True)
class Sheet:
    """One sheet's cells, origin A1: `rows[r][c]` is row r+1, column c+1."""

    name: str
    visible: bool
    rows: list[list[CellValue]]
    #: (first_row, first_col, last_row, last_col), 0-based.
    merged: list[tuple[int, int, int, int]]


class ReadError(Exception):
    """A sheet could not be read; `.issue` says why, ready to report."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(issue.message)
        self.issue = issue


@dataclass(slots=True)
class Workbook:
    """A workbook that passed the checks; sheets are read on demand by `sheet()`.

    Every sheet's cells were bounded, and `formulas_without_value`,
    `external_link_cells` and `has_external_links` filled for every sheet, before
    `read_workbook` returned: they can be consulted before or after `sheet()`.
    """

    path: Path
    format: str
    sheet_names: list[str]
    has_macros: bool
    formulas_without_value: set[tuple[str, str]]
    external_link_cells: set[tuple[str, str]]
    has_external_links: bool
    _display: str = field(default="", repr=False, compare=False)
    _book: Any = field(default=None, repr=False, compare=False)
    _visible: dict[str, bool] = field(default_factory=dict, repr=False, compare=False)
    _merged_hint: dict[str, list[tuple[int, int, int, int]]] = field(
        default_factory=dict, repr=False, compare=False
    )
    _cache: dict[str, Sheet] = field(default_factory=dict, repr=False, compare=False)

    def sheet(self, name: str) -> Sheet:
        """The sheet called `name`, read once and cached.

        Raises `KeyError` for a name not in `sheet_names` (a caller's mistake), and
        `ReadError` for a sheet that cannot be read.
        """
        cached = self._cache.get(name)
        if cached is not None:
            return cached
        if name not in self._visible:
            raise KeyError(name)
        if self._book is None:
            raise ReadError(
                make_issue("corrupt-file", self._display, f"{self._display}: closed", sheet=name)
            )
        try:
            sheet = _read_sheet(self, name)
        except _Reject as reject:
            issue = reject.issue
            raise ReadError(make_issue(issue.code, issue.file, issue.message, sheet=name)) from None
        self._cache[name] = sheet
        return sheet

    def close(self) -> None:
        """Release calamine's copy of the file (cached sheets stay readable)."""
        self._book = None


def cell_ref(row: int, col: int) -> str:
    """0-based (row, col) to an A1 reference: (11, 2) -> "C12"."""
    letters = ""
    n = col + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"


def read_workbook(path: Path, *, display_name: str | None = None) -> Workbook | Issue:
    """Check and open one returned workbook; an `Issue` instead for a bad file."""
    name = display_name or str(path)
    try:
        return _read_workbook(Path(path), name)
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except _Reject as reject:
        return reject.issue
    except MemoryError:
        return make_issue("file-too-large", name, f"{name}: ran out of memory reading it")
    except BaseException as exc:  # a bug or a panic must not stop a whole ingest
        return make_issue("corrupt-file", name, f"{name}: cannot be read ({_describe(exc)})")


# --- Internals --------------------------------------------------------------------------


class _Reject(Exception):
    def __init__(self, issue: Issue) -> None:
        super().__init__(issue.message)
        self.issue = issue


def _reject(code: str, name: str, detail: str, sheet: str | None = None) -> NoReturn:
    raise _Reject(make_issue(code, name, f"{name}: {detail}", sheet=sheet))


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().replace("\n", " ")
    if len(text) > _CALAMINE_MSG_MAX:
        text = text[:_CALAMINE_MSG_MAX] + "…"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


@dataclass(slots=True)
class _Scan:
    """What a pre-scan learned about the sheets."""

    # per sheet name: cells without a cached formula result / with external refs
    no_value: set[tuple[str, str]] = field(default_factory=set)
    external: set[tuple[str, str]] = field(default_factory=set)
    has_external: bool = False
    has_macros: bool = False
    merged: dict[str, list[tuple[int, int, int, int]]] = field(default_factory=dict)


def _read_workbook(path: Path, name: str) -> Workbook:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            _too_big_file(name, size)
        data = path.read_bytes()
    except OSError as exc:
        _reject("corrupt-file", name, f"cannot be opened ({exc.strerror or exc})")
    if len(data) > MAX_FILE_BYTES:
        _too_big_file(name, len(data))
    if not data.strip(b" \t\r\n\x00"):
        _reject("empty-file", name, "the file is empty")

    head = data[:8]
    scan = _Scan()
    for_calamine = data
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        fmt, for_calamine = _check_zip(data, name, scan)
    elif head == _OLE_MAGIC:
        fmt = "xls"
        _check_ole(data, name, scan)
    else:
        _reject("not-a-spreadsheet", name, f"not a spreadsheet: {_looks_like(data)}")

    book = _calamine(
        lambda: python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(for_calamine))
    )
    if book is None:
        # from_filelike hides the reason ("Cannot detect file format"); ask again by a
        # path with the right extension for the real one (rare: failures only).
        _explain_failure(data, fmt, name)
    metadata = _calamine(lambda: list(book.sheets_metadata))
    if metadata is None:
        _reject("corrupt-file", name, "the list of sheets cannot be read")
    visible: dict[str, bool] = {}
    names: list[str] = []
    for meta in metadata:
        sheet_name = str(meta.name)
        names.append(sheet_name)
        visible[sheet_name] = meta.visible == python_calamine.SheetVisibleEnum.Visible
    if len(visible) != len(names):
        _reject("corrupt-file", name, "two sheets have the same name")
    return Workbook(
        path=path,
        format=fmt,
        sheet_names=names,
        has_macros=scan.has_macros,
        formulas_without_value=scan.no_value,
        external_link_cells=scan.external,
        has_external_links=scan.has_external or bool(scan.external),
        _display=name,
        _book=book,
        _visible=visible,
        _merged_hint=scan.merged,
    )


def _too_big_file(name: str, size: int) -> NoReturn:
    _reject(
        "file-too-large",
        name,
        f"the file is {size / 1e6:.1f} MB; the limit is {MAX_FILE_BYTES // (1024 * 1024)} MB",
    )


_T = TypeVar("_T")


def _calamine(call: Callable[[], _T]) -> _T | None:
    """Run a calamine call; None if it failed in any way (panics included)."""
    try:
        return call()
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException:
        return None


def _explain_failure(data: bytes, fmt: str, name: str) -> NoReturn:
    import tempfile

    ext = {"xlsm": "xlsx"}.get(fmt, fmt)
    reason = "calamine cannot read it"
    with tempfile.TemporaryDirectory(prefix="urbsurvey-") as tmp:
        copy = Path(tmp) / f"workbook.{ext}"
        copy.write_bytes(data)
        try:
            python_calamine.CalamineWorkbook.from_path(str(copy)).close()
        except (KeyboardInterrupt, SystemExit, GeneratorExit):
            raise
        except python_calamine.PasswordError:
            _reject("encrypted-file", name, "the workbook is password-protected")
        except BaseException as exc:
            reason = _describe(exc)
    _reject("corrupt-file", name, f"the {fmt} workbook is damaged ({reason})")


def _read_sheet(wb: Workbook, sheet_name: str) -> Sheet:
    name = wb._display
    book = wb._book
    sheet = _calamine(lambda: book.get_sheet_by_name(sheet_name))
    if sheet is None:
        _reject("corrupt-file", name, f"sheet {sheet_name!r} cannot be read")
    end = _calamine(lambda: sheet.end)
    if end is not None:
        _check_dims(name, sheet_name, end[0] + 1, end[1] + 1)
    raw = _calamine(lambda: sheet.to_python(skip_empty_area=False))
    if raw is None:
        _reject("corrupt-file", name, f"sheet {sheet_name!r} is damaged")
    if sheet_name in wb._merged_hint:
        merged = wb._merged_hint[sheet_name]
    else:
        ranges = _calamine(lambda: sheet.merged_cell_ranges) or []
        merged = [(int(a[0]), int(a[1]), int(b[0]), int(b[1])) for a, b in ranges]
    # Empty cells come back as "": make them None. Whole floats become int, so 12
    # reads the same from xlsx (stored as a float) and xls (stored as an integer).
    big, text, real = _BIG_INT, str, float
    rows: list[list[CellValue]] = [
        [
            (v or None)
            if type(v) is text
            else (int(v) if type(v) is real and v.is_integer() and -big < v < big else v)
            for v in row
        ]
        for row in raw
    ]
    return Sheet(name=sheet_name, visible=wb._visible[sheet_name], rows=rows, merged=merged)


def _check_dims(name: str, sheet: str, rows: int, cols: int) -> None:
    if rows > MAX_ROWS or cols > MAX_COLS or rows * cols > MAX_CELLS:
        _reject(
            "file-too-large",
            name,
            f"sheet {sheet!r} reaches cell {cell_ref(rows - 1, cols - 1)} "
            f"({rows:,} rows x {cols:,} columns); the limit is {MAX_ROWS:,} rows, "
            f"{MAX_COLS:,} columns and {MAX_CELLS:,} cells",
            sheet=sheet,
        )


# --- What is this file? -----------------------------------------------------------------


def _looks_like(data: bytes) -> str:
    head = data[:4096]
    if head.startswith(b"%PDF"):
        return "looks like a PDF document"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return "looks like an image"
    if head.startswith(b"{\\rtf"):
        return "looks like an RTF (Word) document"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" not in head:
        text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        if b"urn:schemas-microsoft-com:office:spreadsheet" in text:
            return "looks like an Excel 2003 XML spreadsheet"
        if text.startswith(b"<!doctype html") or b"<html" in text[:1024]:
            return "looks like a web page (HTML)"
        return "looks like CSV or text"
    return "the content is not an .xlsx, .xls or .ods workbook"


# --- Zip packages (xlsx, xlsm, ods) -----------------------------------------------------

# A tag's attributes, quoted values whole (a quoted value may hold ">"); possessive,
# so a tag that never closes costs one pass, never a backtracking storm. A self-closing
# tag's attributes end with "/".
_ATTRS = rb"((?:[^<>\"']++|\"[^\"<]*+\"|'[^'<]*+')*+)"
_PREFIX = rb"(?:[A-Za-z_][\w.-]*:)?"


_ATTR_PAIR = re.compile(rb"([^\s=<>/\"']+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")


def _attr(attrs: bytes, *keys: bytes) -> bytes | None:
    """The raw value of the first attribute named one of `keys`.

    Attributes are read in order, each quoted value whole, so text that merely looks
    like `r="A1"` inside another attribute's value is never taken for it.
    """
    for key, double, single in _ATTR_PAIR.findall(attrs):
        if key in keys:
            value: bytes = double or single
            return value
    return None


def _text(raw: bytes) -> str:
    return html.unescape(raw.decode("utf-8", "replace"))


@dataclass(slots=True)
class _Part:
    """One zip member, as the central directory declares it."""

    filename: str
    header_offset: int
    flag_bits: int
    compress_type: int
    compress_size: int
    file_size: int
    CRC: int
    #: The name's bytes as the central directory holds them (None: read by zipfile).
    raw_name: bytes | None = None


_CD_ENTRY = struct.Struct("<4s6H3I5H2I")
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)")
_LOCAL_HEADER = struct.Struct("<4s5H3I2H")
_EOCD = struct.Struct("<4s4H2IH")
#: Checked parts are kept (for calamine, see `_repack`) up to this many bytes in all.
KEEP_MAX_BYTES = 8 * 1024 * 1024


@dataclass(slots=True)
class _Package:
    """A zip package being checked: its parts, and the parts inflated so far."""

    data: bytes
    name: str
    parts: list[_Part]
    members: dict[str, _Part]
    #: key -> the part's content, inflated and checked (size and CRC) once.
    kept: dict[str, bytes] = field(default_factory=dict)
    kept_bytes: int = 0

    def inflate(self, key: str, info: _Part) -> bytes:
        """A part's content, inflated once (capped at its declared size) and kept."""
        content = self.kept.get(key)
        if content is None:
            content = _member(self.data, info, self.name)
            if self.kept_bytes + len(content) <= KEEP_MAX_BYTES:
                self.kept[key] = content
                self.kept_bytes += len(content)
        return content

    def xml(self, key: str, info: _Part) -> bytes:
        """`inflate`, refusing a part that declares a DTD."""
        part = self.inflate(key, info)
        if b"!" in part and _DTD.search(part) is not None:  # "!": memchr, ~50x faster
            _reject(
                "corrupt-file",
                self.name,
                f"part {info.filename} declares a DTD (entities), which workbooks never do",
            )
        return part


def _zip_parts(data: bytes, name: str) -> list[_Part]:
    """The central directory, read directly (zipfile is ~5x slower on small files).

    Anything unusual (zip64, a comment, data before the archive) goes to zipfile.
    """
    eocd = len(data) - 22
    if eocd >= 0 and data[eocd : eocd + 4] == b"PK\x05\x06":
        _, _, _, count, cd_size, cd_offset, comment = struct.unpack_from("<4H2IH", data, eocd + 4)
        if count > MAX_MEMBERS:
            _reject("file-too-large", name, f"the package has {count:,} parts")
        parts: list[_Part] = []
        pos = cd_offset
        if comment == 0 and cd_offset + cd_size == eocd and 0xFFFFFFFF not in (cd_size, cd_offset):
            for _ in range(count):
                if pos + 46 > eocd:
                    break
                entry = _CD_ENTRY.unpack_from(data, pos)
                if entry[0] != b"PK\x01\x02":
                    break
                _, _, _, flags, method, _, _, crc, csize, usize, nlen, xlen, clen = entry[:13]
                offset = entry[16]
                if 0xFFFFFFFF in (csize, usize, offset):
                    break
                raw = data[pos + 46 : pos + 46 + nlen]
                if raw.isascii():  # the same in cp437 and UTF-8; the codecs cost more
                    filename = raw.decode("ascii")
                else:
                    filename = raw.decode("utf-8" if flags & 0x800 else "cp437", "replace")
                parts.append(_Part(filename, offset, flags, method, csize, usize, crc, raw))
                pos += 46 + nlen + xlen + clen
            else:
                if pos == eocd:
                    return parts
    # The general case, and every damaged archive: let zipfile judge.
    eocd = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if eocd >= 0 and len(data) >= eocd + 12:
        (declared,) = struct.unpack_from("<H", data, eocd + 10)
        if declared > MAX_MEMBERS:
            _reject("file-too-large", name, f"the package has {declared:,} parts")
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, struct.error, OSError) as exc:
        _reject("corrupt-file", name, f"the zip package is damaged or truncated ({exc})")
    return [
        _Part(
            i.filename,
            i.header_offset,
            i.flag_bits,
            i.compress_type,
            i.compress_size,
            i.file_size,
            i.CRC,
        )
        for i in infos
    ]


def _check_zip(data: bytes, name: str, scan: _Scan) -> tuple[str, bytes]:
    """Check a zip package; its format, and the bytes to hand calamine (see `_repack`)."""
    infos = _zip_parts(data, name)
    if len(infos) > MAX_MEMBERS:
        _reject("file-too-large", name, f"the package has {len(infos):,} parts")
    members: dict[str, _Part] = {}
    xml_total = 0
    for info in infos:
        key = info.filename.replace("\\", "/").lower()
        if key in members:
            _reject("corrupt-file", name, f"the package has two parts named {info.filename!r}")
        members[key] = info
        if info.file_size > RATIO_MIN_BYTES and info.file_size > MAX_RATIO * max(
            info.compress_size, 1
        ):
            _reject(
                "file-too-large",
                name,
                f"part {info.filename} expands {info.file_size // max(info.compress_size, 1):,}"
                f" times to {info.file_size / 1e6:,.0f} MB (a zip bomb)",
            )
        if not _is_binary(key):
            xml_total += info.file_size
    if xml_total > MAX_XML_BYTES:
        _reject(
            "file-too-large",
            name,
            f"its XML parts expand to {xml_total / 1e6:,.0f} MB; "
            f"the limit is {MAX_XML_BYTES // (1024 * 1024)} MB",
        )

    pkg = _Package(data, name, infos, members)
    is_ods = False
    mime = members.get("mimetype")
    if mime is not None and mime.file_size <= 200:
        is_ods = pkg.inflate("mimetype", mime).strip() == _ODS_MIME
    kinds = [
        kind
        for kind, present in (
            ("xlsx", "xl/workbook.xml" in members),
            ("xlsb", "xl/workbook.bin" in members),
            ("ods", is_ods),
        )
        if present
    ]
    if len(kinds) > 1:
        _reject("corrupt-file", name, f"the package mixes workbook kinds ({', '.join(kinds)})")

    # Inflate once every part calamine may read that is big enough to hide a bomb:
    # none may inflate past the size the directory declares. Kept while the budget
    # lasts (the scans below and calamine use them), else streamed, nothing kept.
    for key, info in members.items():
        if info.compress_size > VERIFY_MIN_COMPRESSED and not _is_binary(key):
            if pkg.kept_bytes + info.file_size <= KEEP_MAX_BYTES:
                pkg.inflate(key, info)
            else:
                _member(data, info, name, keep=False)

    if is_ods:
        _scan_ods(pkg, scan)
        return "ods", _repack(pkg)
    if kinds == ["xlsx"]:
        fmt = _scan_xlsx(pkg, scan)
        return fmt, _repack(pkg)
    if (
        "[content_types].xml" in members
        and "xl/workbook.bin" not in members
        and any(k.startswith("xl/") for k in members)
    ):
        # An Excel package whose workbook part is gone is damaged, not something else.
        _reject("corrupt-file", name, "the Excel package has no workbook part (xl/workbook.xml)")
    manifest = members.get("meta-inf/manifest.xml")
    if (
        "content.xml" in members
        and manifest is not None
        and b"opendocument.spreadsheet" in pkg.xml("meta-inf/manifest.xml", manifest)
    ):
        _reject("corrupt-file", name, "the OpenDocument spreadsheet has no valid mimetype part")
    _reject("not-a-spreadsheet", name, f"not a spreadsheet: {_zip_looks_like(members)}")


_BINARY_DIRS = ("xl/media/", "xl/embeddings/", "xl/printersettings/", "pictures/", "thumbnails/")


def _is_binary(key: str) -> bool:
    """Images, embedded objects, VBA: parts calamine never reads."""
    return key.startswith(_BINARY_DIRS) or key.endswith(".bin")


def _zip_looks_like(members: dict[str, _Part]) -> str:
    if "xl/workbook.bin" in members:
        return "an Excel binary workbook (.xlsb), which is not accepted"
    if "word/document.xml" in members:
        return "looks like a Word document"
    if "ppt/presentation.xml" in members:
        return "looks like a PowerPoint presentation"
    if "mimetype" in members or "content.xml" in members:
        return "an OpenDocument file that is not a spreadsheet"
    return "a zip archive without a workbook part"


def _member(data: bytes, info: _Part, name: str, *, keep: bool = True) -> bytes:
    """A member's bytes, inflated with a hard cap at its declared size.

    With `keep=False` the member is only checked (inflated in chunks, nothing kept).
    """
    if keep and info.file_size > MAX_XML_BYTES:
        _reject("file-too-large", name, f"part {info.filename} is {info.file_size:,} bytes")
    off = info.header_offset
    if data[off : off + 4] != b"PK\x03\x04" or len(data) < off + 30:
        _reject("corrupt-file", name, f"part {info.filename} is damaged (bad local header)")
    if info.flag_bits & 0x1:
        _reject("encrypted-file", name, f"part {info.filename} is encrypted")
    n, m = struct.unpack_from("<HH", data, off + 26)
    start = off + 30 + n + m
    raw = data[start : start + info.compress_size]
    if len(raw) != info.compress_size:
        _reject("corrupt-file", name, f"part {info.filename} is truncated")
    if info.compress_type == zipfile.ZIP_STORED:
        out, size, crc = raw, len(raw), zlib.crc32(raw)
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        inflater = zlib.decompressobj(-15)
        chunks: list[bytes] = []
        size = crc = 0
        pending = raw
        try:
            while not inflater.eof:
                chunk = inflater.decompress(pending, min(info.file_size + 1 - size, 4 * MB))
                pending = inflater.unconsumed_tail
                if not chunk and not pending:
                    break  # input used up before the end of the stream: truncated
                size += len(chunk)
                crc = zlib.crc32(chunk, crc)
                if keep:
                    chunks.append(chunk)
                if size > info.file_size:
                    _reject(
                        "file-too-large",
                        name,
                        f"part {info.filename} inflates past its declared size (a zip bomb)",
                    )
        except zlib.error as exc:
            _reject("corrupt-file", name, f"part {info.filename} is damaged ({exc})")
        if not inflater.eof:
            _reject("corrupt-file", name, f"part {info.filename} is truncated")
        out = b"".join(chunks)
    else:
        _reject(
            "corrupt-file",
            name,
            f"part {info.filename} uses an unsupported compression ({info.compress_type})",
        )
    if size != info.file_size or crc != info.CRC:
        _reject("corrupt-file", name, f"part {info.filename} is damaged (size or checksum)")
    return out


def _repack(pkg: _Package) -> bytes:
    """The package for calamine: the parts already inflated stored, the rest as they are.

    calamine would inflate every part it reads again; stored, it reads the very
    bytes checked here, and each file opens ~0.1 ms faster. Every member is kept,
    in order, under its own name; the others are copied compressed, as they were.
    Anything unusual (zipfile read the directory, an encrypted member, a bad local
    header) hands calamine the original bytes instead.
    """
    data = pkg.data
    if not pkg.kept or any(info.raw_name is None or info.flag_bits & 0x1 for info in pkg.parts):
        return data
    out: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for info in pkg.parts:
        raw_name = info.raw_name
        assert raw_name is not None
        key = info.filename.replace("\\", "/").lower()
        content = pkg.kept.get(key)
        flags = info.flag_bits & 0x800  # keep only "the name is UTF-8"
        if content is not None:
            method, csize, payload = zipfile.ZIP_STORED, len(content), content
        else:
            off = info.header_offset
            if data[off : off + 4] != b"PK\x03\x04" or len(data) < off + 30:
                return data
            n, m = struct.unpack_from("<HH", data, off + 26)
            start = off + 30 + n + m
            payload = data[start : start + info.compress_size]
            if len(payload) != info.compress_size:
                return data
            method, csize = info.compress_type, info.compress_size
            flags = info.flag_bits & ~0x8  # sizes in the local header, no descriptor
        # version 2.0, 1980-01-01 00:00
        fields = (20, flags, method, 0, 0x21, info.CRC, csize, info.file_size, len(raw_name))
        out.append(_LOCAL_HEADER.pack(b"PK\x03\x04", *fields, 0))
        out.append(raw_name)
        out.append(payload)
        central.append(_CD_ENTRY.pack(b"PK\x01\x02", 20, *fields, 0, 0, 0, 0, 0, offset))
        central.append(raw_name)
        offset += 30 + len(raw_name) + csize
    directory = b"".join(central)
    count = len(pkg.parts)
    out.append(directory)
    out.append(_EOCD.pack(b"PK\x05\x06", 0, 0, count, count, len(directory), offset, 0))
    return b"".join(out)


# --- xlsx / xlsm ------------------------------------------------------------------------

_X_SHEET = re.compile(rb"<" + _PREFIX + rb"sheet(?=[\s/>])" + _ATTRS + rb">")
_X_REL = re.compile(rb"<" + _PREFIX + rb"Relationship(?=[\s/>])" + _ATTRS + rb">")
# The same without a namespace prefix (what writers write): a literal start is faster.
_X_SHEET_PLAIN = re.compile(rb"<sheet(?=[\s/>])" + _ATTRS + rb">")
_X_REL_PLAIN = re.compile(rb"<Relationship(?=[\s/>])" + _ATTRS + rb">")
_X_TAG = re.compile(rb"<" + _PREFIX + rb"(row|c)(?=[\s/>])" + _ATTRS + rb"(>)?")
# Every cell tag, with its reference when r="C12" comes first (as every writer does):
# (letters, digits, other attributes); a self-closing tag's attributes end with "/".
_X_CELL_TAG_FAST = re.compile(
    rb"<c(?=[\s/>])(?:\s+r\s*=\s*\"([A-Za-z]{1,4})([0-9]{1,9})\"(?=[\s/>]))?" + _ATTRS + rb"(>)?"
)
_X_PREFIXED_CELL = re.compile(rb":c[\s/>]")
# A cell tag that does not start with a reference inside A1:ALL1999 (column 1000,
# row 1999: within every limit, rows x columns included). None in a sheet means the
# sheet is within the limits; one sends the sheet to the exact path.
_X_NOT_NEAR_CELL = re.compile(
    rb'<c(?=[\s/>])(?! r="(?:[A-Za-z]{1,2}|[Aa](?:[A-Ka-k][A-Za-z]|[Ll][A-La-l]))'
    rb'(?:[1-9][0-9]{0,2}|1[0-9]{3})")'
)
_FORMULA_STARTS = (b"<f", b":f")
_X_F_PLAIN = re.compile(rb"<f[\s/>]")
_X_PREFIXED_F = re.compile(rb":f[\s/>]")
# A cell whose first child is a formula (CT_Cell is f?, v?, is?): attrs, then f onwards.
_X_FORMULA_CELL = re.compile(
    rb"<" + _PREFIX + rb"c(?=[\s>])" + _ATTRS + rb"(?<!/)>\s*(<)" + _PREFIX + rb"f[\s/>]"
)
_X_CELL_END = re.compile(rb"</" + _PREFIX + rb"c\s*>")
_X_F = re.compile(
    rb"<" + _PREFIX + rb"f(?=[\s/>])" + _ATTRS + rb">(?:(.*?)</" + _PREFIX + rb"f\s*>)?", re.S
)
_X_V = re.compile(
    rb"<" + _PREFIX + rb"v(?=[\s/>])" + _ATTRS + rb">(?:(.*?)</" + _PREFIX + rb"v\s*>)?", re.S
)
_X_IS = re.compile(rb"<" + _PREFIX + rb"is[\s/>]")
_CELL_REF = re.compile(rb"\$?([A-Za-z]+)\$?([0-9]+)")
_STRING_LITERAL = re.compile(r'"(?:[^"]|"")*"')
# '[1]Sheet 1'!A1, 'C:\dir\[Book.xlsx]Sheet1'!A1, [1]Sheet1!A1, [1]!Name; not Table1[Col].
_EXTERNAL_REF = re.compile(r"'[^']*\[[^\]']+\][^']*'!|\[[^\[\]]+\][^\s!'()\[\],;+\-*/&=<>^%\"{}]*!")


def _scan_xlsx(pkg: _Package, scan: _Scan) -> str:
    members, name = pkg.members, pkg.name
    types_info = members.get("[content_types].xml")
    if types_info is None:
        _reject("corrupt-file", name, "the Excel package has no [Content_Types].xml part")
    content_types = pkg.xml("[content_types].xml", types_info)
    scan.has_macros = "xl/vbaproject.bin" in members or b"macroenabled" in content_types.lower()
    scan.has_external = any(key.startswith("xl/externallinks/") for key in members)
    workbook_xml = pkg.xml("xl/workbook.xml", members["xl/workbook.xml"])
    rels_info = members.get("xl/_rels/workbook.xml.rels")
    if rels_info is None:
        _reject("corrupt-file", name, "the Excel package has no xl/_rels/workbook.xml.rels part")
    rels_xml = pkg.xml("xl/_rels/workbook.xml.rels", rels_info)
    rels: dict[bytes, str] = {}
    rel_tags = _X_REL if b":Relationship" in rels_xml else _X_REL_PLAIN
    for attrs in rel_tags.findall(rels_xml):
        rel_id = rel_target = None
        for key, double, single in _ATTR_PAIR.findall(attrs):  # the first of each, as _attr
            if key == b"Id" and rel_id is None:
                rel_id = double or single
            elif key == b"Target" and rel_target is None:
                rel_target = double or single
        if rel_id is not None and rel_target is not None:
            rels[rel_id] = rel_target.decode("utf-8", "replace")

    scanned: set[str] = set()
    sheet_tags = _X_SHEET if b":sheet" in workbook_xml else _X_SHEET_PLAIN
    for attrs in sheet_tags.findall(workbook_xml):
        raw_name, rid = _attr(attrs, b"name"), _attr(attrs, b"r:id", b"relationships:id")
        if raw_name is None or rid is None or rid not in rels:
            continue  # calamine refuses such a workbook; it says so when opening it
        sheet_name = _text(raw_name)
        target = rels[rid]
        # calamine's rule first, then the normalised path, so no reading differs.
        if target.startswith("/xl/"):
            first = target[1:]
        elif target.startswith("xl/"):
            first = target
        else:
            first = "xl/" + target
        for candidate in (first, posixpath.normpath("xl/" + target).lstrip("/")):
            key = candidate.replace("\\", "/").lower()
            info = members.get(key)
            if info is not None and key not in scanned:
                scanned.add(key)
                _scan_xlsx_sheet(pkg.xml(key, info), name, sheet_name, True, scan)
    for key, info in members.items():
        if (
            key.startswith(("xl/worksheets/", "xl/dialogsheets/", "xl/macrosheets/"))
            and key.endswith(".xml")
            and key not in scanned
        ):
            _scan_xlsx_sheet(pkg.xml(key, info), name, info.filename, False, scan)
    return "xlsm" if scan.has_macros else "xlsx"


def _parse_ref(ref: bytes, name: str, sheet: str) -> tuple[int, int]:
    m = _CELL_REF.fullmatch(ref)
    if m is None:
        _reject("corrupt-file", name, f"sheet {sheet!r} has a bad cell reference", sheet=sheet)
    letters, digits = m.group(1).upper(), m.group(2)
    if len(letters) > 4 or len(digits) > 9:
        return MAX_ROWS * 10, MAX_COLS * 10  # absurd: let the limit say so
    col = 0
    for ch in letters:
        col = col * 26 + ch - 64
    return int(digits) - 1, col - 1


def _scan_xlsx_sheet(part: bytes, name: str, sheet: str, record: bool, scan: _Scan) -> None:
    """Bound the used area; note formulas without a value or with external refs.

    Fast path (every writer's form): each cell tag starts `<c r="C12"` with a
    reference inside A1:ALL1999, so the sheet is within the limits; one regex search
    says so. Anything else is bounded exactly: by one
    pass over the cell tags, or cell by cell (`r` missing, prefixed tags). Only
    cells with content count there (calamine skips `<c .../>`).
    """
    # A formula element (not <formula1> in a data validation, which is common), or a
    # prefixed one: only then look for formula cells.
    formulas = record and (
        _X_F_PLAIN.search(part) is not None or _X_PREFIXED_F.search(part) is not None
    )
    if _X_PREFIXED_CELL.search(part) or _X_NOT_NEAR_CELL.search(part):
        _bound_xlsx_cells(part, name, sheet, record, scan)
    if formulas:
        shared: dict[bytes, bool] = {}
        pos = 0
        while (m := _X_FORMULA_CELL.search(part, pos)) is not None:
            end = _X_CELL_END.search(part, m.end())
            if end is None:
                _reject("corrupt-file", name, f"sheet {sheet!r} has malformed XML", sheet=sheet)
            pos = end.end()  # resume after this cell: linear even on crafted input
            attrs = m.group(1)
            ref = _attr(attrs, b"r")
            if ref is not None:
                row, col = _parse_ref(ref, name, sheet)
                body = part[m.start(2) : end.start()]
                _formula_cell(attrs, body, scan, sheet, row, col, shared)


def _bound_xlsx_cells(part: bytes, name: str, sheet: str, record: bool, scan: _Scan) -> None:
    """Exact bounds from every cell tag; the slow path for anything unusual."""
    if _X_PREFIXED_CELL.search(part):
        _scan_xlsx_sheet_slowly(part, name, sheet, record, scan)
        return
    # The pattern matches at every "<c" start (attributes cannot fail to match); a
    # tag that never closes comes back without its ">".
    tags = _X_CELL_TAG_FAST.findall(part)
    if not tags:
        return
    cols, rows, _, closes = zip(*tags, strict=True)
    if b"" in closes or b"" in rows:  # a tag not closed, or a cell without r= first
        _scan_xlsx_sheet_slowly(part, name, sheet, record, scan)
        return
    # Bound over every cell tag first; only a sheet over the limits is looked at
    # again without the empty <c .../> cells, which calamine skips.
    if not _within_limits(rows, cols, name, sheet):
        filled = [(c, r) for c, r, rest, _ in tags if rest[-1:] != b"/"]
        if filled:
            cols, rows = zip(*filled, strict=True)
            if not _within_limits(rows, cols, name, sheet):
                _scan_xlsx_sheet_slowly(part, name, sheet, record, scan)  # says which cell


def _within_limits(rows: tuple[bytes, ...], cols: tuple[bytes, ...], name: str, sheet: str) -> bool:
    max_row = max(map(int, rows))
    letters = max({c.upper() for c in set(cols)}, key=lambda c: (len(c), c))
    _, max_col = _parse_ref(letters + b"1", name, sheet)
    return max_row <= MAX_ROWS and max_col < MAX_COLS and max_row * (max_col + 1) <= MAX_CELLS


def _scan_xlsx_sheet_slowly(part: bytes, name: str, sheet: str, record: bool, scan: _Scan) -> None:
    max_row = max_col = -1
    row = col = -1
    shared: dict[bytes, bool] = {}
    pos = 0
    has_formulas = any(f in part for f in _FORMULA_STARTS)
    while True:
        m = _X_TAG.search(part, pos)
        if m is None:
            break
        attrs = m.group(2)
        if m.group(3) is None:
            _reject("corrupt-file", name, f"sheet {sheet!r} has malformed XML", sheet=sheet)
        pos = m.end()
        ref = _attr(attrs, b"r")
        if m.group(1) == b"row":
            if ref is not None and ref.isdigit() and len(ref) < 10:
                row = int(ref) - 1
            else:
                row += 1
            col = -1
            continue
        if ref is not None:
            r, col = _parse_ref(ref, name, sheet)
        else:
            r, col = max(row, 0), col + 1
        if attrs.endswith(b"/"):
            continue  # <c .../>: an empty (styled) cell, which calamine skips
        end = _X_CELL_END.search(part, pos)
        if end is None:
            _reject("corrupt-file", name, f"sheet {sheet!r} has malformed XML", sheet=sheet)
        body = part[pos : end.start()]
        pos = end.end()
        max_row = max(max_row, r)
        max_col = max(max_col, col)
        if has_formulas and record:
            _formula_cell(attrs, body, scan, sheet, r, col, shared)
    if max_row >= 0:
        _check_dims(name, sheet, max_row + 1, max_col + 1)


def _formula_cell(
    attrs: bytes,
    body: bytes,
    scan: _Scan,
    sheet: str,
    row: int,
    col: int,
    shared_external: dict[bytes, bool],
) -> None:
    fm = _X_F.search(body)
    if fm is None:
        return
    fattrs, ftext = fm.group(1), fm.group(2)
    vm = _X_V.search(body)
    has_value = (
        vm is not None
        and not vm.group(1).endswith(b"/")
        and vm.group(2) is not None
        # Excel writes <v></v> for a formula whose result is "" (t="str"): a value.
        and (vm.group(2).strip() != b"" or _attr(attrs, b"t") == b"str")
    )
    if not has_value and _X_IS.search(body) is None:
        scan.no_value.add((sheet, cell_ref(row, col)))
    text = "" if fattrs.endswith(b"/") or not ftext else _text(ftext)
    external = bool(text) and _EXTERNAL_REF.search(_STRING_LITERAL.sub("", text)) is not None
    si = _attr(fattrs, b"si")
    if si is not None and _attr(fattrs, b"t") == b"shared":
        if text:
            shared_external[si] = external
        else:
            external = shared_external.get(si, False)
    if external:
        scan.external.add((sheet, cell_ref(row, col)))


# --- ods --------------------------------------------------------------------------------

_O_TAG = re.compile(
    rb"<(/?)(table:table|table:table-row|table:table-cell|table:covered-table-cell)(?=[\s/>])"
    + _ATTRS
    + rb"(>)?"
)
# What makes calamine treat a cell as non-empty: a value attribute, a string type
# (its text is the value, even ""), or a formula.
_O_NONEMPTY = re.compile(
    rb"\s(?:office:(?:value|string-value|date-value|time-value|boolean-value)\s*="
    rb"|office:value-type\s*=\s*[\"']string[\"']|table:formula\s*=)"
)
_O_VALUE = re.compile(
    rb"\soffice:(?:value|string-value|date-value|time-value|boolean-value)\s*="
    rb"|\soffice:value-type\s*=\s*[\"']string[\"']"
)
_ODS_EXTERNAL = re.compile(r"'[^']*'#")


def _count(raw: bytes | None) -> int:
    """A repeat/span count; absurd values saturate instead of being parsed."""
    if raw is None:
        return 1
    raw = raw.strip()
    if not raw.isdigit():
        return 1
    if len(raw) > 9:
        return 10**9
    return max(int(raw), 1)


@dataclass(slots=True)
class _OdsTable:
    name: str
    row: int = 0
    rows: int = 0
    cols: int = 0
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)


def _scan_ods(pkg: _Package, scan: _Scan) -> None:
    members, name = pkg.members, pkg.name
    manifest = members.get("meta-inf/manifest.xml")
    if manifest is not None and b"encryption-data" in pkg.xml("meta-inf/manifest.xml", manifest):
        _reject("encrypted-file", name, "the workbook is password-protected")
    scan.has_macros = any(key.startswith(("basic/", "scripts/")) for key in members)
    content_info = members.get("content.xml")
    if content_info is None:
        _reject("corrupt-file", name, "the OpenDocument package has no content.xml part")
    content = pkg.xml("content.xml", content_info)
    stack: list[_OdsTable] = []
    table: _OdsTable | None = None
    col = row_repeat = extent = 0
    # What a cell's or row's attributes say, by their text: writers repeat a few forms.
    cells: dict[bytes, tuple[int, bool, bool, int, int]] = {}
    row_forms: dict[bytes, int] = {}
    for closing, tag, attrs, gt in _ods_tags(content):
        if not gt:
            _reject("corrupt-file", name, "content.xml has malformed XML")
        if tag == b"table:table-cell" or tag == b"table:covered-table-cell":
            if table is None or closing:
                continue
            cell = cells.get(attrs)
            if cell is None:
                cell = _ods_cell(attrs)
                if len(cells) < _ODS_CELL_FORMS:
                    cells[attrs] = cell
            repeat, nonempty, formula, rows, cols = cell
            if nonempty:
                extent = col + repeat
                if formula:
                    _ods_formula(attrs, scan, table.name, table.row, col)
            if cols > 1 or rows > 1:
                table.merged.append((table.row, col, table.row + rows - 1, col + cols - 1))
            col += repeat
        elif tag == b"table:table-row":
            if table is None:
                continue
            if closing:
                if extent:
                    table.cols = max(table.cols, extent)
                    table.rows = table.row + row_repeat
                table.row += row_repeat
                if table.row > MAX_ROWS * 100:
                    table.row = MAX_ROWS * 100  # only trailing empty rows can be here
            else:
                repeated = row_forms.get(attrs)
                if repeated is None:
                    repeated = _count(_attr(attrs, b"table:number-rows-repeated"))
                    if len(row_forms) < _ODS_CELL_FORMS:
                        row_forms[attrs] = repeated
                row_repeat = repeated
                col = extent = 0
                if attrs.endswith(b"/"):
                    table.row += row_repeat
        elif closing:  # </table:table>
            if stack:
                done = stack.pop()
                _check_dims(name, done.name, done.rows, done.cols)
                if done.merged:
                    scan.merged[done.name] = done.merged
            table = stack[-1] if stack else None
        elif not attrs.endswith(b"/"):  # <table:table>
            raw_name = _attr(attrs, b"table:name")
            table = _OdsTable(name=_text(raw_name) if raw_name is not None else "")
            stack.append(table)
            scan.merged.setdefault(table.name, [])
    scan.merged = {k: v for k, v in scan.merged.items() if k}


_ODS_CELL_FORMS = 4096
_ODS_CHUNK = 1024 * 1024


def _ods_tags(content: bytes) -> Iterator[tuple[bytes, bytes, bytes, bytes]]:
    """`_O_TAG.findall` from the first table on, a chunk at a time (bounded memory).

    No tag match spans a "<" after its first character (attribute values exclude
    it), so cutting at a "<" never splits one. Nothing before the first table
    matters (styles, validations).
    """
    pos = content.find(b"<table:table")
    if pos < 0:
        return
    end = len(content)
    while pos < end:
        cut = content.find(b"<", pos + _ODS_CHUNK) if end - pos > _ODS_CHUNK else -1
        if cut < 0:
            cut = end
        yield from _O_TAG.findall(content, pos, cut)
        pos = cut


def _ods_cell(attrs: bytes) -> tuple[int, bool, bool, int, int]:
    """A cell's (columns repeated, non-empty, formula, rows spanned, columns spanned)."""
    repeat = rows = cols = 1
    if b"repeated" in attrs:
        repeat = _count(_attr(attrs, b"table:number-columns-repeated"))
    nonempty = _O_NONEMPTY.search(attrs) is not None
    if b"spanned" in attrs:
        cols = _count(_attr(attrs, b"table:number-columns-spanned"))
        rows = _count(_attr(attrs, b"table:number-rows-spanned"))
    return repeat, nonempty, nonempty and b"table:formula" in attrs, rows, cols


def _ods_formula(attrs: bytes, scan: _Scan, sheet: str, row: int, col: int) -> None:
    if _O_VALUE.search(attrs) is None:
        scan.no_value.add((sheet, cell_ref(row, col)))
    formula = _attr(attrs, b"table:formula")
    if formula is not None and _ODS_EXTERNAL.search(_text(formula)):
        scan.external.add((sheet, cell_ref(row, col)))


# --- xls (OLE compound file) ------------------------------------------------------------

_FREE_SECT, _END_OF_CHAIN = 0xFFFFFFFF, 0xFFFFFFFE
_BIFF_CELLS = frozenset({0x0006, 0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, 0x00D6})
_BIFF_MULRK, _BIFF_BOF, _BIFF_FILEPASS, _BIFF_SUPBOOK = 0x00BD, 0x0809, 0x002F, 0x01AE
_BIFF_BOUNDSHEET = 0x0085


def _check_ole(data: bytes, name: str, scan: _Scan) -> None:
    try:
        streams = _ole_root_streams(data)
    except (ValueError, struct.error, IndexError) as exc:
        if all(n.encode("utf-16-le") in data for n in ("EncryptionInfo", "EncryptedPackage")):
            _reject("encrypted-file", name, "the workbook is password-protected (encrypted)")
        _reject("corrupt-file", name, f"the Office (OLE) container is damaged ({exc})")
    if "encryptioninfo" in streams or "encryptedpackage" in streams:
        # Password-protected .xlsx: an OLE container around the encrypted package.
        _reject("encrypted-file", name, "the workbook is password-protected (encrypted)")
    scan.has_macros = "_vba_project_cur" in streams
    stream = streams.get("workbook") or streams.get("book")
    if stream is None:
        _reject(
            "not-a-spreadsheet",
            name,
            "not a spreadsheet: an Office document without a workbook (a Word .doc?)",
        )
    try:
        workbook = stream()
    except (ValueError, struct.error, IndexError) as exc:
        _reject("corrupt-file", name, f"the Office (OLE) container is damaged ({exc})")
    _scan_biff(workbook, name, scan)


def _ole_root_streams(data: bytes) -> dict[str, Callable[[], bytes]]:
    """The root storage's entries of a compound file, each with a reader."""
    if len(data) < 512:
        raise ValueError("shorter than its header")
    (major,) = struct.unpack_from("<H", data, 0x1A)
    shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
    if shift not in (9, 12) or mini_shift != 6:
        raise ValueError("bad sector size")
    ssz = 1 << shift
    n_fat, dir_start = struct.unpack_from("<II", data, 0x2C)
    cutoff, minifat_start, n_minifat, difat_start, n_difat = struct.unpack_from(
        "<IIIII", data, 0x38
    )
    n_sectors = (len(data) - ssz) // ssz + (1 if (len(data) - ssz) % ssz else 0)
    if n_fat > n_sectors or n_difat > n_sectors:
        raise ValueError("bad allocation table size")

    def sector(index: int) -> bytes:
        if index >= n_sectors:
            raise ValueError("sector out of range")
        start = (index + 1) * ssz
        return data[start : start + ssz].ljust(ssz, b"\x00")

    fat_sectors = list(struct.unpack_from("<109I", data, 0x4C))[: min(n_fat, 109)]
    difat = difat_start
    hops = 0
    while len(fat_sectors) < n_fat and difat not in (_FREE_SECT, _END_OF_CHAIN):
        pointers = struct.unpack(f"<{ssz // 4}I", sector(difat))
        fat_sectors.extend(pointers[:-1])
        difat = pointers[-1]
        hops += 1
        if hops > n_sectors:
            raise ValueError("DIFAT loop")
    fat = array.array("I", b"".join(sector(s) for s in fat_sectors[:n_fat]))
    if sys.byteorder == "big":
        fat.byteswap()

    def chain(start: int, table: array.array[int]) -> list[int]:
        out: list[int] = []
        current = start
        while current != _END_OF_CHAIN:
            if current >= len(table) or len(out) > len(table):
                raise ValueError("broken sector chain")
            out.append(current)
            current = table[current]
        return out

    directory = b"".join(sector(s) for s in chain(dir_start, fat))
    entries = [directory[i : i + 128] for i in range(0, len(directory) - 127, 128)]
    if not entries or entries[0][66] != 5:
        raise ValueError("no root entry")

    def info(index: int) -> tuple[str, int, int, int, int, int, int]:
        e = entries[index]
        (name_len,) = struct.unpack_from("<H", e, 64)
        name = e[: max(0, min(name_len, 64) - 2)].decode("utf-16-le", "replace")
        left, right, child = struct.unpack_from("<III", e, 68)
        start, size = struct.unpack_from("<IQ", e, 116)
        if major == 3:
            size &= 0xFFFFFFFF
        return name, e[66], left, right, child, start, size

    _, _, _, _, root_child, root_start, root_size = info(0)

    def reader(start: int, size: int) -> Callable[[], bytes]:
        def read() -> bytes:
            if size > len(data):
                raise ValueError("stream larger than the file")
            if size >= cutoff:
                return b"".join(sector(s) for s in chain(start, fat))[:size]
            mini = b"".join(sector(s) for s in chain(root_start, fat))[:root_size]
            minifat = array.array(
                "I", b"".join(sector(s) for s in chain(minifat_start, fat))[: n_minifat * ssz]
            )
            if sys.byteorder == "big":
                minifat.byteswap()
            return b"".join(mini[s * 64 : s * 64 + 64] for s in chain(start, minifat))[:size]

        return read

    streams: dict[str, Callable[[], bytes]] = {}
    pending, seen = [root_child], set()
    while pending:
        index = pending.pop()
        if index in (_FREE_SECT, _END_OF_CHAIN) or index >= len(entries) or index in seen:
            continue
        seen.add(index)
        name, kind, left, right, _child, start, size = info(index)
        pending += [left, right]
        if kind in (1, 2):
            streams.setdefault(name.lower(), reader(start, size))
    return streams


def _scan_biff(stream: bytes, name: str, scan: _Scan) -> None:
    """Bound each sheet's cells from the BIFF records; find FILEPASS and SUPBOOK."""
    pos, end = 0, len(stream)
    names: dict[int, str] = {}  # BOUNDSHEET: stream offset of a sheet's BOF -> name
    sheet = "workbook globals"
    max_row = max_col = -1
    unpack = struct.unpack_from
    while pos + 4 <= end:
        start = pos
        rtype, length = unpack("<HH", stream, pos)
        body = pos + 4
        pos = body + length
        if pos > end:
            break
        if rtype in _BIFF_CELLS:
            if length >= 4:
                r, c = unpack("<HH", stream, body)
                if r > max_row:
                    max_row = r
                if c > max_col:
                    max_col = c
        elif rtype == _BIFF_MULRK:
            if length >= 6:
                r, c = unpack("<HH", stream, body)
                (last,) = unpack("<H", stream, pos - 2)
                max_row = max(max_row, r)
                max_col = max(max_col, c, last)
        elif rtype == _BIFF_BOF:
            if max_row >= 0:
                _check_dims(name, sheet, max_row + 1, max_col + 1)
            sheet = names.get(start, f"sheet at offset {start}")
            max_row = max_col = -1
        elif rtype == _BIFF_BOUNDSHEET and length >= 8:
            (ply,) = unpack("<I", stream, body)
            count, wide = stream[body + 6], stream[body + 7] & 1
            raw = stream[body + 8 : body + 8 + count * (2 if wide else 1)]
            names[ply] = raw.decode("utf-16-le" if wide else "latin-1", "replace")
        elif rtype == _BIFF_FILEPASS:
            _reject("encrypted-file", name, "the workbook is password-protected")
        elif rtype == _BIFF_SUPBOOK and length >= 4:
            (kind,) = unpack("<H", stream, body + 2)
            if kind not in (0x0401, 0x3A01):
                scan.has_external = True
    if max_row >= 0:
        _check_dims(name, sheet, max_row + 1, max_col + 1)

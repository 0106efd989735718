"""The entry point: `read_workbook` checks a file, then opens it with calamine.

The format is decided by content (never by file name), the file is checked cheaply
before any parser sees it (`packages._check_zip`, `ole._check_ole`), then
python-calamine (Rust) reads it. calamine errors and Rust panics
(`pyo3_runtime.PanicException`, a BaseException) become `corrupt-file`; any
other exception is a bug in urbsurvey and propagates. An allocation calamine
cannot make aborts the process: callers read in a worker (`intake.workers`).

Cell values: empty cells are None; whole-number floats become int (xlsx stores 12
as a float, xls as an integer: both read 12); dates are `datetime.date` or
`datetime.datetime` as calamine types them. LibreOffice has no boolean cells, so an
.ods TRUE reads 1. Merged ranges come from calamine for xlsx/xls and from the
content scan (`number-*-spanned`) for ods.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import python_calamine

from ..issues import Issue, IssueCode, make_issue
from . import limits
from .files import NotAFile, read_regular
from .model import CellValue, ReadError, Sheet, _check_dims, _Reject, _reject, _Scan
from .packages import _check_zip
from .sniff import _OLE_MAGIC, _ZIP_MAGIC, _looks_like

_CALAMINE_MSG_MAX = 200
_BIG_INT = 2.0**53


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
    #: cells whose saved value is an error (xlsx, xlsm, xls; calamine reads them as empty)
    error_cells: dict[tuple[str, str], str] = field(default_factory=dict)
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
                make_issue(
                    IssueCode.CORRUPT_FILE, self._display, f"{self._display}: closed", sheet=name
                )
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


def read_workbook(path: Path, *, display_name: str | None = None) -> Workbook | Issue:
    """Check and open one returned workbook; an `Issue` instead for a bad file."""
    name = display_name or str(path)
    return _guarded(name, lambda: _open(_read_file(Path(path), name), Path(path), name))


def read_workbook_bytes(
    data: bytes, display_name: str, *, path: Path | None = None
) -> Workbook | Issue:
    """`read_workbook` for bytes (an e-mail attachment, or a file already read to hash
    it: `path`): the same checks and limits, nothing written to disk."""
    where = Path(display_name) if path is None else path
    return _guarded(
        display_name, lambda: _open(_check_size(data, display_name), where, display_name)
    )


def _guarded(name: str, read: Callable[[], Workbook]) -> Workbook | Issue:
    try:
        return read()
    except _Reject as reject:
        return reject.issue
    except MemoryError:
        return make_issue(IssueCode.FILE_TOO_LARGE, name, f"{name}: ran out of memory reading it")


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().replace("\n", " ")
    if len(text) > _CALAMINE_MSG_MAX:
        text = text[:_CALAMINE_MSG_MAX] + "…"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _open(data: bytes, path: Path, name: str) -> Workbook:
    scan = _Scan()
    fmt, for_calamine = _check_content(data, name, scan)
    book = _calamine(
        lambda: python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(for_calamine))
    )
    if book is None:
        # from_filelike hides the reason ("Cannot detect file format"); ask again by a
        # path with the right extension for the real one (rare: failures only).
        _explain_failure(data, fmt, name)
    names, visible = _sheet_names(book, name)
    return Workbook(
        path=path,
        format=fmt,
        sheet_names=names,
        has_macros=scan.has_macros,
        formulas_without_value=scan.no_value,
        external_link_cells=scan.external,
        has_external_links=scan.has_external or bool(scan.external),
        error_cells=scan.errors,
        _display=name,
        _book=book,
        _visible=visible,
        _merged_hint=scan.merged,
    )


def _read_file(path: Path, name: str) -> bytes:
    """The file's bytes, if it is not too large and not empty."""
    most = limits.MAX_FILE_BYTES
    try:
        data, st = read_regular(path, most)
    except NotAFile as exc:
        _reject(
            IssueCode.NOT_A_REGULAR_FILE, name, f"is {exc.kind}, not a file; only files are read"
        )
    except OSError as exc:
        _reject(IssueCode.CORRUPT_FILE, name, f"cannot be opened ({exc.strerror or exc})")
    if data is None:  # larger than it said if it grew while read
        _too_big_file(name, max(st.st_size, most + 1))
    return _check_size(data, name)


def _check_size(data: bytes, name: str) -> bytes:
    if len(data) > limits.MAX_FILE_BYTES:
        _too_big_file(name, len(data))
    if not data.strip(b" \t\r\n\x00"):
        _reject(IssueCode.EMPTY_FILE, name, "the file is empty")
    return data


def _check_content(data: bytes, name: str, scan: _Scan) -> tuple[str, bytes]:
    """The format by content, once checked; and the bytes to hand calamine."""
    head = data[:8]
    if head[:4] in _ZIP_MAGIC:
        return _check_zip(data, name, scan)
    if head == _OLE_MAGIC:
        from .ole import _check_ole  # imported for an .xls only (with biff): an .xlsx needs none

        _check_ole(data, name, scan)
        return "xls", data
    _reject(IssueCode.NOT_A_SPREADSHEET, name, f"not a spreadsheet: {_looks_like(data)}")


def _sheet_names(book: Any, name: str) -> tuple[list[str], dict[str, bool]]:
    """The sheets' names in order, and whether each is visible."""
    metadata = _calamine(lambda: list(book.sheets_metadata))
    if metadata is None:
        _reject(IssueCode.CORRUPT_FILE, name, "the list of sheets cannot be read")
    visible: dict[str, bool] = {}
    names: list[str] = []
    for meta in metadata:
        sheet_name = str(meta.name)
        names.append(sheet_name)
        visible[sheet_name] = meta.visible == python_calamine.SheetVisibleEnum.Visible
    if len(visible) != len(names):
        _reject(IssueCode.CORRUPT_FILE, name, "two sheets have the same name")
    return names, visible


def _too_big_file(name: str, size: int) -> NoReturn:
    _reject(
        IssueCode.FILE_TOO_LARGE,
        name,
        f"the file is {size / 1e6:.1f} MB; "
        f"the limit is {limits.MAX_FILE_BYTES // (1024 * 1024)} MB",
    )


_T = TypeVar("_T")


def _calamine_failed(exc: BaseException) -> bool:
    """Whether calamine rejected the data: its own errors, a value it cannot convert, a
    Rust panic (`pyo3_runtime.PanicException`, a BaseException not importable by name).
    Anything else is urbsurvey's bug and propagates."""
    if isinstance(exc, (python_calamine.CalamineError, ValueError, OverflowError)):
        return True
    return type(exc).__name__ == "PanicException"


def _calamine(call: Callable[[], _T]) -> _T | None:
    """Run a calamine call; None if calamine failed on the data (see `_calamine_failed`)."""
    try:
        return call()
    except BaseException as exc:
        if _calamine_failed(exc):
            return None
        raise


def _explain_failure(data: bytes, fmt: str, name: str) -> NoReturn:
    import tempfile

    ext = {"xlsm": "xlsx"}.get(fmt, fmt)
    reason = "calamine cannot read it"
    with tempfile.TemporaryDirectory(prefix="urbsurvey-") as tmp:
        copy = Path(tmp) / f"workbook.{ext}"
        copy.write_bytes(data)
        try:
            python_calamine.CalamineWorkbook.from_path(str(copy)).close()
        except python_calamine.PasswordError:
            _reject(IssueCode.ENCRYPTED_FILE, name, "the workbook is password-protected")
        except BaseException as exc:
            if not _calamine_failed(exc):
                raise
            reason = _describe(exc)
    _reject(IssueCode.CORRUPT_FILE, name, f"the {fmt} workbook is damaged ({reason})")


def _read_sheet(wb: Workbook, sheet_name: str) -> Sheet:
    name = wb._display
    book = wb._book
    sheet = _calamine(lambda: book.get_sheet_by_name(sheet_name))
    if sheet is None:
        _reject(IssueCode.CORRUPT_FILE, name, f"sheet {sheet_name!r} cannot be read")
    end = _calamine(lambda: sheet.end)
    if end is not None:
        _check_dims(name, sheet_name, end[0] + 1, end[1] + 1)
    raw = _calamine(lambda: sheet.to_python(skip_empty_area=False))
    if raw is None:
        _reject(IssueCode.CORRUPT_FILE, name, f"sheet {sheet_name!r} is damaged")
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

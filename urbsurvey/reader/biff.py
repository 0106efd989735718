"""xls: the BIFF records of the workbook stream, read as python-calamine reads them.

calamine parses every sheet when the file is opened: the workbook globals from the
start of the stream to their EOF record (BOUNDSHEET records give each sheet's name and
the offset of its BOF), then, for each BOUNDSHEET, the records from that offset to the
sheet's EOF. This module follows the same records, so what it bounds is what calamine
allocates:

- each BOUNDSHEET offset must be the start of a BOF record of the stream and begin a
  sheet of its own: an offset inside another record, past the end, shared by two
  sheets or inside another sheet is `corrupt-file`;
- a sheet's used area (`MAX_ROWS`, `MAX_COLS`, `MAX_CELLS`), both from its cell records
  and from its DIMENSIONS record (calamine reserves room for the cells it declares: a
  2 KB file can declare 268 million rows);
- the text the cells hold once decoded (`MAX_TEXT_CHARS`): a cell pointing at a shared
  (SST) string gets its own copy, so one 65,535-character string referenced by many
  cells is counted once per cell.

Cells whose saved value is an error (a BOOLERR error, or a FORMULA whose cached result
is one: calamine reads both as empty) are noted in `_Scan.errors`. A FILEPASS record
means the workbook is encrypted; SUPBOOK records say whether external links exist (xls
stores every formula's result, so none lacks a value).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from ..issues import IssueCode
from . import limits
from .model import _check_dims, _reject, _Scan, cell_ref
from .text import _SHARED, too_much_text

_BOF, _EOF, _CONTINUE, _BOUNDSHEET = 0x0809, 0x000A, 0x003C, 0x0085
_FILEPASS, _SUPBOOK, _SST = 0x002F, 0x01AE, 0x00FC
_DIMENSIONS, _MULRK, _LABELSST, _BOOLERR, _FORMULA = 0x0200, 0x00BD, 0x00FD, 0x0205, 0x0006
_LABEL, _RSTRING, _STRING = 0x0204, 0x00D6, 0x0207
#: Records holding a cell at (row, col) in their first four bytes (MULRK: its first).
_CELLS = frozenset({_FORMULA, 0x0203, _LABEL, _BOOLERR, 0x027E, _LABELSST, _RSTRING, _MULRK})
#: Records a sheet scan does more with than bound a cell.
_SPECIAL = frozenset({_BOF, _EOF, _DIMENSIONS, _MULRK, _LABELSST, _BOOLERR, _FORMULA})
_TEXT = frozenset({_LABEL, _RSTRING, _STRING})
_WANTED = _CELLS | _SPECIAL | _TEXT
#: BIFF8 error codes, as calamine knows them.
_ERRORS = {
    0x00: "#NULL!",
    0x07: "#DIV/0!",
    0x0F: "#VALUE!",
    0x17: "#REF!",
    0x1D: "#NAME?",
    0x24: "#NUM!",
    0x2A: "#N/A",
    0x2B: "#GETTING_DATA",
}


@dataclass(slots=True)
class _Globals:
    """What the workbook globals say: the sheets by BOF offset, each shared string's length."""

    sheets: dict[int, str] = field(default_factory=dict)
    #: Each shared string's length, once read (`_SstReader`); until then `sst_bound`, the
    #: most one can have (65,535 characters, or the SST's size if smaller), stands for each.
    sst: list[int] | None = None
    sst_chunks: list[tuple[int, int]] = field(default_factory=list)
    sst_bound: int = 0
    biff8: bool = True  # BIFF5 and older (a `Book` stream) write sheet names without flags


def _scan_biff(stream: bytes, name: str, scan: _Scan) -> None:
    """Check the globals, then every sheet calamine will read: at first with each shared
    string taken at its most, again with their lengths read if that passes the limit."""
    book = _read_globals(stream, name, scan)
    try:
        _scan_sheets(stream, name, book, scan)
    except _Recount:
        book.sst = _SstReader(stream, book.sst_chunks).lengths()
        _scan_sheets(stream, name, book, scan)


class _Recount(Exception):
    """The text passes the limit with shared strings at their most: count exactly."""


def _records(stream: bytes, pos: int) -> tuple[int, int, int]:
    """The record at `pos`: (type, body offset, body length); type -1 at the end or when
    the record runs past the end (calamine stops there too, with an error)."""
    if pos + 4 > len(stream):
        return -1, pos, 0
    rtype, length = struct.unpack_from("<HH", stream, pos)
    if pos + 4 + length > len(stream):
        return -1, pos, 0
    return rtype, pos + 4, length


def _read_globals(stream: bytes, name: str, scan: _Scan) -> _Globals:
    """The globals: from the start of the stream to the first EOF record."""
    book = _Globals()
    pos = 0
    while True:
        rtype, body, length = _records(stream, pos)
        if rtype in (-1, _EOF):
            return book
        pos = body + length
        if rtype == _BOUNDSHEET and length >= 8:
            _boundsheet(stream, body, length, name, book)
        elif rtype == _SST:
            book.sst_chunks = _sst_chunks(stream, body, length)
            book.sst_bound = min(0xFFFF, sum(max(0, b - a) for a, b in book.sst_chunks))
        elif rtype == _FILEPASS:
            _reject(IssueCode.ENCRYPTED_FILE, name, "the workbook is password-protected")
        elif rtype == _BOF and length >= 4:
            book.biff8 = _is_biff8(*struct.unpack_from("<HH", stream, body))
        elif rtype == _SUPBOOK and length >= 4:
            (kind,) = struct.unpack_from("<H", stream, body + 2)
            if kind not in (0x0401, 0x3A01):
                scan.has_external = True


def _is_biff8(version: int, kind: int) -> bool:
    """The BIFF version a BOF record says, as calamine decides it."""
    if version == 0:
        return kind != 0x1000
    return version not in (0x0200, 0x0002, 0x0007, 0x0300, 0x0400, 0x0500)


def _boundsheet(stream: bytes, body: int, length: int, name: str, book: _Globals) -> None:
    (offset,) = struct.unpack_from("<I", stream, body)
    count = stream[body + 6]
    wide = stream[body + 7] & 1 if book.biff8 else 0
    start = body + (8 if book.biff8 else 7)
    raw = stream[start : start + count * (2 if wide else 1)]
    sheet = raw.decode("utf-16-le" if wide else "latin-1", "replace").replace("\x00", "")
    if offset in book.sheets:
        _reject(
            IssueCode.CORRUPT_FILE,
            name,
            f"sheets {book.sheets[offset]!r} and {sheet!r} claim the same place in the file",
        )
    book.sheets[offset] = sheet


def _scan_sheets(stream: bytes, name: str, book: _Globals, scan: _Scan) -> None:
    """One pass over every record of the stream; each BOUNDSHEET offset must be one of
    their starts, and begins a sheet that runs to its EOF record. Records no sheet
    scan reads cost one set lookup (a stream can hold millions)."""
    starts = sorted(book.sheets)
    budget = _Budget(name)
    unpack, end, wanted = struct.unpack_from, len(stream), _WANTED
    pending = 0  # index in `starts` of the next sheet to meet
    next_start = starts[0] if starts else -1  # -1: none left
    sheet: _Sheet | None = None
    pos = 0
    while next_start >= 0 or sheet is not None:
        rtype, length = unpack("<HH", stream, pos) if pos + 4 <= end else (-1, 0)
        if pos + 4 + length > end:
            rtype = -1  # the end, or a record running past it
        if 0 <= next_start <= pos:
            sheet = _begin(stream, name, book, next_start, pos, rtype, sheet)
            pending += 1
            next_start = starts[pending] if pending < len(starts) else -1
        if rtype == -1:
            break
        if (
            rtype in wanted
            and sheet is not None
            and not sheet.record(stream, rtype, pos + 4, length, book, budget)
        ):
            sheet.finish(name, scan)
            sheet = None
        pos += 4 + length
    if sheet is not None:
        sheet.finish(name, scan)
    if next_start >= 0:
        _misplaced(name, book.sheets[next_start], next_start, "past the end of its records")


def _begin(
    stream: bytes,
    name: str,
    book: _Globals,
    start: int,
    pos: int,
    rtype: int,
    current: _Sheet | None,
) -> _Sheet:
    """The sheet beginning at `pos`, if the record there is its BOF."""
    sheet_name = book.sheets[start]
    if start < pos:
        _misplaced(name, sheet_name, start, "inside another record")
    if rtype != _BOF:
        _misplaced(name, sheet_name, start, "at a record that is not a sheet's beginning")
    if current is not None:
        _misplaced(name, sheet_name, start, f"inside sheet {current.name!r}")
    return _Sheet(sheet_name)


def _misplaced(name: str, sheet: str, offset: int, where: str) -> None:
    _reject(
        IssueCode.CORRUPT_FILE,
        name,
        f"sheet {sheet!r} is said to begin at byte {offset:,} of the workbook stream, "
        f"which is {where}",
        sheet=sheet,
    )


@dataclass(slots=True)
class _Budget:
    """The decoded text of the whole workbook, against `MAX_TEXT_CHARS`."""

    name: str
    chars: int = 0
    estimated: bool = False  # some shared strings were counted at their most

    def spend(self, chars: int, sheet: str, estimate: bool = False) -> None:
        self.chars += chars
        self.estimated = self.estimated or estimate
        if self.chars > limits.MAX_TEXT_CHARS:
            if self.estimated:
                raise _Recount
            too_much_text(self.name, f"sheet {sheet!r} reaches that, {_SHARED}", sheet)


@dataclass(slots=True)
class _Sheet:
    """One sheet's records, from its BOF to the EOF closing it."""

    name: str
    depth: int = 0  # BOF records open (charts inside a sheet have their own BOF/EOF)
    max_row: int = -1
    max_col: int = -1
    errors: dict[tuple[int, int], str] = field(default_factory=dict)

    def record(
        self, stream: bytes, rtype: int, body: int, length: int, book: _Globals, budget: _Budget
    ) -> bool:
        """Take one record; False once the sheet's own EOF is read."""
        if rtype in _CELLS and length >= 4:
            r, c = struct.unpack_from("<HH", stream, body)
            self.max_row = max(self.max_row, r)
            self.max_col = max(self.max_col, c)
        if rtype in _TEXT:
            at = body + (0 if rtype == _STRING else 6)  # the string's character count
            if at + 2 <= body + length:
                budget.spend(struct.unpack_from("<H", stream, at)[0], self.name)
        if rtype in _SPECIAL:
            return self._special(stream, rtype, body, length, book, budget)
        return True

    def _special(
        self, stream: bytes, rtype: int, body: int, length: int, book: _Globals, budget: _Budget
    ) -> bool:
        if rtype == _BOF:
            self.depth += 1
        elif rtype == _EOF:
            self.depth -= 1
            return self.depth > 0
        elif rtype == _DIMENSIONS:
            _declared(stream, body, length, budget.name, self.name)
        elif rtype == _MULRK and length >= 6:
            (last,) = struct.unpack_from("<H", stream, body + length - 2)
            self.max_col = max(self.max_col, last)
        elif rtype == _LABELSST and length >= 10:
            if book.sst is None:
                budget.spend(book.sst_bound, self.name, estimate=True)
            else:
                (index,) = struct.unpack_from("<I", stream, body + 6)
                if index < len(book.sst):
                    budget.spend(book.sst[index], self.name)
        else:
            self._error(stream, rtype, body, length)
        return True

    def _error(self, stream: bytes, rtype: int, body: int, length: int) -> None:
        """A BOOLERR error, or a FORMULA whose cached result is an error."""
        code: int | None = None
        if rtype == _BOOLERR and length >= 8 and stream[body + 7] == 1:
            code = stream[body + 6]
        elif (
            rtype == _FORMULA
            and length >= 20
            and stream[body + 6] == 2
            and stream[body + 12 : body + 14] == b"\xff\xff"
        ):
            code = stream[body + 8]
        if code is not None:
            r, c = struct.unpack_from("<HH", stream, body)
            self.errors[(r, c)] = _ERRORS.get(code, "#ERROR")

    def finish(self, name: str, scan: _Scan) -> None:
        """Bound the used area; hand the error cells over."""
        if self.max_row >= 0:
            _check_dims(name, self.name, self.max_row + 1, self.max_col + 1)
        for (r, c), error in self.errors.items():
            scan.errors[(self.name, cell_ref(r, c))] = error


def _declared(stream: bytes, body: int, length: int, name: str, sheet: str) -> None:
    """The cells a DIMENSIONS record declares, computed as calamine computes the room
    it reserves for them (32-bit rows in BIFF8, wrapping like calamine's)."""
    if length == 14:
        first_row, end_row, first_col, end_col = struct.unpack_from("<IIHH", stream, body)
    elif length == 10:
        first_row, end_row, first_col, end_col = struct.unpack_from("<HHHH", stream, body)
    else:
        return  # calamine refuses the file
    if first_col > 0xFF or end_col < first_col:
        first_col = 0
    last_row, last_col = (first_row, first_col)
    if end_row and end_col:
        last_row, last_col = end_row - 1, end_col - 1
    rows = (last_row - first_row + 1) % (1 << 32)
    cols = (last_col - first_col + 1) % (1 << 32)
    if rows > limits.MAX_ROWS or cols > limits.MAX_COLS or rows * cols > limits.MAX_CELLS:
        _reject(
            IssueCode.FILE_TOO_LARGE,
            name,
            f"sheet {sheet!r} reaches cell {cell_ref(first_row + rows - 1, first_col + cols - 1)} "
            f"({rows:,} rows x {cols:,} columns, as its DIMENSIONS record declares; an .xls "
            f"sheet has at most 65,536 rows and 256 columns); the limit is "
            f"{limits.MAX_ROWS:,} rows, {limits.MAX_COLS:,} columns and "
            f"{limits.MAX_CELLS:,} cells",
            sheet=sheet,
        )


def _sst_chunks(stream: bytes, body: int, length: int) -> list[tuple[int, int]]:
    """Where the shared strings are: the SST record's body past its two counts, and the
    CONTINUE records after it (calamine reads them as one)."""
    chunks = [(body + 8, body + length)]
    pos = body + length
    while True:
        rtype, cbody, clength = _records(stream, pos)
        if rtype != _CONTINUE:
            break
        chunks.append((cbody, cbody + clength))
        pos = cbody + clength
    return chunks


@dataclass(slots=True)
class _SstReader:
    """A cursor over the SST's pieces (calamine's `Record` with its `cont` list)."""

    stream: bytes
    chunks: list[tuple[int, int]]
    at: int = 0  # offset in the stream
    end: int = 0  # end of the current piece
    next_chunk: int = 0

    def lengths(self) -> list[int]:
        """Each string's length in characters, read as calamine reads them; a table
        calamine cannot read ends the list (the file then fails to open)."""
        out: list[int] = []
        self._next()
        try:
            while self.at < self.end or self._next():
                out.append(self._string())
        except _SstEnd:
            pass
        return out

    def _next(self) -> bool:
        if self.next_chunk >= len(self.chunks):
            return False
        self.at, self.end = self.chunks[self.next_chunk]
        self.next_chunk += 1
        return True

    def _take(self, count: int) -> int:
        """Skip `count` bytes of this piece; the offset where they began."""
        if self.end - self.at < count:
            raise _SstEnd
        self.at += count
        return self.at - count

    def _string(self) -> int:
        """One XLUnicodeRichExtendedString: its length; the cursor moves past it."""
        if self.at >= self.end:
            return 0
        chars: int
        flags: int
        chars, flags = struct.unpack_from("<HB", self.stream, self._take(3))
        runs: int = struct.unpack_from("<H", self.stream, self._take(2))[0] if flags & 8 else 0
        ext: int = struct.unpack_from("<I", self.stream, self._take(4))[0] if flags & 4 else 0
        self._chars(chars, flags & 1)
        self._skip(runs * 4 + ext)
        return chars

    def _chars(self, count: int, wide: int) -> None:
        while count > 0:
            width = 2 if wide else 1
            n = min((self.end - self.at) // width, count)
            self.at += n * width
            count -= n
            if count > 0:
                if not self._next() or self.at >= self.end:
                    raise _SstEnd
                wide = self.stream[self._take(1)] & 1  # each piece restates the width

    def _skip(self, count: int) -> None:
        while count > 0:
            if self.at >= self.end and not self._next():
                raise _SstEnd
            n = min(count, self.end - self.at)
            self.at += n
            count -= n


class _SstEnd(Exception):
    """The shared strings end early: calamine cannot read them either."""

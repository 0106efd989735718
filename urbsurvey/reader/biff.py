"""xls: the BIFF records of the `Workbook` stream.

calamine parses every sheet of an xls when the file is opened, so each sheet's cell
records are bounded (`MAX_ROWS`, `MAX_COLS`, `MAX_CELLS`) first. A FILEPASS record
means the workbook is encrypted; SUPBOOK records say whether external links exist
(xls stores every formula's result, so none lacks a value).
"""

from __future__ import annotations

import struct

from ..issues import IssueCode
from .model import _check_dims, _reject, _Scan

_BIFF_CELLS = frozenset({0x0006, 0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, 0x00D6})
_BIFF_MULRK, _BIFF_BOF, _BIFF_FILEPASS, _BIFF_SUPBOOK = 0x00BD, 0x0809, 0x002F, 0x01AE
_BIFF_BOUNDSHEET = 0x0085
#: The records `_workbook_record` reads.
_BIFF_WORKBOOK = frozenset({_BIFF_BOUNDSHEET, _BIFF_FILEPASS, _BIFF_SUPBOOK})


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
        if rtype in _BIFF_CELLS and length >= 4:
            r, c = unpack("<HH", stream, body)
            if r > max_row:
                max_row = r
            if c > max_col:
                max_col = c
        elif rtype == _BIFF_MULRK and length >= 6:
            r, c = unpack("<HH", stream, body)
            (last,) = unpack("<H", stream, pos - 2)
            max_row = max(max_row, r)
            max_col = max(max_col, c, last)
        elif rtype == _BIFF_BOF:
            _bound_sheet(name, sheet, max_row, max_col)
            sheet = names.get(start, f"sheet at offset {start}")
            max_row = max_col = -1
        elif rtype in _BIFF_WORKBOOK:
            _workbook_record(stream, rtype, body, length, name, names, scan)
    _bound_sheet(name, sheet, max_row, max_col)


def _bound_sheet(name: str, sheet: str, max_row: int, max_col: int) -> None:
    """Check a sheet's used area, once its records are read (none if it has no cell)."""
    if max_row >= 0:
        _check_dims(name, sheet, max_row + 1, max_col + 1)


def _workbook_record(
    stream: bytes,
    rtype: int,
    body: int,
    length: int,
    name: str,
    names: dict[int, str],
    scan: _Scan,
) -> None:
    """BOUNDSHEET (a sheet's name, by the offset of its BOF), FILEPASS, SUPBOOK."""
    if rtype == _BIFF_BOUNDSHEET and length >= 8:
        (ply,) = struct.unpack_from("<I", stream, body)
        count, wide = stream[body + 6], stream[body + 7] & 1
        raw = stream[body + 8 : body + 8 + count * (2 if wide else 1)]
        names[ply] = raw.decode("utf-16-le" if wide else "latin-1", "replace")
    elif rtype == _BIFF_FILEPASS:
        _reject(IssueCode.ENCRYPTED_FILE, name, "the workbook is password-protected")
    elif rtype == _BIFF_SUPBOOK and length >= 4:
        (kind,) = struct.unpack_from("<H", stream, body + 2)
        if kind not in (0x0401, 0x3A01):
            scan.has_external = True

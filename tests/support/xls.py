"""A minimal BIFF8 (.xls) writer, for tests that need an .xls made record by record.

    from .support.xls import Sheet, workbook_stream, ole_file, number, label_sst

    stream = workbook_stream([Sheet("Responses", [number(0, 0, 12.5)])])
    path.write_bytes(ole_file({"Workbook": stream}))

`workbook_stream` writes the globals (BOF, CODEPAGE, BOUNDSHEET per sheet, SST, EOF)
and each sheet (BOF, DIMENSIONS, its cell records, EOF), with every BOUNDSHEET
pointing at its sheet's BOF; `ole_file` wraps streams in a version-3 compound file.
Hostile files are made by passing raw records (`record`) or by rewriting what these
return. python-calamine reads what these write (tests/test_hostile_xls.py checks it).
"""

from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

BOF, EOF, BOUNDSHEET, SST, CONTINUE = 0x0809, 0x000A, 0x0085, 0x00FC, 0x003C
DIMENSIONS, NUMBER, LABEL, LABELSST = 0x0200, 0x0203, 0x0204, 0x00FD
BOOLERR, FORMULA = 0x0205, 0x0006
#: BIFF8 error codes, as BOOLERR and FORMULA store them.
ERRORS = {"#NULL!": 0x00, "#DIV/0!": 0x07, "#VALUE!": 0x0F, "#REF!": 0x17, "#N/A": 0x2A}
_END, _FREE, _FAT_SECT = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
_SECTOR = 512


def record(rtype: int, body: bytes = b"") -> bytes:
    return struct.pack("<HH", rtype, len(body)) + body


def number(row: int, col: int, value: float) -> bytes:
    return record(NUMBER, struct.pack("<HHHd", row, col, 0, value))


def label(row: int, col: int, text: str) -> bytes:
    raw = text.encode("latin-1")
    return record(LABEL, struct.pack("<HHHHB", row, col, 0, len(raw), 0) + raw)


def label_sst(row: int, col: int, index: int) -> bytes:
    return record(LABELSST, struct.pack("<HHHI", row, col, 0, index))


def bool_err(row: int, col: int, error: str) -> bytes:
    """A BOOLERR cell holding the error `error` ("#DIV/0!", ...)."""
    return record(BOOLERR, struct.pack("<HHHBB", row, col, 0, ERRORS[error], 1))


def formula_error(row: int, col: int, error: str) -> bytes:
    """A FORMULA cell (=1/0 as tokens) whose saved result is the error `error`."""
    result = struct.pack("<BBBBBBH", 2, 0, ERRORS[error], 0, 0, 0, 0xFFFF)
    tokens = bytes([0x1E, 1, 0, 0x1E, 0, 0, 0x06])  # PtgInt 1, PtgInt 0, PtgDiv
    body = struct.pack("<HHH", row, col, 0) + result + struct.pack("<HIH", 0, 0, len(tokens))
    return record(FORMULA, body + tokens)


def dimensions(first_row: int, last_row: int, first_col: int, last_col: int) -> bytes:
    """DIMENSIONS: rows first..last-plus-one (u32), columns likewise (u16)."""
    return record(DIMENSIONS, struct.pack("<IIHHH", first_row, last_row, first_col, last_col, 0))


@dataclass
class Sheet:
    name: str
    cells: Sequence[bytes] = ()
    #: Records written before the cells; None: a DIMENSIONS record fitting the cells.
    head: bytes | None = None
    #: Records after the cells, before the sheet's EOF.
    tail: bytes = b""


def bof(kind: int) -> bytes:
    """BOF: BIFF8, `kind` 0x0005 (globals) or 0x0010 (worksheet)."""
    return record(BOF, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 0x0206))


def sst(strings: Sequence[str]) -> bytes:
    """An SST record (with CONTINUE records for long strings) of Latin-1 strings."""
    chunks = [struct.pack("<II", len(strings), len(strings))]
    records: list[bytes] = []
    size = 8
    for text in strings:
        raw = text.encode("latin-1")
        head = struct.pack("<HB", len(raw), 0)
        if size + len(head) + 1 > 8224:
            records.append(b"".join(chunks))
            chunks, size = [], 0
        chunks.append(head)
        size += len(head)
        while raw:
            room = 8224 - size
            if room <= 0:
                records.append(b"".join(chunks))
                chunks, size = [b"\x00"], 1  # a CONTINUE in a string restates its flags
                room = 8223
            chunks.append(raw[:room])
            size += len(raw[:room])
            raw = raw[room:]
    records.append(b"".join(chunks))
    return record(SST, records[0]) + b"".join(record(CONTINUE, r) for r in records[1:])


def workbook_stream(
    sheets: Sequence[Sheet], strings: Sequence[str] = (), globals_extra: bytes = b""
) -> bytes:
    """A BIFF8 Workbook stream: globals, then each sheet, BOUNDSHEETs pointing at them."""

    def boundsheet(offset: int, name: str) -> bytes:
        raw = name.encode("latin-1")
        return record(BOUNDSHEET, struct.pack("<IBBBB", offset, 0, 0, len(raw), 0) + raw)

    tail = globals_extra + (sst(strings) if strings else b"") + record(EOF)
    head = bof(0x0005) + record(0x0042, struct.pack("<H", 1200))
    offset = len(head) + sum(len(boundsheet(0, s.name)) for s in sheets) + len(tail)
    bodies: list[bytes] = []
    pointers: list[bytes] = []
    for sheet in sheets:
        pointers.append(boundsheet(offset, sheet.name))
        body = bof(0x0010) + _head(sheet) + b"".join(sheet.cells) + sheet.tail + record(EOF)
        bodies.append(body)
        offset += len(body)
    return head + b"".join(pointers) + tail + b"".join(bodies)


def _head(sheet: Sheet) -> bytes:
    if sheet.head is not None:
        return sheet.head
    rows = [struct.unpack_from("<HH", c, 4) for c in sheet.cells if len(c) >= 8]
    if not rows:
        return dimensions(0, 0, 0, 0)
    return dimensions(0, max(r for r, _ in rows) + 1, 0, max(c for _, c in rows) + 1)


def ole_file(
    streams: Mapping[str, bytes], storages: Mapping[str, Mapping[str, bytes]] | None = None
) -> bytes:
    """A version-3 compound file: `streams` at its root (in this order), then each of
    `storages` (a storage and its streams). Streams are padded to 4096 bytes, so none
    is in the mini stream; directory entries are in this order too."""
    entries: list[tuple[str, int, bytes, int | None]] = [
        (n, 2, d, None) for n, d in streams.items()
    ]
    for name, inner in (storages or {}).items():
        parent = len(entries)
        entries.append((name, 1, b"", None))
        entries += [(n, 2, d, parent) for n, d in inner.items()]
    data = bytearray()
    fat: list[int] = []
    starts: list[int] = []
    for _name, kind, content, _parent in entries:
        content = content.ljust(4096, b"\x00") if kind == 2 else b""
        n = -(-len(content) // _SECTOR)
        starts.append(len(fat) if n else _END)
        fat += [len(fat) + i + 1 for i in range(n - 1)] + ([_END] if n else [])
        data += content.ljust(n * _SECTOR, b"\x00")
    directory = _directory(entries, starts)
    dir_start = len(fat)
    n_dir = -(-len(directory) // _SECTOR)
    fat += [dir_start + i + 1 for i in range(n_dir - 1)] + [_END]
    data += directory.ljust(n_dir * _SECTOR, b"\x00")
    n_fat = 1
    while -(-(len(fat) + n_fat) // (_SECTOR // 4)) > n_fat:
        n_fat += 1
    fat_start = len(fat)
    fat += [_FAT_SECT] * n_fat
    data += struct.pack(f"<{len(fat)}I", *fat).ljust(n_fat * _SECTOR, b"\xff")
    difat = [fat_start + i for i in range(n_fat)] + [_FREE] * (109 - n_fat)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        b"\x00" * 16,
        0x3E,  # minor version
        3,  # major version: 512-byte sectors
        0xFFFE,  # byte order
        9,  # sector shift
        6,  # mini sector shift
        b"\x00" * 6,
        0,  # directory sectors (0 in version 3)
        n_fat,
        dir_start,
        0,  # transaction
        4096,  # mini stream cutoff
        _END,  # mini FAT start
        0,  # mini FAT sectors
        _END,  # DIFAT start
        0,  # DIFAT sectors
    )
    return header + struct.pack("<109I", *difat) + bytes(data)


def _directory(entries: list[tuple[str, int, bytes, int | None]], starts: list[int]) -> bytes:
    """The root entry, then `entries`: the children of one parent are a chain of right
    siblings, the first of them the parent's child."""

    def children(parent: int | None) -> list[int]:
        return [i for i, entry in enumerate(entries) if entry[3] == parent]

    def first(ids: list[int]) -> int:
        return ids[0] + 1 if ids else _FREE

    out = [_entry("Root Entry", 5, _FREE, first(children(None)), _END, 0)]
    for i, (name, kind, content, parent) in enumerate(entries):
        siblings = children(parent)
        after = siblings[siblings.index(i) + 1 :]
        child = first(children(i)) if kind == 1 else _FREE
        size = max(len(content), 4096) if kind == 2 else 0
        out.append(_entry(name, kind, first(after), child, starts[i], size))
    return b"".join(out)


def _entry(name: str, kind: int, right: int, child: int, start: int, size: int) -> bytes:
    """A 128-byte directory entry (no left sibling, no CLSID, no times)."""
    raw = (name + "\x00").encode("utf-16-le")
    return struct.pack(
        "<64sHBBIII16sIQQII4x",
        raw,
        len(raw),
        kind,
        1,
        _FREE,
        right,
        child,
        b"",
        0,
        0,
        0,
        start,
        size,
    )

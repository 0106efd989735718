"""xls: the OLE compound file around the BIFF `Workbook` stream.

The root storage's streams are listed (`_root_names`); an `EncryptionInfo`
stream is a password-protected xlsx, a `_VBA_PROJECT_CUR` storage means macros. The
workbook stream checked is the one python-calamine reads, found by its rules
(`_workbook_stream`): the first directory entry, anywhere in the file, named exactly
`Workbook`, else `Book`, `WORKBOOK`, `BOOK`, read from the mini stream below 4,096
bytes. A file with two such entries (any case) is refused: a reader could take either.
"""

from __future__ import annotations

import array
import struct
import sys

from ..issues import IssueCode
from .biff import _scan_biff
from .model import _reject, _Scan

_FREE_SECT, _END_OF_CHAIN = 0xFFFFFFFF, 0xFFFFFFFE
_MINI_CUTOFF = 4096


def _check_ole(data: bytes, name: str, scan: _Scan) -> None:
    try:
        cf = _CompoundFile(data)
        streams = _root_names(cf)
    except (ValueError, struct.error, IndexError) as exc:
        if all(n.encode("utf-16-le") in data for n in ("EncryptionInfo", "EncryptedPackage")):
            _reject(
                IssueCode.ENCRYPTED_FILE, name, "the workbook is password-protected (encrypted)"
            )
        _reject(IssueCode.CORRUPT_FILE, name, f"the Office (OLE) container is damaged ({exc})")
    if "encryptioninfo" in streams or "encryptedpackage" in streams:
        # Password-protected .xlsx: an OLE container around the encrypted package.
        _reject(IssueCode.ENCRYPTED_FILE, name, "the workbook is password-protected (encrypted)")
    scan.has_macros = "_vba_project_cur" in streams
    try:
        workbook = _workbook_stream(cf, name)
    except (ValueError, struct.error, IndexError) as exc:
        _reject(IssueCode.CORRUPT_FILE, name, f"the Office (OLE) container is damaged ({exc})")
    _scan_biff(workbook, name, scan)


#: The names python-calamine looks for, in its order; only an exact match counts.
_WORKBOOK_NAMES = ("Workbook", "Book", "WORKBOOK", "BOOK")


def _workbook_stream(cf: _CompoundFile, name: str) -> bytes:
    """The bytes of the one workbook stream, as python-calamine would read them."""
    candidates = [
        (entry_name, index)
        for index in range(len(cf.entries))
        if (entry_name := cf.full_name(index)).lower() in ("workbook", "book")
    ]
    if len(candidates) > 1:
        _reject(
            IssueCode.CORRUPT_FILE,
            name,
            "the Office (OLE) container holds more than one workbook stream "
            f"({', '.join(n for n, _ in candidates)}): which one is the workbook is unclear",
        )
    found = dict(candidates)
    index = next((found[n] for n in _WORKBOOK_NAMES if n in found), None)
    if index is None:
        _reject(
            IssueCode.NOT_A_SPREADSHEET,
            name,
            "not a spreadsheet: an Office document without a workbook (a Word .doc?)",
        )
    _, _, _, _, _, start, size = cf.info(index)
    return cf.stream(start, size)


def _root_names(cf: _CompoundFile) -> set[str]:
    """The names (lower case) of the root storage's streams and storages."""
    names: set[str] = set()
    pending: list[int] = [cf.root_child]
    seen: set[int] = set()
    while pending:
        index = pending.pop()
        if index in (_FREE_SECT, _END_OF_CHAIN) or index >= len(cf.entries) or index in seen:
            continue
        seen.add(index)
        name, kind, left, right, _child, _start, _size = cf.info(index)
        pending += [left, right]
        if kind in (1, 2):
            names.add(name.lower())
    return names


class _CompoundFile:
    """A compound file's header, allocation table and directory, read when made.

    Anything inconsistent raises ValueError (or struct.error, IndexError).
    """

    def __init__(self, data: bytes) -> None:
        if len(data) < 512:
            raise ValueError("shorter than its header")
        self.data = data
        shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
        if shift not in (9, 12) or mini_shift != 6:
            raise ValueError("bad sector size")
        self.ssz = ssz = 1 << shift
        n_fat, dir_start = struct.unpack_from("<II", data, 0x2C)
        minifat_start, n_minifat, difat_start, n_difat = struct.unpack_from("<IIII", data, 0x3C)
        self.minifat_start, self.n_minifat = minifat_start, n_minifat
        self.n_sectors = (len(data) - ssz) // ssz + (1 if (len(data) - ssz) % ssz else 0)
        if n_fat > self.n_sectors or n_difat > self.n_sectors:
            raise ValueError("bad allocation table size")
        fat_sectors = self._fat_sectors(n_fat, difat_start)
        self.fat = _table(b"".join(self.sector(s) for s in fat_sectors[:n_fat]))
        directory = self._read_chain(dir_start, self.fat)
        self.entries = [directory[i : i + 128] for i in range(0, len(directory) - 127, 128)]
        if not self.entries or self.entries[0][66] != 5:
            raise ValueError("no root entry")
        _, _, _, _, self.root_child, self.root_start, self.root_size = self.info(0)

    def sector(self, index: int) -> bytes:
        if index >= self.n_sectors:
            raise ValueError("sector out of range")
        ssz = self.ssz
        start = (index + 1) * ssz
        return self.data[start : start + ssz].ljust(ssz, b"\x00")

    def _fat_sectors(self, n_fat: int, difat_start: int) -> list[int]:
        """The FAT's sectors: 109 in the header, the rest along the DIFAT chain."""
        fat_sectors = list(struct.unpack_from("<109I", self.data, 0x4C))[: min(n_fat, 109)]
        difat = difat_start
        hops = 0
        while len(fat_sectors) < n_fat and difat not in (_FREE_SECT, _END_OF_CHAIN):
            pointers = struct.unpack(f"<{self.ssz // 4}I", self.sector(difat))
            fat_sectors.extend(pointers[:-1])
            difat = pointers[-1]
            hops += 1
            if hops > self.n_sectors:
                raise ValueError("DIFAT loop")
        return fat_sectors

    def _read_chain(self, start: int, table: array.array[int]) -> bytes:
        return b"".join(self.sector(s) for s in _chain(start, table))

    def info(self, index: int) -> tuple[str, int, int, int, int, int, int]:
        """Directory entry `index`: (name, kind, left, right, child, start, size)."""
        e = self.entries[index]
        (name_len,) = struct.unpack_from("<H", e, 64)
        name = e[: max(0, min(name_len, 64) - 2)].decode("utf-16-le", "replace")
        left, right, child = struct.unpack_from("<III", e, 68)
        start, size = struct.unpack_from("<IQ", e, 116)
        if self.ssz == 512:  # python-calamine reads 32 bits with 512-byte sectors
            size &= 0xFFFFFFFF
        return name, e[66], left, right, child, start, size

    def full_name(self, index: int) -> str:
        """Entry `index`'s name as python-calamine reads it: all 64 bytes, up to a NUL
        (the name length field is not consulted)."""
        return self.entries[index][:64].decode("utf-16-le", "replace").split("\x00", 1)[0]

    def stream(self, start: int, size: int) -> bytes:
        """A stream's bytes: from the FAT, or the mini stream below 4,096 bytes (where
        python-calamine looks, whatever the header's cutoff says)."""
        if size > len(self.data):
            raise ValueError("stream larger than the file")
        if size >= _MINI_CUTOFF:
            return self._read_chain(start, self.fat)[:size]
        mini = self._read_chain(self.root_start, self.fat)[: self.root_size]
        minifat = _table(
            self._read_chain(self.minifat_start, self.fat)[: self.n_minifat * self.ssz]
        )
        sectors = _chain(start, minifat)
        if sectors and (max(sectors) + 1) * 64 > len(mini):
            raise ValueError("mini sector beyond the mini stream")
        return b"".join(mini[s * 64 : s * 64 + 64] for s in sectors)[:size]


def _table(raw: bytes) -> array.array[int]:
    """An allocation table: little-endian 32-bit sector numbers."""
    table = array.array("I", raw)
    if sys.byteorder == "big":
        table.byteswap()
    return table


def _chain(start: int, table: array.array[int]) -> list[int]:
    out: list[int] = []
    current = start
    while current != _END_OF_CHAIN:
        if current >= len(table) or len(out) > len(table):
            raise ValueError("broken sector chain")
        out.append(current)
        current = table[current]
    return out

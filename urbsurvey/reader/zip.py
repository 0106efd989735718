"""Zip packages (xlsx, xlsm, ods): the central directory, members inflated within
their declared size, and the copy handed to calamine (`_repack`).

The directory is read directly (zipfile only for anything unusual). Every member
this package reads is inflated once with a hard cap at its declared size, so no part
can expand past what the directory says; the parts inflated reach calamine stored
(uncompressed) in a copy of the package, so it reads the very bytes checked and does
not inflate them again.
"""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass, field

from ..issues import IssueCode
from . import limits
from .model import _Recent, _reject
from .xmlscan import _DTD, _has_markup


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
_LOCAL_HEADER = struct.Struct("<4s5H3I2H")
_EOCD = struct.Struct("<4s4H2IH")
#: The compression methods (zipfile's ZIP_STORED and ZIP_DEFLATED): zipfile itself, with
#: bz2, lzma and shutil, is imported only for an unusual archive (`_zipfile_parts`).
_STORED, _DEFLATED = 0, 8


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
    #: key -> (at, start, end): calamine gets the kept part with a copy of its bytes
    #: [start:end] inserted at `at` (`xlsx._merged_first`); nothing else is changed.
    copied: dict[str, tuple[int, int, int]] = field(default_factory=dict)

    def inflate(self, key: str, info: _Part) -> bytes:
        """A part's content, inflated once (capped at its declared size) and kept."""
        content = self.kept.get(key)
        if content is None:
            content = _member(self.data, info, self.name)
            if self.kept_bytes + len(content) <= limits.KEEP_MAX_BYTES:
                self.kept[key] = content
                self.kept_bytes += len(content)
        return content

    def xml(self, key: str, info: _Part) -> bytes:
        """`inflate`, refusing a part that declares a DTD."""
        part = self.inflate(key, info)
        if _has_markup(part, b"!") and _DTD.search(part) is not None:  # "<!": ~10x faster
            _reject(
                IssueCode.CORRUPT_FILE,
                self.name,
                f"part {info.filename} declares a DTD (entities), which workbooks never do",
            )
        return part


def _zip_parts(data: bytes, name: str) -> list[_Part]:
    """The central directory, read directly (zipfile is ~5x slower on small files).

    Anything unusual (zip64, a comment, data before the archive) goes to zipfile.
    """
    parts = _plain_directory(data, name)
    if parts is not None:
        return parts
    return _zipfile_parts(data, name)


def _plain_directory(data: bytes, name: str) -> list[_Part] | None:
    """The directory of a plain archive (no zip64, no comment, nothing before it)."""
    eocd = len(data) - 22
    if eocd < 0 or data[eocd : eocd + 4] != b"PK\x05\x06":
        return None
    _, _, _, count, cd_size, cd_offset, comment = struct.unpack_from("<4H2IH", data, eocd + 4)
    if count > limits.MAX_MEMBERS:
        _reject(IssueCode.FILE_TOO_LARGE, name, f"the package has {count:,} parts")
    if comment != 0 or cd_offset + cd_size != eocd or 0xFFFFFFFF in (cd_size, cd_offset):
        return None
    parts: list[_Part] = []
    pos = cd_offset
    for _ in range(count):
        entry = _directory_entry(data, pos, eocd)
        if entry is None:
            return None
        part, pos = entry
        parts.append(part)
    return parts if pos == eocd else None


def _directory_entry(data: bytes, pos: int, eocd: int) -> tuple[_Part, int] | None:
    """The central directory entry at `pos`, and where the next one starts."""
    if pos + 46 > eocd:
        return None
    entry = _CD_ENTRY.unpack_from(data, pos)
    if entry[0] != b"PK\x01\x02":
        return None
    _, _, _, flags, method, _, _, crc, csize, usize, nlen, xlen, clen = entry[:13]
    offset = entry[16]
    if 0xFFFFFFFF in (csize, usize, offset):
        return None
    raw = data[pos + 46 : pos + 46 + nlen]
    if raw.isascii():  # the same in cp437 and UTF-8; the codecs cost more
        filename = raw.decode("ascii")
    else:
        filename = raw.decode("utf-8" if flags & 0x800 else "cp437", "replace")
    part = _Part(filename, offset, flags, method, csize, usize, crc, raw)
    return part, pos + 46 + nlen + xlen + clen


def _zipfile_parts(data: bytes, name: str) -> list[_Part]:
    """The general case, and every damaged archive: let zipfile judge."""
    eocd = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if eocd >= 0 and len(data) >= eocd + 12:
        (declared,) = struct.unpack_from("<H", data, eocd + 10)
        if declared > limits.MAX_MEMBERS:
            _reject(IssueCode.FILE_TOO_LARGE, name, f"the package has {declared:,} parts")
    import zipfile

    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, struct.error, OSError) as exc:
        _reject(IssueCode.CORRUPT_FILE, name, f"the zip package is damaged or truncated ({exc})")
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


_BINARY_DIRS = ("xl/media/", "xl/embeddings/", "xl/printersettings/", "pictures/", "thumbnails/")


def _is_binary(key: str) -> bool:
    """Images, embedded objects, VBA: parts calamine never reads."""
    return key.startswith(_BINARY_DIRS) or key.endswith(".bin")


#: Small deflated parts already inflated and checked, by (compressed bytes, method,
#: declared size, CRC): the workbooks of a batch mostly share their untouched parts byte
#: for byte, so each is inflated once. Only parts that passed every check, and no more than
#: `_INFLATED_PART_BYTES` compressed or not, are kept; the least recently used dropped first.
_INFLATED: _Recent[tuple[bytes, int, int, int], bytes] = _Recent(64)
_INFLATED_PART_BYTES = 64 * 1024


def _member(data: bytes, info: _Part, name: str, *, keep: bool = True) -> bytes:
    """A member's bytes, inflated with a hard cap at its declared size (or as inflated
    before, `_INFLATED`).

    With `keep=False` the member is only checked (inflated in chunks, nothing kept).
    """
    if keep and info.file_size > limits.MAX_XML_BYTES:
        _reject(IssueCode.FILE_TOO_LARGE, name, f"part {info.filename} is {info.file_size:,} bytes")
    raw = _compressed(data, info, name)
    # Only small deflated parts are kept, by their compressed size too (empty deflate
    # blocks make a small part's `raw` as big as they like).
    small = keep and info.compress_type == _DEFLATED and len(raw) <= _INFLATED_PART_BYTES
    seen = (raw, info.compress_type, info.file_size, info.CRC)
    if small and (known := _INFLATED.get(seen)) is not None:
        return known
    if info.compress_type == _STORED:
        out, size, crc = raw, len(raw), zlib.crc32(raw)
    elif info.compress_type == _DEFLATED:
        out, size, crc = _inflate(raw, info, name, keep)
    else:
        _reject(
            IssueCode.CORRUPT_FILE,
            name,
            f"part {info.filename} uses an unsupported compression ({info.compress_type})",
        )
    if size != info.file_size or crc != info.CRC:
        _reject(IssueCode.CORRUPT_FILE, name, f"part {info.filename} is damaged (size or checksum)")
    if small and size <= _INFLATED_PART_BYTES:
        _INFLATED.keep(seen, out)
    return out


def _compressed(data: bytes, info: _Part, name: str) -> bytes:
    """A member's compressed bytes, after its local header."""
    off = info.header_offset
    if data[off : off + 4] != b"PK\x03\x04" or len(data) < off + 30:
        _reject(IssueCode.CORRUPT_FILE, name, f"part {info.filename} is damaged (bad local header)")
    if info.flag_bits & 0x1:
        _reject(IssueCode.ENCRYPTED_FILE, name, f"part {info.filename} is encrypted")
    n, m = struct.unpack_from("<HH", data, off + 26)
    start = off + 30 + n + m
    raw = data[start : start + info.compress_size]
    if len(raw) != info.compress_size:
        _reject(IssueCode.CORRUPT_FILE, name, f"part {info.filename} is truncated")
    return raw


def _inflate(raw: bytes, info: _Part, name: str, keep: bool) -> tuple[bytes, int, int]:
    """A deflated member's (content or b"" unless `keep`, size, CRC), capped."""
    inflater = zlib.decompressobj(-15)
    chunks: list[bytes] = []
    size = crc = 0
    pending = raw
    try:
        while not inflater.eof:
            chunk = inflater.decompress(pending, min(info.file_size + 1 - size, 4 * limits.MB))
            pending = inflater.unconsumed_tail
            if not chunk and not pending:
                break  # input used up before the end of the stream: truncated
            size += len(chunk)
            crc = zlib.crc32(chunk, crc)
            if keep:
                chunks.append(chunk)
            if size > info.file_size:
                _reject(
                    IssueCode.FILE_TOO_LARGE,
                    name,
                    f"part {info.filename} inflates past its declared size (a zip bomb)",
                )
    except zlib.error as exc:
        _reject(IssueCode.CORRUPT_FILE, name, f"part {info.filename} is damaged ({exc})")
    if not inflater.eof:
        _reject(IssueCode.CORRUPT_FILE, name, f"part {info.filename} is truncated")
    return b"".join(chunks), size, crc


def _repack(pkg: _Package) -> bytes:
    """The package for calamine: the parts already inflated stored, the rest as they are.

    calamine would inflate every part it reads again; stored, it reads the very
    bytes checked here, and each file opens ~0.1 ms faster. Every member is kept,
    in order, under its own name; the others are copied compressed, as they were. A
    kept part in `pkg.copied` goes with a copy of some of its own bytes inserted
    (`_with_copy`). Anything unusual (zipfile read the directory, an encrypted member,
    a bad local header) hands calamine the original bytes instead.
    """
    data = pkg.data
    if not pkg.kept or any(info.raw_name is None or info.flag_bits & 0x1 for info in pkg.parts):
        return data
    out: list[bytes | memoryview] = []
    central: list[bytes] = []
    offset = 0
    for info in pkg.parts:
        raw_name = info.raw_name
        assert raw_name is not None
        member = _stored_member(pkg, info)
        if member is None:
            return data
        flags, method, crc, size, payload = member
        csize = sum(map(len, payload))
        # version 2.0, 1980-01-01 00:00
        fields = (20, flags, method, 0, 0x21, crc, csize, size, len(raw_name))
        out.append(_LOCAL_HEADER.pack(b"PK\x03\x04", *fields, 0))
        out.append(raw_name)
        out.extend(payload)
        central.append(_CD_ENTRY.pack(b"PK\x01\x02", 20, *fields, 0, 0, 0, 0, 0, offset))
        central.append(raw_name)
        offset += 30 + len(raw_name) + csize
    directory = b"".join(central)
    count = len(pkg.parts)
    out.append(directory)
    out.append(_EOCD.pack(b"PK\x05\x06", 0, 0, count, count, len(directory), offset, 0))
    return b"".join(out)


_Stored = tuple[int, int, int, int, tuple[bytes | memoryview, ...]]


def _stored_member(pkg: _Package, info: _Part) -> _Stored | None:
    """How `_repack` writes a member: (flags, method, CRC, size, the bytes of its data);
    None for a bad local header (calamine then gets the original bytes)."""
    key = info.filename.replace("\\", "/").lower()
    content = pkg.kept.get(key)
    if content is not None:
        flags = info.flag_bits & 0x800  # keep only "the name is UTF-8"
        copy = pkg.copied.get(key)
        if copy is None:
            return flags, _STORED, info.CRC, info.file_size, (content,)
        pieces = _with_copy(content, copy)
        crc = zlib.crc32(pieces[2], zlib.crc32(pieces[1], zlib.crc32(pieces[0])))
        return flags, _STORED, crc, sum(map(len, pieces)), pieces
    data, off = pkg.data, info.header_offset
    if data[off : off + 4] != b"PK\x03\x04" or len(data) < off + 30:
        return None
    n, m = struct.unpack_from("<HH", data, off + 26)
    start = off + 30 + n + m
    payload = data[start : start + info.compress_size]
    if len(payload) != info.compress_size:
        return None
    flags = info.flag_bits & ~0x8  # sizes in the local header, no descriptor
    return flags, info.compress_type, info.CRC, info.file_size, (payload,)


def _with_copy(content: bytes, copy: tuple[int, int, int]) -> tuple[memoryview, ...]:
    """`content` with its bytes [start:end] inserted again at `at`, in three pieces (no
    copy of `content` made)."""
    at, start, end = copy
    view = memoryview(content)
    return view[:at], view[start:end], view[at:]

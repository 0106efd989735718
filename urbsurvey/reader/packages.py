"""The checks on a zip package (xlsx, xlsm, ods) before calamine sees it.

The central directory's sizes must stay within `MAX_MEMBERS`, `MAX_XML_BYTES` (all
parts but images, embeddings and *.bin, which calamine never reads) and the
`MAX_RATIO`/`RATIO_MIN_BYTES` compression rule (zip bombs). Every part the scans
read, and every other non-binary part large enough to hide a bomb, is inflated once
with a hard cap at its declared size. Part names must be unique ignoring case
(calamine looks parts up case-insensitively), and a package may carry only one
workbook kind. Then the format's scan runs (`xlsx._scan_xlsx`, `ods._scan_ods`).
"""

from __future__ import annotations

from typing import NoReturn

from ..issues import IssueCode
from . import limits
from .model import _reject, _Scan
from .sniff import _is_ods, _zip_kinds, _zip_looks_like
from .xlsx import _scan_xlsx
from .zip import _is_binary, _member, _Package, _Part, _repack, _zip_parts


def _check_zip(data: bytes, name: str, scan: _Scan) -> tuple[str, bytes]:
    """Check a zip package; its format, and the bytes to hand calamine (see `_repack`)."""
    infos = _zip_parts(data, name)
    members = _check_directory(infos, name)
    pkg = _Package(data, name, infos, members)
    is_ods = _is_ods(pkg)
    kinds = _zip_kinds(members, is_ods)
    if len(kinds) > 1:
        _reject(
            IssueCode.CORRUPT_FILE, name, f"the package mixes workbook kinds ({', '.join(kinds)})"
        )
    _verify_parts(pkg)
    if is_ods:
        from .ods import _scan_ods  # imported for an .ods only: an .xlsx needs none of it

        _scan_ods(pkg, scan)
        return "ods", _repack(pkg)
    if kinds == ["xlsx"]:
        fmt = _scan_xlsx(pkg, scan)
        return fmt, _repack(pkg)
    _no_workbook(pkg)


def _check_directory(infos: list[_Part], name: str) -> dict[str, _Part]:
    """The parts by lower-case name, once the directory's sizes are within the limits."""
    if len(infos) > limits.MAX_MEMBERS:
        _reject(IssueCode.FILE_TOO_LARGE, name, f"the package has {len(infos):,} parts")
    members: dict[str, _Part] = {}
    xml_total = 0
    for info in infos:
        key = info.filename.replace("\\", "/").lower()
        if key in members:
            _reject(
                IssueCode.CORRUPT_FILE, name, f"the package has two parts named {info.filename!r}"
            )
        members[key] = info
        if info.file_size > limits.RATIO_MIN_BYTES and info.file_size > limits.MAX_RATIO * max(
            info.compress_size, 1
        ):
            _reject(
                IssueCode.FILE_TOO_LARGE,
                name,
                f"part {info.filename} expands {info.file_size // max(info.compress_size, 1):,}"
                f" times to {info.file_size / 1e6:,.0f} MB (a zip bomb)",
            )
        if not _is_binary(key):
            xml_total += info.file_size
    if xml_total > limits.MAX_XML_BYTES:
        _reject(
            IssueCode.FILE_TOO_LARGE,
            name,
            f"its XML parts expand to {xml_total / 1e6:,.0f} MB; "
            f"the limit is {limits.MAX_XML_BYTES // (1024 * 1024)} MB",
        )
    return members


def _verify_parts(pkg: _Package) -> None:
    """Inflate once every part calamine may read that is big enough to hide a bomb.

    None may inflate past the size the directory declares. Kept while the budget
    lasts (the scans and calamine use them), else streamed, nothing kept.
    """
    for key, info in pkg.members.items():
        if info.compress_size > limits.VERIFY_MIN_COMPRESSED and not _is_binary(key):
            if pkg.kept_bytes + info.file_size <= limits.KEEP_MAX_BYTES:
                pkg.inflate(key, info)
            else:
                _member(pkg.data, info, pkg.name, keep=False)


def _no_workbook(pkg: _Package) -> NoReturn:
    """Refuse a package with no workbook this reader accepts, saying what it is."""
    members, name = pkg.members, pkg.name
    if (
        "[content_types].xml" in members
        and "xl/workbook.bin" not in members
        and any(k.startswith("xl/") for k in members)
    ):
        # An Excel package whose workbook part is gone is damaged, not something else.
        _reject(
            IssueCode.CORRUPT_FILE, name, "the Excel package has no workbook part (xl/workbook.xml)"
        )
    manifest = members.get("meta-inf/manifest.xml")
    if (
        "content.xml" in members
        and manifest is not None
        and b"opendocument.spreadsheet" in pkg.xml("meta-inf/manifest.xml", manifest)
    ):
        _reject(
            IssueCode.CORRUPT_FILE, name, "the OpenDocument spreadsheet has no valid mimetype part"
        )
    _reject(IssueCode.NOT_A_SPREADSHEET, name, f"not a spreadsheet: {_zip_looks_like(members)}")

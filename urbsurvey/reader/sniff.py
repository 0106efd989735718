"""What a file is, by its content, never by its name.

A zip package (xlsx, xlsm, ods), an OLE compound file (xls), or else what it looks
like, for the `not-a-spreadsheet` message. A zip package may carry only one workbook
kind: calamine, given bytes, tries the kinds in turn and could otherwise read one
that was not checked.
"""

from __future__ import annotations

from .zip import _Package, _Part

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"


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


def _is_ods(pkg: _Package) -> bool:
    """An OpenDocument spreadsheet says so in its `mimetype` part."""
    mime = pkg.members.get("mimetype")
    if mime is not None and mime.file_size <= 200:
        return pkg.inflate("mimetype", mime).strip() == _ODS_MIME
    return False


def _zip_kinds(members: dict[str, _Part], is_ods: bool) -> list[str]:
    """The workbook kinds a package carries (more than one is refused)."""
    return [
        kind
        for kind, present in (
            ("xlsx", "xl/workbook.xml" in members),
            ("xlsb", "xl/workbook.bin" in members),
            ("ods", is_ods),
        )
        if present
    ]


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

"""xlsx / xlsm: the sheets' used area, formulas without a value or with external refs.

calamine turns a sheet into a dense grid, so two cells at A1 and XFD1048576 make it
allocate 17 billion cells and abort the process. Each sheet XML is scanned for cell
references (the `<dimension>` hint is ignored, it is only a hint) and bounded by
`MAX_ROWS`, `MAX_COLS` and `MAX_CELLS` before calamine sees it. The same scan finds
formulas without a cached value and formulas that refer to another workbook.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Callable
from typing import TypeVar

from ..issues import IssueCode
from . import limits
from .model import _check_dims, _Recent, _reject, _Scan, cell_ref
from .text import check_xlsx_text
from .xmlscan import _ATTR_PAIR, _ATTRS, _PREFIX, _attr, _has_markup, _text
from .zip import _Package

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
_X_PREFIXED_CELL_OR_F = re.compile(rb":[cf][\s/>]")
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
# A cell tag (attributes, then ">" unless it never closes); for cells typed t="e",
# whose saved value is an error (#DIV/0!) that calamine reads as "".
_X_CELL_OPEN = re.compile(rb"<" + _PREFIX + rb"c(?=[\s/>])" + _ATTRS + rb"(>)?")
_ERROR_TYPES = (b't="e"', b"t='e'")
_OFFICE_DOCUMENT = b"/officeDocument"
_SHEET_RID = (b"r:id", b"relationships:id")  # a sheet's relationship, by either prefix
_CACHED_PART_BYTES = 64 * 1024
#: Smaller sheets go to calamine as they are: their second pass costs calamine less than
#: `_merged_first` and the copy's checksum cost here, and most are never read (a
#: workbook's instructions, its lists).
_MERGED_FIRST_MIN_BYTES = 8 * 1024
#: Nor is a sheet with more markup than this between its cells and its merged ranges (it
#: is checked a tag at a time here, so a crafted one could take seconds).
_MERGED_FIRST_MAX_BETWEEN = 256 * 1024
#: A sheet's cells without a saved value, with external links, with saved errors.
_SheetFindings = tuple[
    frozenset[tuple[str, str]], frozenset[tuple[str, str]], tuple[tuple[tuple[str, str], str], ...]
]
_R = TypeVar("_R")
_X_SST = re.compile(rb"<" + _PREFIX + rb"sst(?=[\s/>])" + _ATTRS + rb">")
#: Declared shared strings beyond those present that are tolerated (a count off by a few).
_SST_SLACK = 1000
_X_IS = re.compile(rb"<" + _PREFIX + rb"is[\s/>]")
# What `_merged_first` accepts, each pattern unambiguous (no possessive or atomic
# construct, so no engine's backtracking can differ; each fails in one pass): a worksheet's
# root start tag (after an XML declaration), its values double-quoted; one piece of
# plain markup (text, an entity reference, a tag with double-quoted values); a
# merged-ranges element as writers write it.
_X_WORKSHEET = re.compile(
    rb'\A(<\?xml[^<>?]*\?>)?\s*<worksheet(?=[\s>])[^<>"\']*(?:"[^"<>]*"[^<>"\']*)*>'
)
_X_PLAIN_TOKEN = re.compile(
    rb'[^<&]+|&[A-Za-z0-9#]+;|(</)[A-Za-z_][\w.:-]*\s*>|<[A-Za-z_][^<>"\']*(?:"[^"<>]*"[^<>"\']*)*>'
)
_X_MERGE_CELLS = re.compile(
    rb'<mergeCells(?:\s[^<>"\'/]*(?:"[^"<>]*"[^<>"\'/]*)*)?'
    rb'(?:/>|>(?:\s*<mergeCell\s[^<>"\'/]*(?:"[^"<>]*"[^<>"\'/]*)*/>)*\s*</mergeCells>)'
)
_CELL_REF = re.compile(rb"\$?([A-Za-z]+)\$?([0-9]+)")
_STRING_LITERAL = re.compile(r'"(?:[^"]|"")*"')
# '[1]Sheet 1'!A1, 'C:\dir\[Book.xlsx]Sheet1'!A1, [1]Sheet1!A1, [1]!Name; not Table1[Col].
_EXTERNAL_REF = re.compile(r"'[^']*\[[^\]']+\][^']*'!|\[[^\[\]]+\][^\s!'()\[\],;+\-*/&=<>^%\"{}]*!")


def _cached_by_content(read: Callable[[bytes], _R]) -> Callable[[bytes], _R]:
    """`read` of a small XML part, cached by the part's content: the workbooks of a batch
    mostly share their workbook and relationship parts. A part over
    `_CACHED_PART_BYTES` is read every time, never kept."""
    cached = functools.lru_cache(maxsize=64)(read)

    @functools.wraps(read)
    def call(part: bytes) -> _R:
        return read(part) if len(part) > _CACHED_PART_BYTES else cached(part)

    return call


def _scan_xlsx(pkg: _Package, scan: _Scan) -> str:
    members, name = pkg.members, pkg.name
    types_info = members.get("[content_types].xml")
    if types_info is None:
        _reject(IssueCode.CORRUPT_FILE, name, "the Excel package has no [Content_Types].xml part")
    content_types = pkg.xml("[content_types].xml", types_info)
    scan.has_macros = "xl/vbaproject.bin" in members or b"macroenabled" in content_types.lower()
    scan.has_external = any(key.startswith("xl/externallinks/") for key in members)
    _check_main_part(pkg)
    workbook_xml = pkg.xml("xl/workbook.xml", members["xl/workbook.xml"])
    rels_info = members.get("xl/_rels/workbook.xml.rels")
    if rels_info is None:
        _reject(
            IssueCode.CORRUPT_FILE, name, "the Excel package has no xl/_rels/workbook.xml.rels part"
        )
    rels = _relationships(pkg.xml("xl/_rels/workbook.xml.rels", rels_info))
    _check_shared_strings(pkg)
    scanned = _scan_listed_sheets(pkg, workbook_xml, rels, scan)
    for key, info in members.items():
        if (
            key.startswith(("xl/worksheets/", "xl/dialogsheets/", "xl/macrosheets/"))
            and key.endswith(".xml")
            and key not in scanned
        ):
            _scan_xlsx_sheet(pkg.xml(key, info), name, info.filename, False, scan)
            scanned.add(key)
    check_xlsx_text(pkg, scanned)
    return "xlsm" if scan.has_macros else "xlsx"


def _check_main_part(pkg: _Package) -> None:
    """The package's own relationships (`_rels/.rels`) must name xl/workbook.xml as the
    workbook, the part checked here: calamine follows them, and one pointing elsewhere
    would have it read parts no check has seen. Every writer uses xl/workbook.xml."""
    info = pkg.members.get("_rels/.rels")
    if info is None:
        return
    for target in _relationships(pkg.xml("_rels/.rels", info), _OFFICE_DOCUMENT).values():
        part = posixpath.normpath(target.replace("\\", "/").lstrip("/")).lower()
        if part != "xl/workbook.xml":
            _reject(
                IssueCode.CORRUPT_FILE,
                pkg.name,
                f"the package names {target!r} as its workbook, not xl/workbook.xml",
            )


def _check_shared_strings(pkg: _Package) -> None:
    """A shared-strings part must not declare more strings than it holds: calamine
    reserves memory for the declared `uniqueCount` before reading any (`+4000000000`
    in a 2 KB file is 96 GB)."""
    for key, info in pkg.members.items():
        if not key.endswith("sharedstrings.xml"):
            continue
        part = pkg.xml(key, info)
        m = _X_SST.search(part)
        declared = _attr(m.group(1), b"uniqueCount") if m is not None else None
        digits = (declared or b"").strip().lstrip(b"+")
        if not digits.isdigit():
            continue
        held = part.count(b"<si") + part.count(b":si")
        if int(digits) > held + _SST_SLACK:
            _reject(
                IssueCode.FILE_TOO_LARGE,
                pkg.name,
                f"{info.filename} declares {int(digits):,} shared strings but holds {held:,}",
            )


def _relationships(rels_xml: bytes, kind: bytes | None = None) -> dict[bytes, str]:
    """Relationships (of a type ending in `kind`, if given): Id -> Target."""
    return {
        rel_id: target
        for rel_id, rel_type, target in _relationship_tags(rels_xml)
        if kind is None or rel_type.endswith(kind)
    }


@_cached_by_content
def _relationship_tags(rels_xml: bytes) -> tuple[tuple[bytes, bytes, str], ...]:
    """(Id, Type, Target) of each relationship with an Id and a Target, in order."""
    tags = []
    rel_tags = _X_REL if b":Relationship" in rels_xml else _X_REL_PLAIN
    for attrs in rel_tags.findall(rels_xml):
        found: dict[bytes, bytes] = {}
        for key, double, single in _ATTR_PAIR.findall(attrs):  # the first of each, as _attr
            found.setdefault(key, double or single)
        rel_id, rel_target = found.get(b"Id"), found.get(b"Target")
        if rel_id is not None and rel_target is not None:
            tags.append((rel_id, found.get(b"Type", b""), rel_target.decode("utf-8", "replace")))
    return tuple(tags)


def _scan_listed_sheets(
    pkg: _Package, workbook_xml: bytes, rels: dict[bytes, str], scan: _Scan
) -> set[str]:
    """Scan the sheets workbook.xml lists, under their names; the part keys scanned."""
    scanned: set[str] = set()
    for sheet_name, rid in _listed_sheets(workbook_xml):
        if rid not in rels:
            continue  # calamine refuses such a workbook; it says so when opening it
        for candidate in _sheet_paths(rels[rid]):
            key = candidate.replace("\\", "/").lower()
            info = pkg.members.get(key)
            if info is not None and key not in scanned:
                scanned.add(key)
                part = pkg.xml(key, info)
                _scan_sheet_once(part, pkg.name, sheet_name, scan)
                if (
                    len(part) >= _MERGED_FIRST_MIN_BYTES
                    and key in pkg.kept
                    and (copy := _merged_first(part)) is not None
                ):
                    pkg.copied[key] = copy
    return scanned


def _merged_first(part: bytes) -> tuple[int, int, int] | None:
    """Where to copy a sheet's `<mergeCells>` element for calamine: (at, start, end), the
    bytes [start:end] inserted at `at`, right after the root tag; None to hand the sheet
    over as it is.

    python-calamine reads a sheet twice: its cells, up to `</sheetData>`, then its
    merged ranges, from the start up to the first `<mergeCells>` (or the end): a third
    of its time on an answers sheet, which keeps them after its cells. With a copy
    first, the second pass stops at once with the same ranges; the first skips the
    copy, as it skips every element before `<sheetData>`. What only the second pass read
    is then read by neither, so the copy is made only when that is markup on which it
    cannot fail: between `</sheetData>` and the element, tags closed as they open
    (calamine refuses a close tag with nothing open), double-quoted values, entity
    references closed, UTF-8 (`_plain_between`); and when nothing can read differently:
    no comment, CDATA, DTD or processing instruction (where a tag could hide), the word
    `mergeCells` first seen as this element's tag, after the first `<sheetData>` and
    `</sheetData>`, the element plain (`<mergeCell ref="…"/>` children). A sheet without
    merged ranges is left as it is (its second pass reads to the end, and would refuse
    a close tag there that the cells had left with nothing open).
    """
    root = _X_WORKSHEET.match(part)
    if root is None or part[root.end() - 2] == 0x2F:  # "/": a self-closing root
        return None
    declaration = root.group(1) or b""
    if b"encoding" in declaration and b"utf-8" not in declaration.lower():
        return None
    at = root.end()
    word = part.find(b"mergeCells", at)
    if word < 0 or _has_markup(part, b"!") or _has_markup(part, b"?", at):
        return None
    # The cells are read from the first <sheetData> to the first </sheetData> (any tag
    # of that name: the word's first two places must be these two tags).
    opening = part.find(b"sheetData", at, word)
    closing = part.find(b"sheetData", opening + 1, word) if opening >= 0 else -1
    if (
        closing < 0
        or part[opening - 1 : opening + 10] != b"<sheetData>"
        or part[closing - 2 : closing + 10] != b"</sheetData>"
    ):
        return None
    start = word - 1
    if start - closing > _MERGED_FIRST_MAX_BETWEEN:
        return None
    element = _X_MERGE_CELLS.match(part, start)
    if element is None or not _plain_between(part[closing + 10 : start]):
        return None
    return at, start, element.end()


def _plain_between(markup: bytes) -> bool:
    """Whether calamine reads `markup` (between `</sheetData>` and `<mergeCells>`) without
    an error however deep it starts: text with closed entity references, tags with
    double-quoted values, never more closed than opened, valid UTF-8."""
    try:
        markup.decode("utf-8")
    except UnicodeDecodeError:
        return False
    depth = pos = 0
    end = len(markup)
    while pos < end:
        m = _X_PLAIN_TOKEN.match(markup, pos)
        if m is None:
            return False
        pos = m.end()
        if m.group(1) is not None:  # </name>
            depth -= 1
            if depth < 0:
                return False
        elif markup[m.start()] == 0x3C and markup[pos - 2] != 0x2F:  # <name ...>, not "/>"
            depth += 1
    return True


@_cached_by_content
def _listed_sheets(workbook_xml: bytes) -> tuple[tuple[str, bytes], ...]:
    """The (name, relationship Id) of each sheet workbook.xml lists with both."""
    listed = []
    sheet_tags = _X_SHEET if b":sheet" in workbook_xml else _X_SHEET_PLAIN
    for attrs in sheet_tags.findall(workbook_xml):
        pairs = [(key, double or single) for key, double, single in _ATTR_PAIR.findall(attrs)]
        raw_name = next((value for key, value in pairs if key == b"name"), None)  # as _attr
        rid = next((value for key, value in pairs if key in _SHEET_RID), None)
        if raw_name is not None and rid is not None:
            listed.append((_text(raw_name), rid))
    return tuple(listed)


@functools.lru_cache(maxsize=256)  # the same few targets in every workbook
def _sheet_paths(target: str) -> tuple[str, ...]:
    """Where a sheet's part may be: calamine's rule first, then the normalised path
    and an absolute target from the package root (`/other/sheet.xml`), so no reading
    differs; every one that exists is checked."""
    if target.startswith("/xl/"):
        first = target[1:]
    elif target.startswith("xl/"):
        first = target
    else:
        first = "xl/" + target
    rooted = posixpath.normpath(target).lstrip("/")
    return first, posixpath.normpath("xl/" + target).lstrip("/"), rooted


def _parse_ref(ref: bytes, name: str, sheet: str) -> tuple[int, int]:
    m = _CELL_REF.fullmatch(ref)
    if m is None:
        _reject(
            IssueCode.CORRUPT_FILE, name, f"sheet {sheet!r} has a bad cell reference", sheet=sheet
        )
    letters, digits = m.group(1).upper(), m.group(2)
    if len(letters) > 4 or len(digits) > 9:
        return limits.MAX_ROWS * 10, limits.MAX_COLS * 10  # absurd: let the limit say so
    col = 0
    for ch in letters:
        col = col * 26 + ch - 64
    return int(digits) - 1, col - 1


#: What scanning a listed sheet found, by (part, sheet name, limits): the workbooks of a
#: batch mostly share their untouched sheets byte for byte. Only parts that passed.
_SCANNED: _Recent[tuple[bytes, str, int, int, int], _SheetFindings] = _Recent(64)


def _scan_sheet_once(part: bytes, name: str, sheet: str, scan: _Scan) -> None:
    """`_scan_xlsx_sheet` of a listed sheet (recording), or what it found the last time it
    scanned the same part under the same name and limits."""
    if len(part) > _CACHED_PART_BYTES:
        _scan_xlsx_sheet(part, name, sheet, True, scan)
        return
    key = (part, sheet, limits.MAX_ROWS, limits.MAX_COLS, limits.MAX_CELLS)
    found = _SCANNED.get(key)
    if found is None:
        alone = _Scan()
        _scan_xlsx_sheet(part, name, sheet, True, alone)  # a refusal raises: nothing kept
        found = (frozenset(alone.no_value), frozenset(alone.external), tuple(alone.errors.items()))
        _SCANNED.keep(key, found)
    no_value, external, errors = found
    scan.no_value.update(no_value)
    scan.external.update(external)
    scan.errors.update(errors)


def _scan_xlsx_sheet(part: bytes, name: str, sheet: str, record: bool, scan: _Scan) -> None:
    """Bound the used area; note formulas without a value or with external refs.

    Fast path (every writer's form): each cell tag starts `<c r="C12"` with a
    reference inside A1:ALL1999, so the sheet is within the limits; one regex search
    says so. Anything else is bounded exactly: by one
    pass over the cell tags, or cell by cell (`r` missing, prefixed tags). Only
    cells with content count there (calamine skips `<c .../>`).
    """
    _count_elements(part, name, sheet)
    # One pass says whether there is any prefixed cell or formula tag (rare).
    prefixed = _X_PREFIXED_CELL_OR_F.search(part) is not None
    # A formula element (not <formula1> in a data validation, which is common), or a
    # prefixed one: only then look for formula cells.
    formulas = record and (
        _X_F_PLAIN.search(part) is not None or (prefixed and _X_PREFIXED_F.search(part) is not None)
    )
    if (prefixed and _X_PREFIXED_CELL.search(part)) or _X_NOT_NEAR_CELL.search(part):
        _bound_xlsx_cells(part, name, sheet, record, scan)
    if record and (_ERROR_TYPES[0] in part or _ERROR_TYPES[1] in part):  # ~2x a regex search
        _error_cells(part, name, sheet, scan)
    if formulas:
        shared: dict[bytes, bool] = {}
        pos = 0
        while (m := _X_FORMULA_CELL.search(part, pos)) is not None:
            end = _X_CELL_END.search(part, m.end())
            if end is None:
                _reject(
                    IssueCode.CORRUPT_FILE, name, f"sheet {sheet!r} has malformed XML", sheet=sheet
                )
            pos = end.end()  # resume after this cell: linear even on crafted input
            attrs = m.group(1)
            ref = _attr(attrs, b"r")
            if ref is not None:
                row, col = _parse_ref(ref, name, sheet)
                body = part[m.start(2) : end.start()]
                _formula_cell(attrs, body, scan, sheet, row, col, shared)


def _count_elements(part: bytes, name: str, sheet: str) -> None:
    """Reject at once (a count, no parsing) a sheet with more rows or cells, written as
    every writer writes them, than the limits allow: 1.2 million rows are refused in a
    fraction of a second. Other forms are bounded exactly by the scan that follows."""
    # Each occurrence takes 8 bytes: a smaller part cannot hold too many (no pass).
    rows = part.count(b'<row r="') if len(part) > 8 * limits.MAX_ROWS else 0
    if rows > limits.MAX_ROWS:
        _too_many(name, sheet, f"{rows:,} rows")
    cells = part.count(b'<c r="') if len(part) > 6 * limits.MAX_CELLS else 0
    if cells > limits.MAX_CELLS:
        _too_many(name, sheet, f"{cells:,} cells")


def _too_many(name: str, sheet: str, what: str) -> None:
    _reject(
        IssueCode.FILE_TOO_LARGE,
        name,
        f"sheet {sheet!r} has {what} in its XML; the limit is {limits.MAX_ROWS:,} rows "
        f"and {limits.MAX_CELLS:,} cells",
        sheet=sheet,
    )


def _error_cells(part: bytes, name: str, sheet: str, scan: _Scan) -> None:
    """Note every cell whose saved value is an error, with the error's text."""
    for marker in _ERROR_TYPES:
        pos = part.find(marker)
        while pos >= 0:
            start = part.rfind(b"<", 0, pos)
            m = _X_CELL_OPEN.match(part, start) if start >= 0 else None
            if m is not None and m.end() > pos and _error_cell(part, m, name, sheet, scan):
                pos = m.end()
            pos = part.find(marker, pos + 1)


def _error_cell(part: bytes, m: re.Match[bytes], name: str, sheet: str, scan: _Scan) -> bool:
    attrs = m.group(1)
    ref = _attr(attrs, b"r")
    if m.group(2) is None or attrs.endswith(b"/") or _attr(attrs, b"t") != b"e" or ref is None:
        return False
    end = _X_CELL_END.search(part, m.end())
    if end is None:
        _reject(IssueCode.CORRUPT_FILE, name, f"sheet {sheet!r} has malformed XML", sheet=sheet)
    row, col = _parse_ref(ref, name, sheet)
    vm = _X_V.search(part, m.end(), end.start())
    value = _text(vm.group(2)) if vm is not None and vm.group(2) else "#ERROR"
    scan.errors[(sheet, cell_ref(row, col))] = value
    return True


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
                _reject_dims(rows, cols, name, sheet)  # says which cell, at once


def _reject_dims(rows: tuple[bytes, ...], cols: tuple[bytes, ...], name: str, sheet: str) -> None:
    max_row = max(map(int, rows))
    letters = max({c.upper() for c in set(cols)}, key=lambda c: (len(c), c))
    _, max_col = _parse_ref(letters + b"1", name, sheet)
    _check_dims(name, sheet, max_row, max_col + 1)


def _within_limits(rows: tuple[bytes, ...], cols: tuple[bytes, ...], name: str, sheet: str) -> bool:
    max_row = max(map(int, rows))
    letters = max({c.upper() for c in set(cols)}, key=lambda c: (len(c), c))
    _, max_col = _parse_ref(letters + b"1", name, sheet)
    return (
        max_row <= limits.MAX_ROWS
        and max_col < limits.MAX_COLS
        and max_row * (max_col + 1) <= limits.MAX_CELLS
    )


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
            _reject(IssueCode.CORRUPT_FILE, name, f"sheet {sheet!r} has malformed XML", sheet=sheet)
        pos = m.end()
        ref = _attr(attrs, b"r")
        if m.group(1) == b"row":
            row, col = _next_row(ref, row), -1
            continue
        if ref is not None:
            r, col = _parse_ref(ref, name, sheet)
        else:
            r, col = max(row, 0), col + 1
        if attrs.endswith(b"/"):
            continue  # <c .../>: an empty (styled) cell, which calamine skips
        end = _X_CELL_END.search(part, pos)
        if end is None:
            _reject(IssueCode.CORRUPT_FILE, name, f"sheet {sheet!r} has malformed XML", sheet=sheet)
        body = part[pos : end.start()]
        pos = end.end()
        max_row = max(max_row, r)
        max_col = max(max_col, col)
        if has_formulas and record:
            _formula_cell(attrs, body, scan, sheet, r, col, shared)
    if max_row >= 0:
        _check_dims(name, sheet, max_row + 1, max_col + 1)


def _next_row(ref: bytes | None, row: int) -> int:
    """The 0-based row a `<row>` tag starts: its `r`, else the one after `row`."""
    if ref is not None and ref.isdigit() and len(ref) < 10:
        return int(ref) - 1
    return row + 1


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

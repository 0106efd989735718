"""Returned workbooks for tests, made the way partners make them.

`filled()` builds the real template (`build_workbook`), types answers into the
Answer cell of the row whose column-A ID is the question id (never a fixed row
number), applies an optional edit (the things partners do to a workbook:
insert rows, rename the sheet, drop the stamp...) and saves an .xlsx.
Without an edit, the template is built and saved by openpyxl once per partner
and language, and each answer is written into its saved XML as openpyxl writes
it (`_Blank`): the same package, some 30 times faster than openpyxl again.
`as_format()` makes an .xls or .ods copy with LibreOffice, as partners do.

Text that openpyxl cannot write as typed (control characters, more than a
cell's 32,767 characters) is written through the saved XML instead, exactly as
given, so a test can put in a workbook what another spreadsheet program would.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import io
import re
import shutil
import zipfile
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

import openpyxl
import yaml
from openpyxl.cell.cell import ERROR_CODES, get_time_format
from openpyxl.compat import safe_string
from openpyxl.styles.numbers import BUILTIN_FORMATS_MAX_SIZE, BUILTIN_FORMATS_REVERSE
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.cell_range import CellRange

from urbsurvey.definition import Questionnaire, Role
from urbsurvey.intake.answers import MoneyValue
from urbsurvey.resources import load_questionnaire
from urbsurvey.workbook import contract
from urbsurvey.workbook.partners import WorkbookSpec
from urbsurvey.workbook.template import build_workbook
from urbsurvey.workbook.words import header_words

MILE = "mile-followup-2009"
NBSP = "\u00a0"
NNBSP = "\u202f"  # narrow no-break space, as French number formats write

Edit = Callable[[Any], None]
_OPENPYXL_MAX = 32_767
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@cache
def definition(ref: str | Path = MILE) -> Questionnaire:
    return load_questionnaire(str(ref) if isinstance(ref, Path) else ref)


def _role(role: Role | str) -> Role:
    return role if isinstance(role, Role) else Role(role)


# --------------------------------------------------------------------------- answers

# A complete, clean MILE return: every question answered, in the forms partners use.
MILE_FULL: dict[str, object] = {
    "respondent.organisation": "Comune di Venezia, Servizio Immigrazione",
    "respondent.name": "Giulia Marin",
    "respondent.email": "g.marin@comune-venezia.example",
    "respondent.date": dt.date(2009, 10, 19),
    "ulsg_functioning": "Yes, it continues and meets regularly",
    "ulsg_sustaining": "The LSG meets every two months at the Immigration Service.",
    "lap_stage": "Being implemented in part",
    "lap_actions_implemented": 3,
    "lap_unplanned": "Two municipalities asked to join the start-up desk.",
    "core_group_active": "Partly",
    "experience_shared": "Other cities; Other organisations",
    "local_impact": "New ideas stimulated\nNew partnerships",
    "local_impact_details": "About 60 entrepreneurs used the desk in four months.",
    "ma_relation": "Regione del Veneto took part in the exchange.",
    "ma_separate_meetings": "Yes",
    "ma_in_lsg": "No",
    "ma_funding_indication": "Oui",
    "funding_secured": "€ 400.000,00",
    "funding_provisional": "150000 EUR",  # a bare amount needs a partner's currency (survey.yaml)
    "funding_sources": "ESF; National funds",
    "barriers": "Working across departments.",
    "barriers_overcome": "We focused the LAP on three concrete actions.",
}
MILE_FULL_PARSED: dict[str, object] = {
    "ulsg_functioning": "formal",
    "lap_stage": "implementing_part",
    "lap_actions_implemented": 3,
    "core_group_active": "partly",
    "experience_shared": ["other_cities", "other_organisations"],
    "local_impact": ["new_ideas", "new_partnerships"],
    "ma_separate_meetings": True,
    "ma_in_lsg": False,
    "ma_funding_indication": True,
    "funding_secured": MoneyValue(Decimal(400000), "EUR", Decimal(400000)),
    "funding_provisional": MoneyValue(Decimal(150000), "EUR", Decimal(150000)),
    "funding_sources": ["esf", "national"],
    "barriers": "Working across departments.",
}
#: The minimum a city must answer for a clean file.
MILE_REQUIRED: dict[str, object] = {
    "ulsg_functioning": "No",
    "lap_stage": "Still in preparation",
    "local_impact": "No impact yet",
}


# --------------------------------------------------------------------------- finding rows


def row_of(ws: Any, qid: str) -> int:
    """The 1-based row whose column-A ID is `qid`."""
    for (value,) in ws.iter_rows(min_col=1, max_col=1):
        if value.value is not None and str(value.value).strip() == qid:
            return int(value.row)
    raise KeyError(f"no row with ID {qid!r} in sheet {ws.title!r}")


def answers_sheet(wb: Any) -> Any:
    """The sheet with the `ID`/`Answer` header: `Responses`, or wherever a test moved it."""
    for ws in wb.worksheets:
        if _header(ws) is not None:
            return ws
    raise KeyError("no sheet with an ID/Answer header")


def _header(ws: Any) -> tuple[int, dict[str, int]] | None:
    """The header row and its columns by key (`id`, `answer`...), in any workbook language."""
    words = header_words()
    for row in ws.iter_rows(min_row=1, max_row=contract.HEADER_SEARCH_ROWS):
        names = {
            words.get(str(c.value).strip().lower(), str(c.value).strip().lower()): int(c.column)
            for c in row
            if isinstance(c.value, str)
        }
        if "id" in names and "answer" in names:
            return int(row[0].row), names
    return None


#: An answers sheet's title, its header's columns by key and the first row of each ID.
Layout = tuple[str, dict[str, int], dict[str, int]]


def where(path: Path, qid: str, column: str = "Answer") -> tuple[str, str]:
    """(sheet, cell) of the `column` cell of question `qid` in a saved .xlsx."""
    st = path.stat()
    key = (str(path), st.st_mtime_ns, st.st_size)
    title, columns, rows = _TYPED.get(key) or _index(*key)
    if qid not in rows:
        raise KeyError(f"no row with ID {qid!r} in {path.name}")
    return title, f"{get_column_letter(columns[column.lower()])}{rows[qid]}"


@cache
def _index(path: str, _mtime_ns: int, _size: int) -> Layout:
    """The layout of a saved workbook's answers sheet."""
    return _layout(answers_sheet(openpyxl.load_workbook(path)))


def _layout(ws: Any) -> Layout:
    header = _header(ws)
    assert header is not None
    id_col = header[1]["id"]
    rows: dict[str, int] = {}
    for (cell,) in ws.iter_rows(min_row=header[0] + 1, min_col=id_col, max_col=id_col):
        if cell.value is not None:
            rows.setdefault(str(cell.value).strip(), int(cell.row))
    return ws.title, header[1], rows


# --------------------------------------------------------------------------- the workbook


def filled(
    tmp_path: Path,
    answers: Mapping[str, object],
    *,
    questionnaire: str | Path = MILE,
    partner: str | None = "Venice",
    role: Role | str = Role.CITY,
    lang: str = "en",
    name: str = "venice.xlsx",
    interview: bool = False,
    notes: Mapping[str, str] | None = None,
    edit: Edit | Iterable[Edit] | None = None,
) -> Path:
    """The template for `partner`, with `answers` typed in, edited, saved as tmp_path/name.

    `answers` maps a question id (or a respondent field such as `respondent.role`)
    to what the partner typed: a str (one starting with `=` is a formula, as in
    Excel), a number, a date, or None to clear a pre-filled cell.

    A workbook without edits is built once per session and copied (tests only read
    it); its key spells each answer's type, so `1`, `1.0` and `True` stay apart.
    """
    spec = WorkbookSpec(partner, _role(role), lang, interview)
    out = tmp_path / name
    out.parent.mkdir(parents=True, exist_ok=True)
    if edit is None:
        typed = [[(k, type(v), v) for k, v in m.items()] for m in (answers, notes or {})]
        key = (str(questionnaire), spec, repr(typed))
        if key not in _SAVED:
            _SAVED[key] = _typed_in(questionnaire, spec, answers, notes or {})
        data, layout = _SAVED[key]
        out.write_bytes(data)
        if layout is not None:
            st = out.stat()
            _TYPED[(str(out), st.st_mtime_ns, st.st_size)] = layout
    else:
        out.write_bytes(_built(definition(questionnaire), spec, answers, notes, edit))
    return out


#: The workbooks `filled` built without edits, by (questionnaire, spec, typed answers and
#: notes): their bytes, and their layout if they were typed into the template's XML.
_SAVED: dict[tuple[str, WorkbookSpec, str], tuple[bytes, Layout | None]] = {}
#: The layout of each workbook `filled` typed into the template's XML, by (path, mtime,
#: size): `where` need not open it. The layout was read from the template it was typed in.
_TYPED: dict[tuple[str, int, int], Layout] = {}


def _built(
    q: Questionnaire,
    spec: WorkbookSpec,
    answers: Mapping[str, object],
    notes: Mapping[str, str] | None,
    edit: Edit | Iterable[Edit] | None,
) -> bytes:
    """The bytes of the .xlsx that `filled` saves."""
    wb = build_workbook(q, spec)
    ws = answers_sheet(wb)
    raw: dict[str, str] = {}
    for qid, value in answers.items():
        cell = ws.cell(row=row_of(ws, qid), column=3)
        if isinstance(value, str) and (_ILLEGAL.search(value) or len(value) > _OPENPYXL_MAX):
            placeholder = f"URBSURVEYRAW{len(raw):04d}X"
            raw[placeholder] = value
            cell.value = placeholder
            cell.data_type = "s"
        else:
            cell.value = value
    for qid, note in (notes or {}).items():
        ws.cell(row=row_of(ws, qid), column=5).value = note
    edits = [edit] if callable(edit) else list(edit or [])
    for step in edits:
        step(wb)
    buffer = io.BytesIO()
    wb.save(buffer)
    data = buffer.getvalue()
    if raw:
        data = _rewritten(data, lambda _name, part: _substitute(part, raw))
    return data


def _typed_in(
    questionnaire: str | Path,
    spec: WorkbookSpec,
    answers: Mapping[str, object],
    notes: Mapping[str, str],
) -> tuple[bytes, Layout | None]:
    """The bytes `_built` would save without an edit, typed into the template's saved XML,
    and the layout they were typed by.

    Values of a type the XML path does not write (a time of day, a timedelta) go
    through openpyxl (and the layout is not known).
    """
    if not all(isinstance(v, _XML_TYPES) for v in answers.values()):
        return _built(definition(questionnaire), spec, answers, notes, None), None
    blank = _blank(questionnaire, spec)
    return blank.typed(answers, notes), blank.layout


#: What `_Blank` writes: what partners type (text, numbers, dates, formulas) and None.
_XML_TYPES = (str, int, float, Decimal, dt.date, type(None))
#: A cell as openpyxl writes it: its reference, style and the rest.
_CELL = re.compile(r'<c r="([A-Z]+[0-9]+)"(?: s="([0-9]+)")?[^>]*?(?:/>|>.*?</c>)', re.S)


@cache
def _blank(questionnaire: str | Path, spec: WorkbookSpec) -> _Blank:
    return _Blank(definition(questionnaire), spec)


class _Blank:
    """The template as openpyxl saved it, and the layout of its answers sheet."""

    def __init__(self, q: Questionnaire, spec: WorkbookSpec) -> None:
        wb = build_workbook(q, spec)
        ws = answers_sheet(wb)
        self.layout = _layout(ws)
        self.sheet = f"xl/worksheets/sheet{wb.worksheets.index(ws) + 1}.xml"
        buffer = io.BytesIO()
        wb.save(buffer)
        self.package = buffer.getvalue()
        with zipfile.ZipFile(buffer) as zf:
            self.sheet_xml = zf.read(self.sheet).decode("utf-8")
            self.styles_xml = zf.read(_STYLES).decode("utf-8")

    def typed(self, answers: Mapping[str, object], notes: Mapping[str, str]) -> bytes:
        """The package with each answer in its Answer cell and each note in its Notes cell."""
        cells = {f"C{self._row(qid)}": value for qid, value in answers.items()}
        cells.update({f"E{self._row(qid)}": note for qid, note in notes.items()})
        styles = _Styles(self.styles_xml)
        sheet = _CELL.sub(lambda m: _typed_cell(m, cells, styles), self.sheet_xml)
        parts = {self.sheet: sheet.encode("utf-8"), _STYLES: styles.xml().encode("utf-8")}
        return _rewritten(self.package, lambda name, data: parts.get(name, data))

    def _row(self, qid: str) -> int:
        title, _columns, rows = self.layout
        if qid not in rows:
            raise KeyError(f"no row with ID {qid!r} in sheet {title!r}")
        return rows[qid]


_STYLES = "xl/styles.xml"


def _typed_cell(m: re.Match[str], cells: Mapping[str, object], styles: _Styles) -> str:
    """Cell `m` as openpyxl writes it (openpyxl/cell/_writer.py) once its value is set."""
    ref, style = m.group(1), m.group(2)
    if ref not in cells:
        return m.group(0)
    value = cells[ref]
    if isinstance(value, dt.date):  # a datetime too: the cell gets a date format
        style = styles.dated(style or "0", get_time_format(type(value)))
        value = to_excel(value)
    head = f'<c r="{ref}"' + (f' s="{style}"' if style else "")
    if value is None:
        return f'{head} t="n"></c>'
    if isinstance(value, bool):
        return f'{head} t="b"><v>{int(value)}</v></c>'
    if not isinstance(value, str):
        return f'{head} t="n"><v>{safe_string(value)}</v></c>'
    return _text_cell(head, value)


def _text_cell(head: str, value: str) -> str:
    if _ILLEGAL.search(value) or len(value) > _OPENPYXL_MAX:  # as `_built` writes them
        return f'{head} t="inlineStr"><is><t>{_xml_text(value)}</t></is></c>'
    if len(value) > 1 and value.startswith("="):
        return f"{head}><f>{_escaped(value[1:])}</f><v></v></c>"
    if value in ERROR_CODES:
        return f'{head} t="e"><v>{_escaped(value)}</v></c>'
    if not value:
        return f'{head} t="inlineStr"></c>'
    space = ' xml:space="preserve"' if value != value.strip() else ""
    return f'{head} t="inlineStr"><is><t{space}>{_escaped(value)}</t></is></c>'


def _escaped(value: str) -> str:
    """Text as openpyxl's lxml writes it: escaped, other than ASCII as character references."""
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value.replace("\r", "&#13;").encode("ascii", "xmlcharrefreplace").decode("ascii")


class _Styles:
    """styles.xml, and the cell formats that typing dates into cells adds to it.

    openpyxl numbers its cell formats in the order it meets them when saving; a format
    added here goes at the end of the list, where Excel adds one, so the template's
    numbers stay the same.
    """

    _XFS = re.compile(r'<cellXfs count="[0-9]+">(.*?)</cellXfs>', re.S)
    _XF = re.compile(r"<xf [^>]*?(?:/>|>.*?</xf>)", re.S)
    _NUM_FMTS = re.compile(r'<numFmts count="[0-9]+"(?:/>|>(.*?)</numFmts>)', re.S)
    _NUM_FMT = re.compile(r'<numFmt numFmtId="([0-9]+)" formatCode="([^"]*)"/>')

    def __init__(self, xml: str) -> None:
        self._xml = xml
        xfs = self._XFS.search(xml)
        assert xfs is not None, "no cellXfs in styles.xml"
        self.xfs = self._XF.findall(xfs.group(1))
        formats = self._NUM_FMTS.search(xml)
        assert formats is not None, "no numFmts in styles.xml"
        self.formats = {
            html.unescape(code): int(number)
            for number, code in self._NUM_FMT.findall(formats.group(1) or "")
        }
        self.added: dict[tuple[str, str], str] = {}

    def dated(self, style: str, number_format: str) -> str:
        """The number of the cell format `style` with `number_format`, added if new."""
        if (style, number_format) not in self.added:
            xf = self.xfs[int(style)]
            assert 'numFmtId="0"' in xf, f"cell format {style} already has a number format"
            number = self._format_id(number_format)
            self.xfs.append(xf.replace('numFmtId="0"', f'numFmtId="{number}"', 1))
            self.added[(style, number_format)] = str(len(self.xfs) - 1)
        return self.added[(style, number_format)]

    def _format_id(self, number_format: str) -> int:
        if number_format in BUILTIN_FORMATS_REVERSE:
            return int(BUILTIN_FORMATS_REVERSE[number_format])
        if number_format not in self.formats:
            self.formats[number_format] = (
                max([BUILTIN_FORMATS_MAX_SIZE - 1, *self.formats.values()]) + 1
            )
        return self.formats[number_format]

    def xml(self) -> str:
        """styles.xml with the added formats (unchanged if none were)."""
        if not self.added:
            return self._xml
        xfs = f'<cellXfs count="{len(self.xfs)}">{"".join(self.xfs)}</cellXfs>'
        xml = self._XFS.sub(lambda _m: xfs, self._xml, count=1)
        formats = "".join(
            f'<numFmt numFmtId="{n}" formatCode={quoteattr(code)}/>'
            for code, n in self.formats.items()
        )
        block = f'<numFmts count="{len(self.formats)}">{formats}</numFmts>'
        return self._NUM_FMTS.sub(lambda _m: block, xml, count=1)


def _substitute(data: bytes, raw: Mapping[str, str]) -> bytes:
    for placeholder, value in raw.items():
        if placeholder.encode() in data:
            data = data.replace(placeholder.encode(), _xml_text(value).encode())
    return data


def _xml_text(value: str) -> str:
    """Text as Excel stores it in XML: escaped, control characters as `_xHHHH_`."""
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _ILLEGAL.sub(lambda m: f"_x{ord(m.group()):04X}_", value)


def rewrite_zip(
    path: Path,
    transform: Callable[[str, bytes], bytes | None] | None = None,
    add: Mapping[str, bytes] | None = None,
) -> Path:
    """Rewrite a package in place: each part through `transform` (None drops it), plus `add`."""
    path.write_bytes(_rewritten(path.read_bytes(), transform, add))
    return path


def _rewritten(
    package: bytes,
    transform: Callable[[str, bytes], bytes | None] | None = None,
    add: Mapping[str, bytes] | None = None,
) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(package))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data: bytes | None = source.read(info.filename)
            if transform is not None:
                data = transform(info.filename, data)  # type: ignore[arg-type]
            if data is not None:
                target.writestr(info, data)
        for part, data in (add or {}).items():
            target.writestr(part, data)
    return out.getvalue()


def make_xlsm(path: Path, out: Path) -> Path:
    """A macro-enabled copy: a VBA project part and the macroEnabled content type."""
    shutil.copyfile(path, out)

    def types(name: str, data: bytes) -> bytes:
        if name != "[Content_Types].xml":
            return data
        data = data.replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        )
        return data.replace(
            b"</Types>",
            b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
            b"</Types>",
        )

    return rewrite_zip(out, types, {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\x00" * 508})


def sheet_part(path: Path, title: str = contract.RESPONSES_SHEET) -> str:
    """The zip part name of the sheet called `title` in an .xlsx openpyxl wrote."""
    index = openpyxl.load_workbook(path).sheetnames.index(title)
    return f"xl/worksheets/sheet{index + 1}.xml"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------- edits partners make


def _insert(ws: Any, at: int, amount: int) -> None:
    """Insert rows as a spreadsheet program does: merged ranges below move down too."""
    merged = [CellRange(str(rng)) for rng in ws.merged_cells.ranges]
    for rng in merged:
        ws.unmerge_cells(rng.coord)
    ws.insert_rows(at, amount)
    for rng in merged:
        if rng.min_row >= at:
            rng.shift(row_shift=amount)
        ws.merge_cells(rng.coord)


def insert_rows(before: str | int, amount: int = 1, text: str | None = None) -> Edit:
    """Insert `amount` rows above question `before` (or above that row number)."""

    def edit(wb: Any) -> None:
        ws = answers_sheet(wb)
        at = before if isinstance(before, int) else row_of(ws, before)
        _insert(ws, at, amount)
        if text:
            for r in range(at, at + amount):
                ws.cell(row=r, column=2).value = text

    return edit


def move_header_down(amount: int) -> Edit:
    """Rows inserted at the very top, above the title: the header row moves down."""
    return insert_rows(1, amount, None)


def swap_rows(a: str, b: str) -> Edit:
    """Questions `a` and `b` trade places (every column of the two rows)."""

    def edit(wb: Any) -> None:
        ws = answers_sheet(wb)
        ra, rb = row_of(ws, a), row_of(ws, b)
        for col in range(1, 6):
            ca, cb = ws.cell(row=ra, column=col), ws.cell(row=rb, column=col)
            ca.value, cb.value = cb.value, ca.value

    return edit


def rename_sheet(old: str, new: str) -> Edit:
    def edit(wb: Any) -> None:
        wb[old].title = new

    return edit


def delete_sheet(name: str) -> Edit:
    def edit(wb: Any) -> None:
        del wb[name]

    return edit


def add_sheet(
    title: str, index: int = 0, hidden: bool = False, rows: Iterable[Iterable[object]] = ()
) -> Edit:
    def edit(wb: Any) -> None:
        ws = wb.create_sheet(title, index)
        for row in rows:
            ws.append(list(row))
        if hidden:
            ws.sheet_state = "hidden"

    return edit


def set_stamp(key: str, value: str) -> Edit:
    def edit(wb: Any) -> None:
        ws = wb[contract.STAMP_SHEET]
        ws.cell(row=row_of(ws, key), column=2).value = value

    return edit


def set_id(qid: str, new: str) -> Edit:
    """The ID cell of question `qid` retyped."""

    def edit(wb: Any) -> None:
        ws = answers_sheet(wb)
        ws.cell(row=row_of(ws, qid), column=1).value = new

    return edit


def duplicate_row(qid: str, answer: object) -> Edit:
    """A copy of question `qid`'s row right below it, with another answer."""

    def edit(wb: Any) -> None:
        ws = answers_sheet(wb)
        r = row_of(ws, qid)
        _insert(ws, r + 1, 1)
        for col in (1, 2):
            ws.cell(row=r + 1, column=col).value = ws.cell(row=r, column=col).value
        ws.cell(row=r + 1, column=3).value = answer

    return edit


def merge(cells: str) -> Edit:
    """Merge a range of the answers sheet, e.g. "C13:C14"."""

    def edit(wb: Any) -> None:
        answers_sheet(wb).merge_cells(cells)

    return edit


def merge_answers(first: str, last: str) -> Edit:
    """Merge the Answer cells from question `first` down to question `last`."""

    def edit(wb: Any) -> None:
        ws = answers_sheet(wb)
        ws.merge_cells(f"C{row_of(ws, first)}:C{row_of(ws, last)}")

    return edit


def merge_titles() -> Edit:
    """Every section title row merged across B:E, and the title over two rows."""

    def edit(wb: Any) -> None:
        ws = answers_sheet(wb)
        header = _header(ws)
        assert header is not None
        for coord in [str(r) for r in ws.merged_cells.ranges]:
            if CellRange(coord).min_row < header[0]:
                ws.unmerge_cells(coord)
        ws.merge_cells(f"A1:E{header[0] - 2}")
        for a, b in ws.iter_rows(min_row=header[0] + 1, max_col=2):
            if a.value is None and b.value is not None:
                ws.merge_cells(f"B{b.row}:E{b.row}")

    return edit


# --------------------------------------------------------------------------- survey folders


def survey_folder(
    root: Path,
    partners: Iterable[str | Mapping[str, Any]] = ("Venice",),
    *,
    questionnaire: str | Path = MILE,
    currency: str = "EUR",
    rates: Mapping[str, float] | None = None,
    expected_roles: Iterable[str] = ("city",),
) -> Path:
    """A survey folder (survey.yaml and an empty `returns/`); returns the folder."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "returns").mkdir(exist_ok=True)
    config = {
        "title": "Test survey",
        "questionnaire": str(questionnaire),
        "currency": currency,
        "exchange_rates": dict(rates or {}),
        "partners": [{"name": p} if isinstance(p, str) else dict(p) for p in partners],
        "expected_roles": list(expected_roles),
        "coding": None,
    }
    (root / "survey.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
    return root


# --------------------------------------------------------------------------- other formats


def as_format(path: Path, fmt: str, outdir: Path) -> Path:
    """An .xls or .ods copy of `path` saved by LibreOffice (see `support.convert`)."""
    from .convert import convert

    return Path(convert(path, fmt, outdir))

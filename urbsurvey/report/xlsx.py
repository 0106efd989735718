"""The secretariat's matrix: the report as an xlsx workbook of typed cells (needs openpyxl).

`Partners` has one row per partner of the merged answers the indicators used:
whole numbers and decimals as numbers, dates as dates, money as the amount in
the report currency with a currency format, each beside the text as typed, so
the columns can be summed and filtered. Sheet names are the same in every language
(scripts find them); headers are in the report's language. `Answers` has every answer of every
source, `Indicators`, `Lessons`, `Issues`, `Inputs` and `Sources` the rest of
the report. Every sheet has a frozen, filtered header, set column widths,
wrapped rows with their heights, one named font and an A4 landscape print set-up.
Partner text is always a text cell, never a formula (`workbook.cells.put`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from io import BytesIO
from typing import Any

from ..workbook.cells import put
from .i18n import Texts
from .schema import JsonValue, QuestionInfo, Report, Waves

FONT = "Arial"
FONT_SIZE = 10
#: Points per wrapped line at FONT_SIZE, and the tallest row Excel allows.
LINE_HEIGHT = 13
MAX_ROW_HEIGHT = 409
#: Windows locale ids for the currency format (`[$€-809]` is the euro, English).
_LCID = {"en": "809", "fr": "40C", "de": "407", "it": "410", "es": "C0A", "nl": "413"}
NUMERIC = ("integer", "decimal", "money", "date")

Column = tuple[str, float]  # header, width in characters
Row = Sequence[object]


class Sheet:
    """One sheet being written: header, rows, number formats per column, then the set-up."""

    def __init__(self, wb: Any, title: str, columns: list[Column]) -> None:
        self.ws = wb.create_sheet(title)
        self.columns = columns
        self.formats: dict[int, str] = {}

    def write(self, rows: list[Row]) -> None:
        from openpyxl.styles import Alignment, Font, PatternFill

        ws = self.ws
        bold = Font(name=FONT, size=FONT_SIZE, bold=True)
        plain = Font(name=FONT, size=FONT_SIZE)
        wrap = Alignment(wrap_text=True, vertical="top")
        fill = PatternFill("solid", fgColor="E8EDF2")
        for c, (header, _width) in enumerate(self.columns, start=1):
            cell = put(ws, 1, c, header)
            cell.font, cell.fill, cell.alignment = bold, fill, wrap
        ws.row_dimensions[1].height = self._height([h for h, _ in self.columns])
        for r, values in enumerate(rows, start=2):
            for c, value in enumerate(values, start=1):
                cell = put(ws, r, c, value)
                cell.font, cell.alignment = plain, wrap
                if c in self.formats and value is not None and not isinstance(value, str):
                    cell.number_format = self.formats[c]
            ws.row_dimensions[r].height = self._height(values)
        self._setup(len(rows))

    def _height(self, values: Row) -> float:
        """Enough height for the longest wrapped cell of the row."""
        lines = 1
        for (_header, width), value in zip(self.columns, values, strict=False):
            if isinstance(value, str) and value:
                per_line = max(width * 1.1, 1)
                wrapped = sum(math.ceil(max(len(p), 1) / per_line) for p in value.split("\n"))
                lines = max(lines, wrapped)
        return float(min(LINE_HEIGHT * lines + 4, MAX_ROW_HEIGHT))

    def _setup(self, n_rows: int) -> None:
        from openpyxl.utils import get_column_letter

        ws = self.ws
        for c, (_header, width) in enumerate(self.columns, start=1):
            ws.column_dimensions[get_column_letter(c)].width = width
        last = get_column_letter(max(len(self.columns), 1))
        ws.freeze_panes = "B2"
        ws.auto_filter.ref = f"A1:{last}{n_rows + 1}"
        ws.print_title_rows = "1:1"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True


def currency_format(currency: str, lang: str) -> str:
    """An Excel currency number format for whole amounts: `[$€-809]#,##0` (en), `#,##0 [$€-40C]`."""
    from babel.numbers import get_currency_symbol

    symbol = get_currency_symbol(currency, locale=lang)
    lcid = _LCID.get(lang, "809")
    if lang == "en" or lang not in _LCID:
        return f"[${symbol}-{lcid}]#,##0"
    return f"#,##0 [${symbol}-{lcid}]"


def _label(question: QuestionInfo, value: JsonValue, t: Texts) -> object:
    """A merged answer as a cell: labels for choices, Yes/No, numbers and dates as such."""
    if isinstance(value, bool):
        return t("yes") if value else t("no")
    labels = dict(zip(question.codes, question.choices, strict=False))
    if isinstance(value, list):
        return "; ".join(labels.get(v, v) for v in value)
    if question.type == "date" and isinstance(value, str):
        return dt.date.fromisoformat(value)
    if question.codes and isinstance(value, str):
        return labels.get(value, value)
    return value


def _partners_sheet(wb: Any, report: Report, t: Texts) -> None:
    questions = [qu for sec in report.methodology.sections for qu in sec.questions]
    currency = report.survey.currency
    columns: list[Column] = [(t("partner"), 22)]
    formats: dict[int, str] = {}
    for qu in questions:
        if qu.type in NUMERIC:
            unit = f" ({currency})" if qu.type == "money" else ""
            columns.append((f"{qu.text}{unit} [{qu.id}]", 16))
            formats[len(columns)] = {
                "money": currency_format(currency, t.lang),
                "date": "yyyy-mm-dd",
                "integer": "#,##0",
                "decimal": "#,##0.##",
            }[qu.type]
            columns.append((f"{qu.text}: {t('as_typed')}", 16))
        else:
            columns.append((f"{qu.text} [{qu.id}]", 30 if qu.type == "long_text" else 18))
    rows: list[Row] = []
    for p in report.partners:
        row: list[object] = [p.partner]
        for qu in questions:
            value = p.answers.get(qu.id)
            row.append(None if value is None else _label(qu, value, t))
            if qu.type in NUMERIC:
                row.append(p.typed.get(qu.id))
        rows.append(row)
    sheet = Sheet(wb, "Partners", columns)
    sheet.formats = formats
    sheet.write(rows)


def _answers_sheet(wb: Any, report: Report, t: Texts) -> None:
    columns: list[Column] = [
        (t("partner"), 22),
        (t("source"), 22),
        (t("file"), 30),
        (t("question"), 40),
        (t("answer"), 60),
    ]
    rows: list[Row] = [
        [p.partner, src.label, src.file, a.text, a.shown]
        for p in report.partners
        for src in p.sources
        for a in src.answers
    ]
    Sheet(wb, "Answers", columns).write(rows)


def _indicators_sheet(wb: Any, report: Report, t: Texts) -> None:
    columns: list[Column] = [
        (t("xlsx.indicator"), 34),
        (t("value"), 14),
        (t("xlsx.unit"), 10),
        (t("xlsx.display"), 12),
        (t("xlsx.partners"), 40),
        (t("xlsx.sentence"), 80),
        ("ID", 24),
    ]
    sheet = Sheet(wb, "Indicators", columns)
    money = currency_format(report.survey.currency, t.lang)
    rows: list[Row] = []
    for ind in report.indicators:
        rows.append(
            [
                ind.label,
                ind.value,
                ind.unit,
                ind.display,
                ", ".join(ind.partners),
                ind.sentence,
                ind.id,
            ]
        )
    sheet.formats = {2: "#,##0.##"}
    sheet.write(rows)
    for r, ind in enumerate(report.indicators, start=2):
        if ind.unit == report.survey.currency:
            sheet.ws.cell(row=r, column=2).number_format = money


def _lessons_sheet(wb: Any, report: Report, t: Texts) -> None:
    columns: list[Column] = [
        (t("xlsx.group"), 30),
        (t("xlsx.theme"), 30),
        (t("xlsx.description"), 50),
        (t("partner"), 20),
        (t("source"), 20),
        (t("question"), 34),
        (t("xlsx.excerpt"), 70),
    ]
    rows: list[Row] = []
    for group in report.lessons:
        for theme in group.themes:
            base = [group.title, theme.title, theme.description]
            if not theme.excerpts:
                rows.append([*base, ", ".join(theme.partners), None, None, None])
            for q in theme.excerpts:
                rows.append([*base, q.partner, q.source_label, q.question_text, q.text])
    Sheet(wb, "Lessons", columns).write(rows)


def _table(wb: Any, title: str, columns: list[Column], rows: list[Row]) -> None:
    Sheet(wb, title, columns).write(rows)


def _wave_sheets(wb: Any, waves: Waves) -> None:
    """`Waves`: each shared indicator per wave and the change; `Wave changes`: per partner."""
    ids = waves.ids
    columns: list[Column] = [("Indicator", 34), *((w, 12) for w in ids)]
    columns += [("Change", 12), ("Not compared", 40), ("Flags", 60)]
    rows: list[Row] = [
        [
            ind.label,
            *(ind.values[w].display if w in ind.values else "" for w in ids),
            ind.change.display if ind.change else "",
            ind.not_compared or "",
            "; ".join(ind.flags),
        ]
        for ind in waves.indicators
    ]
    Sheet(wb, "Waves", columns).write(rows)
    columns = [("Partner", 24), ("Question", 40), (waves.previous, 36), (waves.current, 36)]
    columns += [("Change", 20), ("Flags", 50)]
    rows = [
        [p.partner, c.text, c.before, c.after, c.change, "; ".join(c.flags)]
        for p in waves.partners
        for c in p.changes
    ]
    rows += [[o.partner, f"only in {o.wave}", "", "", "", ""] for o in waves.partners_one_wave]
    Sheet(wb, "Wave changes", columns).write(rows)


def render_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook

    t = Texts(report.survey.language)
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "urbsurvey"
    wb.properties.title = report.survey.title
    _partners_sheet(wb, report, t)
    _indicators_sheet(wb, report, t)
    _lessons_sheet(wb, report, t)
    _answers_sheet(wb, report, t)
    _table(
        wb,
        "Issues",
        [
            (t("severity"), 12),
            ("Code", 22),
            (t("file"), 30),
            (t("sheet"), 14),
            (t("cell"), 8),
            (t("problem"), 60),
            (t("what_to_do"), 60),
        ],
        [
            [t(f"severity.{i.severity}"), i.code, i.file, i.sheet, i.cell, i.message, i.hint]
            for i in report.issues
        ],
    )
    _table(
        wb,
        "Inputs",
        [(t("file"), 36), (t("partner"), 22), (t("role"), 20), (t("status"), 12), ("SHA-256", 70)],
        [[f.file, f.partner, f.role, f.status, f.sha256] for f in report.inputs],
    )
    _table(
        wb,
        "Sources",
        [
            (t("xlsx.indicator"), 26),
            (t("partner"), 22),
            (t("question"), 24),
            (t("file"), 30),
            (t("sheet"), 14),
            (t("cell"), 8),
            (t("value"), 50),
        ],
        [
            [ind.id, s.partner, s.question, s.file, s.sheet, s.cell, s.value]
            for ind in report.indicators
            for s in ind.sources
        ],
    )
    if report.waves:
        _wave_sheets(wb, report.waves)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()

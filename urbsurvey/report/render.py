"""A report dict as bytes: Markdown, HTML, JSON or an xlsx workbook.

`render(report, fmt)` reads and writes no file but the templates. Markdown and
HTML come from the Jinja2 templates `report.md.j2` and `report.html.j2`; a
user's `--template DIR` overrides them file by file. Everything partners send
is untrusted: HTML autoescapes it, Markdown passes it through the `md` filter
(`md_escape`), the workbook writes it as text cells only (`xlsxtext.put`).
Jinja2 and openpyxl are imported when a report is rendered, never at import.
"""

from __future__ import annotations

import json
import re
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ReportTemplateError, UsageError
from ..workbook.cells import CONTROL_CHARS

if TYPE_CHECKING:
    import jinja2
    from markupsafe import Markup

FORMATS = ("md", "html", "json", "xlsx")
TEMPLATES = {"md": "report.md.j2", "html": "report.html.j2"}
ROLE_LABELS = {
    "city": "Partner cities",
    "managing_authority": "Managing authorities",
    "interview": "Follow-up interviews",
    "other": "Other respondents",
}
#: Answers longer than this get a scrolling box in the HTML matrix.
LONG_CELL = 240


# --- Markdown escaping -------------------------------------------------------------

_CONTROL = [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F]
_MD_CHARS: dict[int, str | None] = {
    **{ord(c): "\\" + c for c in "\\`*_{}[]|~!"},
    **{ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;"},
    **{ord("\n"): "<br>", ord("\r"): "<br>", ord("\t"): " "},
    **dict.fromkeys(_CONTROL),
}
# What only means something at the start of a line: headings, list items.
_MD_LINE_START = re.compile(r"^(?:([#+-])|(\d{1,9})([.)])(?=\s|<br>|$))")


def md_escape(text: object) -> str:
    """Untrusted text as one line of inline Markdown that renders as exactly that text.

    Markdown punctuation is backslash-escaped (so `|` is `\\|` and a table cell
    never splits), `& < >` become HTML entities (no raw HTML reaches the page),
    line breaks become `<br>` (a table row never breaks). None is "".
    """
    if text is None:
        return ""
    value = str(text).replace("\r\n", "\n").strip().translate(_MD_CHARS)
    return _MD_LINE_START.sub(_escape_line_start, value, count=1)


def _escape_line_start(match: re.Match[str]) -> str:
    if match.group(1):
        return "\\" + match.group(1)
    return match.group(2) + "\\" + match.group(3)


# --- Helpers the templates call ----------------------------------------------------


def paragraphs(text: object) -> list[str]:
    """Blank-line separated paragraphs; inside one, wrapped lines are joined by a space.

    A line that starts like a list item (`- `, `* `, `• `, `1. `) keeps its line break.
    """
    if not text:
        return []
    normal = str(text).replace("\r\n", "\n").replace("\r", "\n")
    result = []
    for part in re.split(r"\n[ \t]*\n", normal):
        lines = [line.strip() for line in part.split("\n") if line.strip()]
        if lines:
            result.append(
                lines[0] + "".join(("\n" if _LIST_ITEM.match(x) else " ") + x for x in lines[1:])
            )
    return result


_LIST_ITEM = re.compile(r"(?:[-*•]|\d{1,3}[.)])\s")


def percent(rate: object) -> str:
    """0.75 as "75%"; no rate as "n/a"."""
    if isinstance(rate, int | float) and not isinstance(rate, bool):
        return f"{rate * 100:.0f}%"
    return "n/a"


def location(issue: dict[str, Any]) -> str:
    """Where an issue is: `file, sheet, cell`, leaving out what is not known."""
    return ", ".join(str(issue[k]) for k in ("file", "sheet", "cell") if issue.get(k))


def issue_groups(issues: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Issues grouped by file (files in order of first issue), errors first in each."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for issue in issues or []:
        groups.setdefault(str(issue.get("file") or ""), []).append(issue)
    result = []
    for file, items in groups.items():
        items = sorted(items, key=lambda i: i.get("severity") != "error")
        errors = sum(1 for i in items if i.get("severity") == "error")
        result.append(
            {"file": file, "issues": items, "errors": errors, "warnings": len(items) - errors}
        )
    return result


def plural(count: object, noun: str) -> str:
    """`1 error`, `2 errors`; no count as 0."""
    n = count if isinstance(count, int) else 0
    return f"{n} {noun}{'' if n == 1 else 's'}"


def css_string(text: object) -> Markup:
    """Text as a quoted CSS string; ASCII punctuation as hex escapes, so never `</style>`."""
    from markupsafe import Markup

    out = [c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in str(text or "")]
    return Markup('"' + "".join(out) + '"')


def ends_sentence(text: object) -> bool:
    """Whether a title already ends with punctuation (so no "." is added)."""
    return str(text or "").rstrip()[-1:] in (".", "!", "?", ":")


# --- Jinja2 environments -----------------------------------------------------------


def _finalize(value: object) -> object:
    """What `{{ }}` prints: None as nothing, plain strings without control characters."""
    if value is None:
        return ""
    if type(value) is str:
        return CONTROL_CHARS.sub("", value)
    return value


@cache
def _environment(fmt: str, user_dir: str | None) -> jinja2.Environment:
    import jinja2

    from ..resources import bundled_dir
    from .charts import bar_chart_svg, text_bars
    from .charts import summary as chart_summary

    loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(bundled_dir("templates"))]
    if user_dir is not None:
        loaders.insert(0, jinja2.FileSystemLoader(user_dir))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=fmt == "html",
        undefined=jinja2.ChainableUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md_escape
    env.globals.update(
        bar_chart_svg=bar_chart_svg,
        text_bars=text_bars,
        chart_summary=chart_summary,
        paragraphs=paragraphs,
        percent=percent,
        location=location,
        issue_groups=issue_groups,
        ends_sentence=ends_sentence,
        css_string=css_string,
        plural=plural,
        role_labels=ROLE_LABELS,
        long_cell=LONG_CELL,
    )
    return env


def _template_text(report: dict[str, Any], fmt: str, template_dir: Path | None) -> str:
    import jinja2

    user_dir = None
    if template_dir is not None:
        if not template_dir.is_dir():
            raise ReportTemplateError(
                f"{template_dir}: no such template folder",
                hint=f"Give a folder holding {TEMPLATES[fmt]} (and any partials it overrides).",
            )
        user_dir = str(template_dir.resolve())
    try:
        template = _environment(fmt, user_dir).get_template(TEMPLATES[fmt])
        return template.render(report=report, **report)
    except jinja2.TemplateSyntaxError as exc:
        where = f"{exc.filename or exc.name}, line {exc.lineno}"
        raise ReportTemplateError(
            f"{where}: {exc.message}", hint="Fix the template's Jinja2 syntax."
        ) from exc
    except jinja2.TemplateError as exc:
        raise ReportTemplateError(
            f"{TEMPLATES[fmt]}: {exc}",
            hint="Check the template against the bundled one (urbsurvey's templates folder).",
        ) from exc
    except Exception as exc:  # a user's template is code: any failure in it is theirs to fix
        raise ReportTemplateError(
            f"{TEMPLATES[fmt]}: the template failed while rendering "
            f"({type(exc).__name__}: {exc}){_template_line(exc)}",
            hint="Check the template against the bundled one (urbsurvey's templates folder).",
        ) from exc


def _template_line(exc: BaseException) -> str:
    """`, line N of NAME` for the innermost frame that is template code, if any."""
    import traceback

    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith(".j2"):
            return f", line {frame.lineno} of {Path(frame.filename).name}"
    return ""


# --- xlsx --------------------------------------------------------------------------

Column = tuple[str, str, int]  # header, key in the report's records, width
_INDICATORS: list[Column] = [
    ("ID", "id", 26),
    ("Label", "label", 34),
    ("Value", "value", 14),
    ("Unit", "unit", 10),
    ("Display", "display", 12),
    ("Partners", "partners", 40),
    ("Sentence", "sentence", 80),
]
_ISSUES: list[Column] = [
    ("Severity", "severity", 10),
    ("Code", "code", 22),
    ("File", "file", 30),
    ("Sheet", "sheet", 16),
    ("Cell", "cell", 8),
    ("Message", "message", 60),
    ("Hint", "hint", 60),
]
_INPUTS: list[Column] = [
    ("File", "file", 36),
    ("SHA-256", "sha256", 66),
    ("Partner", "partner", 24),
    ("Role", "role", 20),
    ("Status", "status", 12),
]
_SOURCES: list[Column] = [
    ("Indicator", "indicator", 26),
    ("Partner", "partner", 24),
    ("Question", "question", 24),
    ("File", "file", 30),
    ("Sheet", "sheet", 16),
    ("Cell", "cell", 8),
    ("Value", "value", 50),
]
_ANSWER_WIDTH = 40


def _plain(value: object) -> object:
    """A value a cell can hold: numbers as they are, lists joined by "; ", the rest as text."""
    if value is None or isinstance(value, int | float | str):
        return value
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return json.dumps(value, ensure_ascii=False)


def _sheet(wb: Any, title: str, columns: list[Column], freeze: str = "A2") -> Any:
    """A sheet with a bold, wrapped, frozen header row and set column widths."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from ..workbook.cells import put

    ws = wb.create_sheet(title)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="E8EDF2")
    wrap = Alignment(wrap_text=True, vertical="top")
    for col, (header, _key, width) in enumerate(columns, start=1):
        cell = put(ws, 1, col, header)
        cell.font, cell.fill, cell.alignment = bold, fill, wrap
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = freeze
    return ws


def _fill(ws: Any, rows: list[list[object]], wrap_from: int = 40) -> None:
    """Rows below the header, every cell through `put`; longer texts wrap."""
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    from ..workbook.cells import put

    wrap = Alignment(wrap_text=True, vertical="top")
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            cell = put(ws, r, c, _plain(value))
            if isinstance(value, str) and len(value) > wrap_from:
                cell.alignment = wrap
    if rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(ws.max_column)}{len(rows) + 1}"


def _table(wb: Any, title: str, columns: list[Column], records: list[dict[str, Any]]) -> None:
    rows = [[record.get(key) for _h, key, _w in columns] for record in records]
    _fill(_sheet(wb, title, columns), rows)


def _answers_sheet(wb: Any, matrix: dict[str, Any]) -> None:
    """One row per partner and source, one column per question (id and text in the header)."""
    columns = list(matrix.get("columns") or [])
    headers: list[Column] = [("Partner", "", 24), ("Source", "", 16), ("File", "", 28)]
    headers += [(f"{c.get('id')}: {c.get('text')}", "", _ANSWER_WIDTH) for c in columns]
    ws = _sheet(wb, "Answers", headers, freeze="C2")
    ws.row_dimensions[1].height = 60
    rows = []
    for row in matrix.get("rows") or []:
        cells = list(row.get("cells") or [])[: len(columns)]
        cells += [""] * (len(columns) - len(cells))
        rows.append([row.get("partner"), row.get("source"), row.get("file"), *cells])
    _fill(ws, rows, wrap_from=_ANSWER_WIDTH)


def _wave_sheets(wb: Any, waves: dict[str, Any]) -> None:
    """`Waves`: each shared indicator per wave and the change; `Wave changes`: per partner."""
    ids = list(waves["ids"])
    columns: list[Column] = [("Indicator", "", 34), *((w, "", 12) for w in ids)]
    columns += [("Change", "", 12), ("Not compared", "", 40), ("Flags", "", 60)]
    rows: list[list[object]] = [
        [
            ind["label"],
            *(ind["values"][w]["display"] if w in ind["values"] else "" for w in ids),
            ind["change"]["display"] if ind["change"] else "",
            ind["not_compared"] or "",
            "; ".join(ind["flags"]),
        ]
        for ind in waves["indicators"]
    ]
    _fill(_sheet(wb, "Waves", columns), rows)
    previous, current = waves["previous"], waves["current"]
    columns = [("Partner", "", 24), ("Question", "", 40), (previous, "", 36), (current, "", 36)]
    columns += [("Change", "", 20), ("Flags", "", 50)]
    rows = [
        [p["partner"], c["text"], c["before"], c["after"], c["change"], "; ".join(c["flags"])]
        for p in waves["partners"]
        for c in p["changes"]
    ]
    rows += [
        [o["partner"], f"only in {o['wave']}", "", "", "", ""] for o in waves["partners_one_wave"]
    ]
    _fill(_sheet(wb, "Wave changes", columns), rows)


def _xlsx(report: dict[str, Any]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "urbsurvey"
    _answers_sheet(wb, report.get("matrix") or {})
    indicators = list(report.get("indicators") or [])
    _table(wb, "Indicators", _INDICATORS, indicators)
    _table(wb, "Issues", _ISSUES, list(report.get("issues") or []))
    _table(wb, "Inputs", _INPUTS, list(report.get("inputs") or []))
    sources = [
        {"indicator": ind.get("id"), **source}
        for ind in indicators
        for source in ind.get("sources") or []
    ]
    _table(wb, "Sources", _SOURCES, sources)
    if report.get("waves"):
        _wave_sheets(wb, report["waves"])
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


# --- The one entry point -----------------------------------------------------------


def render(report: dict[str, Any], fmt: str, template_dir: Path | None = None) -> bytes:
    """The report in one of `FORMATS`, as the bytes of the file to write."""
    if fmt == "json":
        return (json.dumps(report, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    if fmt == "xlsx":
        return _xlsx(report)
    if fmt in TEMPLATES:
        return _template_text(report, fmt, template_dir).encode("utf-8", "replace")
    raise UsageError(f"unknown report format {fmt!r}", hint=f"Use one of: {', '.join(FORMATS)}.")

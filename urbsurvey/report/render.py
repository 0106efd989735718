"""A `Report` as bytes, in one of the formats of `ReportFormat`.

Every format is one function `(report) -> bytes` behind `render(report, fmt)`:
JSON is `report.to_dict()`; Markdown and HTML come from the Jinja2 templates
`report.md.j2` and `report.html.j2` (a user's `--template DIR` overrides them
file by file), rendered with `StrictUndefined` so a field the report lacks
fails instead of printing nothing; xlsx and docx are written by `xlsx.py`
and `docx.py`. Everything partners send is untrusted: HTML autoescapes it,
Markdown passes it through the `md` filter (`md_escape`), the workbook writes
it as text cells only. Jinja2, openpyxl, python-docx and Babel are imported
when a report is rendered, never at import; orjson (and the uuid and platform
modules it imports, some 4 ms) with this module, which a report imports while
its workbooks are read (`pipeline._ahead`), not when its JSON is first written.
"""

from __future__ import annotations

import json
import re
import sys
import textwrap
from collections.abc import Iterable, Iterator
from dataclasses import asdict, fields, is_dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, assert_never

import orjson

from ..errors import ReportTemplateError, UsageError
from ..issues import Severity
from ..workbook.cells import CONTROL_CHARS
from .formats import FORMATS, ReportFormat

if TYPE_CHECKING:
    import jinja2
    from markupsafe import Markup

    from .schema import ExchangeRate, IssueRecord, LeftOut, Report


TEMPLATES = {ReportFormat.MD: "report.md.j2", ReportFormat.HTML: "report.html.j2"}
#: Answers longer than this get a scrolling box in the HTML report.
LONG_CELL = 600
#: Longest line of running text in the Markdown report.
MD_WIDTH = 110


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


def location(where: object) -> str:
    """Where an issue or a figure's source is: `file, sheet, cell`, leaving out the unknown."""
    parts = (getattr(where, k, None) for k in ("file", "sheet", "cell"))
    return ", ".join(str(p) for p in parts if p)


def issue_groups(issues: list[IssueRecord]) -> list[dict[str, object]]:
    """Issues grouped by file (files in order of first issue), errors first in each."""
    groups: dict[str, list[IssueRecord]] = {}
    for issue in issues:
        groups.setdefault(issue.file or "", []).append(issue)
    result: list[dict[str, object]] = []
    for file, items in groups.items():
        items = sorted(items, key=lambda i: i.severity != Severity.ERROR)
        errors = sum(1 for i in items if i.severity == Severity.ERROR)
        result.append(
            {"file": file, "issues": items, "errors": errors, "warnings": len(items) - errors}
        )
    return result


def md_wrap(text: object, indent: str = "", lead: str = "") -> str:
    """Untrusted text, escaped, as Markdown lines of at most `MD_WIDTH` continuing one block.

    `lead` is Markdown put before the text on the first line (a list marker, a label);
    continuation lines start with `indent` and never like a heading, a list item or a rule.
    """
    lines = textwrap.wrap(
        lead + md_escape(text),
        MD_WIDTH,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )
    safe = lines[:1]
    for line in lines[1:]:
        body = _MD_LINE_START.sub(_escape_line_start, line[len(indent) :], count=1)
        safe.append(indent + ("\\" + body if body[:1] == "=" else body))
    return "\n".join(safe)


def md_narrative(text: object) -> str:
    """The expert's Markdown from survey.yaml: raw HTML shown as text, only web links live."""
    value = CONTROL_CHARS.sub("", str(text or "")).replace("\r\n", "\n").strip()
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _NOT_WEB_LINK.sub(r"]\\(", value)


#: A Markdown link target that is not http(s), mailto or a fragment (`](javascript:…`).
_NOT_WEB_LINK = re.compile(r"\]\((?!\s*(?:https?:|mailto:|#))")


def html_narrative(text: object) -> Markup:
    """The expert's Markdown as HTML: no raw HTML passes (markdown-it with `html` off)."""
    from markdown_it import MarkdownIt
    from markupsafe import Markup

    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    value = CONTROL_CHARS.sub("", str(text or ""))
    return Markup(md.render(value))


def rate_line(rate: ExchangeRate) -> str:
    """`1 RON = €0.24 (survey.yaml line 25)`."""
    return f"{rate.display} ({rate.source})"


def left_out_text(item: LeftOut) -> str:
    """`Brno, returns/brno.xlsx Responses!C30 (CZK 80 000)`."""
    return f"{item.partner}, {item.file} {item.sheet}!{item.cell} ({item.raw})"


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
def _environment(fmt: ReportFormat, user_dir: str | None) -> jinja2.Environment:
    import jinja2

    from ..resources import bundled_dir
    from .charts import bar_chart_svg, text_bars

    loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(bundled_dir("templates"))]
    if user_dir is not None:
        loaders.insert(0, jinja2.FileSystemLoader(user_dir))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=fmt is ReportFormat.HTML,
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(md=md_escape, md_wrap=md_wrap, md_narrative=md_narrative)
    env.filters.update(narrative=html_narrative, rate_line=rate_line, left_out=left_out_text)
    env.globals.update(
        bar_chart_svg=bar_chart_svg,
        text_bars=text_bars,
        location=location,
        issue_groups=issue_groups,
        ends_sentence=ends_sentence,
        css_string=css_string,
        long_cell=LONG_CELL,
    )
    return env


def _template_text(report: Report, fmt: ReportFormat, template_dir: Path | None) -> str:
    import jinja2

    user_dir = None
    if template_dir is not None:
        if not template_dir.is_dir():
            raise ReportTemplateError(
                f"{template_dir}: no such template folder",
                hint=f"Give a folder holding {TEMPLATES[fmt]} (and any partials it overrides).",
            )
        user_dir = str(template_dir.resolve())
    from .i18n import Texts

    parts = {f.name: getattr(report, f.name) for f in fields(report)}
    texts = Texts(report.survey.language)
    try:
        template = _environment(fmt, user_dir).get_template(TEMPLATES[fmt])
        return template.render(report=report, t=texts, **parts)
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
    except Exception as exc:
        if user_dir is None:  # the bundled templates: a failure is urbsurvey's bug, not a user's
            raise
        # a user's template is code: any failure in it is theirs to fix
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


# --- The one entry point -----------------------------------------------------------


#: Where orjson writes a number unlike `json.dumps`: 1e-9 <= |x| < 1e-4 (`0.00005`, `5e-6`
#: where Python writes `5e-05`, `5e-06`). A match, even inside a text, means the stdlib writes.
#: (A pattern starting with a literal: re finds it at memchr speed, a class would be 10x slower.)
_ORJSON_EXPONENT = re.compile(rb"e-[5-9](?![0-9])")


def _orjson_differs(body: bytes) -> bool:
    """Whether orjson's bytes may hold a number `json.dumps` writes otherwise."""
    if b".0000" in body:  # `0.0000…`, looked for by its rarer part: twice as fast
        return True
    return any(body[m.start() - 1 : m.start()].isdigit() for m in _ORJSON_EXPONENT.finditer(body))


def render_json(report: Report) -> bytes:
    """`report.to_dict()` as `json.dumps(indent=2, ensure_ascii=False)` writes it, plus "\\n"."""
    return b"".join(json_chunks(report))


def json_chunks(report: Report) -> Iterator[bytes]:
    """`render_json(report)` in pieces, to be written as they are made: one element of a
    long list at a time (one partner's answers, one cell behind a figure), never the
    120 MB of 10,000 partners nor the megabytes of one figure's 10,000 cells at once.

    orjson writes each piece straight from the dataclasses (no copy of the report as
    dicts: 10x faster than `json.dumps`). Where its output could differ (a very small
    number, a value it cannot write such as a huge integer), the stdlib writes that
    piece, so the bytes are the same either way. One difference remains: a non-finite
    float (numbers beyond 10^15 are `out-of-range`, so only through an absurd exchange
    rate) is `null`, valid JSON, where `json.dumps` wrote `Infinity`.
    """
    yield from _json_parts(report, 0, split=True)
    yield b"\n"


#: A list this long, and an object holding one, is written a part at a time.
_LONG = 64


def _json_parts(value: object, depth: int, split: bool = False) -> Iterator[bytes]:
    """`value` as `json.dumps(indent=2)` writes it `depth` levels down, in pieces: a list
    some elements at a time and an object field by field when they hold a long list (or
    `split`: the report itself), else whole. The pieces joined are the same bytes however
    they are cut: the layout is `json.dumps`'s either way."""
    if type(value) is list and value and (split or _long(value)):
        yield from _list_parts(value, depth)
    elif _list_fields(type(value)) and (split or _long(value)):
        inner = b"\n" + b"  " * (depth + 1)
        yield b"{"
        for k, f in enumerate(fields(value)):  # type: ignore[arg-type]  # a dataclass
            yield (b"," + inner if k else inner) + b'"' + f.name.encode() + b'": '
            yield from _json_parts(getattr(value, f.name), depth + 1, split=split)
        yield b"\n" + b"  " * depth + b"}"
    else:
        yield _json_piece(value, depth)


def _list_parts(items: list[object], depth: int) -> Iterator[bytes]:
    """A list: up to `_LONG` elements written together, an element holding a long list
    in pieces of its own."""
    close = b"\n" + b"  " * depth + b"]"
    sep = b"["
    for start in range(0, len(items), _LONG):
        batch: list[object] = []
        for item in items[start : start + _LONG]:
            if not (_list_fields(type(item)) and _long(item)):
                batch.append(item)
                continue
            if batch:
                yield sep + _json_piece(batch, depth)[1 : -len(close)]  # the elements only
                sep, batch = b",", []
            yield sep + b"\n" + b"  " * (depth + 1)
            yield from _json_parts(item, depth + 1)
            sep = b","
        if batch:
            yield sep + _json_piece(batch, depth)[1 : -len(close)]
            sep = b","
    yield close


def _long(value: object, lists: int = 2) -> bool:
    """Whether `value` is or holds a long list, looking no more than `lists` lists down
    (a figure's cells, a finding's quotes: one list per question)."""
    if type(value) is list:
        if len(value) >= _LONG:
            return True
        if lists <= 0 or not any(_list_fields(cls) for cls in {type(x) for x in value}):
            return False  # most lists (a source's answers): their classes hold no list
        return any(_long(x, lists - 1) for x in value if _list_fields(type(x)))
    return any(_long(getattr(value, name), lists) for name in _list_fields(type(value)))


#: class -> its list fields (`_list_fields`), worked out once per class
_LIST_FIELDS: dict[type, tuple[str, ...]] = {}


def _list_fields(cls: type) -> tuple[str, ...]:
    """The fields a dataclass declares as lists (none for any other class)."""
    found = _LIST_FIELDS.get(cls)
    if found is None:
        declared = fields(cls) if is_dataclass(cls) else ()
        found = _LIST_FIELDS[cls] = tuple(
            f.name for f in declared if str(f.type).startswith("list[")
        )
    return found


#: Annotations of the report's fields that hold no float (a dataclass holding none is
#: found from its own fields): their values are not looked at.
_NO_FLOAT = frozenset(
    {"str", "str | None", "int", "int | None", "bool", "list[str]", "list[int]"}
    | {"dict[str, str]", "dict[str, str] | None", "Severity", "Placement"}
)
#: class -> the fields that may hold a float (`_float_fields`); None: a class the
#: annotations do not tell about, whose bytes are scanned (`_orjson_differs`)
_FLOAT_FIELDS: dict[type, tuple[str, ...] | None] = {}
#: The classes of values that hold no float: the plain ones, and report classes so far found
_FREE: set[type] = {str, int, bool, type(None)}


def _float_fields(cls: type) -> tuple[str, ...] | None:
    """The fields of a report dataclass not declared float-free, worked out once per class."""
    if cls in _FLOAT_FIELDS:
        return _FLOAT_FIELDS[cls]
    _FLOAT_FIELDS[cls] = None  # a class holding itself: unknown
    found: tuple[str, ...] | None = None
    if is_dataclass(cls):
        found = tuple(f.name for f in fields(cls) if not _float_free(str(f.type), cls))
    _FLOAT_FIELDS[cls] = found
    if found == ():
        _FREE.add(cls)
    return found


def _float_free(annotation: str, owner: type) -> bool:
    """Whether a field so annotated holds no float: a type of `_NO_FLOAT`, or a dataclass
    of the owner's module holding none (alone, in a list or with None)."""
    if annotation in _NO_FLOAT:
        return True
    name = annotation.removeprefix("list[").removesuffix("]").removesuffix(" | None")
    cls = vars(sys.modules[owner.__module__]).get(name)
    return isinstance(cls, type) and _float_fields(cls) == ()


def _odd_float(value: object) -> bool | None:
    """Whether `value` holds a float orjson writes unlike `json.dumps` (it does for
    1e-9 <= |x| < 1e-4: `0.00005` for `5e-05`, `5e-6` for `5e-06`; looked for with a
    margin), looking only where the report's types allow a float; None where they do
    not tell (an object of a class that is not a report dataclass)."""
    kind = type(value)
    if kind is list:
        return _odd_items(value)  # type: ignore[arg-type]  # a list
    if kind is dict:
        return _odd_items(value.values())  # type: ignore[attr-defined]  # a dict
    if kind is float:
        return _odd(value)  # type: ignore[arg-type]  # a float
    if kind in _FREE:
        return False
    names = _float_fields(kind)
    if names is None:
        return None
    for name in names:
        item = getattr(value, name)
        odd = _odd(item) if type(item) is float else _odd_float(item)
        if odd is not False:
            return odd
    return False


def _odd_items(items: Iterable[object]) -> bool | None:
    """`_odd_float` of a list's items or a dict's values: by the set of their classes
    first, so a list of what holds no float (most lists) costs no call per item."""
    if _FREE.issuperset(map(type, items)):
        return False
    for item in items:
        kind = type(item)
        if kind is float:
            if _odd(item):  # type: ignore[arg-type]  # a float
                return True
        elif kind not in _FREE:
            odd = _odd_float(item)
            if odd is not False:
                return odd
    return False


def _odd(x: float) -> bool:
    """Whether orjson may write `x` unlike `json.dumps` (its range, with a margin)."""
    return 1e-10 <= abs(x) < 1e-3


def _json_piece(value: object, depth: int) -> bytes:
    """One value as `json.dumps(indent=2)` writes it `depth` levels down."""
    try:
        body = orjson.dumps(value, option=orjson.OPT_INDENT_2)
    except orjson.JSONEncodeError:
        body = b""
    odd = _odd_float(value) if body else True
    if odd or (odd is None and _orjson_differs(body)):
        body = json.dumps(_plain(value), indent=2, ensure_ascii=False).encode("utf-8")
    return body.replace(b"\n", b"\n" + b"  " * depth)  # a JSON text holds no raw newline


def _plain(value: object) -> object:
    """A report part as `json.dumps` takes it (what `Report.to_dict` makes of it)."""
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    return [_plain(item) for item in value] if isinstance(value, list) else value


def render_chunks(
    report: Report, fmt: ReportFormat | str, template_dir: Path | None = None
) -> Iterator[bytes]:
    """`render(report, fmt)` as pieces to write in turn: JSON streamed, the others whole
    (made before the first piece is returned, so a failing template writes nothing)."""
    if fmt == ReportFormat.JSON:
        return json_chunks(report)
    return iter([render(report, fmt, template_dir)])


def render(report: Report, fmt: ReportFormat | str, template_dir: Path | None = None) -> bytes:
    """The report in one of the `ReportFormat`s, as the bytes of the file to write."""
    try:
        kind = ReportFormat(fmt)
    except ValueError:
        raise UsageError(
            f"unknown report format {fmt!r}", hint=f"Use one of: {', '.join(FORMATS)}."
        ) from None
    match kind:
        case ReportFormat.JSON:
            return render_json(report)
        case ReportFormat.MD | ReportFormat.HTML:
            return _template_text(report, kind, template_dir).encode("utf-8", "replace")
        case ReportFormat.XLSX:
            from .xlsx import render_xlsx

            return render_xlsx(report)
        case ReportFormat.DOCX:
            from .docx import render_docx

            return render_docx(report)
        case _:
            assert_never(kind)

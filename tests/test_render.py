"""Reports in every format, read back the way a reader (or an attacker) would see them."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from urbsurvey.errors import ReportTemplateError, UrbsurveyError
from urbsurvey.report.charts import TEXT_BAR_WIDTH, bar_chart_svg, text_bars
from urbsurvey.report.render import FORMATS, md_escape, paragraphs, render
from urbsurvey.workbook.cells import MAX_CELL_CHARS

from .support.documents import md_tables, unescaped_pipes
from .support.report_sample import FORMULA, LONG_ANSWER, SCRIPT, sample_report

SECTION_ORDER = [
    "Methodology",
    "Headline outcomes",
    "Charts",
    "Lessons",
    "Answers",
    "Conflicts between sources",
    "Appendix: data quality",
    "Appendix: provenance",
    "Input files",
]


@pytest.fixture(scope="module")
def hostile() -> dict[str, Any]:
    return sample_report(3, hostile=True)


@pytest.fixture(scope="module")
def hostile_md(hostile: dict[str, Any]) -> str:
    return render(hostile, "md").decode("utf-8")


@pytest.fixture(scope="module")
def hostile_html(hostile: dict[str, Any]) -> str:
    return render(hostile, "html").decode("utf-8")


def empty_report() -> dict[str, Any]:
    """The shape with every list empty and every optional value None."""
    report = sample_report(0)
    report["methodology"]["response_rate"]["rate"] = None
    report["survey"]["introduction"] = ""
    report.update(indicators=[], charts=[], lessons=[], conflicts=[], issues=[], inputs=[])
    report["matrix"] = {"columns": [], "rows": []}
    return report


# --- Every format ------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "report",
    [sample_report(3), sample_report(3, hostile=True), empty_report()],
    ids=["sample", "hostile", "empty"],
)
def test_every_format_renders(report: dict[str, Any], fmt: str) -> None:
    """Each format opens as what it claims to be and shows the title and every indicator."""
    title, labels = shown(render(report, fmt), fmt)
    expected_title = report["survey"]["title"]
    assert title == {"xlsx": None, "md": md_escape(expected_title)}.get(fmt, expected_title)
    assert labels == {ind["id"]: ind["label"] for ind in report["indicators"]}


class _Page(HTMLParser):
    """The page's first <title>, and each `<h3>label <span class="qid">id</span></h3>`."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.titles: list[str] = []
        self.indicators: dict[str, str] = {}
        self._text: list[str] | None = None
        self._label = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("title", "h3"):
            self._text = []
        elif tag == "span" and self._text is not None and ("class", "qid") in attrs:
            self._label, self._text = "".join(self._text).strip(), []

    def handle_endtag(self, tag: str) -> None:
        if self._text is None:
            return
        if tag == "title":
            self.titles.append("".join(self._text))
        elif tag == "span" and self._label:
            self.indicators["".join(self._text)] = self._label
        if tag in ("title", "h3"):
            self._text, self._label = None, ""

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)


def shown(out: bytes, fmt: str) -> tuple[str | None, dict[str, str]]:
    """The title and each indicator's label by id, as a reader of the format finds them."""
    if fmt == "json":
        data = json.loads(out)
        return data["survey"]["title"], {i["id"]: i["label"] for i in data["indicators"]}
    if fmt == "xlsx":
        rows = load_workbook(io.BytesIO(out))["Indicators"].iter_rows(min_row=2, values_only=True)
        return None, {str(row[0]): str(row[1]) for row in rows}
    text = out.decode("utf-8")
    if fmt == "html":
        page = _Page()
        page.feed(text)
        return page.titles[0], page.indicators
    lines = text.splitlines()
    title = next(line[2:] for line in lines if line.startswith("# "))
    headings = (line[4:-1].rsplit(" (", 1) for line in lines if line.startswith("### "))
    return title, {h[1].replace("\\_", "_"): h[0] for h in headings if len(h) == 2}


def test_unknown_format_is_a_user_error() -> None:
    with pytest.raises(UrbsurveyError, match="unknown report format 'pdf'"):
        render(sample_report(), "pdf")


def test_json_round_trips(hostile: dict[str, Any]) -> None:
    out = render(hostile, "json")
    assert out.endswith(b"\n")
    assert json.loads(out) == hostile
    assert SCRIPT.encode() in out  # ensure_ascii=False: the text as it is


def test_importing_render_loads_neither_jinja2_nor_openpyxl() -> None:
    code = (
        "import sys, urbsurvey.report.render, urbsurvey.report.charts;"
        "print(sorted(m for m in ('jinja2', 'openpyxl') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


# --- Markdown ----------------------------------------------------------------------


def test_md_every_table_row_has_as_many_cells_as_its_header(hostile_md: str) -> None:
    tables = md_tables(hostile_md)
    matrix = [t for t in tables if t[0].startswith("| Partner | Source |")]
    assert len(matrix) == 1 and len(matrix[0]) == 2 + 4  # header, rule, 3 cities, 1 interview
    assert unescaped_pipes(matrix[0][0]) == 3 + 20
    for table in tables:
        want = unescaped_pipes(table[0])
        for line in table:
            assert unescaped_pipes(line) == want, line[:200]


def test_md_hostile_text_is_inert(hostile_md: str) -> None:
    assert "<script" not in hostile_md and "<img" not in hostile_md
    assert set(re.findall(r"<[^>]*>", hostile_md)) == {"<br>"}  # the only raw HTML
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hostile_md
    assert not re.search(r"(?<!\\)\]\(javascript:", hostile_md)
    assert "\\[x\\](javascript:alert(1))" in hostile_md
    assert "\\*\\*bold\\*\\*" in hostile_md
    assert "line1<br>line2" in hostile_md and "cr1<br>cr2<br>cr3" in hostile_md
    assert "\x07" not in hostile_md


def test_md_renders_as_the_text_partners_wrote(hostile_md: str) -> None:
    """Through a CommonMark renderer with GFM tables: no link, markup or script appears."""
    markdown_it = pytest.importorskip("markdown_it")
    page = markdown_it.MarkdownIt("commonmark").enable("table").render(hostile_md)
    tags = set(re.findall(r"<([a-z0-9]+)", page))
    assert tags <= {
        "h1",
        "h2",
        "h3",
        "p",
        "ul",
        "ol",
        "li",
        "strong",
        "em",
        "code",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "br",
        "hr",
    }
    assert "href" not in page
    assert "<strong>bold</strong>" not in page and "**bold**" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "a | b" in page


def test_md_sections_in_order(hostile_md: str) -> None:
    headings = [line.lstrip("# ") for line in hostile_md.splitlines() if line.startswith("## ")]
    assert [h for h in headings if h in SECTION_ORDER] == SECTION_ORDER
    assert hostile_md.startswith("# MILE follow-up survey 2009 &lt;script&gt;")


def test_md_content_a_reader_looks_for() -> None:
    md = render(sample_report(8), "md").decode()
    assert "- 3 partners have formally sustained their LSG beyond the life of the project: " in md
    assert "  - Development of new policy framework at local level: 3" in md
    assert "- **Creating formal partnerships.** The partnership integrates" in md
    assert "Partners: Amadora, Sevilla" in md
    assert "| Venice | €375k | ████████████████████ |" in md
    assert "| Sevilla | €125k | ███████ |" in md
    assert "- **7** of 8 partners returned the questionnaire (88%)." in md
    assert "- Not returned (1): Torino." in md
    assert "| error | Amadora.xlsx, Questionnaire, C12 |" in md


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a | b", "a \\| b"),
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("Tom & Jerry", "Tom &amp; Jerry"),
        ("[x](javascript:alert(1))", "\\[x\\](javascript:alert(1))"),
        ("**bold** _it_ `code` ~~s~~", "\\*\\*bold\\*\\* \\_it\\_ \\`code\\` \\~\\~s\\~\\~"),
        ("line1\nline2\r\nline3\rline4", "line1<br>line2<br>line3<br>line4"),
        ("back\\slash", "back\\\\slash"),
        ("# title", "\\# title"),
        ("-1", "\\-1"),
        ("+1", "\\+1"),
        ("1. first", "1\\. first"),
        ("1.5 million", "1.5 million"),
        ("multi-agency", "multi-agency"),
        ("bell\x07tab\there", "belltab here"),
        ("{x} !", "\\{x\\} \\!"),
        (None, ""),
    ],
)
def test_md_escape(text: str | None, expected: str) -> None:
    assert md_escape(text) == expected


@given(st.text())
def test_md_escape_keeps_any_text_in_one_table_cell(text: str) -> None:
    out = md_escape(text)
    assert "\n" not in out and "\r" not in out
    assert unescaped_pipes(out) == 0
    assert re.sub(r"<br>", "", out).count("<") == 0


# --- HTML --------------------------------------------------------------------------


class Page(HTMLParser):
    """Elements, attributes and the text inside each kind of element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.stack: list[str] = []
        self.text: dict[str, list[str]] = {}
        self.doctype = ""

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in ("meta", "br", "rect", "img", "link", "input", "hr"):
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if self.stack:
            self.text.setdefault(self.stack[-1], []).append(data)


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def test_html_has_no_script_handler_or_external_url(hostile_html: str) -> None:
    page = parse(hostile_html)
    names = [tag for tag, _ in page.tags]
    assert "script" not in names and "img" not in names and "link" not in names
    assert "iframe" not in names and "object" not in names
    for tag, attrs in page.tags:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        for name in ("href", "src", "xlink:href", "action"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("javascript:", "http", "//", "data:")), (tag, attrs)
    assert "http" not in "".join(page.text.get("style", []))
    assert "@import" not in hostile_html and "url(" not in hostile_html


def test_html_shows_hostile_text_as_text(hostile_html: str) -> None:
    page = parse(hostile_html)
    assert any(SCRIPT in t for t in page.text["th"])  # partner column of the matrix
    assert any(SCRIPT in t for t in page.text["td"])  # an answer
    assert any("<img src=x onerror=alert(1)>" in t for t in page.text["td"])
    assert any("[x](javascript:alert(1))" in t for t in page.text["td"])
    assert FORMULA in "".join(page.text["td"])
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hostile_html
    assert "\x07" not in hostile_html


def test_html_is_one_self_contained_page(hostile_html: str) -> None:
    page = parse(hostile_html)
    assert page.doctype.lower() == "doctype html"
    metas = [attrs for tag, attrs in page.tags if tag == "meta"]
    assert {"charset": "utf-8"} in metas
    assert {"name": "viewport", "content": "width=device-width, initial-scale=1"} in metas
    csp = [m["content"] for m in metas if m.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in (csp[0] or "")
    assert [attrs.get("lang") for tag, attrs in page.tags if tag == "html"] == ["en"]
    assert [tag for tag, _ in page.tags].count("style") == 1
    assert "@media print" in hostile_html


def test_html_contents_links_to_every_section_in_order(hostile_html: str) -> None:
    page = parse(hostile_html)
    ids = [attrs["id"] for _, attrs in page.tags if attrs.get("id")]
    links = [attrs["href"] for tag, attrs in page.tags if tag == "a"]
    assert links and all(link and link.startswith("#") for link in links)
    sections = [i for i in ids if i and not i.startswith("chart-")]  # charts: svg title/desc
    assert [link[1:] for link in links if link] == sections
    assert [h for h in page.text["h2"] if h in SECTION_ORDER] == SECTION_ORDER


def test_html_charts_are_accessible_inline_svg() -> None:
    page = parse(render(sample_report(8), "html").decode())
    svgs = [attrs for tag, attrs in page.tags if tag == "svg"]
    assert len(svgs) == 2
    for svg in svgs:
        assert svg["role"] == "img" and svg["width"] == "100%" and svg.get("viewbox")
        title_id, desc_id = (svg["aria-labelledby"] or "").split()
        assert title_id in {a.get("id") for _, a in page.tags}
        assert desc_id in {a.get("id") for _, a in page.tags}
    assert "Amadora: €0k; Sevilla: €125k; Vantaa: €250k" in "".join(page.text["desc"])


def test_html_matrix_has_a_row_per_questionnaire_and_a_column_per_question() -> None:
    report = sample_report(5)
    page = render(report, "html").decode()
    body = page.split('<table class="matrix">')[1].split("</table>")[0]
    rows = body.split("<tbody>")[1].count("<tr>")
    assert rows == len(report["matrix"]["rows"]) == 6
    first = body.split("<tbody>")[1].split("</tr>")[0]
    assert first.count("<td") == 20  # one per question; the source is under the partner


def test_html_1000_partners_renders() -> None:
    report = sample_report(1000, hostile=True)
    html = render(report, "html").decode()
    assert html.count('<tr><th scope="row">') == 1001
    assert html.rstrip().endswith("</html>")


# --- Charts ------------------------------------------------------------------------


def test_bar_chart_svg_escapes_labels_and_summarises_every_bar() -> None:
    chart = {
        "id": "x y",
        "title": "Funding <b>",
        "unit": "EUR",
        "bars": [
            {"label": SCRIPT, "value": 2.0, "display": "€2m"},
            {"label": "Line\nbreak", "value": 1.0, "display": "€1m"},
            {"label": "Nothing", "value": float("nan"), "display": "n/a"},
        ],
    }
    svg = str(bar_chart_svg(chart))
    page = parse(svg)
    assert "script" not in [tag for tag, _ in page.tags]
    assert page.text["title"] == ["Funding <b>"]
    assert page.text["desc"] == [f"{SCRIPT}: €2m; Line break: €1m; Nothing: n/a"]
    widths = [float(a["width"] or 0) for tag, a in page.tags if tag == "rect"]
    assert widths[0] == 2 * widths[1] and widths[2] == 0


def test_text_bars_are_proportional_and_at_most_20_wide() -> None:
    chart = {
        "bars": [
            {"label": "a", "value": 10, "display": "10"},
            {"label": "b", "value": 5, "display": "5"},
            {"label": "c", "value": 0.01, "display": "0"},
            {"label": "d", "value": 0, "display": "0"},
        ]
    }
    rows = text_bars(chart)
    assert [len(r["bar"]) for r in rows] == [TEXT_BAR_WIDTH, 10, 1, 0]
    assert set("".join(r["bar"] for r in rows)) == {"█"}
    assert text_bars({"bars": []}) == []


# --- xlsx --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_xlsx(hostile: dict[str, Any]) -> bytes:
    return render(hostile, "xlsx")


def test_xlsx_sheets_and_headers(hostile_xlsx: bytes, hostile: dict[str, Any]) -> None:
    wb = load_workbook(io.BytesIO(hostile_xlsx))
    assert wb.sheetnames[:4] == ["Answers", "Indicators", "Issues", "Inputs"]
    answers = wb["Answers"]
    assert answers.freeze_panes == "C2"
    header = [c.value for c in answers[1]]
    assert header[:3] == ["Partner", "Source", "File"]
    assert header[3] == "ulsg_functioning: Does the ULSG continue to function?"
    assert answers.max_row == 1 + len(hostile["matrix"]["rows"])
    assert [c.value for c in wb["Issues"][1]] == [
        "Severity",
        "Code",
        "File",
        "Sheet",
        "Cell",
        "Message",
        "Hint",
    ]
    assert [c.value for c in wb["Inputs"][1]] == ["File", "SHA-256", "Partner", "Role", "Status"]
    indicators = wb["Indicators"]
    assert [c.value for c in indicators[2]][:5] == [
        "lsg_sustained_formally",
        "LSG formally sustained",
        1,
        "partners",
        "1",
    ]
    for name in ("Indicators", "Issues", "Inputs"):
        assert wb[name].freeze_panes == "A2"


def test_xlsx_hostile_text_is_text_never_a_formula(hostile_xlsx: bytes) -> None:
    wb = load_workbook(io.BytesIO(hostile_xlsx))
    risky = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value[:1] in "=+-@":
                    risky += 1
                    assert cell.data_type == "s", (ws.title, cell.coordinate, cell.value)
    assert risky >= 4
    values = [c.value for row in wb["Answers"].iter_rows() for c in row]
    assert FORMULA in values and "+1" in values and "-1" in values and "@SUM(A1)" in values
    assert "bellhere" in values  # control character removed


def test_xlsx_cuts_the_40000_character_answer_with_a_marker(hostile_xlsx: bytes) -> None:
    wb = load_workbook(io.BytesIO(hostile_xlsx))
    long = [c.value for c in wb["Answers"]["E"] if isinstance(c.value, str) and len(c.value) > 1000]
    assert len(long) == 1
    assert len(long[0]) <= MAX_CELL_CHARS
    assert long[0].startswith(LONG_ANSWER[:100])
    assert "[cut:" in long[0] and long[0].endswith(
        "the full text is in the JSON report and the store]"
    )


def test_xlsx_xml_has_no_formula_element(hostile_xlsx: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(hostile_xlsx)) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert len(sheets) >= 4
        for name in sheets:
            xml = z.read(name).decode("utf-8")
            assert not re.search(r"<(\w+:)?f[\s>/]", xml), name


# --- Templates ---------------------------------------------------------------------


def test_user_template_overrides_file_by_file(tmp_path: Path) -> None:
    (tmp_path / "report.md.j2").write_text("CUSTOM {{ survey.title|md }}\n", encoding="utf-8")
    report = sample_report(3, hostile=True)
    md = render(report, "md", template_dir=tmp_path).decode()
    assert md == "CUSTOM MILE follow-up survey 2009 &lt;script&gt;alert(1)&lt;/script&gt;\n"
    html = render(report, "html", template_dir=tmp_path).decode()
    assert html.startswith("<!doctype html>") and 'id="provenance"' in html


def test_user_partial_overrides_only_the_style(tmp_path: Path) -> None:
    (tmp_path / "report_style.css.j2").write_text("body { color: #123456; }\n", encoding="utf-8")
    html = render(sample_report(), "html", template_dir=tmp_path).decode()
    assert "body { color: #123456; }" in html and "@media print" not in html
    assert 'id="answers"' in html


def test_template_errors_say_which_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "report.md.j2").write_text("ok\n{% for x in %}\n", encoding="utf-8")
    with pytest.raises(ReportTemplateError, match=r"report\.md\.j2, line 2"):
        render(sample_report(), "md", template_dir=tmp_path)
    with pytest.raises(ReportTemplateError, match="no such template folder"):
        render(sample_report(), "html", template_dir=tmp_path / "missing")


def test_question_texts_in_the_print_style_cannot_close_it() -> None:
    report = sample_report(2)
    report["matrix"]["columns"][0]["text"] = '</style><script>alert(1)</script>"; } body { x'
    html = render(report, "html").decode()
    page = parse(html)
    assert "script" not in [tag for tag, _ in page.tags]
    assert html.count("</style>") == 1
    assert "ulsg\\5f functioning\\3a  \\3c \\2f style\\3e \\3c script\\3e alert" in html


def test_introduction_paragraphs_join_wrapped_lines_but_keep_list_items() -> None:
    text = "MILE was one of\nthe two pilots.\r\n\r\nIt tested:\n- ULSGs\n- LAPs\n\n\n  \n"
    assert paragraphs(text) == ["MILE was one of the two pilots.", "It tested:\n- ULSGs\n- LAPs"]
    assert paragraphs(None) == [] and paragraphs("") == []

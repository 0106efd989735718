"""Reports in every format, read back the way a reader (or an attacker) would see them.

The reports come from `build_report` on answers interpreted in memory
(`tests/support/report_sample.py`), on MILE and on the toy questionnaire.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import re
import subprocess
import sys
import zipfile
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from urbsurvey.errors import ReportTemplateError, UrbsurveyError
from urbsurvey.report.charts import TEXT_BAR_WIDTH, bar_chart_svg, text_bars
from urbsurvey.report.formats import FORMATS, ReportFormat
from urbsurvey.report.render import MD_WIDTH, md_escape, md_wrap, render
from urbsurvey.report.schema import Bar, Chart, Report, report_json_schema
from urbsurvey.workbook.cells import MAX_CELL_CHARS

from .conftest import TOY
from .support.documents import md_tables, styled_paragraphs, unescaped_pipes
from .support.report_sample import (
    FORMULA,
    LONG_ANSWER,
    SCRIPT,
    partner_names,
    sample_report,
)
from .support.schemas import validate

#: The chapters of the sample report, in the order a reader meets them.
CHAPTERS = [
    "Contents",
    "Summary",
    "Context",
    "Section one: the URBACT Local Support Group",
    "Section two (a): Local Action Plans (development and implementation)",
    "Section two (b): Local Action Plans (impact)",
    "Section three: involvement of Managing Authorities",
    "Section four: general",
    "Lessons",
    "Issues for the programme",
    "Conclusions",
    "Methodology",
    "Appendix: answers per partner",
    "Appendix: conflicts between sources",
    "Appendix: data quality",
    "Appendix: provenance of the figures",
    "Appendix: input files",
]


@pytest.fixture(scope="module")
def hostile() -> Report:
    return sample_report(3, hostile=True)


@pytest.fixture(scope="module")
def hostile_md() -> str:
    return rendered("hostile", "md").decode("utf-8")


@pytest.fixture(scope="module")
def hostile_html() -> str:
    return rendered("hostile", "html").decode("utf-8")


@pytest.fixture(scope="module")
def schema() -> dict[str, object]:
    return report_json_schema()


REPORTS = {
    "sample": lambda: sample_report(3),
    "hostile": lambda: sample_report(3, hostile=True),
    "empty": lambda: sample_report(0),
    "toy": lambda: sample_report(2, questionnaire=TOY),
    "french": lambda: sample_report(3, lang="fr"),
}


@cache
def rendered(name: str, fmt: str) -> bytes:
    """REPORTS[name] in `fmt`, rendered once per session (docx takes a second); tests read it."""
    return render(REPORTS[name](), fmt)


# --- Every format ------------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(ReportFormat))
@pytest.mark.parametrize("name", list(REPORTS))
def test_every_format_renders(name: str, fmt: ReportFormat) -> None:
    """Each format opens as what it claims to be and shows the title and every indicator."""
    report = REPORTS[name]()
    title, labels = shown(rendered(name, fmt), fmt)
    expected = {"xlsx": None, "md": md_escape(report.survey.title)}.get(fmt, report.survey.title)
    assert title == expected
    assert labels == {ind.id: ind.label for ind in report.indicators}


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
        return None, {str(row[6]): str(row[0]) for row in rows}
    if fmt == "docx":
        import docx

        styled = styled_paragraphs(docx.Document(io.BytesIO(out)))
        title = next(text for text, style in styled if style == "Title")
        found = [
            re.fullmatch(r"(.*) \(([a-z0-9_]+)\)", text)
            for text, style in styled
            if style == "Heading 2"  # provenance: "label (id)"
        ]
        return title, {m[2]: m[1] for m in found if m}
    text = out.decode("utf-8")
    if fmt == "html":
        page = _Page()
        page.feed(text)
        return page.titles[0], page.indicators
    lines = text.splitlines()
    title = next(line[2:] for line in lines if line.startswith("# "))
    headings = (line[4:-1].rsplit(" (", 1) for line in lines if line.startswith("### "))
    return title, {h[1].replace("\\_", "_"): h[0] for h in headings if len(h) == 2}


def test_the_cli_offers_every_format_and_only_those() -> None:
    from typer.testing import CliRunner

    from urbsurvey.cli import app

    help_text = CliRunner().invoke(app, ["report", "--help"]).output
    assert FORMATS == ("md", "html", "json", "xlsx", "docx")
    for fmt in FORMATS:
        assert fmt in help_text
    bad = CliRunner().invoke(app, ["report", "x", "--format", "pdf"])
    assert bad.exit_code == 2 and "pdf" in bad.output


def test_unknown_format_is_a_user_error() -> None:
    with pytest.raises(UrbsurveyError, match="unknown report format 'pdf'"):
        render(sample_report(), "pdf")


@pytest.mark.parametrize("name", list(REPORTS))
def test_json_is_the_report_and_valid_against_its_schema(
    name: str, schema: dict[str, object]
) -> None:
    report = REPORTS[name]()
    out = render(report, "json")
    assert out.endswith(b"\n")
    data = json.loads(out)
    assert data == json.loads(json.dumps(report.to_dict()))
    validate(data, schema)  # the schema is checked against its metaschema too


def test_schema_rejects_a_report_missing_a_field(schema: dict[str, object]) -> None:
    data = sample_report(2).to_dict()
    del data["indicators"][0]["sentence"]
    with pytest.raises(jsonschema.ValidationError, match="'sentence' is a required property"):
        validate(data, schema)
    data = sample_report(2).to_dict()
    data["indicators"][0]["value"] = "4"
    with pytest.raises(jsonschema.ValidationError):
        validate(data, schema)


def test_hostile_text_is_in_the_json_verbatim(hostile: Report) -> None:
    out = render(hostile, "json")
    assert SCRIPT.encode() in out  # ensure_ascii=False: the text as it is
    second = partner_names(3, hostile=True)[1]
    partners = {p["partner"]: p for p in json.loads(out)["partners"]}
    assert partners[second]["answers"]["ulsg_sustaining"] == LONG_ANSWER


@pytest.mark.parametrize(
    ("imports", "unused"),
    [
        (
            "urbsurvey.report, urbsurvey.report.render, urbsurvey.report.charts,"
            " urbsurvey.report.formats",
            ("jinja2", "openpyxl", "docx", "babel", "markdown_it"),
        ),
        # the coding's module (and survey.py) only for a report that has a coding
        (
            "urbsurvey.report.build, urbsurvey.report.parts",
            ("pydantic", "urbsurvey.outcomes.lessons", "urbsurvey.survey"),
        ),
        # submissions as read come from intake.record, which imports no reader
        (
            "urbsurvey.report.build, urbsurvey.report.parts, urbsurvey.outcomes.merge,"
            " urbsurvey.outcomes.indicators, urbsurvey.store",
            ("urbsurvey.reader", "python_calamine", "urbsurvey.intake.submission"),
        ),
    ],
    ids=["no renderer library", "no pydantic without a coding", "no workbook reader"],
)
def test_importing_the_report_loads_nothing_it_does_not_use(
    imports: str, unused: tuple[str, ...]
) -> None:
    code = f"import sys, {imports}; print(sorted(m for m in {unused!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_template_naming_a_missing_field_fails(tmp_path: Path) -> None:
    """StrictUndefined: a renamed field is an error, not a blank in the report."""
    (tmp_path / "report.md.j2").write_text("{{ survey.titel }}\n", encoding="utf-8")
    with pytest.raises(ReportTemplateError, match="titel"):
        render(sample_report(), "md", template_dir=tmp_path)
    (tmp_path / "report.md.j2").write_text("{{ indicators[0].sentense }}\n", encoding="utf-8")
    with pytest.raises(ReportTemplateError, match="sentense"):
        render(sample_report(), "md", template_dir=tmp_path)


def test_a_failing_user_template_is_the_users_to_fix(tmp_path: Path) -> None:
    (tmp_path / "report.md.j2").write_text("# {{ survey.title }}\n{{ 1 / 0 }}\n", encoding="utf-8")
    with pytest.raises(ReportTemplateError, match=r"ZeroDivisionError.*line 2 of report\.md\.j2"):
        render(sample_report(), "md", template_dir=tmp_path)


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_a_failure_in_the_bundled_templates_is_urbsurveys_bug_not_a_template_error(
    fmt: str,
) -> None:
    """A report urbsurvey built wrong (a bar's value that is no number) fails as the bug
    it is, not as "the template failed ... check the template" the user never wrote."""
    report = sample_report()
    chart = dataclasses.replace(report.charts[0], bars=[Bar(label="a", value="many", display="")])  # type: ignore[arg-type]
    broken = dataclasses.replace(report, charts=[chart, *report.charts[1:]])
    with pytest.raises(TypeError) as raised:
        render(broken, fmt)
    assert not isinstance(raised.value, UrbsurveyError)


def test_empty_cases_read_as_sentences() -> None:
    report = sample_report(0)
    md = render(report, "md").decode()
    assert "()" not in md
    assert "No partner returned anything yet." in md
    assert "Not returned: Torino." in md
    html = render(report, "html").decode()
    assert "()" not in html
    formal = next(i for i in report.indicators if i.id == "lsg_sustained_formally")
    assert formal.sentence.startswith("0 partners have formally sustained their LSG beyond")
    assert "(" not in formal.sentence


# --- Markdown ----------------------------------------------------------------------


def md_headings(md: str, level: str = "## ") -> list[str]:
    return [line[len(level) :] for line in md.splitlines() if line.startswith(level)]


def test_md_chapters_in_order_findings_first(hostile_md: str) -> None:
    md = rendered("sample", "md").decode()
    assert md_headings(md) == CHAPTERS
    assert md.startswith("# Follow-up survey 2009\n")
    summary = md.index("## Summary")
    assert md[summary:].startswith(  # the headline figures open the report, as sentences
        "## Summary\n\n- 1 partners have formally sustained their LSG beyond the life of the "
        "project (Amadora)."
    )
    assert md.index("## Methodology") > md.index("## Lessons")
    assert md_headings(hostile_md)[0] == "Contents"
    assert hostile_md.startswith("# Follow-up survey 2009 &lt;script&gt;")


def test_md_title_block_names_network_and_author() -> None:
    md = rendered("sample", "md").decode()
    head = md.split("## Contents")[0]
    assert "**Network:** Sample network" in head
    assert "**Author:** A. Expert, thematic expert" in head
    assert "report of" not in head
    assert "Report generated by urbsurvey" in md.splitlines()[-1]


def test_md_question_ids_only_in_the_appendices() -> None:
    md = rendered("sample", "md").decode()
    body = md.split("## Appendix: provenance")[0]
    for qid in ("ulsg_functioning", "lap_stage", "funding_secured", "ma_in_lsg"):
        assert qid not in body and qid.replace("_", "\\_") not in body
    assert "(yes/no)" in md and "yes no" not in md


def test_md_every_table_row_has_as_many_cells_as_its_header(hostile_md: str) -> None:
    tables = md_tables(hostile_md)
    assert tables
    for table in tables:
        assert len(table[0]) < 400  # no wall: a header row is short
        want = unescaped_pipes(table[0])
        for line in table:
            assert unescaped_pipes(line) == want, line[:200]


def test_md_running_text_keeps_to_120_characters(hostile_md: str) -> None:
    def appendix(md: str) -> list[str]:
        part = md.split("## Appendix: answers per partner")[1].split("## Appendix: conflicts")[0]
        return part.splitlines()

    md = render(sample_report(5), "md").decode()
    assert len(appendix(md)) > 50
    assert [line for line in appendix(md) if len(line) > 120] == []
    # hostile text: only a word longer than a line may make one longer
    for line in appendix(hostile_md):
        if len(line) > 120:
            assert max(len(word) for word in line.split()) > MD_WIDTH - 20, line[:200]


def test_md_hostile_text_is_inert(hostile_md: str) -> None:
    assert "<script" not in hostile_md and "<img" not in hostile_md and "<b>" not in hostile_md
    assert set(re.findall(r"<[^>]*>", hostile_md)) <= {"<br>"}  # the only raw HTML
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hostile_md
    assert not re.search(r"(?<!\\)\]\(javascript:", hostile_md)
    assert "\\[x\\](javascript:alert(1))" in hostile_md
    assert "\\*\\*bold\\*\\*" in hostile_md
    assert "\x07" not in hostile_md


def test_md_renders_as_the_text_partners_wrote(hostile_md: str) -> None:
    """Through a CommonMark renderer with GFM tables: no link, markup or script appears."""
    import markdown_it

    page = markdown_it.MarkdownIt("commonmark").enable("table").render(hostile_md)
    tags = set(re.findall(r"<([a-z0-9]+)", page))
    allowed = {
        "h1",
        "h2",
        "h3",
        "h4",
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
    assert tags <= allowed, tags - allowed
    assert 'href="javascript' not in page
    assert "<strong>bold</strong>" not in page and "**bold**" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "a | b" in page


def test_md_content_a_reader_looks_for() -> None:
    md = render(sample_report(7), "md").decode()
    assert "- 3 partners have formally sustained their LSG beyond the life of the project" in md
    assert "**Figure 1. Does the ULSG continue to function?**" in md
    assert "n = 7 partners. Source: partner questionnaires and follow-up interviews" in md
    assert "| Venice | €750,000 | ████████████████████ |" in md
    assert "| Sevilla | €250,000 | ███████ |" in md
    assert "- 7 of 8 partners returned the questionnaire (88%)." in md
    assert "- Not returned: Torino." in md
    assert "| error | returns/Amadora.xlsx, Responses, C12 |" in md
    assert "**Creating formal partnerships.** The partnership integrates" in md
    assert "- *Amadora (city questionnaire):* Answer 1 of partner 1: we kept meeting" in md
    assert "### What partners said" in md
    assert "- *Amadora (interview):* Interview: Answer 1 of partner 1" in md


@given(st.text())
def test_md_wrap_never_starts_a_block_on_a_continuation_line(text: str) -> None:
    import markdown_it

    out = md_wrap(text, "  ", "- ")
    for line in out.split("\n")[1:]:
        assert line.startswith("  ")
    page = markdown_it.MarkdownIt("commonmark").render(out)
    assert page.count("<li>") <= 1 and "<h" not in page and "<hr" not in page


def test_md_wrap_keeps_lines_to_the_width() -> None:
    text = " ".join(["word"] * 100)
    lines = md_wrap(text, "  ", "- *Amadora:* ").splitlines()
    assert len(lines) > 3 and all(len(line) <= MD_WIDTH for line in lines)
    assert lines[0].startswith("- *Amadora:* word")


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
    for tag in ("script", "img", "link", "iframe", "object", "b"):
        assert tag not in names, tag
    for tag, attrs in page.tags:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        for name in ("href", "src", "xlink:href", "action"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("javascript:", "http", "//", "data:")), (tag, attrs)
    assert "http" not in "".join(page.text.get("style", []))
    assert "@import" not in hostile_html and "url(" not in hostile_html


def test_html_shows_hostile_text_as_text(hostile_html: str) -> None:
    page = parse(hostile_html)
    assert any(SCRIPT in t for t in page.text["h3"])  # a partner in the appendix
    assert any(SCRIPT in t for t in page.text["span"])  # an answer quoted in the findings
    assert any("<img src=x onerror=alert(1)>" in t for t in page.text["span"])
    assert any("[x](javascript:alert(1))" in t for t in page.text["span"])
    assert FORMULA in "".join(page.text["td"])
    assert "&lt;b&gt;raw&lt;/b&gt;" in hostile_html  # the narrative's raw HTML, as text
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
    assert "@media print" in hostile_html and "size: A4" in hostile_html


def test_html_contents_links_to_every_chapter_in_order(hostile_html: str) -> None:
    page = parse(hostile_html)
    links = [attrs["href"] for tag, attrs in page.tags if tag == "a"]
    chapters = [
        attrs["id"] for tag, attrs in page.tags if tag in ("section", "footer") and attrs.get("id")
    ]
    assert links and [link[1:] for link in links if link] == chapters
    assert page.text["h2"] == CHAPTERS


def test_html_figures_beside_their_sentence_with_number_base_and_source() -> None:
    html = render(sample_report(7), "html").decode()
    page = parse(html)
    svgs = [attrs for tag, attrs in page.tags if tag == "svg"]
    assert len(svgs) == len(sample_report(7).charts) >= 4
    for svg in svgs:
        assert svg["role"] == "img" and svg["width"] == "100%" and svg.get("viewbox")
        title_id, _desc = (svg["aria-labelledby"] or "").split()
        assert title_id in {a.get("id") for _, a in page.tags}
    captions = page.text["figcaption"]
    assert captions[0] == "Figure 1. Does the ULSG continue to function?"
    assert [int(c.split(".")[0].split()[1]) for c in captions] == list(range(1, len(captions) + 1))
    notes = [t for t in page.text["p"] if "n = " in t]
    assert len(notes) == len(captions) and all("Source: " in n for n in notes)
    first = html.split('id="section-ulsg"')[1].split("</section>")[0]
    assert first.index("partners have formally sustained") < first.index("<figure")


def test_html_has_a_block_per_partner_with_its_sources() -> None:
    report = sample_report(5)
    html = render(report, "html").decode()
    appendix = html.split('id="appendix-answers"')[1].split("</section>")[0]
    assert appendix.count('<article class="partner">') == 5
    assert appendix.count('<table class="sources">') == 5  # one per partner
    # its sources side by side: five questionnaires and one interview, beside the question
    assert appendix.count('<th scope="col">') == 5 + 6
    assert appendix.count("interview<span") == 1


@pytest.mark.scale
def test_html_1000_partners_renders() -> None:
    report = sample_report(1000, hostile=True)
    html = render(report, "html").decode()
    assert html.count('<article class="partner">') == 1000
    assert html.rstrip().endswith("</html>")


# --- Charts ------------------------------------------------------------------------


def chart(bars: list[Bar], title: str = "Funding") -> Chart:
    return Chart(
        id="x y",
        number=1,
        indicator="i",
        section=None,
        title=title,
        caption=f"Figure 1. {title}",
        unit="EUR",
        base=3,
        note="n = 3",
        bars=bars,
    )


def test_bar_chart_svg_escapes_labels_and_summarises_every_bar() -> None:
    svg = str(
        bar_chart_svg(
            chart(
                [
                    Bar(label=SCRIPT, value=2.0, display="€2m"),
                    Bar(label="Line\nbreak", value=1.0, display="€1m"),
                    Bar(label="Nothing", value=float("nan"), display="n/a"),
                ],
                "Funding <b>",
            )
        )
    )
    page = parse(svg)
    assert "script" not in [tag for tag, _ in page.tags]
    assert page.text["title"] == ["Figure 1. Funding <b>"]
    assert page.text["desc"] == [f"{SCRIPT}: €2m; Line break: €1m; Nothing: n/a"]
    widths = [float(a["width"] or 0) for tag, a in page.tags if tag == "rect"]
    assert widths[0] == 2 * widths[1] and widths[2] == 0


def test_text_bars_are_proportional_and_at_most_20_wide() -> None:
    rows = text_bars(
        chart(
            [
                Bar(label=x, value=v, display=str(v))
                for x, v in (("a", 10), ("b", 5), ("c", 0.01), ("d", 0))
            ]
        )
    )
    assert [len(r["bar"]) for r in rows] == [TEXT_BAR_WIDTH, 10, 1, 0]
    assert set("".join(r["bar"] for r in rows)) == {"█"}
    assert text_bars(chart([])) == []


# --- xlsx --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_xlsx() -> bytes:
    return rendered("hostile", "xlsx")


def header(ws: object) -> list[object]:
    return [c.value for c in ws[1]]  # type: ignore[index]


def column(ws: object, title_start: str) -> list[object]:
    index = next(i for i, h in enumerate(header(ws)) if str(h).startswith(title_start))
    return [row[index].value for row in ws.iter_rows(min_row=2)]  # type: ignore[attr-defined]


def test_xlsx_sheets_set_up_for_the_secretariat(hostile_xlsx: bytes) -> None:
    wb = load_workbook(io.BytesIO(hostile_xlsx))
    assert wb.sheetnames == [
        "Partners",
        "Indicators",
        "Lessons",
        "Answers",
        "Issues",
        "Inputs",
        "Sources",
    ]
    for ws in wb.worksheets:
        assert ws.freeze_panes == "B2", ws.title
        assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), ws.title
        assert ws.print_title_rows == "$1:$1", ws.title
        assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws["A1"].font.name == "Arial" and ws["A1"].font.bold
        assert all(ws.column_dimensions[c].width for c in "AB")
    answers = wb["Answers"]
    heights = [answers.row_dimensions[r].height for r in range(2, answers.max_row + 1)]
    assert max(heights) > 3 * min(heights)  # long answers get taller rows
    assert header(wb["Issues"]) == [
        "Severity",
        "Code",
        "File",
        "Sheet",
        "Cell",
        "Problem",
        "What to do",
    ]


def test_xlsx_cells_are_typed_and_sum(tmp_path: Path) -> None:
    report = sample_report(7)
    wb = load_workbook(io.BytesIO(render(report, "xlsx")))
    ws = wb["Partners"]
    assert column(ws, "Partner") == sorted(partner_names(7), key=str.casefold)
    secured = column(ws, "Funding secured for the LAP so far (EUR)")
    provisional = column(ws, "Funding provisionally indicated for the LAP (EUR)")
    amounts = [v for v in secured + provisional if v is not None]
    assert all(isinstance(v, int | float) for v in amounts)
    funding = next(i for i in report.indicators if i.id == "funding_secured_eur")
    assert sum(float(v) for v in amounts if isinstance(v, int | float)) == funding.value
    as_typed = dict(
        zip(
            column(ws, "Partner"), column(ws, "Funding secured for the LAP so far: as"), strict=True
        )
    )
    assert as_typed["Sevilla"] == "EUR 125000"
    money_col = header(ws).index("Funding secured for the LAP so far (EUR) [funding_secured]")
    assert ws.cell(row=2, column=money_col + 1).number_format == "[$€-809]#,##0"
    actions = column(ws, "How many actions are being implemented?")
    assert all(isinstance(v, int) for v in actions if v is not None)
    assert set(column(ws, "Have you had separate meetings with them to discuss")) == {"Yes", "No"}
    indicators = wb["Indicators"]
    assert isinstance(column(indicators, "Value")[0], int)


def test_xlsx_dates_are_dates_on_another_survey() -> None:
    wb = load_workbook(io.BytesIO(render(sample_report(3, questionnaire=TOY), "xlsx")))
    opened = column(wb["Partners"], "Date the first lane opened")
    assert opened[0] == dt.datetime(2009, 10, 1)
    date_col = header(wb["Partners"]).index("Date the first lane opened [opened_on]")
    assert wb["Partners"].cell(row=2, column=date_col + 1).number_format == "yyyy-mm-dd"
    km = column(wb["Partners"], "Kilometres of lane built")
    assert km == [0.5, 1.5, 2.5]


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
        assert len(sheets) >= 7
        for name in sheets:
            xml = z.read(name).decode("utf-8")
            assert not re.search(r"<(\w+:)?f[\s>/]", xml), name


# --- docx --------------------------------------------------------------------------


def test_docx_has_word_headings_in_the_report_order() -> None:
    import docx

    document = docx.Document(io.BytesIO(rendered("sample", "docx")))
    styled = styled_paragraphs(document)
    assert [text for text, style in styled if style == "Heading 1"] == CHAPTERS
    assert [text for text, style in styled if style == "Title"] == ["Follow-up survey 2009"]
    section = document.sections[0]
    width, height = section.page_width, section.page_height
    assert width is not None and height is not None
    assert (round(width.mm), round(height.mm)) == (210, 297)
    footer_xml = section.footer._element.xml
    assert "PAGE" in footer_xml
    assert any(
        t.style is not None and t.style.name == "Light Grid Accent 1" for t in document.tables
    )


def test_docx_hostile_text_stays_text() -> None:
    import docx

    out = rendered("hostile", "docx")
    document = docx.Document(io.BytesIO(out))
    text = "\n".join(p.text for p in document.paragraphs)
    assert SCRIPT in text and "<b>raw</b>" in text
    with zipfile.ZipFile(io.BytesIO(out)) as z:
        body = z.read("word/document.xml").decode()
    assert "<script" not in body and FORMULA in body  # text, not markup
    fields = re.findall(r"<w:instrText[^>]*>([^<]*)<", body)
    assert fields and all(f.split()[0] == "TOC" for f in fields)  # no field from partner text


# --- Templates ---------------------------------------------------------------------


def test_user_template_overrides_file_by_file(tmp_path: Path) -> None:
    (tmp_path / "report.md.j2").write_text("CUSTOM {{ survey.title|md }}\n", encoding="utf-8")
    report = sample_report(3, hostile=True)
    md = render(report, "md", template_dir=tmp_path).decode()
    assert md == "CUSTOM Follow-up survey 2009 &lt;script&gt;alert(1)&lt;/script&gt;\n"
    html = render(report, "html", template_dir=tmp_path).decode()
    assert html.startswith("<!doctype html>") and 'id="appendix-provenance"' in html


def test_user_partial_overrides_only_the_style(tmp_path: Path) -> None:
    (tmp_path / "report_style.css.j2").write_text("body { color: #123456; }\n", encoding="utf-8")
    html = render(sample_report(), "html", template_dir=tmp_path).decode()
    assert "body { color: #123456; }" in html and "@media print" not in html
    assert 'id="appendix-answers"' in html


def test_template_errors_say_which_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "report.md.j2").write_text("ok\n{% for x in %}\n", encoding="utf-8")
    with pytest.raises(ReportTemplateError, match=r"report\.md\.j2, line 2"):
        render(sample_report(), "md", template_dir=tmp_path)
    with pytest.raises(ReportTemplateError, match="no such template folder"):
        render(sample_report(), "html", template_dir=tmp_path / "missing")


def test_a_title_in_the_print_style_cannot_close_it() -> None:
    report = sample_report(2)
    report.survey.title = '</style><script>alert(1)</script>"; } body { x'
    html = render(report, "html").decode()
    page = parse(html)
    assert "script" not in [tag for tag, _ in page.tags]
    assert html.count("</style>") == 1
    assert "\\3c \\2f style\\3e \\3c script\\3e alert" in html


def test_another_survey_in_french_formats_its_own_numbers() -> None:
    """Not MILE: the toy bike-lanes questionnaire (no French texts of its own) in French."""
    report = sample_report(3, questionnaire=TOY, lang="fr")
    md = render(report, "md").decode()
    headings = md_headings(md)
    assert headings[:2] == ["Sommaire", "Synthèse"]
    assert "Lanes" in headings and "Méthodologie" in headings  # its sections, in English
    km = next(i for i in report.indicators if i.id == "km_total")
    assert km.display == "4,5"  # 0.5 + 1.5 + 2.5 km, with a decimal comma
    assert "(nombre)" in md and "(date)" in md  # question types in French
    assert "Aucun taux de change n'a été nécessaire" in md
    english = render(sample_report(3, questionnaire=TOY), "md").decode()
    assert "No exchange rate was needed" in english and "(number)" in english

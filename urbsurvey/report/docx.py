"""The report as a Word document the expert edits and sends (needs python-docx).

Real Word headings (so the navigation pane and the table of contents work), a
contents field Word fills with page numbers (it lists the chapters until then),
styled tables with a repeated header row, the charts as native bar tables,
page numbers in the footer, A4. The same parts, in the same order, as the HTML
report. Partner text is plain text runs: nothing in it becomes a field or markup.
"""

from __future__ import annotations

from io import BytesIO
from typing import TYPE_CHECKING, Any

from ..workbook.cells import CONTROL_CHARS
from .charts import text_bars
from .i18n import Texts
from .schema import Chart, Finding, Indicator, LessonTheme, Quote, Report

if TYPE_CHECKING:
    from docx.document import Document
    from docx.table import Table

ACCENT = "2F6F9F"
MUTED = "5A5F66"
TABLE_STYLE = "Light Grid Accent 1"
TEXT_WIDTH_CM = 17.0  # A4 less two margins of 2 cm
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def _clean(text: object) -> str:
    return CONTROL_CHARS.sub("", "" if text is None else str(text))


class Writer:
    """Appends the parts of a report to a python-docx Document."""

    def __init__(self, report: Report) -> None:
        import docx

        self.report = report
        self.t = Texts(report.survey.language)
        self.doc: Document = docx.Document()
        self._style_ids: dict[str, str | None] = {}
        self._page_setup()

    # --- page, fields, small pieces ----------------------------------------------

    def _page_setup(self) -> None:
        from docx.shared import Mm, Pt

        for section in self.doc.sections:
            section.page_width, section.page_height = Mm(210), Mm(297)
            section.left_margin = section.right_margin = Mm(20)
            section.top_margin, section.bottom_margin = Mm(20), Mm(20)
            footer = section.footer.paragraphs[0]
            footer.alignment = 1  # centre
            footer.add_run(f"{self.t('page')} ")
            self._field(footer, "PAGE", "1")
        normal = self.doc.styles["Normal"]
        normal.font.name = "Calibri"
        normal.font.size = Pt(10.5)
        self.doc.core_properties.title = _clean(self.report.survey.title)
        self.doc.core_properties.author = _clean(self.report.survey.author)
        self.doc.core_properties.language = self.report.survey.language
        settings = self.doc.settings.element
        update = settings.makeelement(_qn("w:updateFields"), {_qn("w:val"): "true"})
        settings.append(update)  # Word refreshes the contents and page numbers on opening

    def _field(self, paragraph: Any, instruction: str, shown: str) -> None:
        """A Word field (PAGE, TOC) whose current result is `shown`."""
        run = paragraph.add_run()
        begin = run._r.makeelement(_qn("w:fldChar"), {_qn("w:fldCharType"): "begin"})
        run._r.append(begin)
        code = paragraph.add_run()._r
        instr = code.makeelement(
            _qn("w:instrText"), {"{http://www.w3.org/XML/1998/namespace}space": "preserve"}
        )
        instr.text = f" {instruction} "
        code.append(instr)
        sep = paragraph.add_run()._r
        sep.append(sep.makeelement(_qn("w:fldChar"), {_qn("w:fldCharType"): "separate"}))
        paragraph.add_run(shown)
        end = paragraph.add_run()._r
        end.append(end.makeelement(_qn("w:fldChar"), {_qn("w:fldCharType"): "end"}))

    def _style_id(self, name: str, table: bool = False) -> str | None:
        """The id of the style `name`, looked up once a document.

        python-docx looks a style up by scanning every style of the document (twice, to
        tell the default style, whose id it leaves out) each time one is applied by name.
        """
        if name not in self._style_ids:
            from docx.enum.style import WD_STYLE_TYPE

            kind = WD_STYLE_TYPE.TABLE if table else WD_STYLE_TYPE.PARAGRAPH
            self._style_ids[name] = self.doc.styles.get_style_id(name, kind)
        return self._style_ids[name]

    def paragraph(self, style: str | None = None) -> Any:
        """A new paragraph in `style` (by name), as `Document.add_paragraph(style=…)` makes it."""
        p = self.doc.add_paragraph()
        if style is not None:
            p._p.style = self._style_id(style)
        return p

    def heading(self, text: str, level: int) -> None:
        """A heading paragraph, as `Document.add_heading` makes it (level 0 is the title)."""
        p = self.paragraph("Title" if level == 0 else f"Heading {level}")
        if text := _clean(text):
            p.add_run(text)

    def para(
        self, text: str, *, italic: bool = False, muted: bool = False, style: str | None = None
    ) -> Any:
        from docx.shared import RGBColor

        p = self.paragraph(style)
        run = p.add_run(_clean(text))
        run.italic = italic
        if muted:
            run.font.color.rgb = RGBColor.from_string(MUTED)
        return p

    def bullet(self, text: str, level: int = 0) -> Any:
        style = "List Bullet" if level == 0 else "List Bullet 2"
        return self.para(text, style=style)

    def table(
        self, headers: list[str], rows: list[list[str]], widths: list[float] | None = None
    ) -> Table:
        from docx.shared import Cm

        table = self.doc.add_table(rows=1, cols=len(headers))
        table._tbl.tblStyle_val = self._style_id(TABLE_STYLE, table=True)
        for cell, header in zip(table.rows[0].cells, headers, strict=True):
            cell.text = _clean(header)
        header_row = table.rows[0]._tr.get_or_add_trPr()
        header_row.append(header_row.makeelement(_qn("w:tblHeader"), {_qn("w:val"): "true"}))
        for values in rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, values, strict=True):
                cell.text = _clean(value)
        if widths:
            table.autofit = False
            for column, width in zip(table.columns, widths, strict=True):
                column.width = Cm(width)  # the grid, which LibreOffice follows
            for row in table.rows:
                for cell, width in zip(row.cells, widths, strict=True):
                    cell.width = Cm(width)
        self.doc.add_paragraph()
        return table  # type: ignore[no-any-return]

    def markdown(self, text: str) -> None:
        """The expert's Markdown: paragraphs, lists, headings, bold and italics; no HTML."""
        from markdown_it import MarkdownIt

        tokens = MarkdownIt("commonmark", {"html": False}).parse(_clean(text))
        depth, heading = 0, 0
        for token in tokens:
            if token.type in ("bullet_list_open", "ordered_list_open"):
                depth += 1
            elif token.type in ("bullet_list_close", "ordered_list_close"):
                depth -= 1
            elif token.type == "heading_open":
                heading = int(token.tag[1:])
            elif token.type == "inline":
                if heading:
                    self.heading(token.content, min(heading + 2, 4))
                    heading = 0
                    continue
                style = None if depth == 0 else ("List Bullet" if depth == 1 else "List Bullet 2")
                p = self.paragraph(style)
                _inline(p, token.children or [])

    # --- parts -------------------------------------------------------------------

    def title_page(self) -> None:
        from docx.shared import Pt, RGBColor

        s, t = self.report.survey, self.t
        kicker = self.para(t("report").upper())
        kicker.runs[0].font.color.rgb = RGBColor.from_string(ACCENT)
        self.heading(s.title, 0)
        for label, value in (
            (t("network"), s.network),
            (t("author"), s.author),
            (t("survey_date"), s.date_display),
        ):
            if value:
                p = self.doc.add_paragraph()
                p.add_run(f"{label}: ").bold = True
                p.add_run(_clean(value)).font.size = Pt(12)
        q = s.questionnaire
        self.para(t("questionnaire_line", title=q.title, version=q.version), muted=True)

    def contents(self, chapters: list[str]) -> None:
        from docx.enum.text import WD_BREAK

        self.heading(self.t("contents"), 1)
        p = self.doc.add_paragraph()
        self._field(p, 'TOC \\o "1-2" \\h \\z \\u', "\n".join(chapters))
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def summary(self) -> None:
        self.heading(self.t("summary"), 1)
        if not self.report.indicators:
            self.para(self.t("no_indicators"), muted=True)
        for ind in self.report.indicators:
            self.bullet(ind.sentence)
            for b in ind.breakdown:
                self.bullet(
                    self.t("breakdown_item", label=b.label, count=self.t.number(b.count)), 1
                )

    def chart(self, chart: Chart) -> None:
        from docx.shared import Pt, RGBColor

        p = self.para(chart.caption)
        p.runs[0].bold = True
        p.paragraph_format.keep_with_next = True
        rows = text_bars(chart)
        table = self.table(
            ["", chart.unit, ""], [[r["label"], r["display"], ""] for r in rows], [7.5, 3.0, 6.5]
        )
        for row, bar in zip(table.rows[1:], rows, strict=True):
            run = row.cells[2].paragraphs[0].add_run(bar["bar"])
            run.font.color.rgb = RGBColor.from_string(ACCENT)
            run.font.size = Pt(9)
        note = self.para(chart.note, italic=True, muted=True)
        note.runs[0].font.size = Pt(8.5)

    def indicator(self, ind: Indicator) -> None:
        self.para(ind.sentence)
        for b in ind.breakdown:
            self.bullet(self.t("breakdown_item", label=b.label, count=self.t.number(b.count)))
        for chart in self.report.charts_for(ind):
            self.chart(chart)

    def quotes(self, quotes: list[Quote]) -> None:
        for q in quotes:
            p = self.paragraph("List Bullet")
            who = self.t("quote_who", partner=q.partner, source=q.source_label)
            p.add_run(f"{_clean(who)} ").bold = True
            p.add_run(_clean(q.text))
            if q.note:
                p.add_run(f" [{self.t('note')}: {_clean(q.note)}]").italic = True

    def finding(self, f: Finding) -> None:
        self.heading(f.title, 1)
        for ind in self.report.indicators_in(f):
            self.indicator(ind)
        if f.said:
            self.heading(self.t("said"), 2)
            for group in f.said:
                self.heading(group.text, 3)
                self.quotes(group.quotes)
        elif not f.indicators:
            self.para(self.t("section_empty"), muted=True)

    def theme(self, theme: LessonTheme, level: int) -> None:
        self.heading(theme.title, level)
        if theme.description:
            self.para(theme.description)
        if theme.partners:
            self.para(self.t("partners_line", names=", ".join(theme.partners)), muted=True)
        self.quotes(theme.excerpts)

    def lessons(self) -> None:
        plain = [g for g in self.report.lessons if not g.chapter]
        if plain or not self.report.lessons:
            self.heading(self.t("lessons"), 1)
            if not plain:
                self.para(self.t("no_lessons"), muted=True)
            for group in plain:
                self.heading(group.title, 2)
                for theme in group.themes:
                    self.theme(theme, 3)
        for group in self.report.lessons:
            if group.chapter:
                self.heading(group.title, 1)
                for theme in group.themes:
                    self.theme(theme, 2)

    def narratives(self, placement: str) -> None:
        for block in self.report.survey.narratives:
            if block.placement == placement:
                self.heading(block.title, 1)
                self.markdown(block.text)

    def methodology(self) -> None:
        m, t, money = self.report.methodology, self.t, self.report.currency
        rr = m.response_rate
        self.heading(t("methodology"), 1)
        missing = self.report.respondents.missing
        lines = [
            t(
                "response_rate",
                returned=t.number(rr.returned),
                expected=t.number(rr.expected),
                rate=rr.display,
            ),
            t.count("interviews", m.interviews) if m.interviews else t("interviews_none"),
            t("not_returned", names=", ".join(r.partner for r in missing))
            if missing
            else t("all_returned"),
            t("currency_line", currency=money.code),
            t("rates_line", rates="; ".join(f"{r.display} ({r.source})" for r in money.rates))
            if money.rates
            else t("no_rates", currency=money.code),
        ]
        for line in lines:
            self.bullet(line)
        self.heading(t("respondents_by_role"), 2)
        self.table(
            [t("role"), t("respondents")],
            [[r.label, t.number(r.count)] for r in m.respondents_by_role],
        )
        self.heading(t("questions_asked"), 2)
        for sec in m.sections:
            self.heading(sec.title, 3)
            for qu in sec.questions:
                choices = f": {' / '.join(qu.choices)}" if qu.choices else ""
                self.para(f"{qu.text} ({qu.type_label}{choices})", style="List Number")

    def appendices(self) -> None:
        r, t = self.report, self.t
        self.heading(t("appendix_answers"), 1)
        if not r.partners:
            self.para(t("no_partners"), muted=True)
        for p in r.partners:
            self.heading(p.partner, 2)
            sources = [src.label for src in p.sources]
            rows = [[question, *answers] for question, answers in p.side_by_side()]
            rest = (TEXT_WIDTH_CM - 4.5) / max(len(sources), 1)
            self.table([t("question"), *sources], rows, [4.5, *([rest] * len(sources))])
        self.heading(t("appendix_conflicts"), 1)
        if r.conflicts:
            self.para(t("conflicts_intro"))
            self.table(
                [t("partner"), t("question"), t("used"), t("other_answers")],
                [
                    [
                        c.partner,
                        c.question_text,
                        f"{c.used.source}: {c.used.value}",
                        "\n".join(f"{o.source}: {o.value}" for o in c.others),
                    ]
                    for c in r.conflicts
                ],
            )
        else:
            self.para(t("no_conflicts"), muted=True)
        self.heading(t("appendix_quality"), 1)
        if r.issues:
            self.table(
                [t("severity"), t("location"), t("problem"), t("what_to_do")],
                [
                    [
                        t(f"severity.{i.severity}"),
                        ", ".join(x for x in (i.file, i.sheet, i.cell) if x),
                        f"{i.message} [{i.code}]",
                        i.hint or "",
                    ]
                    for i in r.issues
                ],
            )
        else:
            self.para(t("no_issues"), muted=True)
        self.heading(t("appendix_provenance"), 1)
        self.para(t("provenance_intro"))
        for ind in r.indicators:
            self.heading(f"{ind.label} ({ind.id})", 2)
            if not ind.sources:
                self.para(t("no_sources"), muted=True)
                continue
            self.table(
                [t("partner"), t("question"), t("location"), t("value")],
                [
                    [s.partner, s.question, f"{s.file}, {s.sheet}, {s.cell}", s.value]
                    for s in ind.sources
                ],
            )
        self.heading(t("appendix_inputs"), 1)
        self.table(
            [t("file"), t("partner"), t("status"), "SHA-256"],
            [[f.file, f.partner or "", f.status, f.sha256] for f in r.inputs],
        )
        g = r.generator
        self.para(
            t("footer", version=g.version, date=g.generated_display, fingerprint=g.fingerprint),
            muted=True,
        )

    def chapters(self) -> list[str]:
        r, t = self.report, self.t
        names = [t("introduction")] if r.survey.introduction else []
        names.append(t("summary"))
        names += [n.title for n in r.narratives("before_findings")]
        names += [f.title for f in r.findings]
        if [g for g in r.lessons if not g.chapter] or not r.lessons:
            names.append(t("lessons"))
        names += [g.title for g in r.lessons if g.chapter]
        names += [n.title for n in r.narratives("after_lessons")]
        names += [
            t("methodology"),
            t("appendix_answers"),
            t("appendix_conflicts"),
            t("appendix_quality"),
            t("appendix_provenance"),
            t("appendix_inputs"),
        ]
        return [_clean(n) for n in names]

    def write(self) -> bytes:
        r = self.report
        self.title_page()
        self.contents(self.chapters())
        if r.survey.introduction:
            self.heading(self.t("introduction"), 1)
            self.markdown(r.survey.introduction)
        self.summary()
        self.narratives("before_findings")
        for f in r.findings:
            self.finding(f)
        self.lessons()
        self.narratives("after_lessons")
        self.methodology()
        self.appendices()
        out = BytesIO()
        self.doc.save(out)
        return out.getvalue()


def _qn(tag: str) -> str:
    from docx.oxml.ns import qn

    return str(qn(tag))


def _inline(paragraph: Any, children: list[Any]) -> None:
    bold = italic = False
    for child in children:
        if child.type == "strong_open":
            bold = True
        elif child.type == "strong_close":
            bold = False
        elif child.type == "em_open":
            italic = True
        elif child.type == "em_close":
            italic = False
        elif child.type in ("softbreak", "hardbreak"):
            paragraph.add_run(" ")
        elif child.type in ("text", "code_inline"):
            run = paragraph.add_run(_clean(child.content))
            run.bold, run.italic = bold or None, italic or None


def render_docx(report: Report) -> bytes:
    return Writer(report).write()

"""Partner workbooks: the Excel file each partner (or interviewer) fills in."""

from __future__ import annotations

import math
from copy import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import __version__
from ..atomic import atomic_path, write_bytes
from ..definition import (
    CHOICE_TYPES,
    Question,
    Questionnaire,
    QuestionType,
    Role,
    text,
)
from ..errors import UsageError
from ..survey import Partner, SurveyFolder
from ..vocabulary import Kind
from . import contract
from .cells import cell_text, put
from .partners import WorkbookSpec, safe_filename
from .words import headers, ui

#: Column widths (characters): ID, Question, Answer, Help, Notes. About 150 in all, so a
#: landscape A4 page holds a row at a readable scale.
WIDTHS = {"A": 22, "B": 46, "C": 34, "D": 30, "E": 22}
HEADER_ROW = 4
ANSWER_COL, NOTES_COL = 3, 5
YELLOW, GREY, SECTION_BLUE = "FFF59D", "D9D9D9", "DCE6F1"


def option_id(question_id: str, code: str) -> str:
    """The ID of a multiple choice's tick row for one option."""
    return f"{question_id}{contract.OPTION_SEPARATOR}{code}"


@dataclass(frozen=True, slots=True)
class Prefill:
    """Each partner's answers in an earlier wave, shown beside (never in) the answer cells."""

    wave: str
    answers: dict[str, dict[str, str]]  # partner -> question id -> the answer as shown

    def for_partner(self, partner: str | None) -> dict[str, str]:
        wanted = (partner or "").strip().casefold()
        for name, answers in self.answers.items():
            if name.casefold() == wanted:
                return answers
        return {}


def build_workbook(q: Questionnaire, spec: WorkbookSpec, prefill: Prefill | None = None) -> Any:
    """The openpyxl workbook for one respondent (not yet saved)."""
    return build_layout(q, spec, prefill)[0]


def build_layout(
    q: Questionnaire, spec: WorkbookSpec, prefill: Prefill | None = None
) -> tuple[Any, dict[str, int]]:
    """The workbook and the row of every ID on its answers sheet."""
    from openpyxl import Workbook

    if spec.lang not in q.languages:
        raise UsageError(
            f"questionnaire {q.id!r} has no language {spec.lang!r}",
            hint=f"Choose one of: {', '.join(q.languages)}.",
        )
    wb = Workbook()
    ws = wb.active
    ws.title = ui(spec.lang, "sheets", "responses")
    _write_instructions(wb.create_sheet(ui(spec.lang, "sheets", "instructions")), q, spec)
    lists = wb.create_sheet(contract.LISTS_SHEET)
    lists.sheet_state = "hidden"
    rows = _Responses(ws, lists, q, spec).write()
    if prefill is not None:
        _write_previous(ws, prefill, prefill.for_partner(spec.partner), spec.lang)
    _write_stamp(wb.create_sheet(contract.STAMP_SHEET), q, spec)
    return wb, rows


class _Formats:
    """A workbook's cell formats, each set on one cell and copied to the others.

    openpyxl hashes every font, fill, alignment and protection each time one is set on a
    cell (a third of a workbook's build); a copied format is the same cell format, and the
    saved workbook the same bytes.
    """

    def __init__(self) -> None:
        self._made: dict[tuple[tuple[str, int], ...], Any] = {}

    def apply(self, cell: Any, **styles: Any) -> Any:
        """`cell` with exactly these styles (keyword: cell attribute), and returns it."""
        key = tuple((name, id(style)) for name, style in styles.items())
        made = self._made.get(key)
        if made is None:
            for name, style in styles.items():
                setattr(cell, name, style)
            self._made[key] = (copy(cell._style), styles)  # the styles keep their ids
        else:
            cell._style = copy(made[0])
        return cell


class _Responses:
    """Writes the answers sheet: respondent block, sections, questions, tick rows."""

    def __init__(self, ws: Any, lists: Any, q: Questionnaire, spec: WorkbookSpec) -> None:
        from openpyxl.styles import Alignment, Font, PatternFill, Protection

        self.ws, self.q, self.spec, self.lang = ws, q, spec, spec.lang
        self.dropdowns = _Dropdowns(ws, lists, spec.lang)
        self.rows: dict[str, int] = {}
        self.row = HEADER_ROW + 1
        self.bold = Font(bold=True)
        self.id_font = Font(size=8, color="808080")
        self.section_fill = PatternFill("solid", fgColor=SECTION_BLUE)
        self.answer_fill = PatternFill("solid", fgColor=YELLOW)
        self.wrap = Alignment(wrap_text=True, vertical="top")
        self.indent = Alignment(wrap_text=True, vertical="top", indent=2)
        self.unlocked = Protection(locked=False)
        self.formats = _Formats()

    def write(self) -> dict[str, int]:
        from openpyxl.styles import Font

        ws, lang = self.ws, self.lang
        put(ws, 1, 1, text(self.q.title, lang)).font = Font(bold=True, size=14)
        ws.merge_cells("A1:E1")
        put(ws, 2, 1, ui(lang, "subtitle").format(id=self.q.id, version=self.q.version))
        ws.merge_cells("A2:E2")
        for col, name in enumerate(headers(lang), start=1):
            self.formats.apply(put(ws, HEADER_ROW, col, name), font=self.bold)
        for letter, width in WIDTHS.items():
            ws.column_dimensions[letter].width = width
        ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=3)
        self._respondent()
        for sec in self.q.sections:
            self._section(text(sec.title, lang))
            for question in sec.questions:
                self._question(question)
        self._grey_out_skipped()
        _protect(ws)
        _print_setup(ws, text(self.q.title, lang), lang, repeat_rows=f"{HEADER_ROW}:{HEADER_ROW}")
        return self.rows

    def _section(self, title: str) -> None:
        put(self.ws, self.row, 2, title)
        for col in range(1, 6):
            cell = self.ws.cell(row=self.row, column=col)
            if col == 2:
                self.formats.apply(cell, font=self.bold, fill=self.section_fill)
            else:
                self.formats.apply(cell, fill=self.section_fill)
        self.row += 1

    def _field(
        self, fid: str, label: str, value: str | None = None, help_: str = "", answer: bool = True
    ) -> int:
        ws, r, apply = self.ws, self.row, self.formats.apply
        apply(put(ws, r, 1, fid), font=self.id_font, alignment=self.wrap)
        apply(put(ws, r, 2, label), alignment=self.wrap)
        ws.row_dimensions[r].height = _height((label, WIDTHS["B"]), (help_, WIDTHS["D"]))
        cell = ws.cell(row=r, column=ANSWER_COL)
        if answer:
            apply(cell, alignment=self.wrap, fill=self.answer_fill, protection=self.unlocked)
        else:
            apply(cell, alignment=self.wrap)
        if value:
            put(ws, r, ANSWER_COL, value)
        if help_:
            apply(put(ws, r, 4, help_), alignment=self.wrap)
        apply(ws.cell(row=r, column=NOTES_COL), protection=self.unlocked, alignment=self.wrap)
        self.rows[fid] = r
        self.row += 1
        return r

    def _respondent(self) -> None:
        spec, lang = self.spec, self.lang
        prefilled = {
            "respondent.partner": spec.partner,
            "respondent.organisation": spec.organisation,
            "respondent.role": ui(lang, "roles", spec.role.value),
            "respondent.country": spec.country,
        }
        if spec.interview:
            self._section(ui(lang, "interview"))
            fields = contract.INTERVIEW_RECORD_FIELDS
        else:
            self._section(ui(lang, "respondent"))
            fields = contract.RESPONDENT_FIELDS
        for fid in fields:
            r = self._field(fid, ui(lang, "fields", fid), prefilled.get(fid))
            if fid == "respondent.role":
                labels = [ui(lang, "roles", role.value) for role in self.q.roles]
                self.dropdowns.add("respondent.role", labels, f"C{r}")

    def _question(self, question: Question) -> None:
        lang = self.lang
        label = text(question.text, lang) + (" *" if question.required_for(self.spec.role) else "")
        ticks = question.type is QuestionType.MULTIPLE_CHOICE
        r = self._field(question.id, label, help_=self._help(question), answer=not ticks)
        labels = _dropdown_labels(question, lang)
        if labels:
            self.dropdowns.add(question.id, labels, f"C{r}")
        if ticks:
            for choice in question.choices:
                tr = self._field(option_id(question.id, choice.code), text(choice.label, lang))
                self.formats.apply(self.ws.cell(row=tr, column=2), alignment=self.indent)
                self.dropdowns.tick(f"C{tr}")

    def _help(self, question: Question) -> str:
        help_ = _help(question, self.lang)
        when = question.ask_when
        if when is None:
            return help_
        source = self.q.question(when.question)
        labels = _code_labels(source, when.codes, self.lang)
        key = "ask_when_in" if when.in_ is not None else "ask_when_not_in"
        words = f" {ui(self.lang, 'or')} ".join(f"“{label}”" for label in labels)
        asked = text(source.text, self.lang)
        skip = ui(self.lang, "help", key).format(labels=words, question=asked)
        return f"{skip} {help_}".strip()

    def _grey_out_skipped(self) -> None:
        """Conditional formatting: a question the partner's own answer hides turns grey."""
        from openpyxl.formatting.rule import FormulaRule
        from openpyxl.styles import PatternFill

        grey = PatternFill("solid", fgColor=GREY, bgColor=GREY)
        for question in self.q.questions():
            when = question.ask_when
            if when is None or question.id not in self.rows:
                continue
            formula = self._hidden_formula(self.q.question(when.question), when)
            if formula is None:
                continue
            first = self.rows[question.id]
            last = max(
                [first]
                + [self.rows[option_id(question.id, c.code)] for c in question.choices]
                * (question.type is QuestionType.MULTIPLE_CHOICE)
            )
            self.ws.conditional_formatting.add(
                f"A{first}:E{last}", FormulaRule(formula=[formula], fill=grey, stopIfTrue=True)
            )

    def _hidden_formula(self, source: Question, when: Any) -> str | None:
        """An Excel formula true when `when` does not hold for the answer to `source`."""
        listed = set(when.codes)
        if source.type is QuestionType.MULTIPLE_CHOICE:
            cells = {
                c.code: f"$C${self.rows[option_id(source.id, c.code)]}" for c in source.choices
            }
            picked = [cells[c] for c in cells if (c in listed) == (when.in_ is not None)]
            count = "+".join(f'({cell}<>"")' for cell in cells.values())
            hits = "+".join(f'({cell}<>"")' for cell in picked) or "0"
            return f"AND({count}>0,{hits}=0)"
        if source.type not in (QuestionType.SINGLE_CHOICE, QuestionType.YES_NO):
            return None
        cell = f"$C${self.rows[source.id]}"
        labels = _code_labels(source, when.codes, self.lang)
        match = "OR(" + ",".join(f'{cell}="{_quote(label)}"' for label in labels) + ")"
        hidden = f"NOT({match})" if when.in_ is not None else match
        return f'AND({cell}<>"",{hidden})'


def _height(*texts: tuple[str, float]) -> float:
    """A row height (points) that shows every wrapped text whole: spreadsheet programs
    do not grow rows written by openpyxl, so a printed question would be cut."""
    lines = max(math.ceil(len(value) * 1.1 / width) or 1 for value, width in texts)
    return 15.0 * lines


def _quote(value: str) -> str:
    """A string inside an Excel formula's double quotes."""
    return value.replace('"', '""')


def _code_labels(question: Question, codes: list[str], lang: str) -> list[str]:
    if question.type is QuestionType.YES_NO:
        return [ui(lang, code) for code in codes]
    by_code = {c.code: text(c.label, lang) for c in question.choices}
    return [by_code.get(code, code) for code in codes]


def _protect(ws: Any) -> None:
    """Only unlocked cells (answers, notes) can be edited; no password; rows can be added."""
    protection = ws.protection
    protection.sheet = True
    protection.insertRows = False  # False means allowed
    protection.formatRows = False
    protection.formatColumns = False
    protection.formatCells = False


def _print_setup(ws: Any, title: str, lang: str, repeat_rows: str | None = None) -> None:
    """One page wide, landscape A4, the title on each page, the header row repeated."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    if repeat_rows:
        ws.print_title_rows = repeat_rows
    ws.oddHeader.center.text = cell_text(title).replace("&", "&&")[:200]
    ws.oddFooter.center.text = ui(lang, "page_footer")


PREVIOUS_COLUMN = 6


def _write_previous(ws: Any, prefill: Prefill, answers: dict[str, str], lang: str) -> None:
    """A reference column of last wave's answers; the Answer column stays empty."""
    from openpyxl.styles import Alignment, Font, PatternFill

    header_row = 4
    title = ui(lang, "previous_answer").format(wave=prefill.wave)
    put(ws, header_row, PREVIOUS_COLUMN, title).font = Font(bold=True)
    ws.column_dimensions["F"].width = 42
    grey = Font(italic=True, color="555555")
    fill = PatternFill("solid", fgColor="EEEEEE")
    wrap = Alignment(wrap_text=True, vertical="top")
    formats = _Formats()
    for (cell,) in ws.iter_rows(min_row=header_row + 1, min_col=1, max_col=1):
        value = answers.get(str(cell.value or ""))
        if value:
            ref = put(ws, cell.row, PREVIOUS_COLUMN, value)
            formats.apply(ref, font=grey, fill=fill, alignment=wrap)


def _dropdown_labels(question: Question, lang: str) -> list[str]:
    if question.type is QuestionType.SINGLE_CHOICE:
        return [text(c.label, lang) for c in question.choices]
    if question.type is QuestionType.YES_NO:
        return [ui(lang, "yes"), ui(lang, "no")]
    return []


def _help(question: Question, lang: str) -> str:
    parts = [text(question.hint, lang)] if question.hint else []
    if question.type is QuestionType.MULTIPLE_CHOICE:
        parts.append(ui(lang, "help", "multiple_choice"))
    elif question.type is QuestionType.MONEY and question.hint:
        pass  # the definition's hint already says how to write the amount
    elif question.type not in CHOICE_TYPES and question.type.value in ui(lang, "help"):
        parts.append(ui(lang, "help", question.type.value))
    for bound in ("min", "max"):
        value = getattr(question, bound)
        if value is not None:
            parts.append(ui(lang, "help", bound).format(**{bound: f"{value:g}"}))
    if question.type is QuestionType.SINGLE_CHOICE:
        parts.append(ui(lang, "help", "single_choice"))
    return " ".join(parts)


class _Dropdowns:
    """In-cell dropdowns whose lists live on the hidden Lists sheet.

    Lists on a sheet (not inline in the rule) keep labels with commas intact
    and have no 255-character limit. Tick cells share one inline list (✓).
    """

    def __init__(self, ws: Any, lists: Any, lang: str) -> None:
        self.ws = ws
        self.lists = lists
        self.lang = lang
        self.column = 0
        self.ticks: Any = None

    def _validation(self, formula: str, message: str) -> Any:
        from openpyxl.worksheet.datavalidation import DataValidation

        dv = DataValidation(type="list", formula1=formula, allow_blank=True)
        dv.errorStyle = "warning"
        dv.errorTitle = ui(self.lang, "dropdown_error_title")
        dv.error = message
        dv.showErrorMessage = True
        self.ws.add_data_validation(dv)
        return dv

    def add(self, name: str, labels: list[str], cell: str) -> None:
        from openpyxl.utils import get_column_letter

        self.column += 1
        letter = get_column_letter(self.column)
        put(self.lists, 1, self.column, name)
        for i, label in enumerate(labels, start=2):
            put(self.lists, i, self.column, label)
        rng = f"{contract.LISTS_SHEET}!${letter}$2:${letter}${len(labels) + 1}"
        self._validation(f"={rng}", ui(self.lang, "dropdown_error")).add(cell)

    def tick(self, cell: str) -> None:
        if self.ticks is None:
            self.ticks = self._validation(f'"{ui(self.lang, "tick")}"', ui(self.lang, "tick_error"))
        self.ticks.add(cell)


def _write_instructions(ws: Any, q: Questionnaire, spec: WorkbookSpec) -> None:
    from openpyxl.styles import Alignment, Font

    lang = spec.lang
    wrap = Alignment(wrap_text=True, vertical="top")
    bold = Font(bold=True)
    formats = _Formats()
    put(ws, 1, 1, ui(lang, "instructions_title")).font = Font(bold=True, size=14)
    put(ws, 2, 1, text(q.title, lang))
    words = {
        "responses": ui(lang, "sheets", "responses"),
        **{key: ui(lang, "headers", key) for key in contract.HEADER_KEYS},
    }
    key = "interview_instructions" if spec.interview else "instructions"
    lines = ui(lang, key).strip().format(**words).splitlines()
    if not spec.interview:
        lines += _return_lines(spec)
    row = 4
    for line in lines:
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        formats.apply(put(ws, row, 1, line), alignment=wrap)
        ws.row_dimensions[row].height = 15 * (1 + len(line) // 100)
        row += 1
    if q.glossary:
        row += 1
        formats.apply(put(ws, row, 1, ui(lang, "glossary")), font=bold)
        for term, meaning in q.glossary.items():
            row += 1
            formats.apply(put(ws, row, 1, term), font=bold)
            formats.apply(put(ws, row, 2, text(meaning, lang)), alignment=wrap)
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 100
    ws.protection.sheet = True
    _print_setup(ws, text(q.title, lang), lang)
    ws.page_setup.orientation = "portrait"


def _return_lines(spec: WorkbookSpec) -> list[str]:
    lang = spec.lang
    lines = [
        ui(lang, "return_with").format(email=spec.return_to)
        if spec.return_to
        else ui(lang, "return_plain")
    ]
    if spec.deadline:
        lines.append(ui(lang, "deadline").format(deadline=spec.deadline.strftime("%d/%m/%Y")))
    if spec.contact:
        lines.append(ui(lang, "contact").format(contact=spec.contact))
    return lines


def _write_stamp(ws: Any, q: Questionnaire, spec: WorkbookSpec) -> None:
    values = {
        "questionnaire": q.id,
        "version": q.version,
        "language": spec.lang,
        "partner": spec.partner or "",
        "role": spec.role.value,
        "kind": Kind.INTERVIEW if spec.interview else Kind.QUESTIONNAIRE,
        "fingerprint": q.fingerprint(),
        "generator": f"urbsurvey {__version__}",
    }
    for row, key in enumerate(contract.STAMP_KEYS, start=1):
        put(ws, row, 1, key)
        put(ws, row, 2, values[key])
    ws.sheet_state = "hidden"


def write_template(
    q: Questionnaire, spec: WorkbookSpec, out: Path, prefill: Prefill | None = None
) -> Path:
    """Build and atomically save one workbook."""
    wb = build_workbook(q, spec, prefill)
    with atomic_path(out) as tmp:
        wb.save(tmp)
    return out


def survey_spec(
    survey: SurveyFolder,
    q: Questionnaire,
    partner: Partner,
    role: Role = Role.CITY,
    *,
    interview: bool = False,
) -> WorkbookSpec:
    """A partner's workbook as survey.yaml describes it: its language, names and the
    return address, deadline and contact of the survey."""
    config = survey.config
    lang = partner.language or config.language
    organisation = partner.managing_authority if role is Role.MANAGING_AUTHORITY else None
    return WorkbookSpec(
        partner=partner.name,
        role=role,
        lang=lang if lang in q.languages else "en",
        interview=interview,
        organisation=organisation or partner.organisation,
        country=partner.country,
        deadline=config.deadline,
        return_to=config.return_to,
        contact=config.contact,
    )


def workbook_name(spec: WorkbookSpec) -> str:
    stem = f"{spec.partner}-{spec.role.value}" + ("-interview" if spec.interview else "")
    return safe_filename(stem, ".xlsx")


def write_survey_templates(
    survey: SurveyFolder,
    q: Questionnaire,
    outdir: Path,
    *,
    interview: bool = False,
    prefill: Prefill | None = None,
) -> list[Path]:
    """One pre-filled workbook per partner and expected role of a survey."""
    paths = []
    for partner in survey.config.partners:
        for role_name in survey.config.expected_roles:
            spec = survey_spec(survey, q, partner, Role(role_name), interview=interview)
            paths.append(write_template(q, spec, outdir / workbook_name(spec), prefill))
    return paths


def write_templates(
    q: Questionnaire,
    specs: list[WorkbookSpec],
    outdir: Path,
    *,
    interview: bool = False,
    prefill: Prefill | None = None,
) -> list[Path]:
    """One workbook per listed partner and role, named safely inside `outdir`.

    Saving with openpyxl is most of the cost of a workbook, so each (role,
    language) workbook is built and saved once with a placeholder partner name,
    and each partner's copy gets its name patched into the saved XML.
    """
    paths: list[Path] = []
    taken: set[str] = set()
    masters: dict[tuple[Role, str], _Master] = {}
    for spec in specs:
        stem = f"{spec.partner}-{spec.role.value}" + ("-interview" if interview else "")
        name = safe_filename(stem, ".xlsx")
        while name.lower() in taken:
            name = safe_filename(f"{stem}-{len(taken)}", ".xlsx")
        taken.add(name.lower())
        out = outdir / name
        if prefill is not None:  # each partner's own previous answers: no shared master
            spec = WorkbookSpec(spec.partner, spec.role, spec.lang, interview)
            paths.append(write_template(q, spec, out, prefill))
            continue
        key = (spec.role, spec.lang)
        if key not in masters:
            masters[key] = _Master(q, WorkbookSpec(_PLACEHOLDER, spec.role, spec.lang, interview))
        write_bytes(out, masters[key].for_partner(spec.partner or ""))
        paths.append(out)
    return paths


_PLACEHOLDER = "urbsurvey-partner-placeholder-7f3a"


class _Master:
    """A saved workbook whose partner name can be replaced without openpyxl."""

    def __init__(self, q: Questionnaire, spec: WorkbookSpec) -> None:
        import io
        import zipfile

        buffer = io.BytesIO()
        build_workbook(q, spec).save(buffer)
        with zipfile.ZipFile(buffer) as zf:
            self.members = [(info, zf.read(info)) for info in zf.infolist()]
        if not any(_PLACEHOLDER.encode() in data for _, data in self.members):
            raise AssertionError("the partner placeholder is missing from the saved workbook")

    def for_partner(self, partner: str) -> bytes:
        import io
        import zipfile
        from xml.sax.saxutils import escape

        name = escape(cell_text(partner).strip()).encode("utf-8")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for info, data in self.members:
                data = data.replace(_PLACEHOLDER.encode(), name)
                zf.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
        return buffer.getvalue()

"""Partner workbooks: the Excel file each partner (or interviewer) fills in."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import __version__
from ..atomic import atomic_path
from ..definition import (
    CHOICE_TYPES,
    Question,
    Questionnaire,
    QuestionType,
    Role,
    text,
)
from ..errors import OutputError, UrbsurveyError
from . import contract
from .cells import cell_text, put
from .partners import WorkbookSpec, safe_filename
from .words import ui

WIDTHS = {"A": 26, "B": 60, "C": 42, "D": 42, "E": 30}


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
    from openpyxl import Workbook

    if spec.lang not in q.languages:
        raise UrbsurveyError(
            f"questionnaire {q.id!r} has no language {spec.lang!r}",
            hint=f"Choose one of: {', '.join(q.languages)}.",
        )
    wb = Workbook()
    ws = wb.active
    ws.title = contract.RESPONSES_SHEET
    _write_instructions(wb.create_sheet(contract.INSTRUCTIONS_SHEET), q, spec)
    lists = wb.create_sheet(contract.LISTS_SHEET)
    lists.sheet_state = "hidden"
    _write_responses(ws, lists, q, spec)
    if prefill is not None:
        _write_previous(ws, prefill, prefill.for_partner(spec.partner), spec.lang)
    _write_stamp(wb.create_sheet(contract.STAMP_SHEET), q, spec)
    return wb


def _write_responses(ws: Any, lists: Any, q: Questionnaire, spec: WorkbookSpec) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    lang = spec.lang
    bold = Font(bold=True)
    section_fill = PatternFill("solid", fgColor="DCE6F1")
    answer_fill = PatternFill("solid", fgColor="FFFDE7")
    wrap = Alignment(wrap_text=True, vertical="top")
    put(ws, 1, 1, text(q.title, lang)).font = Font(bold=True, size=14)
    ws.merge_cells("A1:E1")
    put(ws, 2, 1, ui(lang, "subtitle").format(id=q.id, version=q.version))
    ws.merge_cells("A2:E2")
    header_row = 4
    col: int | str
    for col, name in enumerate(contract.HEADERS, start=1):
        put(ws, header_row, col, name).font = bold
    for col, width in WIDTHS.items():
        ws.column_dimensions[col].width = width
    ws.freeze_panes = ws.cell(row=header_row + 1, column=3)

    dropdowns = _Dropdowns(ws, lists)
    row = header_row + 1

    def section(title: str) -> None:
        nonlocal row
        put(ws, row, 2, title).font = bold
        for col in range(1, 6):
            ws.cell(row=row, column=col).fill = section_fill
        row += 1

    def field(qid: str, label: str, value: str | None = None, help_: str = "") -> int:
        nonlocal row
        put(ws, row, 1, qid)
        put(ws, row, 2, label).alignment = wrap
        answer = ws.cell(row=row, column=3)
        answer.fill = answer_fill
        answer.alignment = wrap
        if value:
            put(ws, row, 3, value)
        if help_:
            put(ws, row, 4, help_).alignment = wrap
        row += 1
        return row - 1

    section(ui(lang, "respondent"))
    role_labels = [ui(lang, "roles", r.value) for r in q.roles]
    for fid in contract.RESPONDENT_FIELDS:
        value = None
        if fid == "respondent.partner":
            value = spec.partner
        elif fid == "respondent.role":
            value = ui(lang, "roles", spec.role.value)
        r = field(fid, ui(lang, "fields", fid), value)
        if fid == "respondent.role":
            dropdowns.add("respondent.role", role_labels, f"C{r}")
    if spec.interview:
        section(ui(lang, "interview"))
        for fid in contract.INTERVIEW_FIELDS:
            field(fid, ui(lang, "fields", fid))

    for sec in q.sections:
        section(text(sec.title, lang))
        for question in sec.questions:
            required = question.required_for(spec.role)
            label = text(question.text, lang) + (" *" if required else "")
            r = field(question.id, label, help_=_help(question, lang))
            labels = _dropdown_labels(question, lang)
            if labels:
                dropdowns.add(question.id, labels, f"C{r}")


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
    for (cell,) in ws.iter_rows(min_row=header_row + 1, min_col=1, max_col=1):
        value = answers.get(str(cell.value or ""))
        if value:
            ref = put(ws, cell.row, PREVIOUS_COLUMN, value)
            ref.font, ref.fill = grey, fill
            ref.alignment = Alignment(wrap_text=True, vertical="top")


def _dropdown_labels(question: Question, lang: str) -> list[str]:
    if question.type is QuestionType.SINGLE_CHOICE:
        return [text(c.label, lang) for c in question.choices]
    if question.type is QuestionType.YES_NO:
        return [ui(lang, "yes"), ui(lang, "no")]
    return []


def _help(question: Question, lang: str) -> str:
    parts = [text(question.hint, lang)] if question.hint else []
    if question.type is QuestionType.MULTIPLE_CHOICE:
        labels = "; ".join(text(c.label, lang) for c in question.choices)
        parts.append(ui(lang, "help", "multiple_choice").format(labels=labels))
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
    and have no 255-character limit.
    """

    def __init__(self, ws: Any, lists: Any) -> None:
        self.ws = ws
        self.lists = lists
        self.column = 0

    def add(self, name: str, labels: list[str], cell: str) -> None:
        from openpyxl.utils import get_column_letter
        from openpyxl.worksheet.datavalidation import DataValidation

        self.column += 1
        letter = get_column_letter(self.column)
        put(self.lists, 1, self.column, name)
        for i, label in enumerate(labels, start=2):
            put(self.lists, i, self.column, label)
        rng = f"{contract.LISTS_SHEET}!${letter}$2:${letter}${len(labels) + 1}"
        dv = DataValidation(type="list", formula1=f"={rng}", allow_blank=True)
        dv.errorStyle = "warning"
        dv.error = "Please choose from the list."
        dv.showErrorMessage = True
        self.ws.add_data_validation(dv)
        dv.add(cell)


def _write_instructions(ws: Any, q: Questionnaire, spec: WorkbookSpec) -> None:
    from openpyxl.styles import Alignment, Font

    put(ws, 1, 1, ui(spec.lang, "instructions_title")).font = Font(bold=True, size=14)
    put(ws, 2, 1, text(q.title, spec.lang))
    key = "interview_instructions" if spec.interview else "instructions"
    row = 4
    for line in ui(spec.lang, key).strip().splitlines():
        put(ws, row, 1, line).alignment = Alignment(wrap_text=True)
        row += 1
    ws.column_dimensions["A"].width = 110


def _write_stamp(ws: Any, q: Questionnaire, spec: WorkbookSpec) -> None:
    values = {
        "questionnaire": q.id,
        "version": q.version,
        "language": spec.lang,
        "partner": spec.partner or "",
        "role": spec.role.value,
        "kind": contract.KIND_INTERVIEW if spec.interview else contract.KIND_QUESTIONNAIRE,
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
    try:
        with atomic_path(out) as tmp:
            wb.save(tmp)
    except OSError as exc:
        raise OutputError(f"cannot write {out}: {exc.strerror}") from exc
    return out


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
        data = masters[key].for_partner(spec.partner or "")
        try:
            with atomic_path(out) as tmp:
                tmp.write_bytes(data)
        except OSError as exc:
            raise OutputError(f"cannot write {out}: {exc.strerror}") from exc
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

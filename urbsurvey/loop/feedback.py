"""`urbsurvey feedback`: fix requests for returns that need fixes, reminders for the rest.

For a return that needs fixes, a copy of the partner's workbook is made, never the
original touched: the template the partner was sent (same questionnaire, language,
partner), with the answers, notes and respondent block urbsurvey read from the return
written back in, and every problem cell highlighted with a comment saying, in the
workbook's language, what is wrong and what to write instead. The copy is rebuilt from
what was read rather than by re-opening the partner's file with a spreadsheet library,
so .xls and .ods returns get a copy too and no untrusted file is parsed twice.
Beside it, a message ready to paste into an e-mail lists the same fixes. An expected
partner that returned nothing gets a reminder and its blank workbook.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..atomic import atomic_path, write_text
from ..definition import Question, Questionnaire, QuestionType, Role, text
from ..intake.record import Submission
from ..issues import RANGE_WORDS, Issue, IssueCode, partner_text
from ..survey import SurveyFolder
from ..vocabulary import Kind
from ..workbook import contract
from ..workbook.cells import put
from ..workbook.partners import safe_filename
from ..workbook.template import ANSWER_COL, NOTES_COL, build_layout, option_id, survey_spec
from ..workbook.words import ui
from .ledger import Entry, Ledger, State

RED = "F4B6B6"


@dataclass(slots=True)
class Fix:
    """One problem, as the partner reads it, placed in the copy."""

    question: str  # the question's text (or the field's label) in the workbook's language
    sheet: str
    cell: str | None  # in the copy; None when it has no place there (a file-level problem)
    problem: str
    advice: str

    def sentence(self) -> str:
        return f"{self.problem} {self.advice}"


@dataclass(slots=True)
class Sent:
    """What was written for one partner."""

    entry: Entry
    workbook: Path
    message: Path
    fixes: list[Fix] = field(default_factory=list)


@dataclass(slots=True)
class FeedbackResult:
    fix_requests: list[Sent] = field(default_factory=list)
    reminders: list[Sent] = field(default_factory=list)
    skipped: list[tuple[Entry, str]] = field(default_factory=list)  # and why


def feedback(folder: Path, outdir: Path) -> FeedbackResult:
    """Fix requests and reminders for a survey folder, written into `outdir`."""
    from ..resources import load_questionnaire
    from .ledger import ledger

    book = ledger(folder, keep_answers=True)
    q = load_questionnaire(book.survey.config.questionnaire, base=book.survey.root)
    return write_feedback(book, q, outdir)


def write_feedback(book: Ledger, q: Questionnaire, outdir: Path) -> FeedbackResult:
    result = FeedbackResult()
    partners = {p.name: p for p in book.survey.config.partners}
    for entry in book.entries:
        partner = partners.get(entry.partner or "")
        if entry.state is State.COMPLETE:
            continue
        if partner is None or entry.role is None:
            result.skipped.append((entry, "no known partner: see `urbsurvey status`"))
            continue
        if entry.state is State.MISSING and not entry.expected:
            continue
        stem = safe_filename(f"{partner.name}-{entry.role}", "")
        spec = survey_spec(
            book.survey, q, partner, Role(entry.role), interview=entry.kind == Kind.INTERVIEW
        )
        spec = _in_language(spec, entry.language, q)
        if entry.state is State.MISSING:
            wb, _ = build_layout(q, spec)
            sent = Sent(entry, outdir / f"{stem}.xlsx", outdir / f"{stem}-reminder.txt")
            _save(wb, sent.workbook)
            write_text(sent.message, reminder_text(book.survey, q, entry, spec.lang))
            result.reminders.append(sent)
            continue
        sub = entry.submission
        assert sub is not None
        if not sub.readable:  # nothing to copy: ask for the file again, with a blank workbook
            wb, _ = build_layout(q, spec)
            sent = Sent(entry, outdir / f"{stem}.xlsx", outdir / f"{stem}-message.txt")
            _save(wb, sent.workbook)
            write_text(sent.message, resend_text(book.survey, q, entry, spec.lang, sub))
            result.fix_requests.append(sent)
            continue
        wb, fixes = fixed_copy(q, spec, sub)
        if not fixes:
            why = "its errors are not the partner's to fix: see `urbsurvey validate`"
            result.skipped.append((entry, why))
            continue
        sent = Sent(entry, outdir / f"{stem}-fixes.xlsx", outdir / f"{stem}-message.txt", fixes)
        _save(wb, sent.workbook)
        write_text(sent.message, fix_request_text(book.survey, q, entry, spec.lang, fixes))
        result.fix_requests.append(sent)
    return result


def _in_language(spec: Any, lang: str, q: Questionnaire) -> Any:
    from dataclasses import replace

    return replace(spec, lang=lang if lang in q.languages else spec.lang)


def _save(wb: Any, path: Path) -> None:
    with atomic_path(path) as tmp:
        wb.save(tmp)


# --- the copy -----------------------------------------------------------------------------


def fixed_copy(q: Questionnaire, spec: Any, sub: Submission) -> tuple[Any, list[Fix]]:
    """The partner's workbook rebuilt with its answers, and its problems commented."""
    wb, rows = build_layout(q, spec)
    ws = wb.worksheets[0]
    for fid, value in sub.respondent.items():
        if fid in rows:
            put(ws, rows[fid], ANSWER_COL, value)
    questions = {question.id: question for question in q.questions()}
    for qid, answer in sub.answers.items():
        question = questions.get(qid)
        if question is None or qid not in rows:
            continue
        _write_answer(ws, rows, question, answer.raw, answer.value, answer.valid)
        if answer.note:
            put(ws, rows[qid], NOTES_COL, answer.note)
    fixes = [_fix(issue, sub, q, spec.lang, rows, ws.title) for issue in sub.issues]
    placed = [f for f in fixes if f is not None]
    _comment(ws, placed, spec.lang)
    return wb, placed


def _write_answer(
    ws: Any, rows: dict[str, int], question: Question, raw: str, value: object, valid: bool
) -> None:
    tick = ui("en", "tick")
    if question.type is QuestionType.MULTIPLE_CHOICE:
        if valid and isinstance(value, list):
            for code in value:
                put(ws, rows[option_id(question.id, code)], ANSWER_COL, tick)
        return  # an unreadable typed answer is quoted in the comment, not kept
    cell: object = raw
    if valid and isinstance(value, int | Decimal | dt.date) and not isinstance(value, bool):
        cell = (
            value
            if isinstance(value, dt.date)
            else (int(value) if value == int(value) else float(value))
        )
    put(ws, rows[question.id], ANSWER_COL, cell)


_CELL = re.compile(r"^[A-Z]+(\d+)$")


def _fix(
    issue: Issue, sub: Submission, q: Questionnaire, lang: str, rows: dict[str, int], sheet: str
) -> Fix | None:
    words = partner_text(issue.code, lang)
    if words is None:
        return None  # not the partner's to fix
    match = _CELL.match(issue.cell or "")
    rid = (
        sub.row_ids.get(int(match.group(1)))
        if match and issue.sheet != contract.STAMP_SHEET
        else None
    )
    question = _question_of(q, rid)
    fields = {
        "value": (sub.answers[rid].raw if rid in sub.answers else sub.row_values.get(rid or "", ""))
        if rid
        else "",
        "choices": _choices(question, lang),
        "range": _range(question, lang),
    }
    advice = words.advice
    if (
        question is not None
        and question.type is QuestionType.MULTIPLE_CHOICE
        and issue.code == IssueCode.INVALID_CHOICE
    ):
        advice = ui(lang, "help", "multiple_choice")
    return Fix(
        question=_label(q, rid, lang),
        sheet=sheet,
        cell=f"C{rows[rid]}" if rid in rows else None,
        problem=words.problem.format(**fields),
        advice=advice.format(**fields),
    )


def _question_of(q: Questionnaire, rid: str | None) -> Question | None:
    if not rid:
        return None
    qid = rid.split(contract.OPTION_SEPARATOR)[0] if rid not in contract.RESERVED_IDS else rid
    try:
        return q.question(qid)
    except KeyError:
        return None


def _label(q: Questionnaire, rid: str | None, lang: str) -> str:
    if not rid:
        return text(q.title, lang)
    if rid in contract.RESERVED_IDS:
        return str(ui(lang, "fields", rid))
    question = _question_of(q, rid)
    if question is None:
        return rid
    label = text(question.text, lang)
    code = rid[len(question.id) + 1 :]
    choice = next((c for c in question.choices if c.code == code), None)
    return f"{label} — {text(choice.label, lang)}" if choice else label


def _choices(question: Question | None, lang: str) -> str:
    if question is None:
        return ""
    if question.type is QuestionType.YES_NO:
        labels = [ui(lang, "yes"), ui(lang, "no")]
    else:
        labels = [text(c.label, lang) for c in question.choices]
    return "; ".join(f"“{label}”" for label in labels)


def _range(question: Question | None, lang: str) -> str:
    if question is None or (question.min is None and question.max is None):
        return ""
    words = RANGE_WORDS.get(lang, RANGE_WORDS["en"])
    key = (
        "both"
        if question.min is not None and question.max is not None
        else ("min" if question.min is not None else "max")
    )
    low = f"{question.min:g}" if question.min is not None else ""
    high = f"{question.max:g}" if question.max is not None else ""
    return words[key].format(low=low, high=high)


def _comment(ws: Any, fixes: list[Fix], lang: str) -> None:
    """Each problem cell red, with one comment holding all its fixes."""
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    red = PatternFill("solid", fgColor=RED)
    by_cell: dict[str, list[Fix]] = {}
    for fix in fixes:
        if fix.cell:
            by_cell.setdefault(fix.cell, []).append(fix)
    for cell, found in by_cell.items():
        note = "\n".join(f.sentence() for f in found)
        comment = Comment(note, "urbsurvey")
        comment.width, comment.height = 300, 40 + 20 * (len(note) // 40)
        ws[cell].comment = comment
        ws[cell].fill = red
    if by_cell:
        _red_above_grey(ws, sorted(by_cell), red)


def _red_above_grey(ws: Any, cells: list[str], red: Any) -> None:
    """A problem cell stays red even where the template greys out a skipped question:
    the red rule comes first and has the first priority (Excel goes by priority,
    LibreOffice by order)."""
    from openpyxl.formatting.formatting import ConditionalFormattingList
    from openpyxl.formatting.rule import FormulaRule

    existing = [(rng.sqref, rule) for rng in ws.conditional_formatting for rule in rng.rules]
    ws.conditional_formatting = ConditionalFormattingList()
    for cell in cells:  # one range each: LibreOffice misreads a list of cells
        ws.conditional_formatting.add(
            cell, FormulaRule(formula=["TRUE"], fill=red, stopIfTrue=True)
        )
    for sqref, rule in existing:
        ws.conditional_formatting.add(str(sqref), rule)
    ranked = [rule for rng in ws.conditional_formatting for rule in rng.rules]
    for priority, rule in enumerate(ranked, start=1):
        rule.priority = priority


# --- the messages -------------------------------------------------------------------------


def _header(entry: Entry, subject: str) -> list[str]:
    return [f"To: {entry.email or ''}", f"Subject: {subject}", ""]


def fix_request_text(
    survey: SurveyFolder, q: Questionnaire, entry: Entry, lang: str, fixes: list[Fix]
) -> str:
    config = survey.config
    title = text(q.title, lang)
    words = ui(lang, "feedback")
    lines = _header(entry, words["subject"].format(title=title))
    lines += [words["greeting"].format(partner=entry.partner), "", words["intro"], ""]
    for n, fix in enumerate(fixes, start=1):
        lines.append(
            words["item"].format(
                n=n,
                question=fix.question,
                sheet=fix.sheet,
                cell=fix.cell or "—",
                problem=fix.problem,
                advice=fix.advice,
            )
        )
    outro = (
        words["outro"].format(email=config.return_to) if config.return_to else words["outro_plain"]
    )
    lines += ["", outro]
    if config.deadline:
        lines.append(ui(lang, "deadline").format(deadline=config.deadline.strftime("%d/%m/%Y")))
    lines += ["", words["thanks"], config.contact or ""]
    return "\n".join(lines).rstrip() + "\n"


def reminder_text(survey: SurveyFolder, q: Questionnaire, entry: Entry, lang: str) -> str:
    config = survey.config
    title = text(q.title, lang)
    words = ui(lang, "reminder")
    body = (
        words["body"].format(title=title, email=config.return_to)
        if config.return_to
        else words["body_plain"].format(title=title)
    )
    lines = _header(entry, words["subject"].format(title=title))
    lines += [words["greeting"].format(partner=entry.partner), "", body]
    if config.deadline:
        lines.append(ui(lang, "deadline").format(deadline=config.deadline.strftime("%d/%m/%Y")))
    lines += ["", words["thanks"], config.contact or ""]
    return "\n".join(lines).rstrip() + "\n"


def resend_text(
    survey: SurveyFolder, q: Questionnaire, entry: Entry, lang: str, sub: Submission
) -> str:
    """The message for a return that cannot be opened at all, or an e-mail without one."""
    config = survey.config
    words = ui(lang, "feedback")
    empty = any(i.code == IssueCode.MAIL_NO_WORKBOOK for i in sub.issues)
    body = words["no_attachment" if empty else "unreadable"].format(file=sub.file)
    lines = _header(entry, words["subject"].format(title=text(q.title, lang)))
    lines += [words["greeting"].format(partner=entry.partner), "", body]
    if config.return_to:
        lines.append(ui(lang, "return_with").format(email=config.return_to))
    if config.deadline:
        lines.append(ui(lang, "deadline").format(deadline=config.deadline.strftime("%d/%m/%Y")))
    lines += ["", words["thanks"], config.contact or ""]
    return "\n".join(lines).rstrip() + "\n"

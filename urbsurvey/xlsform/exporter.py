"""`urbsurvey questionnaire export`: a definition as an XLSForm for KoboToolbox, ODK, SurveyCTO.

Sections become groups (their introduction a `note`), languages
`label::Français (fr)` columns, min/max a `constraint`, `ask_when` a `relevant`.
Money, yes/no, long text, the roles a question is required for and a section's
precedence are also written in `urbsurvey::…` columns, so importing the form
gives the same definition back. Indicators have no XLSForm equivalent: they
are listed as not exported. Every text is written as a text cell.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..definition import Condition, Question, Questionnaire, QuestionType, Section
from ..workbook.cells import put
from .common import (
    PRECEDENCE_COLUMN,
    REQUIRED_FOR_COLUMN,
    ROLES_SETTING,
    TITLE_SETTING,
    TYPE_COLUMN,
    YES_NO_LIST,
    Remark,
    language_tag,
)

_TYPES = {
    QuestionType.SHORT_TEXT: "text",
    QuestionType.LONG_TEXT: "text",
    QuestionType.INTEGER: "integer",
    QuestionType.DECIMAL: "decimal",
    QuestionType.MONEY: "decimal",
    QuestionType.DATE: "date",
}
#: Types XLSForm cannot tell apart from another, so they are named in `urbsurvey::type`.
_MARKED = frozenset({QuestionType.MONEY, QuestionType.YES_NO, QuestionType.LONG_TEXT})


def build_xlsform(q: Questionnaire) -> tuple[Any, list[Remark]]:
    """The openpyxl workbook of the form (not saved), and what it leaves out."""
    from openpyxl import Workbook

    wb = Workbook()
    survey = wb.active
    survey.title = "survey"
    langs = q.languages
    header = [
        "type",
        "name",
        *(f"label::{language_tag(lang)}" for lang in langs),
        *(f"hint::{language_tag(lang)}" for lang in langs),
        "required",
        "constraint",
        "relevant",
        "appearance",
        TYPE_COLUMN,
        REQUIRED_FOR_COLUMN,
        PRECEDENCE_COLUMN,
    ]
    rows = [row for section in q.sections for row in _section_rows(q, section)]
    _write(survey, header, rows)
    _write(
        wb.create_sheet("choices"),
        ["list_name", "name", *header[2 : 2 + len(langs)]],
        _choice_rows(q),
    )
    settings = {
        "form_title": q.title["en"],
        "form_id": q.id,
        "version": q.version,
        "default_language": language_tag("en"),
        ROLES_SETTING: " ".join(q.roles),
        **{f"{TITLE_SETTING}::{language_tag(k)}": v for k, v in q.title.items() if k != "en"},
    }
    _write(wb.create_sheet("settings"), list(settings), [settings])
    remarks = [
        Remark(
            "",
            None,
            f"indicator {ind.id!r} is not exported: XLSForm has no "
            "indicators (keep them in the YAML definition)",
        )
        for ind in q.indicators
    ]
    if q.glossary:
        remarks.append(
            Remark(
                "",
                None,
                f"the glossary ({', '.join(q.glossary)}) is not exported: XLSForm has no "
                "glossary (keep it in the YAML definition)",
            )
        )
    return wb, remarks


def _write(ws: Any, header: list[str], rows: list[dict[str, str]]) -> None:
    for col, name in enumerate(header, start=1):
        put(ws, 1, col, name)
    for r, row in enumerate(rows, start=2):
        for col, name in enumerate(header, start=1):
            if row.get(name):
                put(ws, r, col, row[name])


def _texts(column: str, value: dict[str, str] | None) -> dict[str, str]:
    return {f"{column}::{language_tag(lang)}": t for lang, t in (value or {}).items()}


def _section_rows(q: Questionnaire, section: Section) -> list[dict[str, str]]:
    begin = {"type": "begin_group", "name": section.id, **_texts("label", section.title)}
    if section.precedence:
        begin[PRECEDENCE_COLUMN] = " ".join(section.precedence)
    rows = [begin]
    if section.intro:
        rows.append(
            {"type": "note", "name": _note_name(q, section), **_texts("label", section.intro)}
        )
    rows += [_question_row(q, question) for question in section.questions]
    rows.append({"type": "end_group"})
    return rows


def _note_name(q: Questionnaire, section: Section) -> str:
    taken = {question.id for question in q.questions()}
    name = f"{section.id}_intro"
    while name in taken:
        name += "_note"
    return name


def _question_row(q: Questionnaire, question: Question) -> dict[str, str]:
    row = {
        "type": _type(q, question),
        "name": question.id,
        **_texts("label", question.text),
        **_texts("hint", question.hint),
    }
    if question.required:
        row["required"] = "yes"
    if isinstance(question.required, list):
        row[REQUIRED_FOR_COLUMN] = " ".join(question.required)
    bounds = [
        f". {op} {_number(value)}"
        for op, value in ((">=", question.min), ("<=", question.max))
        if value is not None
    ]
    if bounds:
        row["constraint"] = " and ".join(bounds)
    if question.ask_when:
        row["relevant"] = relevant(question.ask_when, q.question(question.ask_when.question))
    if question.type is QuestionType.LONG_TEXT:
        row["appearance"] = "multiline"
    if question.type in _MARKED:
        row[TYPE_COLUMN] = question.type.value
    return row


def yes_no_list(q: Questionnaire) -> str:
    """The name of the yes/no choice list: `yes_no`, unless a question's own list has it."""
    taken = {question.id for question in q.questions()}
    name = YES_NO_LIST
    while name in taken:
        name += "_list"
    return name


def _type(q: Questionnaire, question: Question) -> str:
    if question.type is QuestionType.YES_NO:
        return f"select_one {yes_no_list(q)}"
    if question.type is QuestionType.SINGLE_CHOICE:
        return f"select_one {question.id}"
    if question.type is QuestionType.MULTIPLE_CHOICE:
        return f"select_multiple {question.id}"
    return _TYPES[question.type]


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


def relevant(condition: Condition, target: Question) -> str:
    """`ask_when` as an XLSForm `relevant` expression, with the same meaning.

    `not_in` on a multiple choice holds when any selected option is outside the
    list, so it is written as the options that are not listed.
    """
    ref = f"${{{condition.question}}}"
    if target.type is QuestionType.MULTIPLE_CHOICE:
        codes = condition.in_ or [c for c in target.choice_codes() if c not in condition.codes]
        return " or ".join(f"selected({ref}, '{code}')" for code in codes)
    if condition.in_ is not None:
        return " or ".join(f"{ref} = '{code}'" for code in condition.in_)
    return " and ".join(f"{ref} != '{code}'" for code in condition.codes)


def _choice_rows(q: Questionnaire) -> list[dict[str, str]]:
    from ..workbook.words import ui

    rows = []
    if any(question.type is QuestionType.YES_NO for question in q.questions()):
        for code in ("yes", "no"):
            label = {lang: ui(lang, code) for lang in q.languages}
            rows.append({"list_name": yes_no_list(q), "name": code, **_texts("label", label)})
    for question in q.questions():
        if question.type in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
            rows += [
                {"list_name": question.id, "name": c.code, **_texts("label", c.label)}
                for c in question.choices
            ]
    return rows


def export_xlsform(q: Questionnaire, out: Path) -> list[Remark]:
    """Write the form to `out` (atomically); return what it leaves out."""
    from ..atomic import atomic_path

    wb, remarks = build_xlsform(q)
    with atomic_path(out) as tmp:
        wb.save(tmp)
    return remarks

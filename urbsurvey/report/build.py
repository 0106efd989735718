"""`urbsurvey report`: the survey report as one JSON-ready dict, rendered to any format.

The dict is the report: the JSON format is it verbatim, and the Markdown, HTML
and Excel renderers (`render.py`) only lay it out.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..definition import Question, Questionnaire, QuestionType, text
from ..intake.answers import Answer, AnswerValue, MoneyValue
from ..intake.batch import expected_responses, missing
from ..intake.submission import Submission
from ..issues import Issue, IssueCode
from ..outcomes.indicators import IndicatorResult, Outcomes, compute_outcomes, is_money
from ..outcomes.lessons import Coding, check_coding, parse_coding
from ..outcomes.merge import Used
from ..survey import SURVEY_FILE, SurveyFolder
from .amounts import CURRENCY_SYMBOLS, format_amount

__all__ = ["CURRENCY_SYMBOLS", "ReportInput", "build_report", "format_amount"]

if TYPE_CHECKING:
    from ..outcomes.waves import Wave


@dataclass(slots=True)
class ReportInput:
    """What a report is made from, whichever SOURCE it came from."""

    questionnaire: Questionnaire
    survey: SurveyFolder | None
    submissions: list[Submission]  # every file read (for inputs and issues)
    counted: list[Submission]  # the ones outcomes use
    issues: list[Issue]  # across files
    waves: list[Wave] = field(default_factory=list)  # earlier waves survey.yaml names


def build_report(data: ReportInput, *, lang: str | None = None) -> dict[str, Any]:
    q, survey = data.questionnaire, data.survey
    config = survey.config if survey else None
    lang = lang or (config.language if config else "en")
    currency = config.currency if config else "EUR"
    outcomes = compute_outcomes(q, data.counted)
    coding, coding_issues = _lessons(survey, outcomes)
    issues = [i for s in data.submissions for i in s.issues] + data.issues
    issues += outcomes.issues + coding_issues
    expected = [
        {"partner": p, "role": r} for p, r in (expected_responses(survey) if survey else [])
    ]
    returned = [
        {"partner": s.partner, "role": s.role.value if s.role else None, "file": s.file}
        for s in data.counted
        if s.kind == "questionnaire"
    ]
    absent = [
        {"partner": p, "role": r} for p, r in (missing(data.counted, survey) if survey else [])
    ]
    extra = {"waves": _waves(data, outcomes, lang, currency)} if data.waves else {}
    return {
        "survey": {
            "title": config.title if config else text(q.title, lang),
            "introduction": config.introduction if config else "",
            "language": lang,
            "currency": currency,
            "questionnaire": {
                "id": q.id,
                "version": q.version,
                "title": text(q.title, lang),
                "fingerprint": q.fingerprint(),
            },
        },
        "methodology": _methodology(q, data.counted, expected, lang),
        "respondents": {"expected": expected, "returned": returned, "missing": absent},
        "currency": _conversion(survey, outcomes, currency, issues),
        "indicators": [_indicator(r, q, lang, currency) for r in outcomes.indicators],
        "charts": _charts(q, outcomes, lang, currency),
        "lessons": _lesson_groups(coding),
        "partners": _partners(q, outcomes),
        "matrix": _matrix(q, data.counted, lang),
        "conflicts": [
            {
                "partner": c.partner,
                "question": c.question,
                "used": {"source": c.used.submission.source.value, "value": c.used.answer.raw},
                "others": [
                    {"source": o.submission.source.value, "value": o.answer.raw} for o in c.others
                ],
            }
            for c in outcomes.conflicts
        ],
        "issues": [i.to_dict() for i in issues],
        "inputs": [
            {
                "file": s.file,
                "sha256": s.sha256,
                "partner": s.partner,
                "role": s.kind if s.kind == "interview" else (s.role.value if s.role else None),
                "status": s.status,
                **({"provenance": s.provenance} if s.provenance else {}),
            }
            for s in data.submissions
        ],
        "generator": {
            "name": "urbsurvey",
            "version": __version__,
            "fingerprint": q.fingerprint(),
            "generated": _today().isoformat(),
        },
        **extra,
    }


def _waves(data: ReportInput, outcomes: Outcomes, lang: str, currency: str) -> dict[str, Any]:
    from ..outcomes.waves import Wave, compare_waves

    wave_id = data.survey.config.wave if data.survey else "this wave"
    return compare_waves(data.waves, Wave(wave_id, data.questionnaire, outcomes, currency), lang)


def _today() -> dt.date:
    """Today, or the date in SOURCE_DATE_EPOCH (reproducible reports, golden files)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    return dt.date.today()


def _lessons(survey: SurveyFolder | None, outcomes: Outcomes) -> tuple[Coding | None, list[Issue]]:
    if survey is None or not survey.config.coding:
        return None, []
    text_ = survey.read_coding()  # kept in the store, or read from the folder
    if text_ is None:
        return None, []
    coding = parse_coding(text_, survey.root / survey.config.coding)
    return coding, check_coding(coding, outcomes.records, survey.config.coding)


def _conversion(
    survey: SurveyFolder | None, outcomes: Outcomes, currency: str, issues: list[Issue]
) -> dict[str, Any]:
    """How money was converted: the report currency and every exchange rate used."""
    used: set[str] = set()
    money = [qid for qid, qu in outcomes.merger.questions.items() if qu.type is QuestionType.MONEY]
    for record in outcomes.records.values():
        for qid in money:
            chosen = outcomes.merger.choose(record, qid)
            if chosen is not None and isinstance(chosen.answer.value, MoneyValue):
                used.add(chosen.answer.value.currency)
    used.discard(currency)
    lines = survey.rate_lines() if survey else {}
    rates = survey.config.exchange_rates if survey else {}
    return {
        "code": currency,
        "symbol": CURRENCY_SYMBOLS.get(currency, currency),
        "rates": [
            {
                "currency": code,
                "rate": float(rates[code]),
                "source": f"{SURVEY_FILE} line {lines[code]}" if code in lines else SURVEY_FILE,
            }
            for code in sorted(used)
            if code in rates
        ],
        "assumed": sum(i.code == IssueCode.CURRENCY_ASSUMED for i in issues),
    }


def _lesson_groups(coding: Coding | None) -> list[dict[str, Any]]:
    if coding is None:
        return []
    return [
        {
            "group": g.id,
            "title": g.title,
            "themes": [
                {
                    "id": t.id,
                    "title": t.title,
                    "description": t.description,
                    "partners": t.partners(),
                }
                for t in coding.themes
                if t.group == g.id
            ],
        }
        for g in coding.groups
    ]


def _methodology(
    q: Questionnaire, counted: list[Submission], expected: list[dict[str, str]], lang: str
) -> dict[str, Any]:
    by_role: dict[str, int] = {"city": 0, "managing_authority": 0, "interview": 0, "other": 0}
    for s in counted:
        by_role[s.source.value] += 1
    expected_partners = {e["partner"] for e in expected if e["role"] == "city"}
    returned_partners = {
        s.partner
        for s in counted
        if s.kind == "questionnaire" and s.role and s.role.value == "city"
    }
    n_expected = len(expected_partners)
    n_returned = len(returned_partners & expected_partners) if expected else len(returned_partners)
    return {
        "sections": [
            {
                "id": sec.id,
                "title": text(sec.title, lang),
                "questions": [
                    {
                        "id": qu.id,
                        "text": text(qu.text, lang),
                        "type": qu.type.value,
                        "choices": [text(c.label, lang) for c in qu.choices],
                    }
                    for qu in sec.questions
                ],
            }
            for sec in q.sections
        ],
        "respondents_by_role": by_role,
        "response_rate": {
            "expected": n_expected,
            "returned": n_returned,
            "rate": round(n_returned / n_expected, 3) if n_expected else None,
        },
        "interviews": by_role["interview"],
    }


def _number(value: int | Decimal) -> int | float:
    return value if isinstance(value, int) else float(value)


def _display(result: IndicatorResult, q: Questionnaire, currency: str) -> tuple[str, str]:
    if is_money(result.indicator, q):
        return format_amount(Decimal(result.value), currency), currency
    if result.indicator.kind is not result.indicator.kind.SUM:
        return str(result.value), "partners"
    return f"{Decimal(result.value).normalize():f}", ""


def _indicator(
    result: IndicatorResult, q: Questionnaire, lang: str, currency: str
) -> dict[str, Any]:
    ind = result.indicator
    display, unit = _display(result, q, currency)
    names = ", ".join(result.partners)
    sentence = text(ind.sentence, lang)
    filled = sentence.format(value=display, count=len(result.partners), partners=names)
    left_out = [_left_out(u) for u in result.left_out]
    if left_out:
        phrase = _left_out_phrase(left_out, is_money(ind, q))
        filled = f"{filled.rstrip().removesuffix('.')}; {phrase}."
    if "{partners}" not in sentence and names:
        filled = f"{filled} Partners: {names}."
    labels = None
    if result.breakdown is not None and ind.breakdown:
        question = q.question(ind.breakdown)
        labels = {c.code: text(c.label, lang) for c in question.choices}
    return {
        "id": ind.id,
        "label": text(ind.label, lang),
        "kind": ind.kind.value,
        "value": _number(result.value),
        "unit": unit,
        "display": display,
        "sentence": filled,
        "partners": result.partners,
        "breakdown": result.breakdown,
        "breakdown_labels": labels,
        "sources": [_source(u, currency) for u in result.sources],
        "left_out": left_out,
    }


def _source(used: Used, currency: str) -> dict[str, Any]:
    """One answer behind a figure: where it is, as typed, and (money) in the report currency."""
    value = used.answer.value
    money = isinstance(value, MoneyValue)
    return {
        "partner": used.submission.partner,
        "question": used.answer.question,
        "file": used.submission.file,
        "sheet": used.answer.sheet,
        "cell": used.answer.cell,
        "value": used.answer.raw,
        "raw": used.answer.raw,
        "currency": value.currency if isinstance(value, MoneyValue) else None,
        "converted": float(value.converted) if isinstance(value, MoneyValue) else None,
        "converted_display": format_amount(value.converted, currency, exact=True)
        if isinstance(value, MoneyValue)
        else "",
        "money": money,
    }


#: Why an answer was left out, as the indicator's sentence says it.
_LEFT_OUT_REASONS: dict[str, str] = {
    IssueCode.UNKNOWN_CURRENCY: "could not be converted",
    IssueCode.MISSING_CURRENCY: "had no currency",
    IssueCode.OUT_OF_RANGE: "was out of range",
}


def _left_out(used: Used) -> dict[str, Any]:
    answer, sub = used.answer, used.submission
    code = next(
        (
            i.code
            for i in sub.issues
            if i.sheet == answer.sheet and i.cell == answer.cell and i.severity.value == "error"
        ),
        "",
    )
    return {
        "partner": sub.partner,
        "question": answer.question,
        "file": sub.file,
        "sheet": answer.sheet,
        "cell": answer.cell,
        "raw": answer.raw,
        "code": code,
        "reason": _LEFT_OUT_REASONS.get(code, "could not be read"),
    }


def _left_out_phrase(left_out: list[dict[str, Any]], money: bool) -> str:
    """ "1 amount could not be converted (Sibiu)"; one part per reason."""
    by_reason: dict[str, list[str]] = {}
    for item in left_out:
        by_reason.setdefault(item["reason"], []).append(item["partner"] or item["file"])
    parts = []
    for reason, partners in by_reason.items():
        n = len(partners)
        noun = ("amount" if money else "answer") + ("" if n == 1 else "s")
        verb = reason if n == 1 else reason.replace("was ", "were ")
        parts.append(f"{n} {noun} {verb} ({', '.join(partners)})")
    return "; ".join(parts)


def _charts(q: Questionnaire, outcomes: Outcomes, lang: str, currency: str) -> list[dict[str, Any]]:
    """A chart per outcome: how partners answered each counted question, and each sum by partner."""
    charts: list[dict[str, Any]] = []
    seen: set[str] = set()
    merger = outcomes.merger
    for result in outcomes.indicators:
        ind = result.indicator
        qid = ind.breakdown or (ind.where.question if ind.where else None)
        if qid and qid not in seen:
            seen.add(qid)
            question = q.question(qid)
            counts: dict[str, int] = {}
            for record in outcomes.records.values():
                used = merger.choose(record, qid, frozenset(ind.roles))
                for code in used.answer.codes() if used else []:
                    counts[code] = counts.get(code, 0) + 1
            bars = [
                {
                    "label": _choice_label(question, code, lang),
                    "value": float(counts.get(code, 0)),
                    "display": str(counts.get(code, 0)),
                }
                for code in question.choice_codes()
                if code not in ind.exclude
            ]
            charts.append(
                {"id": qid, "title": text(question.text, lang), "unit": "partners", "bars": bars}
            )
        if result.per_partner:
            money = is_money(ind, q)
            charts.append(
                {
                    "id": ind.id,
                    "title": f"{text(ind.label, lang)} by partner",
                    "unit": currency if money else "",
                    "bars": [
                        {
                            "label": partner,
                            "value": float(amount),
                            "display": format_amount(amount, currency)
                            if money
                            else f"{amount.normalize():f}",
                        }
                        for partner, amount in sorted(
                            result.per_partner.items(), key=lambda kv: -kv[1]
                        )
                    ],
                }
            )
    return charts


def _choice_label(question: Question, code: str, lang: str) -> str:
    for choice in question.choices:
        if choice.code == code:
            return text(choice.label, lang)
    return code.capitalize()


def json_value(value: AnswerValue) -> Any:
    if isinstance(value, MoneyValue):
        return float(value.converted)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _partners(q: Questionnaire, outcomes: Outcomes) -> list[dict[str, Any]]:
    merger = outcomes.merger
    rows = []
    for partner in sorted(outcomes.records, key=str.casefold):
        record = outcomes.records[partner]
        answers = {}
        for question in q.questions():
            used = merger.choose(record, question.id)
            if used is not None:
                answers[question.id] = json_value(used.answer.value)
        rows.append({"partner": partner, "answers": answers})
    return rows


def cell_display(question: Question, answer: Answer, lang: str) -> str:
    """What the matrix shows for one answer: labels for choices, the partner's text otherwise."""
    value = answer.value
    shown = answer.raw
    if answer.valid and question.type in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
        shown = "; ".join(_choice_label(question, c, lang) for c in answer.codes())
    elif answer.valid and isinstance(value, bool):
        shown = "Yes" if value else "No"
    if answer.hidden:
        shown = f"{shown} [hidden by the skip logic: not counted]"
    if answer.note:
        shown = f"{shown} [Note: {answer.note}]" if shown else f"[Note: {answer.note}]"
    return shown


def _matrix(q: Questionnaire, counted: list[Submission], lang: str) -> dict[str, Any]:
    questions = [(sec, qu) for sec in q.sections for qu in sec.questions]
    order = {"city": 0, "interview": 1, "managing_authority": 2, "other": 3}
    subs = sorted(
        (s for s in counted if s.partner),
        key=lambda s: ((s.partner or "").casefold(), order[s.source.value], s.file),
    )
    return {
        "columns": [
            {"id": qu.id, "text": text(qu.text, lang), "section": text(sec.title, lang)}
            for sec, qu in questions
        ],
        "rows": [
            {
                "partner": s.partner,
                "source": _source_label(s),
                "file": s.file,
                "cells": [
                    cell_display(qu, s.answers[qu.id], lang) if qu.id in s.answers else ""
                    for _, qu in questions
                ],
                "hidden": [qu.id for _, qu in questions if _hidden(s, qu.id)],
            }
            for s in subs
        ],
    }


def _hidden(sub: Submission, qid: str) -> bool:
    answer = sub.answers.get(qid)
    return answer is not None and answer.hidden


def _source_label(sub: Submission) -> str:
    """city, managing_authority, other, interview, or interview (managing_authority)."""
    if sub.kind == "interview" and sub.role and sub.role.value != "city":
        return f"interview ({sub.role.value})"
    return sub.source.value

"""The parts of a report, each built from the outcomes in the report's language.

Called by `build.build_report`, one function per part of `schema.Report`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from ..definition import (
    CHOICE_TYPES,
    TEXT_TYPES,
    Indicator,
    IndicatorKind,
    Question,
    Questionnaire,
    QuestionType,
    Role,
    text,
)
from ..intake.record import Answer, AnswerValue, MoneyValue, Submission
from ..issues import Issue, IssueCode, Severity
from ..outcomes.indicators import IndicatorResult, Outcomes, is_money
from ..outcomes.merge import PartnerRecord, Used
from ..vocabulary import SOURCE_ORDER, Kind, Source
from . import schema as s
from .amounts import CURRENCY_SYMBOLS, format_amount
from .i18n import Texts

if TYPE_CHECKING:
    from ..outcomes.lessons import Coding, Example
    from ..survey import SurveyFolder

_PARTNERS_IN_BRACKETS = re.compile(r"\s*\(\{partners\}\)")


# --- methodology -------------------------------------------------------------------


def methodology(
    q: Questionnaire, counted: list[Submission], expected: list[tuple[str, str]], t: Texts
) -> s.Methodology:
    by_role: dict[str, int] = dict.fromkeys(SOURCE_ORDER, 0)
    for sub in counted:
        by_role[source_value(sub)] += 1
    expected_partners = {p for p, r in expected if r == Role.CITY}
    returned = {
        sub.partner for sub in counted if sub.kind == Kind.QUESTIONNAIRE and sub.role == Role.CITY
    }
    n_expected = len(expected_partners)
    n_returned = len(returned & expected_partners) if expected else len(returned)
    rate = round(n_returned / n_expected, 3) if n_expected else None
    return s.Methodology(
        sections=[
            s.SectionInfo(
                id=sec.id,
                title=text(sec.title, t.lang),
                questions=[
                    s.QuestionInfo(
                        id=qu.id,
                        text=text(qu.text, t.lang),
                        type=qu.type.value,
                        type_label=t(f"type.{qu.type.value}"),
                        choices=[text(c.label, t.lang) for c in qu.choices],
                        codes=[c.code for c in qu.choices],
                    )
                    for qu in sec.questions
                ],
            )
            for sec in q.sections
        ],
        respondents_by_role=[
            s.RoleCount(role=role, label=t(f"roles.{role}"), count=n) for role, n in by_role.items()
        ],
        response_rate=s.ResponseRate(
            expected=n_expected, returned=n_returned, rate=rate, display=t.percent(rate)
        ),
        interviews=by_role[Source.INTERVIEW],
    )


def conversion(
    outcomes: Outcomes, survey: SurveyFolder | None, t: Texts, issues: list[Issue]
) -> s.Conversion:
    code = survey.config.currency if survey else "EUR"
    return s.Conversion(
        code=code,
        symbol=CURRENCY_SYMBOLS.get(code, code),
        rates=_rates_used(outcomes, survey, t),
        assumed=sum(i.code == IssueCode.CURRENCY_ASSUMED for i in issues),
    )


def _rates_used(outcomes: Outcomes, survey: SurveyFolder | None, t: Texts) -> list[s.ExchangeRate]:
    """Every rate an amount the outcomes use was converted with, and where it is set."""
    if survey is None:
        return []
    from ..survey import SURVEY_FILE  # imported already: `survey` is one

    config = survey.config
    money = [qid for qid, qu in outcomes.merger.questions.items() if qu.type is QuestionType.MONEY]
    used = set()
    for record in outcomes.records.values():
        for qid in money:
            chosen = outcomes.merger.choose(record, qid)
            if chosen is not None and isinstance(chosen.answer.value, MoneyValue):
                used.add(chosen.answer.value.currency)
    used.discard(config.currency)
    if not used:
        return []
    lines = survey.rate_line_numbers
    return [
        s.ExchangeRate(
            currency=cur,
            rate=float(rate),
            display=f"1 {cur} = {t.number(rate)} {config.currency}",  # exact, never rounded
            source=f"{SURVEY_FILE} line {lines[cur]}" if cur in lines else SURVEY_FILE,
        )
        for cur, rate in sorted(config.exchange_rates.items())
        if cur in used
    ]


# --- indicators and charts ---------------------------------------------------------


def section_of(q: Questionnaire, qid: str | None) -> str | None:
    for sec in q.sections:
        if any(qu.id == qid for qu in sec.questions):
            return sec.id
    return None


def _display(result: IndicatorResult, q: Questionnaire, t: Texts, currency: str) -> str:
    if is_money(result.indicator, q):
        return t.compact_money(Decimal(result.value), currency)
    return t.number(Decimal(result.value).normalize())


def _question_of(ind: Indicator) -> str | None:
    """The question an indicator reads, which places it in a section."""
    qid = ind.breakdown or (ind.where.question if ind.where else None)
    return qid or (ind.questions[0] if ind.questions else None)


def indicator(result: IndicatorResult, q: Questionnaire, t: Texts, currency: str) -> s.Indicator:
    ind = result.indicator
    display = _display(result, q, t, currency)
    names = ", ".join(result.partners)
    sentence = text(ind.sentence, t.lang)
    if not names:  # never "()": the sentence reads without the list
        sentence = _PARTNERS_IN_BRACKETS.sub("", sentence).replace("{partners}", "")
    filled = sentence.format(value=display, count=t.number(len(result.partners)), partners=names)
    left_out = [_left_out(u) for u in result.left_out]
    if left_out:
        phrase = _left_out_phrase(left_out, is_money(ind, q), t)
        filled = f"{filled.rstrip().removesuffix('.')}; {phrase}."
    if "{partners}" not in sentence and names:
        filled = f"{filled} {t('partners_line', names=names)}"
    breakdown = []
    if result.breakdown is not None and ind.breakdown:
        question = q.question(ind.breakdown)
        breakdown = [
            s.BreakdownItem(code=code, label=choice_label(question, code, t), count=n)
            for code, n in result.breakdown.items()
        ]
    money = is_money(ind, q)
    shown: dict[Decimal, str] = {}
    return s.Indicator(
        id=ind.id,
        label=text(ind.label, t.lang),
        kind=ind.kind.value,
        section=section_of(q, _question_of(ind)),
        value=result.value if isinstance(result.value, int) else float(result.value),
        unit=currency if money else ("" if ind.kind == IndicatorKind.SUM else "partners"),
        display=display,
        sentence=filled,
        partners=result.partners,
        breakdown=breakdown,
        sources=[_source(u, currency, shown) for u in result.sources],
        left_out=left_out,
    )


def _source(used: Used, currency: str, shown: dict[Decimal, str]) -> s.SourceCell:
    """One answer behind a figure: where it is, as typed, and (money) in the report currency.

    `shown` keeps each amount's `converted_display` (partners' amounts repeat)."""
    answer, sub = used.answer, used.submission
    source = s.SourceCell(
        partner=sub.partner or "",
        question=answer.question,
        file=sub.file,
        sheet=answer.sheet,
        cell=answer.cell,
        value=answer.raw,
        raw=answer.raw,
    )
    value = answer.value
    if isinstance(value, MoneyValue):
        amount = value.converted
        finite = amount.is_finite()  # a NaN is no key
        display = shown.get(amount) if finite else None
        if display is None:
            display = format_amount(amount, currency, exact=True)
            if finite:  # equal amounts are written alike: `exact` quantizes them
                shown[amount] = display
        source.money = True
        source.currency = value.currency
        source.converted = float(amount)
        source.converted_display = display
    return source


#: Why an answer was left out, as the indicator's sentence says it (keys of `Texts`).
_LEFT_OUT_REASONS: dict[str, str] = {
    IssueCode.UNKNOWN_CURRENCY: "left_out.no_rate",
    IssueCode.MISSING_CURRENCY: "left_out.no_currency",
    IssueCode.OUT_OF_RANGE: "left_out.out_of_range",
}


def _left_out(used: Used) -> s.LeftOut:
    answer, sub = used.answer, used.submission
    code = next(
        (
            i.code
            for i in sub.issues
            if i.sheet == answer.sheet and i.cell == answer.cell and i.severity == Severity.ERROR
        ),
        "",
    )
    return s.LeftOut(
        partner=sub.partner or "",
        question=answer.question,
        file=sub.file,
        sheet=answer.sheet,
        cell=answer.cell,
        raw=answer.raw,
        code=code,
        reason=_LEFT_OUT_REASONS.get(code, "left_out.unreadable"),
    )


def _left_out_phrase(left_out: list[s.LeftOut], money: bool, t: Texts) -> str:
    """ "1 amount could not be converted (Sibiu)"; one part per reason."""
    by_reason: dict[str, list[str]] = {}
    for item in left_out:
        by_reason.setdefault(item.reason, []).append(item.partner or item.file)
    parts = []
    for reason, partners in by_reason.items():
        noun = "left_out.amount" if money else "left_out.answer"
        many = "_many" if len(partners) > 1 else ""
        parts.append(
            t(f"{reason}{many}", n=t.number(len(partners)), what=t(f"{noun}{many}"),
              names=", ".join(partners))
        )  # fmt: skip
    return "; ".join(parts)


def charts(
    q: Questionnaire, outcomes: Outcomes, t: Texts, currency: str, source: str
) -> list[s.Chart]:
    """A figure per counted question (how partners answered) and per sum (by partner).

    Figures are numbered in the order the findings show them: by section, then indicator.
    """
    out: list[s.Chart] = []
    seen: set[str] = set()
    order = {sec.id: n for n, sec in enumerate(q.sections)}

    def position(result: IndicatorResult) -> int:
        return order.get(section_of(q, _question_of(result.indicator)) or "", len(order))

    for result in sorted(outcomes.indicators, key=position):
        ind = result.indicator
        qid = ind.breakdown or (ind.where.question if ind.where else None)
        if qid and qid not in seen:
            seen.add(qid)
            out.append(_choice_chart(q, result, qid, t, source, len(out) + 1))
        if result.per_partner:
            out.append(_sum_chart(q, result, t, currency, source, len(out) + 1))
    return out


def _chart(
    number: int,
    ind: str,
    section: str | None,
    title: str,
    unit: str,
    base: int,
    t: Texts,
    source: str,
    bars: list[s.Bar],
) -> s.Chart:
    return s.Chart(
        id=f"figure-{number}",
        number=number,
        indicator=ind,
        section=section,
        title=title,
        caption=t("figure", n=number, title=title),
        unit=unit,
        base=base,
        note=t("chart_note", unit=unit, base=t.number(base), source=source),
        bars=bars,
    )


def _choice_chart(
    q: Questionnaire,
    result: IndicatorResult,
    qid: str,
    t: Texts,
    source: str,
    number: int,
) -> s.Chart:
    ind = result.indicator
    question = q.question(qid)
    assert result.tally is not None  # every indicator counted by a question tallies it
    counts, base = result.tally.codes, result.tally.base
    bars = [
        s.Bar(
            label=choice_label(question, code, t),
            value=float(counts.get(code, 0)),
            display=t.number(counts.get(code, 0)),
        )
        for code in question.choice_codes()
        if code not in ind.exclude
    ]
    title = text(question.text, t.lang)
    unit = t("unit.partners")
    return _chart(number, ind.id, section_of(q, qid), title, unit, base, t, source, bars)


def _sum_chart(
    q: Questionnaire, result: IndicatorResult, t: Texts, currency: str, source: str, number: int
) -> s.Chart:
    ind = result.indicator
    money = is_money(ind, q)
    per_partner = result.per_partner or {}
    bars = [
        s.Bar(
            label=partner,
            value=float(amount),
            display=t.money(amount, currency) if money else t.number(amount.normalize()),
        )
        for partner, amount in sorted(per_partner.items(), key=lambda kv: -kv[1])
    ]
    title = t("chart_by_partner", label=text(ind.label, t.lang))
    unit = t("unit.amount", currency=currency) if money else t("unit.value")
    section = section_of(q, ind.questions[0] if ind.questions else None)
    return _chart(number, ind.id, section, title, unit, len(bars), t, source, bars)


def choice_label(question: Question, code: str, t: Texts) -> str:
    labels = t.memo.get(id(question))  # built once per question and report, not per answer
    if labels is None:
        first_wins = reversed(question.choices)
        labels = t.memo[id(question)] = {c.code: text(c.label, t.lang) for c in first_wins}
    label = labels.get(code)
    if label is not None:
        return label
    if code in ("yes", "no"):
        return t(code)
    return code.capitalize()


# --- findings: one chapter per section ---------------------------------------------


#: (language, kind, role) -> `source_label`: asked for every quote and partner's source
_SOURCE_LABELS: dict[tuple[str, Kind, Role | None], str] = {}
#: (kind, role) -> `Submission.source`'s value, which builds an enum member each time
_SOURCE_VALUES: dict[tuple[Kind, Role | None], str] = {}


def source_value(sub: Submission) -> str:
    """`sub.source.value`, worked out once per kind and role."""
    key = (sub.kind, sub.role)
    value = _SOURCE_VALUES.get(key)
    if value is None:
        value = _SOURCE_VALUES[key] = sub.source.value
    return value


def source_label(sub: Submission, t: Texts) -> str:
    """city questionnaire, interview, interview with the managing authority, …"""
    key = (t.lang, sub.kind, sub.role)
    label = _SOURCE_LABELS.get(key)
    if label is None:
        if sub.kind == Kind.INTERVIEW and sub.role and sub.role != Role.CITY:
            label = t("source.interview_ma")
        else:
            label = t(f"source.{source_value(sub)}")
        _SOURCE_LABELS[key] = label
    return label


def _ordered(counted: list[Submission]) -> list[Submission]:
    if len(counted) == 1:  # most partners: one source, nothing to sort
        return counted if counted[0].partner else []
    return sorted(
        (sub for sub in counted if sub.partner),
        key=lambda sub: (
            (sub.partner or "").casefold(),
            SOURCE_ORDER[source_value(sub)],
            sub.file,
        ),
    )


def quote(sub: Submission, question: Question, answer: Answer, t: Texts) -> s.Quote:
    return s.Quote(
        partner=sub.partner or "",
        source=source_value(sub),
        source_label=source_label(sub, t),
        question=question.id,
        question_text=text(question.text, t.lang),
        text=answer.raw,
        note=answer.note,
    )


def findings(
    q: Questionnaire,
    counted: list[Submission],
    indicators: list[s.Indicator],
    all_charts: list[s.Chart],
    t: Texts,
) -> list[s.Finding]:
    subs = _ordered(counted)
    out = []
    for sec in q.sections:
        said = []
        for question in sec.questions:
            if question.type not in TEXT_TYPES:
                continue
            qid, asked = question.id, text(question.text, t.lang)
            quotes = [
                quote(sub, question, a, t)
                for sub in subs
                if (a := sub.answers.get(qid)) is not None and (a.raw or a.note)
            ]
            if quotes:
                said.append(s.QuestionQuotes(question=qid, text=asked, quotes=quotes))
        out.append(
            s.Finding(
                section=sec.id,
                title=text(sec.title, t.lang),
                indicators=[i.id for i in indicators if i.section == sec.id],
                charts=[c.number for c in all_charts if c.section == sec.id],
                said=said,
            )
        )
    return out


# --- lessons -----------------------------------------------------------------------


def _excerpt(
    example: Example, records: dict[str, PartnerRecord], q: Questionnaire, t: Texts
) -> s.Quote | None:
    record = records.get(example.partner)
    if record is None or example.question is None:
        return None
    question = q.question(example.question) if example.question in _ids(q) else None
    for sub in record.submissions:
        if question and sub.source is example.source and question.id in sub.answers:
            found = quote(sub, question, sub.answers[question.id], t)
            found.note = example.note or found.note
            return found
    return None


def _ids(q: Questionnaire) -> set[str]:
    return {qu.id for qu in q.questions()}


def lessons(
    coding: Coding | None, outcomes: Outcomes, q: Questionnaire, t: Texts
) -> list[s.LessonGroup]:
    if coding is None:
        return []
    groups = []
    for g in coding.groups:
        themes = []
        for theme in coding.themes:
            if theme.group != g.id:
                continue
            excerpts = [_excerpt(e, outcomes.records, q, t) for e in theme.examples]
            themes.append(
                s.LessonTheme(
                    id=theme.id,
                    title=text(theme.title, t.lang),
                    description=text(theme.description, t.lang),
                    partners=theme.partners(),
                    excerpts=[e for e in excerpts if e is not None],
                )
            )
        groups.append(
            s.LessonGroup(id=g.id, title=text(g.title, t.lang), chapter=g.chapter, themes=themes)
        )
    return groups


# --- answers per partner -----------------------------------------------------------


#: The types of answer values their JSON keeps as they are (`json_value`).
_AS_IS = frozenset({str, bool, int, list, type(None)})


def json_value(value: AnswerValue) -> s.JsonValue:
    if type(value) in _AS_IS:  # most answers: no conversion to look for
        return value  # type: ignore[return-value]  # str, bool, int, list[str] or None
    if isinstance(value, MoneyValue):
        return float(value.converted)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def cell_display(
    question: Question,
    answer: Answer,
    t: Texts,
    shown_before: dict[tuple[str, tuple[str, ...]], str] | None = None,
) -> str:
    """An answer as a reader sees it: labels for choices, Yes/No, the partner's text otherwise.

    With `shown_before`, the choices' labels of each question and set of codes are joined
    once and the text shared (10,000 partners' appendix rows hold one copy, not 10,000).
    """
    shown = answer.raw
    if answer.valid and question.type in CHOICE_TYPES:
        codes = answer.codes()
        key = (question.id, tuple(codes))
        known = shown_before.get(key) if shown_before is not None else None
        if known is None:
            known = "; ".join(choice_label(question, c, t) for c in codes)
            if shown_before is not None:
                shown_before[key] = known
        shown = known
    elif answer.valid and isinstance(answer.value, bool):
        shown = t("yes") if answer.value else t("no")
    if answer.hidden:
        shown = f"{shown} [{t('hidden')}]"
    if answer.note:
        note = f"[{t('note')}: {answer.note}]"
        shown = f"{shown} {note}" if shown else note
    return shown


def partners(q: Questionnaire, outcomes: Outcomes, t: Texts) -> list[s.PartnerAnswers]:
    questions = q.questions()
    ids = [qu.id for qu in questions]
    # per question, in order, once (not once per partner): what `_shown_answers` needs of it
    plan = [(qu, qu.id, text(qu.text, t.lang), qu.type in _SHARED_TYPES) for qu in questions]
    seen = _Seen()
    out = []
    for name in sorted(outcomes.records, key=str.casefold):
        record = outcomes.records[name]
        chosen = outcomes.merger.chosen_answers(record)
        answers: dict[str, s.JsonValue] = {}
        typed: dict[str, str] = {}
        for qid in ids:
            answer = chosen.get(qid)
            if answer is not None:
                answers[qid] = json_value(answer.value)
                typed[qid] = answer.raw
        sources = [
            s.SourceAnswers(
                source=source_value(sub),
                label=source_label(sub, t),
                file=sub.file,
                answers=_shown_answers(sub, plan, t, seen),
            )
            for sub in _ordered(record.submissions)
        ]
        out.append(s.PartnerAnswers(partner=name, answers=answers, typed=typed, sources=sources))
    return out


@dataclass(slots=True)
class _Seen:
    """What the partners' appendix has shown already, to share rather than repeat."""

    #: (question, choice codes) -> their labels joined (`cell_display`)
    labels: dict[tuple[str, tuple[str, ...]], str] = field(default_factory=dict)
    #: (question, shown) -> the one (frozen) `AnswerShown` of a choice or yes/no answer
    answers: dict[tuple[str, str], s.AnswerShown] = field(default_factory=dict)
    #: (question, value) -> the same, for a valid answer without note or hiding, whose
    #: value alone makes what is shown (`_plain_shared`): one look-up per answer
    by_value: dict[tuple[str, object], s.AnswerShown] = field(default_factory=dict)


#: Questions whose answers repeat from partner to partner, shown by one `AnswerShown`.
_SHARED_TYPES = CHOICE_TYPES | {QuestionType.YES_NO}


def _shown_answers(
    sub: Submission, plan: list[tuple[Question, str, str, bool]], t: Texts, seen: _Seen
) -> list[s.AnswerShown]:
    """A source's answers as the appendix shows them, in the definition's order; `plan`
    holds each question, its id, its text and whether its answers are shared."""
    out = []
    given = sub.answers
    by_value = seen.by_value
    for qu, qid, label, shared in plan:
        answer = given.get(qid)
        if answer is None:
            continue
        value = answer.value
        plain = answer.valid and not answer.hidden and not answer.note
        if not shared:
            if plain and type(value) is not bool:
                shown = answer.raw  # what `cell_display` shows of it, without the call
            else:
                shown = cell_display(qu, answer, t, seen.labels)
            out.append(s.AnswerShown(question=qid, text=label, shown=shown))
            continue
        key = _value_key(qu, value) if plain else None
        if key is None:
            out.append(_shared(qu, qid, label, answer, t, seen))
            continue
        item = by_value.get((qid, key))
        if item is None:
            item = by_value[qid, key] = _shared(qu, qid, label, answer, t, seen)
        out.append(item)
    return out


def _value_key(question: Question, value: AnswerValue) -> object:
    """What alone makes `cell_display` of a shared question's valid answer without note or
    hiding: the choice codes or the yes/no, as a hashable value; None if the value is not
    one of those (that answer is shown the long way)."""
    if question.type is QuestionType.YES_NO:
        return value if type(value) is bool else None  # shown as Yes or No
    if type(value) is str:
        return value  # its label
    return tuple(value) if isinstance(value, list) else None  # their labels joined


def _shared(
    qu: Question, qid: str, label: str, answer: Answer, t: Texts, seen: _Seen
) -> s.AnswerShown:
    """The one `AnswerShown` of a choice or yes/no question's answer as shown."""
    shown = cell_display(qu, answer, t, seen.labels)
    key = (qid, shown)
    item = seen.answers.get(key)
    if item is None:
        item = seen.answers[key] = s.AnswerShown(question=qid, text=label, shown=shown)
    return item


def conflicts(q: Questionnaire, outcomes: Outcomes, t: Texts) -> list[s.Conflict]:
    return [
        s.Conflict(
            partner=c.partner,
            question=c.question,
            question_text=text(q.question(c.question).text, t.lang),
            used=s.SourceValue(source=source_label(c.used.submission, t), value=c.used.answer.raw),
            others=[
                s.SourceValue(source=source_label(o.submission, t), value=o.answer.raw)
                for o in c.others
            ],
        )
        for c in outcomes.conflicts
    ]

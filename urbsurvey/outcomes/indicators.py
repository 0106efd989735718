"""Headline outcomes: the indicators a definition declares, computed over partner records.

A count is the number of partners whose merged answer meets `where`; a sum adds
each partner's numeric or money answers (money in the report currency); a
breakdown splits the counted partners by the options of a question. Each result
keeps the answers it used, so every figure points back to its cells.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from ..definition import Indicator, IndicatorKind, Questionnaire, QuestionType
from ..intake.answers import Answer, MoneyValue, condition_holds
from ..intake.submission import Submission
from ..issues import Issue, IssueCode, make_issue
from .merge import Conflict, Merger, PartnerRecord, Used, build_records, find_conflicts


@dataclass(slots=True)
class IndicatorResult:
    indicator: Indicator
    value: int | Decimal
    partners: list[str]
    sources: list[Used]
    breakdown: dict[str, int] | None = None
    per_partner: dict[str, Decimal] | None = None  # sums: each partner's share
    left_out: list[Used] = field(default_factory=list)  # invalid answers that would count


@dataclass(slots=True)
class Outcomes:
    records: dict[str, PartnerRecord]
    indicators: list[IndicatorResult]
    conflicts: list[Conflict]
    issues: list[Issue]
    merger: Merger


def compute_outcomes(q: Questionnaire, submissions: list[Submission]) -> Outcomes:
    """Merge each partner's submissions and compute every declared indicator."""
    records = build_records(submissions)
    merger = Merger(q)
    conflicts = find_conflicts(records, merger)
    issues = [
        make_issue(
            IssueCode.ANSWER_CONFLICT,
            c.used.submission.file,
            f"{c.partner}, {c.question}: {c.used.submission.source.value} answered "
            f"{c.used.answer.raw!r} (used); "
            + "; ".join(
                f"{o.submission.source.value} ({o.submission.file}, {o.answer.cell}) "
                f"answered {o.answer.raw!r}"
                for o in c.others
            )
            + ".",
            sheet=c.used.answer.sheet,
            cell=c.used.answer.cell,
        )
        for c in conflicts
    ]
    results = [compute_indicator(ind, records, merger) for ind in q.indicators]
    return Outcomes(records, results, conflicts, issues, merger)


def numeric(answer: Answer) -> Decimal | None:
    value = answer.value
    if isinstance(value, MoneyValue):
        return value.converted
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        return Decimal(value)
    return None


def compute_indicator(
    ind: Indicator, records: dict[str, PartnerRecord], merger: Merger
) -> IndicatorResult:
    ordered = sorted(records.values(), key=lambda r: r.partner.casefold())
    result = _compute(ind, ordered, merger)
    roles = frozenset(ind.roles)
    questions = ind.questions if ind.kind is IndicatorKind.SUM else []
    if ind.where is not None:
        questions = [ind.where.question]
    result.left_out = [
        used
        for record in ordered
        for qid in questions
        if (used := merger.left_out(record, qid, roles)) is not None
    ]
    return result


def _compute(ind: Indicator, ordered: list[PartnerRecord], merger: Merger) -> IndicatorResult:
    if ind.kind is IndicatorKind.SUM:
        return _sum(ind, ordered, merger)
    return _count(ind, ordered, merger)


def _sum(ind: Indicator, ordered: list[PartnerRecord], merger: Merger) -> IndicatorResult:
    roles = frozenset(ind.roles)
    per_partner: dict[str, Decimal] = {}
    sources: list[Used] = []
    for record in ordered:
        total = Decimal(0)
        for qid in ind.questions:
            used = merger.choose(record, qid, roles)
            amount = numeric(used.answer) if used else None
            if used is not None and amount is not None:
                total += amount
                sources.append(used)
        if total:
            per_partner[record.partner] = total
    value = sum(per_partner.values(), Decimal(0))
    return IndicatorResult(ind, value, list(per_partner), sources, per_partner=per_partner)


def _count(ind: Indicator, ordered: list[PartnerRecord], merger: Merger) -> IndicatorResult:
    partners: list[str] = []
    sources: list[Used] = []
    counter: Counter[str] = Counter()
    for record in ordered:
        used = _counted(ind, record, merger)
        if used is None:
            continue
        sources.extend(used)
        if ind.breakdown is not None:
            split = next((u for u in used if u.answer.question == ind.breakdown), None)
            if split is not None:
                counter.update(c for c in split.answer.codes() if c not in ind.exclude)
        partners.append(record.partner)
    breakdown = None
    if ind.breakdown is not None:
        codes = merger.questions[ind.breakdown].choice_codes()
        breakdown = {c: counter[c] for c in codes if c not in ind.exclude}
    return IndicatorResult(ind, len(partners), partners, sources, breakdown)


def _counted(ind: Indicator, record: PartnerRecord, merger: Merger) -> list[Used] | None:
    """The answers that make a partner count for `ind`; None if it does not count."""
    roles = frozenset(ind.roles)
    used: list[Used] = []
    where = None
    if ind.where is not None:
        where = merger.choose(record, ind.where.question, roles)
        if where is None or not condition_holds(ind.where, where.answer.codes()):
            return None
        used.append(where)
    if ind.breakdown is not None:
        split = merger.choose(record, ind.breakdown, roles)
        if split is None and ind.kind is IndicatorKind.BREAKDOWN:
            return None
        if split is not None and (where is None or split.answer is not where.answer):
            used.append(split)
    return used


def is_money(ind: Indicator, q: Questionnaire) -> bool:
    return ind.kind is IndicatorKind.SUM and any(
        q.question(qid).type is QuestionType.MONEY for qid in ind.questions
    )

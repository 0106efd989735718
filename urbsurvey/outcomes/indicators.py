"""Headline outcomes: the indicators a definition declares, computed over partner records.

A count is the number of partners whose merged answer meets `where`; a sum adds
each partner's numeric or money answers (money in the report currency); a
breakdown splits the counted partners by the options of a question. Each result
keeps the answers it used, so every figure points back to its cells.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from ..definition import Indicator, IndicatorKind, Questionnaire, QuestionType, Role
from ..intake.answers import condition_holds
from ..intake.record import Answer, MoneyValue, Submission
from ..issues import Issue, IssueCode, make_issue
from .merge import Conflict, Merger, PartnerRecord, Used, build_records, find_conflicts


@dataclass(slots=True)
class Tally:
    """How partners answered a question: partners per choice code, and partners answering."""

    codes: Counter[str]
    base: int


@dataclass(slots=True)
class IndicatorResult:
    indicator: Indicator
    value: int | Decimal
    partners: list[str]
    sources: list[Used]
    breakdown: dict[str, int] | None = None
    per_partner: dict[str, Decimal] | None = None  # sums: each partner's share
    left_out: list[Used] = field(default_factory=list)  # invalid answers that would count
    #: the question it counts by (`breakdown`, else `where`) over its roles: its chart
    tally: Tally | None = None


#: The answer that counts for a partner and question, under one indicator's roles.
Choose = Callable[[PartnerRecord, str], Used | None]


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
    ordered = sorted(records.values(), key=lambda r: r.partner.casefold())
    results = [compute_indicator(ind, ordered, merger) for ind in q.indicators]
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
    ind: Indicator, ordered: list[PartnerRecord], merger: Merger
) -> IndicatorResult:
    """`ind` over the partners' records, `ordered` by name (casefolded): the order its
    partners, cells and figures are listed in."""
    roles = frozenset(ind.roles)
    choose = _chooser(merger, roles)
    result = _compute(ind, ordered, merger, choose)
    questions = ind.questions if ind.kind is IndicatorKind.SUM else []
    if ind.where is not None:
        questions = [ind.where.question]
    result.left_out = [
        used
        for record in ordered
        for qid in questions
        if choose(record, qid) is None
        and (used := merger.first_rejected(record, qid, roles)) is not None
    ]
    counted_by = ind.breakdown or (ind.where.question if ind.where else None)
    if counted_by:
        result.tally = _tally(ordered, counted_by, choose)
    return result


def _chooser(merger: Merger, roles: frozenset[Role]) -> Choose:
    """`merger.choose` under `roles`, each partner and question worked out once (an
    indicator asks again for what it left out and for its chart); kept only while the
    indicator is computed."""
    chosen: dict[tuple[str, str], Used | None] = {}

    def choose(record: PartnerRecord, qid: str) -> Used | None:
        key = (record.partner, qid)
        if key not in chosen:
            chosen[key] = merger.choose(record, qid, roles)
        return chosen[key]

    return choose


def _tally(ordered: list[PartnerRecord], qid: str, choose: Choose) -> Tally:
    codes: Counter[str] = Counter()
    base = 0
    for record in ordered:
        used = choose(record, qid)
        if used is not None:
            base += 1
            codes.update(used.answer.codes())
    return Tally(codes, base)


def _compute(
    ind: Indicator, ordered: list[PartnerRecord], merger: Merger, choose: Choose
) -> IndicatorResult:
    if ind.kind is IndicatorKind.SUM:
        return _sum(ind, ordered, choose)
    return _count(ind, ordered, merger, choose)


def _sum(ind: Indicator, ordered: list[PartnerRecord], choose: Choose) -> IndicatorResult:
    per_partner: dict[str, Decimal] = {}
    sources: list[Used] = []
    for record in ordered:
        total = Decimal(0)
        for qid in ind.questions:
            used = choose(record, qid)
            amount = numeric(used.answer) if used else None
            if used is not None and amount is not None:
                total += amount
                sources.append(used)
        if total:
            per_partner[record.partner] = total
    value = sum(per_partner.values(), Decimal(0))
    return IndicatorResult(ind, value, list(per_partner), sources, per_partner=per_partner)


def _count(
    ind: Indicator, ordered: list[PartnerRecord], merger: Merger, choose: Choose
) -> IndicatorResult:
    partners: list[str] = []
    sources: list[Used] = []
    counter: Counter[str] = Counter()
    for record in ordered:
        used = _counted(ind, record, choose)
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


def _counted(ind: Indicator, record: PartnerRecord, choose: Choose) -> list[Used] | None:
    """The answers that make a partner count for `ind`; None if it does not count."""
    used: list[Used] = []
    where = None
    if ind.where is not None:
        where = choose(record, ind.where.question)
        if where is None or not condition_holds(ind.where, where.answer.codes()):
            return None
        used.append(where)
    if ind.breakdown is not None:
        split = choose(record, ind.breakdown)
        if split is None and ind.kind is IndicatorKind.BREAKDOWN:
            return None
        if split is not None and (where is None or split.answer is not where.answer):
            used.append(split)
    return used


def is_money(ind: Indicator, q: Questionnaire) -> bool:
    return ind.kind is IndicatorKind.SUM and any(
        q.question(qid).type is QuestionType.MONEY for qid in ind.questions
    )

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
from ..intake.record import Answer, MoneyValue, Submission, condition_holds
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


#: (question, roles) -> the answer that counts, per partner (`compute_indicator`'s order)
Columns = dict[tuple[str, frozenset[Role]], list[Used | None]]
#: The answers that count, per partner, for a question under one indicator's roles.
Column = Callable[[str], list[Used | None]]


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
    columns: Columns = {}  # shared: indicators often read the same questions
    results = [compute_indicator(ind, ordered, merger, columns) for ind in q.indicators]
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
    ind: Indicator, ordered: list[PartnerRecord], merger: Merger, columns: Columns
) -> IndicatorResult:
    """`ind` over the partners' records, `ordered` by name (casefolded): the order its
    partners, cells and figures are listed in. `columns` keeps the answers chosen per
    question and roles, for the indicators that read the same (`compute_outcomes`)."""
    roles = frozenset(ind.roles)

    def column(qid: str) -> list[Used | None]:
        """The answer that counts, per partner in `ordered`, for `qid` under `roles`."""
        found = columns.get((qid, roles))
        if found is None:
            found = columns[qid, roles] = merger.column(ordered, qid, roles)
        return found

    result = _compute(ind, ordered, merger, column)
    questions = ind.questions if ind.kind is IndicatorKind.SUM else []
    if ind.where is not None:
        questions = [ind.where.question]
    asked = [column(qid) for qid in questions]
    result.left_out = [
        used
        for n, record in enumerate(ordered)
        for qid, chosen in zip(questions, asked, strict=True)
        if chosen[n] is None and (used := merger.first_rejected(record, qid, roles)) is not None
    ]
    counted_by = ind.breakdown or (ind.where.question if ind.where else None)
    if counted_by:
        result.tally = _tally(column(counted_by))
    return result


def _tally(chosen: list[Used | None]) -> Tally:
    codes: Counter[str] = Counter()
    base = 0
    for used in chosen:
        if used is not None:
            base += 1
            for code in used.answer.codes():  # not `update`: its type check costs more
                codes[code] += 1
    return Tally(codes, base)


def _compute(
    ind: Indicator, ordered: list[PartnerRecord], merger: Merger, column: Column
) -> IndicatorResult:
    if ind.kind is IndicatorKind.SUM:
        return _sum(ind, ordered, column)
    return _count(ind, ordered, merger, column)


def _sum(ind: Indicator, ordered: list[PartnerRecord], column: Column) -> IndicatorResult:
    per_partner: dict[str, Decimal] = {}
    sources: list[Used] = []
    columns = [column(qid) for qid in ind.questions]
    for n, record in enumerate(ordered):
        total = Decimal(0)
        for chosen in columns:
            used = chosen[n]
            amount = numeric(used.answer) if used else None
            if used is not None and amount is not None:
                total += amount
                sources.append(used)
        if total:
            per_partner[record.partner] = total
    value = sum(per_partner.values(), Decimal(0))
    return IndicatorResult(ind, value, list(per_partner), sources, per_partner=per_partner)


def _count(
    ind: Indicator, ordered: list[PartnerRecord], merger: Merger, column: Column
) -> IndicatorResult:
    partners: list[str] = []
    sources: list[Used] = []
    counter: Counter[str] = Counter()
    nothing: list[Used | None] = [None] * len(ordered)
    wheres = column(ind.where.question) if ind.where is not None else nothing
    splits = column(ind.breakdown) if ind.breakdown is not None else nothing
    for record, where, split in zip(ordered, wheres, splits, strict=True):
        used = _counted(ind, where, split)
        if used is None:
            continue
        sources.extend(used)
        if split is not None:
            for code in split.answer.codes():
                if code not in ind.exclude:
                    counter[code] += 1
        partners.append(record.partner)
    breakdown = None
    if ind.breakdown is not None:
        codes = merger.questions[ind.breakdown].choice_codes()
        breakdown = {c: counter[c] for c in codes if c not in ind.exclude}
    return IndicatorResult(ind, len(partners), partners, sources, breakdown)


def _counted(ind: Indicator, where: Used | None, split: Used | None) -> list[Used] | None:
    """The answers that make a partner count for `ind` (its answer to `where`'s question
    and to the breakdown's, as chosen); None if it does not count."""
    used: list[Used] = []
    if ind.where is not None:
        if where is None or not condition_holds(ind.where, where.answer.codes()):
            return None
        used.append(where)
    if ind.breakdown is not None:
        if split is None and ind.kind is IndicatorKind.BREAKDOWN:
            return None
        if split is not None and (where is None or split.answer is not where.answer):
            used.append(split)
    return used


def is_money(ind: Indicator, q: Questionnaire) -> bool:
    return ind.kind is IndicatorKind.SUM and any(
        q.question(qid).type is QuestionType.MONEY for qid in ind.questions
    )

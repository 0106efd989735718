"""Headline outcomes: one record per partner, and the indicators the definition declares.

A partner's record merges its submissions: the city's questionnaire, the
thematic expert's interview record and the managing authority's questionnaire.
When they disagree, the answer used follows the section's `precedence` (by
default city, then interview, then managing authority, then other) and the
disagreement is reported as a conflict. Only answers that can be compared
(choices, yes/no, numbers, money, dates) conflict; free texts from several
sources complement each other and are all shown in the matrix. Only valid answers count; an invalid
one is left out (and was reported when the file was read).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from .answers import Answer, MoneyValue, condition_holds, encode_value
from .definition import (
    TEXT_TYPES,
    Indicator,
    IndicatorKind,
    Question,
    Questionnaire,
    QuestionType,
    Role,
    Source,
)
from .issues import Issue, make_issue
from .submission import Submission

DEFAULT_PRECEDENCE = (Source.CITY, Source.INTERVIEW, Source.MANAGING_AUTHORITY, Source.OTHER)


@dataclass(frozen=True, slots=True, eq=False)
class Used:
    """An answer that went into the outcomes, with the submission it came from."""

    answer: Answer
    submission: Submission


@dataclass(slots=True)
class PartnerRecord:
    partner: str
    submissions: list[Submission] = field(default_factory=list)

    def candidates(self, qid: str, roles: frozenset[Role] | None = None) -> list[Used]:
        """Valid answers to `qid` from this partner's submissions (of `roles`, if given)."""
        return [
            Used(sub.answers[qid], sub)
            for sub in self.submissions
            if qid in sub.answers
            and sub.answers[qid].valid
            and sub.answers[qid].value is not None
            and (roles is None or sub.role in roles)
        ]


@dataclass(slots=True)
class Conflict:
    partner: str
    question: str
    used: Used
    others: list[Used]


@dataclass(slots=True)
class IndicatorResult:
    indicator: Indicator
    value: int | Decimal
    partners: list[str]
    sources: list[Used]
    breakdown: dict[str, int] | None = None
    per_partner: dict[str, Decimal] | None = None  # sums: each partner's share


@dataclass(slots=True)
class Outcomes:
    records: dict[str, PartnerRecord]
    indicators: list[IndicatorResult]
    conflicts: list[Conflict]
    issues: list[Issue]
    merger: Merger


class Merger:
    """Chooses, for a partner and question, the answer that counts."""

    def __init__(self, q: Questionnaire) -> None:
        self.precedence: dict[str, tuple[Source, ...]] = {}
        self.questions: dict[str, Question] = {}
        for section in q.sections:
            order = tuple(section.precedence or DEFAULT_PRECEDENCE)
            order += tuple(s for s in DEFAULT_PRECEDENCE if s not in order)
            for question in section.questions:
                self.precedence[question.id] = order
                self.questions[question.id] = question

    def ordered(self, qid: str, candidates: list[Used]) -> list[Used]:
        order = self.precedence[qid]
        return sorted(candidates, key=lambda u: order.index(u.submission.source))

    def choose(
        self, record: PartnerRecord, qid: str, roles: frozenset[Role] | None = None
    ) -> Used | None:
        ordered = self.ordered(qid, record.candidates(qid, roles))
        return ordered[0] if ordered else None


def build_records(submissions: list[Submission]) -> dict[str, PartnerRecord]:
    records: dict[str, PartnerRecord] = {}
    for sub in submissions:
        if sub.readable and sub.partner:
            records.setdefault(sub.partner, PartnerRecord(sub.partner)).submissions.append(sub)
    return records


def compute_outcomes(q: Questionnaire, submissions: list[Submission]) -> Outcomes:
    """Merge each partner's submissions and compute every declared indicator."""
    records = build_records(submissions)
    merger = Merger(q)
    conflicts = find_conflicts(records, merger)
    issues = [
        make_issue(
            "answer-conflict",
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


def find_conflicts(records: dict[str, PartnerRecord], merger: Merger) -> list[Conflict]:
    conflicts = []
    comparable = [qid for qid, qu in merger.questions.items() if qu.type not in TEXT_TYPES]
    for record in records.values():
        for qid in comparable:
            ordered = merger.ordered(qid, record.candidates(qid))
            if len(ordered) < 2:
                continue
            used, rest = ordered[0], ordered[1:]
            key = _comparable(used.answer)
            others = [u for u in rest if _comparable(u.answer) != key]
            if others:
                conflicts.append(Conflict(record.partner, qid, used, others))
    return conflicts


def _comparable(answer: Answer) -> object:
    value = answer.value
    if isinstance(value, MoneyValue):
        return value.converted
    if isinstance(value, list):
        return sorted(value)
    if isinstance(value, str):
        return " ".join(value.split()).casefold()
    return encode_value(value)


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
    roles = frozenset(ind.roles)
    ordered = sorted(records.values(), key=lambda r: r.partner.casefold())
    if ind.kind is IndicatorKind.SUM:
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
    partners: list[str] = []
    sources = []
    counter: Counter[str] = Counter()
    for record in ordered:
        where = None
        if ind.where is not None:
            where = merger.choose(record, ind.where.question, roles)
            if where is None or not condition_holds(ind.where, where.answer.codes()):
                continue
            sources.append(where)
        if ind.breakdown is not None:
            split = merger.choose(record, ind.breakdown, roles)
            if split is None:
                if ind.kind is IndicatorKind.BREAKDOWN:
                    continue
            else:
                counter.update(c for c in split.answer.codes() if c not in ind.exclude)
                if where is None or split.answer is not where.answer:
                    sources.append(split)
        partners.append(record.partner)
    breakdown = None
    if ind.breakdown is not None:
        codes = merger.questions[ind.breakdown].choice_codes()
        breakdown = {c: counter[c] for c in codes if c not in ind.exclude}
    return IndicatorResult(ind, len(partners), partners, sources, breakdown)


def is_money(ind: Indicator, q: Questionnaire) -> bool:
    return ind.kind is IndicatorKind.SUM and any(
        q.question(qid).type is QuestionType.MONEY for qid in ind.questions
    )

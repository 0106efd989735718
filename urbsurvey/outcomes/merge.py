"""Merging a partner's sources into one record per partner.

A partner's record merges its submissions: the city's questionnaire, the
thematic expert's interview record and the managing authority's questionnaire.
When they disagree, the answer used follows the section's `precedence` (by
default city, then interview, then managing authority, then other) and the
disagreement is reported as a conflict. Only answers that can be compared
(choices, yes/no, numbers, money, dates) conflict; free texts from several
sources complement each other and are all shown in the matrix. Only valid answers count; an invalid
one is left out (and was reported when the file was read), and so is an answer the skip logic
hides (`skipped-answered`): it is kept and shown in the matrix, never counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..definition import (
    TEXT_TYPES,
    Question,
    Questionnaire,
    Role,
    Source,
)
from ..intake.record import Answer, MoneyValue, Submission, encode_value

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
        found = []
        for sub in self.submissions:  # the report's hot loop: one dict lookup per submission
            answer = sub.answers.get(qid)
            if answer is not None and _counts(answer) and (roles is None or sub.role in roles):
                found.append(Used(answer, sub))
        return found

    def rejected(self, qid: str, roles: frozenset[Role] | None = None) -> list[Used]:
        """Answers to `qid` that were given but are invalid (so left out of the outcomes).

        Answers the skip logic hides are not among them: they were not asked.
        """
        return [
            Used(sub.answers[qid], sub)
            for sub in self.submissions
            if qid in sub.answers
            and not sub.answers[qid].valid
            and not sub.answers[qid].hidden
            and sub.answers[qid].raw.strip()
            and (roles is None or sub.role in roles)
        ]


@dataclass(slots=True)
class Conflict:
    partner: str
    question: str
    used: Used
    others: list[Used]


class Merger:
    """Chooses, for a partner and question, the answer that counts."""

    def __init__(self, q: Questionnaire) -> None:
        self.precedence: dict[str, tuple[Source, ...]] = {}
        self.questions: dict[str, Question] = {}
        self._rank: dict[str, dict[Source, int]] = {}  # question -> source -> place in its order
        for section in q.sections:
            order = tuple(section.precedence or DEFAULT_PRECEDENCE)
            order += tuple(s for s in DEFAULT_PRECEDENCE if s not in order)
            rank = {source: place for place, source in enumerate(order)}
            for question in section.questions:
                self.precedence[question.id] = order
                self.questions[question.id] = question
                self._rank[question.id] = rank

    def ordered(self, qid: str, candidates: list[Used]) -> list[Used]:
        if len(candidates) < 2:  # most partners: one source, nothing to sort
            return candidates
        rank = self._rank[qid]
        return sorted(candidates, key=lambda u: rank[u.submission.source])

    def choose(
        self, record: PartnerRecord, qid: str, roles: frozenset[Role] | None = None
    ) -> Used | None:
        if len(record.submissions) == 1:  # most partners: one source, `candidates` inlined
            sub = record.submissions[0]
            answer = sub.answers.get(qid)
            if (
                answer is None
                or not _counts(answer)
                or (roles is not None and sub.role not in roles)
            ):
                return None
            return Used(answer, sub)
        ordered = self.ordered(qid, record.candidates(qid, roles))
        return ordered[0] if ordered else None

    def column(
        self, records: list[PartnerRecord], qid: str, roles: frozenset[Role] | None = None
    ) -> list[Used | None]:
        """`choose(record, qid, roles)` of each record in turn (an indicator's column)."""
        return [self.choose(record, qid, roles) for record in records]

    def chosen_answers(self, record: PartnerRecord) -> dict[str, Answer]:
        """The answer of `choose(record, qid)` for every question the partner answered, in
        one pass."""
        if len(record.submissions) == 1:  # most partners: one source, nothing to rank
            return {
                qid: answer
                for qid, answer in record.submissions[0].answers.items()
                if _counts(answer) and qid in self._rank
            }
        chosen: dict[str, tuple[int, Answer]] = {}
        for sub in record.submissions:
            source = sub.source
            for qid, answer in sub.answers.items():
                rank = self._rank.get(qid)
                if rank is None or not _counts(answer):
                    continue
                first = chosen.get(qid)  # the earliest of equal rank wins, as in `ordered`
                if first is None or rank[source] < first[0]:
                    chosen[qid] = (rank[source], answer)
        return {qid: answer for qid, (_, answer) in chosen.items()}

    def first_rejected(
        self, record: PartnerRecord, qid: str, roles: frozenset[Role] | None = None
    ) -> Used | None:
        """The invalid answer that would count first: the one an indicator leaves out when
        `choose` finds no valid one."""
        ordered = self.ordered(qid, record.rejected(qid, roles))
        return ordered[0] if ordered else None


def _counts(answer: Answer) -> bool:
    """Whether an answer can be the one used: valid, shown, with a value."""
    return answer.valid and not answer.hidden and answer.value is not None


def build_records(submissions: list[Submission]) -> dict[str, PartnerRecord]:
    records: dict[str, PartnerRecord] = {}
    for sub in submissions:
        if sub.readable and sub.partner:
            records.setdefault(sub.partner, PartnerRecord(sub.partner)).submissions.append(sub)
    return records


def find_conflicts(records: dict[str, PartnerRecord], merger: Merger) -> list[Conflict]:
    conflicts = []
    comparable = [qid for qid, qu in merger.questions.items() if qu.type not in TEXT_TYPES]
    for record in records.values():
        if len(record.submissions) < 2:  # one source: nothing to disagree with
            continue
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

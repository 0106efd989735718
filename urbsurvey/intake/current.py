"""Which submission counts when a partner sent several: one rule for folders and stores.

For each partner, role and kind (questionnaire or interview), the current
submission is the one with the latest respondent date (`respondent.date`, or
`interview.date` for an interview record); between equal or missing dates, the
file changed most recently; then the file name, so the choice never depends on
the order files are read or ingested. The same content twice is one file (a
`duplicate-file` warning, checked before this rule). Every other file for the
same partner, role and kind is kept, does not count, and carries a
`resubmission` warning naming the file that counts and why.

`validate`, `report FOLDER`, `ingest` and `report STORE` all call `choose_current`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from ..issues import Issue, IssueCode, make_issue
from ..vocabulary import Kind
from .record import Submission

Key = tuple[str, str, str]  # partner, role, kind


@dataclass(slots=True)
class Current:
    """The submissions that count, and a `resubmission` warning for each one that does not."""

    counted: list[Submission]
    issues: list[Issue]


def key_of(sub: Submission) -> Key | None:
    """The partner, role and kind a submission answers for; None if it cannot count."""
    if not (sub.readable and sub.partner and sub.role and sub.answer_count):
        return None
    return sub.partner, sub.role.value, sub.kind


def respondent_date(sub: Submission) -> dt.date | None:
    """The date the respondent gave, if it reads as a date."""
    field = "interview.date" if sub.kind == Kind.INTERVIEW else "respondent.date"
    text = sub.respondent.get(field) or sub.respondent.get("respondent.date")
    if not text:
        return None
    from ..parsing import ParseError, parse_date  # here: a batch of one file each needs none

    for candidate in (text, text.split(" ")[0]):  # "2009-10-19 10:30:00" from a date-time cell
        try:
            return parse_date(candidate)
        except ParseError:
            continue
    return None


def _rank(sub: Submission) -> tuple[dt.date, float, str]:
    return respondent_date(sub) or dt.date.min, sub.mtime, sub.file


def choose_current(submissions: Iterable[Submission]) -> Current:
    """Apply the rule to every partner, role and kind; order of `submissions` is kept."""
    groups: dict[Key, list[Submission]] = {}
    for sub in submissions:
        key = key_of(sub)
        if key is not None:
            groups.setdefault(key, []).append(sub)
    result = Current([], [])
    for (partner, role, kind), group in groups.items():
        used = group[0] if len(group) == 1 else max(group, key=_rank)
        result.counted.append(used)
        for other in group:
            if other is not used:
                result.issues.append(_not_current(other, used, partner, f"{role} {kind}"))
    return result


def _not_current(other: Submission, used: Submission, partner: str, what: str) -> Issue:
    return make_issue(
        IssueCode.RESUBMISSION,
        other.file,
        f"Not counted: {used.file} also answers for {partner} ({what.replace('_', ' ')}) "
        f"and counts instead, {_why(used, other)}.",
    )


def _why(used: Submission, other: Submission) -> str:
    new, old = respondent_date(used), respondent_date(other)
    if new is not None and (old is None or new > old):
        was = f"this file's is {old.isoformat()}" if old else "this file has none"
        return f"as its respondent date is later ({new.isoformat()}; {was})"
    same = "the respondent dates are the same" if new else "no respondent date tells them apart"
    if used.mtime > other.mtime:
        return f"as {same} and it was changed more recently"
    return f"as {same}, the files were changed at the same time and its name sorts last"

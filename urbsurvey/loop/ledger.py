"""`urbsurvey status`: the response ledger, one row per partner and role.

Each expected questionnaire is `complete` (the current return has no errors), `needs
fixes` (it has errors) or `missing`; returns nobody expected (an interview record, a
managing authority's questionnaire, a file no partner can be found for) are listed too.
The current return is the one the batch counts (see `batch.check_batch`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from ..definition import text
from ..errors import SurveyConfigError
from ..intake.batch import Batch, Progress, expected_responses
from ..intake.record import Submission
from ..issues import Issue, IssueCode, Severity
from ..survey import Partner, SurveyFolder
from ..vocabulary import Kind

#: Issues about the set of files, not the current return's content: a newer return
#: superseding an older one is the loop working, not something to fix.
SET_ISSUES = frozenset({IssueCode.DUPLICATE_FILE, IssueCode.RESUBMISSION})


def own_issues(sub: Submission) -> list[Issue]:
    """The issues of a return itself (what a partner may have to fix)."""
    return [i for i in sub.issues if i.code not in SET_ISSUES]


class State(StrEnum):
    COMPLETE = "complete"
    NEEDS_FIXES = "needs fixes"
    MISSING = "missing"


@dataclass(slots=True)
class Entry:
    """One line of the ledger."""

    partner: str | None
    role: str | None
    kind: Kind
    expected: bool
    state: State
    submission: Submission | None = None
    email: str | None = None  # whom to write to
    language: str = "en"  # the partner's workbook language

    @property
    def errors(self) -> int:
        return self._count(Severity.ERROR)

    @property
    def warnings(self) -> int:
        return self._count(Severity.WARNING)

    def _count(self, severity: Severity) -> int:
        sub = self.submission
        return sum(i.severity is severity for i in own_issues(sub)) if sub else 0

    @property
    def received(self) -> str | None:
        """When the return arrived: the e-mail's date, else the file's modification time."""
        sub = self.submission
        if sub is None:
            return None
        if sub.provenance.get("date"):
            return sub.provenance["date"]
        if sub.mtime:
            return dt.datetime.fromtimestamp(sub.mtime, dt.UTC).isoformat(timespec="seconds")
        return None

    @property
    def sender(self) -> str | None:
        """Who sent it: the e-mail's sender, else the respondent block's name and e-mail."""
        sub = self.submission
        if sub is None:
            return None
        if sub.provenance.get("sender"):
            return sub.provenance["sender"]
        who = " ".join(
            v
            for v in (sub.respondent.get("respondent.name"), sub.respondent.get("respondent.email"))
            if v
        )
        return who or None

    def to_dict(self) -> dict[str, Any]:
        return {
            "partner": self.partner,
            "role": self.role,
            "kind": self.kind,
            "expected": self.expected,
            "state": self.state.value,
            "file": self.submission.file if self.submission else None,
            "received": self.received,
            "from": self.sender,
            "errors": self.errors,
            "warnings": self.warnings,
            "email": self.email,
            "language": self.language,
        }


@dataclass(slots=True)
class Ledger:
    survey: SurveyFolder
    entries: list[Entry]

    def to_json(self) -> dict[str, Any]:
        states = [e.state for e in self.entries if e.expected]
        return {
            "survey": text(self.survey.config.title, self.survey.config.language),
            "summary": {
                "expected": len(states),
                **{state.value: states.count(state) for state in State},
            },
            "responses": [e.to_dict() for e in self.entries],
        }

    def to_csv(self) -> str:
        buffer = io.StringIO()
        rows = [e.to_dict() for e in self.entries]
        fields = list(Entry(None, None, Kind.QUESTIONNAIRE, False, State.MISSING).to_dict())
        writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _csv_safe(v) for k, v in row.items()})
        return buffer.getvalue()


def _csv_safe(value: object) -> object:
    """Partner text in a CSV a spreadsheet will open: never read as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def build_ledger(survey: SurveyFolder, batch: Batch) -> Ledger:
    """The ledger of a survey from its batch of returns (`validate` of the survey folder)."""
    config = survey.config
    partners = {p.name: p for p in config.partners}
    current: dict[tuple[str | None, str | None, Kind], Submission] = {
        (s.partner, s.role.value if s.role else None, s.kind): s for s in batch.counted
    }
    _attribute_by_sender(batch, survey, current)
    entries: list[Entry] = []
    for name, role in expected_responses(survey):
        found = current.pop((name, role, Kind.QUESTIONNAIRE), None)
        entries.append(
            _entry(name, role, Kind.QUESTIONNAIRE, True, found, partners.get(name), survey)
        )
    for (partner, role_name, kind), sub in current.items():
        info = partners.get(partner or "")
        entries.append(_entry(partner, role_name, kind, False, sub, info, survey))
    listed = {id(e.submission) for e in entries if e.submission is not None}
    for sub in batch.submissions:
        if id(sub) in listed or _accounted_for(sub):
            continue
        info = partners.get(sub.partner or "")
        role_name = sub.role.value if sub.role else None
        entries.append(_entry(sub.partner, role_name, sub.kind, False, sub, info, survey))
    return Ledger(survey, entries)


def _attribute_by_sender(
    batch: Batch,
    survey: SurveyFolder,
    current: dict[tuple[str | None, str | None, Kind], Submission],
) -> None:
    """An e-mailed return that could not be read at all still came from someone: when the
    sender is a partner's address and that partner has no return, it is the partner's
    (to be asked for again)."""
    from email.utils import parseaddr

    by_address = {a.lower(): p for p in survey.config.partners for a in p.addresses()}
    role = survey.config.expected_roles[0] if survey.config.expected_roles else None
    for sub in batch.submissions:
        sender = parseaddr(sub.provenance.get("sender", ""))[1].lower()
        partner = by_address.get(sender)
        if sub.readable or partner is None or role is None:
            continue
        current.setdefault((partner.name, role, Kind.QUESTIONNAIRE), sub)


def _accounted_for(sub: Submission) -> bool:
    """A return the batch set aside knowingly: a copy of another, or an older version."""
    return any(i.code in SET_ISSUES for i in sub.issues)


def _entry(
    name: str | None,
    role: str | None,
    kind: Kind,
    expected: bool,
    sub: Submission | None,
    partner: Partner | None,
    survey: SurveyFolder,
) -> Entry:
    if sub is None:
        state = State.MISSING
    elif not sub.readable or any(i.severity is Severity.ERROR for i in own_issues(sub)):
        state = State.NEEDS_FIXES
    else:
        state = State.COMPLETE
    email: str | None = (sub.respondent.get("respondent.email") if sub else None) or (
        partner.email if partner else None
    )
    if not email and sub is not None:
        email = _address(sub.provenance.get("sender", ""))
    language = (sub.language if sub else None) or (partner.language if partner else None)
    return Entry(name, role, kind, expected, state, sub, email, language or survey.config.language)


def _address(sender: str) -> str | None:
    from email.utils import parseaddr

    return parseaddr(sender)[1] or None


def ledger(folder: Path, *, keep_answers: bool = False, progress: Progress | None = None) -> Ledger:
    """Read a survey folder's returns and build its ledger."""
    from ..pipeline import validate
    from ..survey import is_survey_folder

    if not is_survey_folder(folder):
        raise SurveyConfigError(
            f"{folder} is not a survey folder (no survey.yaml)",
            hint="status and feedback need the survey.yaml listing the partners.",
        )
    result = validate([folder], progress=progress, keep_answers=keep_answers)
    assert result.inputs.survey is not None
    return build_ledger(result.inputs.survey, result.batch)

"""A returned workbook as read (`Submission`, its `Answer`s), and how files are named in issues.

Apart from the reading code (`submission`, `answers`), so that what only handles
submissions already read (a cached `validate`, the store, the report) imports neither
the reader nor the parsing of cells.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..issues import Issue, IssueCode, Severity, make_issue
from ..vocabulary import Kind, Role, Source, Status
from .found import printable

if TYPE_CHECKING:
    from ..definition import Condition


@dataclass(frozen=True, slots=True)
class MoneyValue:
    amount: Decimal
    currency: str
    converted: Decimal  # in the report currency


AnswerValue = str | list[str] | bool | int | Decimal | dt.date | MoneyValue | None


@dataclass(slots=True)
class Answer:
    """One answer as read: the raw text, its parsed value, and where it came from."""

    question: str
    raw: str
    value: AnswerValue
    sheet: str
    cell: str
    valid: bool = True
    note: str = ""
    hidden: bool = False  # the skip logic hides the question: kept and shown, never counted

    def codes(self) -> list[str]:
        """The answer as choice codes (yes/no as `yes`/`no`), for conditions."""
        v = self.value
        if isinstance(v, bool):
            return ["yes" if v else "no"]
        if isinstance(v, str):
            return [v]
        if isinstance(v, list):
            return v
        return []


@dataclass(slots=True)
class Submission:
    file: str
    sha256: str
    mtime: float = 0.0
    format: str | None = None
    questionnaire: str | None = None
    version: str | None = None
    fingerprint: str | None = None
    partner: str | None = None
    role: Role | None = None
    kind: Kind = Kind.QUESTIONNAIRE
    respondent: dict[str, str] = field(default_factory=dict)
    answers: dict[str, Answer] = field(default_factory=dict)
    answer_count: int = 0  # stays when a batch drops `answers` to keep memory flat
    issues: list[Issue] = field(default_factory=list)
    readable: bool = True
    language: str | None = None  # from the stamp: the language the partner was written to in
    #: 1-based row number -> the row's ID on the answers sheet (to place a fix on its question)
    row_ids: dict[int, str] = field(default_factory=dict)
    #: ID -> the answer cell's text as written (what a fix request quotes back)
    row_values: dict[str, str] = field(default_factory=dict)
    #: where the file came from, when not a plain file: the e-mail's sender, date, subject...
    provenance: dict[str, str] = field(default_factory=dict)

    @property
    def source(self) -> Source:
        if self.kind == Kind.INTERVIEW:
            return Source.INTERVIEW
        return _ROLE_SOURCES[self.role] if self.role else Source.OTHER

    def flag(
        self, code: IssueCode, message: str, sheet: str | None = None, cell: str | None = None
    ) -> None:
        """Record a problem with this workbook; severity and advice come from the catalogue."""
        self.issues.append(make_issue(code, self.file, message, sheet=sheet, cell=cell))

    @property
    def status(self) -> Status:
        if not self.readable:
            return Status.UNREADABLE
        severities = {i.severity for i in self.issues}
        if Severity.ERROR in severities:
            return Status.ERRORS
        return Status.WARNINGS if severities else Status.OK


#: The source each role answers as (`Source(role.value)`, looked up: a report asks for
#: every submission's source many times).
_ROLE_SOURCES = {role: Source(role.value) for role in Role}


def unopenable(name: str, exc: OSError) -> Issue:
    """The issue for a file that cannot even be opened (gone, a broken link, no permission)."""
    return make_issue(
        IssueCode.CORRUPT_FILE,
        name,
        f"{name}: cannot be opened ({exc.strerror or exc}).",
        hint="Check the file is still there and readable, then run the command again.",
    )


def display_name(path: Path, base: Path | None) -> str:
    """How a file is named in issues and reports: relative to the folder given, if inside it.

    Always valid Unicode (`printable`), so it can be shown, stored and written as JSON.
    """
    if base is not None:  # absolute, not resolved: a link is named as found, not as its target
        inside = _inside(str(path), str(base))
        if inside is not None:
            return printable(inside)
        if path.anchor or base.anchor:  # two relative paths share the working directory
            path, base = path.absolute(), base.absolute()
        try:
            return printable(path.relative_to(base).as_posix())
        except ValueError:
            pass
    return printable(str(path))


def _inside(path: str, base: str) -> str | None:
    """`path` relative to `base` by their text, for the common case (both relative or both
    absolute, `path` under `base`), as `Path.relative_to` gives it; None otherwise, to
    ask pathlib (5x slower, and a batch names every file). A `Path`'s text is already
    normalised (no `.` parts, no doubled or trailing separators)."""
    if base in (".", os.sep) or os.path.isabs(path) != os.path.isabs(base):
        return None
    if path.startswith(base) and path[len(base) : len(base) + 1] == "/":
        return path[len(base) + 1 :]
    return None


def condition_holds(cond: Condition, codes: list[str]) -> bool:
    """Skip logic and indicator conditions, on an answer's codes."""
    if not codes:
        return False
    if cond.in_ is not None:
        return any(c in cond.in_ for c in codes)
    return any(c not in (cond.not_in or []) for c in codes)


def encode_value(value: AnswerValue) -> Any:
    """A JSON-ready form that `decode_value` turns back into the same value."""
    if isinstance(value, MoneyValue):
        return {
            "amount": str(value.amount),
            "currency": value.currency,
            "converted": str(value.converted),
        }
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    return value


def decode_value(data: Any) -> AnswerValue:
    if isinstance(data, dict):
        if "amount" in data:
            return MoneyValue(Decimal(data["amount"]), data["currency"], Decimal(data["converted"]))
        if "decimal" in data:
            return Decimal(data["decimal"])
        return dt.date.fromisoformat(data["date"])
    return data  # type: ignore[no-any-return]

"""The library's use cases: `validate`, `ingest` and `report`, each returning a typed result.

The command line calls one of these per command and renders what it returns;
scripts can call them the same way:

    from urbsurvey import pipeline
    result = pipeline.validate([Path("returns/")], questionnaire="mile-followup-2009")
    result.failed()
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import UrbsurveyError
from .intake.batch import (
    Batch,
    Item,
    Progress,
    check_batch,
    expand,
    missing_responses,
    read_all,
    read_items,
)
from .intake.inputs import Inputs, resolve_inputs
from .intake.mail import MailItem
from .intake.submission import Submission, unopenable
from .issues import Issue, Severity, make_issue
from .report.build import ReportInput
from .store import Store

# --- validate ----------------------------------------------------------------


@dataclass(slots=True)
class Validation:
    inputs: Inputs
    batch: Batch

    def counts(self) -> Counter[str]:
        return Counter(i.severity.value for i in self.batch.all_issues())

    def failed(self, strict: bool = False) -> bool:
        counts = self.counts()
        return bool(counts[Severity.ERROR.value] or (strict and counts[Severity.WARNING.value]))

    def to_json(self) -> dict[str, Any]:
        q = self.inputs.questionnaire
        statuses = Counter(s.status for s in self.batch.submissions)
        return {
            "questionnaire": {"id": q.id, "version": q.version, "fingerprint": q.fingerprint()},
            "summary": {"files": len(self.batch.submissions), **{k: statuses[k] for k in STATUSES}},
            "files": [
                {
                    "file": s.file,
                    "sha256": s.sha256,
                    "format": s.format,
                    "partner": s.partner,
                    "role": s.role.value if s.role else None,
                    "kind": s.kind,
                    "status": s.status,
                    "answers": s.answer_count,
                    "errors": sum(i.severity is Severity.ERROR for i in s.issues),
                    "warnings": sum(i.severity is Severity.WARNING for i in s.issues),
                    **({"provenance": s.provenance} if s.provenance else {}),
                }
                for s in self.batch.submissions
            ],
            "issues": [i.to_dict() for i in self.batch.all_issues()],
        }


STATUSES = ("ok", "warnings", "errors", "unreadable")


def validate(
    paths: list[Path],
    questionnaire: str | None = None,
    progress: Progress | None = None,
    on_files: Any = None,
    keep_answers: bool = True,
) -> Validation:
    """Read every workbook under `paths` and check it; bad files become issues.

    Without `keep_answers` only issues and counts are kept, so memory stays flat
    however many files are read (the command line needs no more).
    """
    inputs = resolve_inputs(paths, questionnaire)
    if on_files is not None:
        on_files(len(inputs.files))
    submissions = []
    for sub in read_all(inputs.files, inputs.context, base=inputs.base, progress=progress):
        if not keep_answers:
            sub.answers = {}
        submissions.append(sub)
    return Validation(inputs, check_batch(submissions, inputs.survey))


# --- ingest ------------------------------------------------------------------


@dataclass(slots=True)
class IngestResult:
    store: Path
    added: list[Submission] = field(default_factory=list)
    unchanged: int = 0
    issues: list[Issue] = field(default_factory=list)  # duplicates of stored content
    totals: dict[str, Any] = field(default_factory=dict)

    def all_issues(self) -> list[Issue]:
        return [i for s in self.added for i in s.issues] + self.issues

    def to_json(self) -> dict[str, Any]:
        return {
            "store": str(self.store),
            "added": [
                {
                    "file": s.file,
                    "partner": s.partner,
                    "role": s.role.value if s.role else None,
                    "kind": s.kind,
                    "status": s.status,
                }
                for s in self.added
            ],
            "unchanged": self.unchanged,
            "totals": self.totals,
            "issues": [i.to_dict() for i in self.all_issues()],
        }


def ingest(
    paths: list[Path],
    store_path: Path,
    questionnaire: str | None = None,
    progress: Progress | None = None,
    on_files: Any = None,
) -> IngestResult:
    """Add new and changed workbooks to the store; unchanged files are skipped unread."""
    inputs = resolve_inputs(paths, questionnaire)
    return ingest_inputs(inputs, store_path, progress, on_files)


def ingest_inputs(
    inputs: Inputs,
    store_path: Path,
    progress: Progress | None = None,
    on_files: Any = None,
) -> IngestResult:
    """`ingest` of inputs already resolved (the report resolves them once for both)."""
    store = Store(store_path)
    result = IngestResult(store_path)
    try:
        known = store.known_files()
        todo: list[tuple[Item, str, int, int]] = []  # item, key, size, mtime_ns
        for key, item in expand(inputs.files, inputs.base):
            if isinstance(item, MailItem):
                if item.data is None:  # a message with no workbook: nothing to store
                    assert item.issue is not None
                    result.issues.append(item.issue)
                    continue
                size, mtime_ns = len(item.data), int(item.received * 1e9)
            else:
                try:
                    st = item[0].stat()
                except OSError as exc:
                    result.issues.append(unopenable(item[1], exc))
                    continue
                size, mtime_ns = st.st_size, st.st_mtime_ns
            seen = known.get(key)
            if seen is not None and seen[0] == size and seen[1] == mtime_ns:
                result.unchanged += 1
                continue
            todo.append((item, key, size, mtime_ns))
        todo.sort(key=lambda entry: entry[3])  # oldest first: the newest supersedes
        if on_files is not None:
            on_files(len(todo))
        subs = read_items([item for item, _, _, _ in todo], inputs.context, progress)
        for (_, key, size, mtime_ns), sub in zip(todo, subs, strict=True):
            if not sub.sha256:  # could not even be opened: nothing to store, retried next time
                result.issues.extend(sub.issues)
                continue
            first = store.has_content(sub.sha256)
            if first is None and store.add(sub, key, size, mtime_ns) is not None:
                sub.answers = {}  # stored: memory stays flat however many files arrive
                result.added.append(sub)
                continue
            first = first or store.has_content(sub.sha256)  # stored meanwhile by another ingest
            with store.transaction():
                store.remember_file(key, size, mtime_ns, sub.sha256)
            if known.get(key, (0, 0, ""))[2] == sub.sha256 or first == sub.file:
                result.unchanged += 1  # touched, or stored by another ingest: the same content
            else:
                result.issues.append(
                    make_issue("duplicate-file", sub.file, f"Same content as {first}, stored once.")
                )
        result.totals = store.counts()
    finally:
        store.close()
    return result


# --- report ------------------------------------------------------------------


def gather(
    source: Path,
    questionnaire: str | None = None,
    store: Path | None = None,
    progress: Progress | None = None,
    *,
    waves: bool = True,
) -> ReportInput:
    """Read a survey folder, a folder of workbooks, or a store, and (with `waves`) the
    earlier waves it names; an earlier wave's own earlier waves are not read."""
    data = _gather(source, questionnaire, store, progress)
    if waves and data.survey is not None and data.survey.config.waves:
        from .outcomes.waves import load_waves

        data.waves = load_waves(data.survey)
    return data


def _gather(
    source: Path, questionnaire: str | None, store: Path | None, progress: Progress | None
) -> ReportInput:
    if source.is_file() and source.suffix.lower() in (".sqlite", ".db", ".sqlite3"):
        return _from_store(source, questionnaire)
    if store is not None:
        inputs = resolve_inputs([source], questionnaire)
        ingest_inputs(inputs, store, progress)
        return _from_store(store, questionnaire, inputs)
    result = validate([source], questionnaire, progress)
    batch = result.batch
    return ReportInput(
        result.inputs.questionnaire,
        result.inputs.survey,
        batch.submissions,
        batch.counted,
        batch.issues,
    )


def _from_store(path: Path, questionnaire: str | None, inputs: Inputs | None = None) -> ReportInput:
    from .resources import load_questionnaire

    if not path.is_file():
        raise UrbsurveyError(f"{path}: no such store", hint="Create it with `urbsurvey ingest`.")
    store = Store(path)
    try:
        subs = store.current()
    finally:
        store.close()
    if inputs is not None:
        q, survey = inputs.questionnaire, inputs.survey
    else:
        ref = questionnaire or next((s.questionnaire for s in subs if s.questionnaire), None)
        if ref is None:
            raise UrbsurveyError(f"{path}: the store holds no submissions")
        q, survey = load_questionnaire(ref), None
    counted = [s for s in subs if s.readable]
    issues = missing_responses(counted, survey) if survey else []
    return ReportInput(q, survey, subs, counted, issues)


def report(
    source: Path,
    questionnaire: str | None = None,
    store: Path | None = None,
    progress: Progress | None = None,
    lang: str | None = None,
) -> dict[str, Any]:
    """The report of a survey folder, a folder of workbooks or a store, as data."""
    from .report.build import build_report

    return build_report(gather(source, questionnaire, store, progress), lang=lang)

"""`urbsurvey ingest`: returned workbooks into the SQLite store, one transaction per file."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .batch import Progress, read_all
from .inputs import Inputs, resolve_inputs
from .issues import Issue, make_issue
from .store import Store
from .submission import Submission, display_name, unopenable


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
        todo: list[tuple[Path, str, os.stat_result]] = []
        for path in inputs.files:
            key = str(path.absolute())
            try:
                st = path.stat()
            except OSError as exc:
                result.issues.append(unopenable(display_name(path, inputs.base), exc))
                continue
            seen = known.get(key)
            if seen is not None and seen[0] == st.st_size and seen[1] == st.st_mtime_ns:
                result.unchanged += 1
                continue
            todo.append((path, key, st))
        todo.sort(key=lambda item: item[2].st_mtime_ns)  # oldest first: the newest supersedes
        if on_files is not None:
            on_files(len(todo))
        subs = read_all(
            [p for p, _, _ in todo], inputs.context, base=inputs.base, progress=progress
        )
        for (_, key, st), sub in zip(todo, subs, strict=True):
            if not sub.sha256:  # could not even be opened: nothing to store, retried next time
                result.issues.extend(sub.issues)
                continue
            first = store.has_content(sub.sha256)
            if first is None:
                store.add(sub, key, st.st_size, st.st_mtime_ns)
                sub.answers = {}  # stored: memory stays flat however many files arrive
                result.added.append(sub)
                continue
            with store.transaction():
                store.remember_file(key, st.st_size, st.st_mtime_ns, sub.sha256)
            if known.get(key, (0, 0, ""))[2] == sub.sha256:
                result.unchanged += 1  # touched, but the same content
            else:
                result.issues.append(
                    make_issue("duplicate-file", sub.file, f"Same content as {first}, stored once.")
                )
        result.totals = store.counts()
    finally:
        store.close()
    return result

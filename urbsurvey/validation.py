"""`urbsurvey validate`: read and check returned workbooks, report per file and per cell."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .batch import Batch, Progress, check_batch, read_all
from .inputs import Inputs, resolve_inputs
from .issues import Severity


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
            sub.answers, sub.row_ids, sub.row_values = {}, {}, {}
        submissions.append(sub)
    return Validation(inputs, check_batch(submissions, inputs.survey))

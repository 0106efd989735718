"""Lessons: the thematic expert's codebook of themes and the partners that illustrate each.

The coding lives in the survey folder (`coding.yaml`), edited by the expert:
groups, themes (id, group, title, one-line description) and examples, each a
partner's answer to a question (from a source: city, interview, managing
authority) that illustrates the theme.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from .. import yamlio
from ..definition.texts import Text
from ..errors import SurveyConfigError
from ..issues import Issue, IssueCode, make_issue
from ..vocabulary import Source
from .merge import PartnerRecord


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Group(_Model):
    id: str
    title: Text
    chapter: bool = False  # a chapter of its own in the report, not a part of "Lessons"


class Example(_Model):
    partner: str
    question: str | None = None
    source: Source = Source.CITY
    note: str | None = None


class Theme(_Model):
    id: str
    group: str
    title: Text
    description: Text | None = None
    examples: list[Example] = []

    def partners(self) -> list[str]:
        return list(dict.fromkeys(e.partner for e in self.examples))


class Coding(_Model):
    groups: list[Group] = []
    themes: list[Theme] = []


def load_coding(path: Path) -> Coding:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SurveyConfigError(f"cannot read {path}: {exc.strerror}") from exc
    try:
        text = yamlio.decode(data)
    except yamlio.YamlProblem as exc:
        raise SurveyConfigError(f"{path}, {exc}") from exc
    return parse_coding(text, path)


def parse_coding(text: str, path: Path | str) -> Coding:
    """The coding in a coding.yaml's text (kept in a store, or read); `path` names it."""
    from ..explain import explain

    try:
        doc = yamlio.parse(text)
        coding = Coding.model_validate(doc.data or {})
    except yamlio.YamlProblem as exc:
        raise SurveyConfigError(f"{path}, {exc}") from exc
    except ValidationError as exc:
        problems = explain(
            exc.errors(), doc.data, Coding.model_json_schema(), yamlio.line_index(doc.node)
        )
        raise SurveyConfigError(
            f"{path}: invalid coding:\n" + "\n".join(f"  - {p}" for p in problems),
            hint='Fix coding.yaml as described in the README ("A survey folder").',
        ) from exc
    groups = {g.id for g in coding.groups}
    for theme in coding.themes:
        if theme.group not in groups:
            raise SurveyConfigError(
                f"{path}: theme {theme.id!r} names group {theme.group!r}, which is not listed",
                hint=f"Use one of: {', '.join(sorted(groups))}, or add the group.",
            )
    return coding


def check_coding(coding: Coding, records: dict[str, PartnerRecord], file: str) -> list[Issue]:
    """Examples that point at no answer in the returned workbooks."""
    issues = []
    for theme in coding.themes:
        for ex in theme.examples:
            record = records.get(ex.partner)
            where = f"theme {theme.id!r}: {ex.partner}"
            if record is None:
                issues.append(
                    make_issue(IssueCode.CODING_REFERENCE, file, f"{where} returned nothing.")
                )
                continue
            if ex.question is None:
                continue
            found = any(
                s.source is ex.source and ex.question in s.answers for s in record.submissions
            )
            if not found:
                issues.append(
                    make_issue(
                        IssueCode.CODING_REFERENCE,
                        file,
                        f"{where} has no {ex.source.value} answer to {ex.question!r}.",
                    )
                )
    return issues

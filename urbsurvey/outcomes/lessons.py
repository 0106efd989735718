"""Lessons: the thematic expert's codebook of themes and the partners that illustrate each.

The coding lives in the survey folder (`coding.yaml`), edited by the expert:
groups, themes (id, group, title, one-line description) and examples, each a
partner's answer to a question (from a source: city, interview, managing
authority) that illustrates the theme.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .. import yamlio
from ..errors import SurveyConfigError
from ..issues import Issue, IssueCode, make_issue
from ..vocabulary import Source
from .merge import PartnerRecord


@dataclass(frozen=True, slots=True, kw_only=True)
class Group:
    id: str
    title: dict[str, str]  # language -> text (`definition.texts.Text`)
    chapter: bool = False  # a chapter of its own in the report, not a part of "Lessons"


@dataclass(frozen=True, slots=True, kw_only=True)
class Example:
    partner: str
    question: str | None = None
    source: Source = Source.CITY
    note: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Theme:
    id: str
    group: str
    title: dict[str, str]
    description: dict[str, str] | None = None
    examples: list[Example] = field(default_factory=list)

    def partners(self) -> list[str]:
        return list(dict.fromkeys(e.partner for e in self.examples))


@dataclass(frozen=True, slots=True, kw_only=True)
class Coding:
    """A validated coding, in plain classes: pydantic (`codingspec`) validates a coding.yaml
    the first time it is read, and the result is kept (`parse_coding`)."""

    groups: list[Group] = field(default_factory=list)
    themes: list[Theme] = field(default_factory=list)


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


#: The modules whose rules make a coding of a text (the cache's key holds their source).
_RULES = (
    Path(__file__).parent / "lessons.py",
    Path(__file__).parent / "codingspec.py",
    Path(__file__).parent.parent / "definition" / "texts.py",
)


def parse_coding(text: str, path: Path | str) -> Coding:
    """The coding in a coding.yaml's text (kept in a store, or read); `path` names it.

    A coding validated before under the same rules is taken from the user's cache
    (`cachedir`, keyed by the text, urbsurvey's and pydantic's versions and the rules'
    source): then neither the YAML is parsed nor pydantic imported.
    """
    from ..cachedir import remembered

    data = text.encode("utf-8", "surrogateescape")
    return remembered("codings", _RULES, data, Coding, lambda: _validated(text, path))


def _validated(text: str, path: Path | str) -> Coding:
    from pydantic import ValidationError

    from ..explain import explain
    from .codingspec import Coding as Spec

    try:
        doc = yamlio.parse(text)
        coding = Spec.model_validate(doc.data or {}).plain()
    except yamlio.YamlProblem as exc:
        raise SurveyConfigError(f"{path}, {exc}") from exc
    except ValidationError as exc:
        problems = explain(
            exc.errors(), doc.data, Spec.model_json_schema(), yamlio.line_index(doc.node)
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

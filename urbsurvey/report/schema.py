"""The report as typed data: what every format (and `--format json`) is made from.

`build_report` fills a `Report`; the JSON output is `report.to_dict()`, the
templates, the xlsx and docx writers read the same fields, and
`report_json_schema()` publishes their shape (`urbsurvey report --schema`).
Every text is already in the report's language and every figure has its
`display` form next to the number, so no renderer formats anything itself.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from reprlib import recursive_repr
from typing import Any, Literal

from ..issues import Severity

#: A merged answer as JSON holds it: money as the amount in the report currency, dates ISO.
JsonValue = str | int | float | bool | list[str] | None
Placement = Literal["before_findings", "after_lessons"]


class _Record:
    """What a report class compares and shows itself by: its fields, as a dataclass's
    own `__eq__` and `__repr__` do. Written once here, where `dataclass` would compile
    two methods for each of the report's 39 classes as it is imported (some 6 ms)."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        names = [f.name for f in fields(self)]  # type: ignore[arg-type]  # a dataclass
        return tuple(getattr(self, n) for n in names) == tuple(getattr(other, n) for n in names)

    __hash__ = None  # type: ignore[assignment]  # as a dataclass that compares: unhashable

    @recursive_repr()
    def __repr__(self) -> str:
        shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(self))  # type: ignore[arg-type]
        return f"{self.__class__.__qualname__}({shown})"


@dataclass(slots=True, kw_only=True, eq=False, repr=False)
class QuestionnaireInfo(_Record):
    id: str
    version: str
    title: str
    fingerprint: str


@dataclass(slots=True, kw_only=True, eq=False, repr=False)
class Narrative(_Record):
    """A block the expert wrote in survey.yaml (Markdown, never raw HTML)."""

    id: str
    title: str
    text: str
    placement: Placement


@dataclass(slots=True, kw_only=True, eq=False, repr=False)
class SurveyInfo(_Record):
    title: str
    network: str
    author: str
    date: str | None  # ISO date of the survey
    date_display: str
    introduction: str
    language: str
    currency: str
    questionnaire: QuestionnaireInfo
    narratives: list[Narrative] = field(default_factory=list)


@dataclass(slots=True, kw_only=True, eq=False, repr=False)
class QuestionInfo(_Record):
    id: str
    text: str
    type: str
    type_label: str  # "yes/no", in the report's language
    choices: list[str]  # labels
    codes: list[str]  # the choices' codes, as `PartnerAnswers.answers` holds them


@dataclass(slots=True, kw_only=True, eq=False, repr=False)
class SectionInfo(_Record):
    id: str
    title: str
    questions: list[QuestionInfo]


@dataclass(slots=True, kw_only=True, eq=False, repr=False)
class RoleCount(_Record):
    role: str
    label: str
    count: int


@dataclass(slots=True, kw_only=True, eq=False, repr=False)
class ResponseRate(_Record):
    expected: int
    returned: int
    rate: float | None
    display: str  # "100 %"


@dataclass(slots=True, kw_only=True, eq=False, repr=False)
class ExchangeRate(_Record):
    currency: str
    rate: float  # value of one unit in the report currency
    display: str  # "1 RON = €0.24"
    source: str  # where the rate is set: "survey.yaml line 25"


@dataclass(slots=True, kw_only=True, eq=False, repr=False)
class Conversion(_Record):
    """How money was converted: the report currency and every exchange rate used."""

    code: str
    symbol: str
    rates: list[ExchangeRate]  # every rate an amount the outcomes use was converted with
    assumed: int  # amounts typed without a currency, taken to be in the report currency


@dataclass(slots=True, kw_only=True, eq=False, repr=False)
class Methodology(_Record):
    sections: list[SectionInfo]
    respondents_by_role: list[RoleCount]
    response_rate: ResponseRate
    interviews: int


@dataclass(slots=True, kw_only=True, eq=False, repr=False)
class Respondent(_Record):
    partner: str
    role: str | None
    role_label: str
    file: str | None = None


@dataclass(slots=True, kw_only=True, eq=False, repr=False)
class Respondents(_Record):
    expected: list[Respondent]
    returned: list[Respondent]
    missing: list[Respondent]


@dataclass(slots=True, kw_only=True, eq=False, repr=False)
class SourceCell(_Record):
    """Where a figure came from: the partner's answer in file, sheet, cell."""

    partner: str
    question: str
    file: str
    sheet: str
    cell: str
    value: str  # as typed
    raw: str = ""  # as typed (the same, under the name the store uses)
    money: bool = False
    currency: str | None = None  # the amount's own currency
    converted: float | None = None  # in the report currency
    converted_display: str = ""  # in full: €1,200,000


@dataclass(slots=True, kw_only=True, eq=False, repr=False)
class LeftOut(_Record):
    """An answer a figure would have counted but could not (no currency, no rate, …)."""

    partner: str
    question: str
    file: str
    sheet: str
    cell: str
    raw: str
    code: str  # the issue behind it
    reason: str  # as the sentence says it


@dataclass(slots=True, kw_only=True, eq=False, repr=False)
class BreakdownItem(_Record):
    code: str
    label: str
    count: int


@dataclass(slots=True, kw_only=True, eq=False, repr=False)
class Indicator(_Record):
    id: str
    label: str
    kind: str
    section: str | None  # the questionnaire section the indicator reads
    value: int | float
    unit: str
    display: str
    sentence: str
    partners: list[str]
    breakdown: list[BreakdownItem]
    sources: list[SourceCell]
    left_out: list[LeftOut] = field(default_factory=list)


@dataclass(slots=True, kw_only=True, eq=False, repr=False)
class Bar(_Record):
    label: str
    value: float
    display: str


@dataclass(slots=True, kw_only=True, eq=False, repr=False)
class Chart(_Record):
    id: str
    number: int  # the figure number
    indicator: str  # shown beside this indicator's sentence
    section: str | None
    title: str
    caption: str  # "Figure 1. …"
    unit: str
    base: int  # partners the chart is about
    note: str  # unit, base and source, in one line
    bars: list[Bar]


@dataclass(slots=True, kw_only=True, eq=False, repr=False)
class Quote(_Record):
    """One partner's free-text answer, from one of its sources."""

    partner: str
    source: str  # city, interview, managing_authority, other
    source_label: str
    question: str
    question_text: str
    text: str
    note: str = ""


@dataclass(slots=True, kw_only=True, eq=False, repr=False)
class QuestionQuotes(_Record):
    question: str
    text: str
    quotes: list[Quote]


@dataclass(slots=True, kw_only=True, eq=False, repr=False)
class Finding(_Record):
    """One chapter per questionnaire section: its indicators, charts and what partners said."""

    section: str
    title: str
    indicators: list[str]  # ids, in `Report.indicators`
    charts: list[int]  # figure numbers, in `Report.charts`
    said: list[QuestionQuotes]


@dataclass(slots=True, kw_only=True, eq=False, repr=False)
class LessonTheme(_Record):
    id: str
    title: str
    description: str
    partners: list[str]
    excerpts: list[Quote]


@dataclass(slots=True, kw_only=True, eq=False, repr=False)
class LessonGroup(_Record):
    id: str
    title: str
    chapter: bool  # a chapter of its own ("Issues for the programme"), not under Lessons
    themes: list[LessonTheme]


@dataclass(slots=True, kw_only=True, frozen=True)  # one is shared by the partners who gave it
class AnswerShown:
    question: str
    text: str
    shown: str


@dataclass(slots=True, kw_only=True, eq=False, repr=False)
class SourceAnswers(_Record):
    source: str
    label: str
    file: str
    answers: list[AnswerShown]


@dataclass(slots=True, kw_only=True, eq=False, repr=False)
class PartnerAnswers(_Record):
    partner: str
    answers: dict[str, JsonValue]  # the merged answer each indicator used
    typed: dict[str, str]  # the same answers as the partner typed them
    sources: list[SourceAnswers]

    def side_by_side(self) -> list[tuple[str, list[str]]]:
        """(question text, what each source answered) for every question any source answered."""
        texts: dict[str, str] = {}
        for src in self.sources:
            for a in src.answers:
                texts.setdefault(a.question, a.text)
        shown = [{a.question: a.shown for a in src.answers} for src in self.sources]
        return [(text, [by.get(qid, "") for by in shown]) for qid, text in texts.items()]


@dataclass(slots=True, kw_only=True, eq=False, repr=False)
class SourceValue(_Record):
    source: str
    value: str


@dataclass(slots=True, kw_only=True, eq=False, repr=False)
class Conflict(_Record):
    partner: str
    question: str
    question_text: str
    used: SourceValue
    others: list[SourceValue]


@dataclass(slots=True, kw_only=True, eq=False, repr=False)
class IssueRecord(_Record):
    severity: Severity
    code: str
    file: str | None
    sheet: str | None
    cell: str | None
    message: str
    hint: str | None


@dataclass(slots=True, kw_only=True, eq=False, repr=False)
class InputFile(_Record):
    file: str
    sha256: str
    partner: str | None
    role: str | None
    status: str
    #: Where the file came from when it arrived by e-mail (sender, subject, date).
    provenance: dict[str, str] | None = None


@dataclass(slots=True, kw_only=True, eq=False, repr=False)
class Generator(_Record):
    name: str
    version: str
    fingerprint: str
    generated: str  # ISO date
    generated_display: str


@dataclass(slots=True, kw_only=True, eq=False, repr=False)
class WaveQuestion(_Record):
    """A question whose wording, choices or type changed, or that one wave only asks."""

    id: str
    text: str  # as this wave asks it (or the one wave that asks it)
    before: str  # as the previous wave asked it; "" for a question in one wave only
    changes: list[str]  # "wording", "type", "choices"
    only_in: str | None  # the one wave that asks it


@dataclass(slots=True, kw_only=True, eq=False, repr=False)
class WaveValue(_Record):
    value: int | float
    display: str  # "€1.4m", "+2"


@dataclass(slots=True, kw_only=True, eq=False, repr=False)
class WaveIndicator(_Record):
    """An indicator both waves define: its value per wave and the change, or why not."""

    id: str
    label: str
    values: dict[str, WaveValue]  # by wave id, for the waves that have a value
    change: WaveValue | None  # from the previous wave to this one
    not_compared: str | None  # why the change is left out
    flags: list[str]  # the questions it reads that changed


@dataclass(slots=True, kw_only=True, eq=False, repr=False)
class WaveOnlyIndicator(_Record):
    id: str
    label: str
    wave: str


@dataclass(slots=True, kw_only=True, eq=False, repr=False)
class WaveOnlyPartner(_Record):
    partner: str
    wave: str


@dataclass(slots=True, kw_only=True, eq=False, repr=False)
class AnswerChange(_Record):
    question: str
    text: str
    before: str  # as the report shows it; "" if not answered
    after: str
    change: str  # "up by 4", "+ Option; − Other", "answered"
    flags: list[str]


@dataclass(slots=True, kw_only=True, eq=False, repr=False)
class PartnerChanges(_Record):
    partner: str
    changes: list[AnswerChange]


@dataclass(slots=True, kw_only=True, eq=False, repr=False)
class Waves(_Record):
    """This wave beside the earlier waves survey.yaml names (`outcomes.waves.compare_waves`)."""

    ids: list[str]  # every wave, oldest first, this one last
    previous: str  # the wave the changes are from
    current: str
    questions: list[WaveQuestion]
    indicators: list[WaveIndicator]
    indicators_one_wave: list[WaveOnlyIndicator]
    partners: list[PartnerChanges]  # partners in both waves
    partners_one_wave: list[WaveOnlyPartner]


@dataclass(slots=True, kw_only=True, eq=False, repr=False)
class Report(_Record):
    survey: SurveyInfo
    methodology: Methodology
    respondents: Respondents
    currency: Conversion
    indicators: list[Indicator]
    charts: list[Chart]
    findings: list[Finding]
    lessons: list[LessonGroup]
    partners: list[PartnerAnswers]
    conflicts: list[Conflict]
    issues: list[IssueRecord]
    inputs: list[InputFile]
    generator: Generator
    waves: Waves | None = None  # only when survey.yaml names earlier waves

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON data (what `--format json` writes)."""
        return asdict(self)

    def indicators_in(self, finding: Finding) -> list[Indicator]:
        wanted = set(finding.indicators)
        return [i for i in self.indicators if i.id in wanted]

    def charts_for(self, indicator: Indicator) -> list[Chart]:
        return [c for c in self.charts if c.indicator == indicator.id]

    def narratives(self, placement: Placement) -> list[Narrative]:
        return [n for n in self.survey.narratives if n.placement == placement]

    def error_count(self) -> int:
        return sum(i.severity == Severity.ERROR for i in self.issues)


def report_json_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of `Report.to_dict()`."""
    from pydantic import TypeAdapter

    schema: dict[str, Any] = TypeAdapter(Report).json_schema(mode="serialization")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "urbsurvey report"
    return schema

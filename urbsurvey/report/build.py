"""`urbsurvey report`: what a report is made from (`ReportInput`), and the `Report` built from it.

`build_report` computes the outcomes and lays out every part of the report as
typed data (`schema.Report`) in the report's language: the renderers
(`render.py`) only lay it out.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .. import __version__
from ..definition import Questionnaire, text
from ..intake.batch import expected_responses, missing
from ..intake.record import Submission
from ..issues import Issue
from ..outcomes.indicators import Outcomes, compute_outcomes
from ..vocabulary import Kind
from . import parts
from . import schema as s
from .amounts import CURRENCY_SYMBOLS, format_amount
from .i18n import Texts

__all__ = ["CURRENCY_SYMBOLS", "ReportInput", "build_report", "format_amount"]

if TYPE_CHECKING:
    from ..outcomes.lessons import Coding
    from ..outcomes.waves import Wave
    from ..survey import SurveyFolder


@dataclass(slots=True)
class ReportInput:
    """What a report is made from, whichever SOURCE it came from."""

    questionnaire: Questionnaire
    survey: SurveyFolder | None
    submissions: list[Submission]  # every file read (for inputs and issues)
    counted: list[Submission]  # the ones outcomes use
    issues: list[Issue]  # across files
    waves: list[Wave] = field(default_factory=list)  # earlier waves survey.yaml names
    coding: Coding | None = None  # the expert's lessons; read from the survey folder if None


def build_report(data: ReportInput, *, lang: str | None = None) -> s.Report:
    """The whole report, in `lang` (default: the survey's language, else English)."""
    q, survey = data.questionnaire, data.survey
    config = survey.config if survey else None
    t = Texts(report_language(lang, survey))
    currency = config.currency if config else "EUR"
    outcomes = compute_outcomes(q, data.counted)
    coding, coding_issues = _lessons(data, outcomes)
    issues = [i for sub in data.submissions for i in sub.issues] + data.issues
    issues += outcomes.issues + coding_issues
    info = _survey_info(data, t, currency)
    indicators = [parts.indicator(r, q, t, currency) for r in outcomes.indicators]
    charts = parts.charts(q, outcomes, t, currency, _chart_source(info, data.counted, t))
    today = _today()
    return s.Report(
        survey=info,
        methodology=parts.methodology(q, data.counted, _expected(survey), t),
        currency=parts.conversion(outcomes, survey, t, issues),
        respondents=_respondents(data, t),
        indicators=indicators,
        charts=charts,
        findings=parts.findings(q, data.counted, indicators, charts, t),
        lessons=parts.lessons(coding, outcomes, q, t),
        partners=parts.partners(q, outcomes, t),
        conflicts=parts.conflicts(q, outcomes, t),
        issues=[s.IssueRecord(**i.to_dict()) for i in issues],
        inputs=[_input(sub) for sub in data.submissions],
        generator=s.Generator(
            name="urbsurvey",
            version=__version__,
            fingerprint=q.fingerprint(),
            generated=today.isoformat(),
            generated_display=t.date(today),
        ),
        waves=_waves(data, outcomes, t.lang, currency) if data.waves else None,
    )


def report_language(lang: str | None, survey: SurveyFolder | None) -> str:
    """The language a report is written in: `lang`, else the survey's, else English."""
    return lang or (survey.config.language if survey else "en")


def _waves(data: ReportInput, outcomes: Outcomes, lang: str, currency: str) -> s.Waves:
    from ..outcomes.waves import Wave, compare_waves

    wave_id = data.survey.config.wave if data.survey else "this wave"
    return compare_waves(data.waves, Wave(wave_id, data.questionnaire, outcomes, currency), lang)


def _input(sub: Submission) -> s.InputFile:
    role = sub.kind if sub.kind == Kind.INTERVIEW else (sub.role.value if sub.role else None)

    return s.InputFile(
        file=sub.file,
        sha256=sub.sha256,
        partner=sub.partner,
        role=role,
        status=sub.status,
        provenance=dict(sub.provenance) if sub.provenance else None,
    )


def _survey_info(data: ReportInput, t: Texts, currency: str) -> s.SurveyInfo:
    q, survey = data.questionnaire, data.survey
    config = survey.config if survey else None
    date = config.date if config else None
    return s.SurveyInfo(
        title=text(config.title, t.lang) if config else text(q.title, t.lang),
        network=config.network if config else "",
        author=config.author if config else "",
        date=date.isoformat() if date else None,
        date_display=t.month(date) if date else "",
        introduction=text(config.introduction, t.lang) if config else "",
        language=t.lang,
        currency=currency,
        questionnaire=s.QuestionnaireInfo(
            id=q.id, version=q.version, title=text(q.title, t.lang), fingerprint=q.fingerprint()
        ),
        narratives=[
            s.Narrative(
                id=n.id,
                title=text(n.title, t.lang),
                text=text(n.text, t.lang),
                placement=n.placement,
            )
            for n in (config.narrative if config else [])
        ],
    )


def _chart_source(info: s.SurveyInfo, counted: list[Submission], t: Texts) -> str:
    """The source line under every chart: what was asked, of whom, when."""
    survey = ", ".join(x for x in (info.network, info.date_display) if x) or info.title
    if not any(sub.kind == Kind.INTERVIEW for sub in counted):
        return t("chart_source_questionnaires", survey=survey)
    return t("chart_source", survey=survey)


def _expected(survey: SurveyFolder | None) -> list[tuple[str, str]]:
    return expected_responses(survey) if survey else []


def _respondents(data: ReportInput, t: Texts) -> s.Respondents:
    survey = data.survey

    def one(partner: str, role: str | None, file: str | None = None) -> s.Respondent:
        label = t(f"source.{role}") if role else ""
        return s.Respondent(partner=partner, role=role, role_label=label, file=file)

    return s.Respondents(
        expected=[one(p, r) for p, r in _expected(survey)],
        returned=[
            one(sub.partner or "", sub.role.value if sub.role else None, sub.file)
            for sub in data.counted
            if sub.kind == Kind.QUESTIONNAIRE
        ],
        missing=[one(p, r) for p, r in (missing(data.counted, survey) if survey else [])],
    )


def _today() -> dt.date:
    """Today, or the date in SOURCE_DATE_EPOCH (reproducible reports, golden files)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    return dt.date.today()


def _lessons(data: ReportInput, outcomes: Outcomes) -> tuple[Coding | None, list[Issue]]:
    survey = data.survey
    if data.coding is None and (survey is None or not survey.config.coding):
        return None, []  # no lessons: their module is not even imported
    from ..outcomes.lessons import check_coding, parse_coding

    if data.coding is not None:
        return data.coding, check_coding(data.coding, outcomes.records, "coding.yaml")
    assert survey is not None and survey.config.coding
    source = survey.read_coding()  # kept in the store, or read from the folder
    if source is None:
        return None, []
    coding = parse_coding(source, survey.root / survey.config.coding)
    return coding, check_coding(coding, outcomes.records, survey.config.coding)

"""What a survey.yaml may say, and how it is checked: pydantic models, and the checks
across partners. A survey.yaml that passed is used as the plain classes of `survey` (the
run form, `run_form`), which import nothing of pydantic: this module is imported only to
check a survey.yaml not checked before (`survey.survey_from_text`).
"""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    ValidationError,
    field_validator,
    model_validator,
)

from . import survey, yamlio
from .definition.texts import Text
from .errors import SurveyConfigError
from .survey import HINT, MAX_RATE, MIN_RATE
from .vocabulary import Role


# Every model defers building its validators to the first survey.yaml validated.
class Partner(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    name: str
    country: str | None = Field(default=None, description="ISO code or English name")
    managing_authority: str | None = None
    lead: StrictBool = False
    aliases: list[str] = Field(default=[], description="Other spellings partners may write")
    organisation: str | None = Field(default=None, description="Pre-filled in the workbook")
    email: str | None = Field(default=None, description="Contact e-mail of the partner")
    emails: list[str] = Field(
        default=[], description="Other addresses the partner's returns may come from"
    )
    language: str | None = Field(default=None, description="Language of the partner's workbook")

    currency: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z]{3}$",
        description="The currency the partner answers in; derived from the country if not given",
    )


class Narrative(BaseModel):
    """A block of the report the thematic expert writes (Markdown; raw HTML is shown as text)."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: Text
    text: Text
    placement: Literal["before_findings", "after_lessons"] = Field(
        default="before_findings", description="Before the findings, or after the lessons"
    )


class WaveRef(BaseModel):
    """An earlier wave of the same survey: its survey folder, or a store that holds it."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    id: str = Field(min_length=1, description="How the report names the wave, e.g. 2009-10")
    path: str | None = Field(default=None, description="Its survey folder, from this folder")
    store: str | None = Field(default=None, description="Or its SQLite store, from this folder")
    questionnaire: str | None = Field(
        default=None, description="With `store`: the wave's questionnaire (id or path)"
    )

    @model_validator(mode="after")
    def _one_source(self) -> WaveRef:
        if (self.path is None) == (self.store is None):
            raise ValueError("give exactly one of `path:` (a survey folder) or `store:`")
        return self


class Survey(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    title: Text
    network: str = Field(default="", description="The network surveyed, as the title page names it")
    author: str = Field(default="", description="Who wrote the report (the thematic expert)")
    date: dt.date | None = Field(default=None, description="When the survey was held")
    introduction: Text | None = None
    narrative: list[Narrative] = Field(
        default=[], description="Context, conclusions, recommendations: Markdown, per language"
    )
    questionnaire: str = Field(description="Bundled questionnaire id, or a path from this folder")
    language: str = "en"
    currency: str = Field(default="EUR", pattern=r"^[A-Z]{3}$")
    exchange_rates: dict[str, Decimal] = Field(
        default={}, description="Value of one unit of each currency in the report currency"
    )
    partners: list[Partner] = []
    expected_roles: list[Role] = Field(
        default=[Role.CITY], description="Roles every partner is expected to return"
    )
    returns: str = Field(default="returns", description="Folder of returned workbooks")
    coding: str | None = Field(default="coding.yaml", description="Lessons codebook and coding")
    deadline: dt.date | None = Field(default=None, description="When workbooks are due")
    return_to: str | None = Field(default=None, description="E-mail address returns go to")
    contact: str | None = Field(default=None, description="Who partners ask: name and e-mail")
    wave: str = Field(default="this wave", description="How the report names this wave")
    waves: list[WaveRef] = Field(default=[], description="Earlier waves, oldest first")

    @field_validator("exchange_rates")
    @classmethod
    def _upper(cls, rates: dict[str, Decimal]) -> dict[str, Decimal]:
        for code, rate in rates.items():
            if not (rate.is_finite() and MIN_RATE <= rate <= MAX_RATE):
                raise ValueError(
                    f"the exchange rate of {code} is {rate}: give the value of one {code} "
                    f"in the report currency, between {MIN_RATE} and {MAX_RATE:,}"
                )
        return {k.upper(): v for k, v in rates.items()}


Lines = dict[tuple[str | int, ...], int]


def check_survey(text: str, path: Path) -> tuple[survey.Survey, dict[str, int]]:
    """A survey.yaml's text checked, as the plain classes, with the line of each exchange
    rate by currency; raise SurveyConfigError (file, line, what to write)."""
    config, lines = parse_survey(text, path)
    rates = {
        str(loc[1]).upper(): line
        for loc, line in lines.items()
        if len(loc) == 2 and loc[0] == "exchange_rates"
    }
    return run_form(config), rates


def run_form(config: Survey) -> survey.Survey:
    """A validated survey.yaml as the plain classes of `survey`, field by field."""
    fields = dict(config) | {
        "partners": [_partner(p) for p in config.partners],
        "narrative": [survey.Narrative(**dict(n)) for n in config.narrative],
        "waves": [survey.WaveRef(**dict(w)) for w in config.waves],
        "given": frozenset(config.model_fields_set),
    }
    return survey.Survey(**fields)


def _partner(partner: Partner) -> survey.Partner:
    """A partner as the plain class: what survey.yaml does not give is the class's default,
    one object for every partner, and a country or language one string however many
    partners share it, each kept (pickled) once: 10,000 partners load a fifth faster."""
    given = {
        name: value for name, value in dict(partner).items() if name in partner.model_fields_set
    }
    for name in ("country", "language"):
        if given.get(name):
            given[name] = sys.intern(given[name])
    return survey.Partner(**given)


def parse_survey(text: str, path: Path) -> tuple[Survey, Lines]:
    """The configuration in a survey.yaml's text, and the line of each of its entries."""
    try:
        doc = yamlio.parse(text)
    except yamlio.YamlProblem as exc:
        raise SurveyConfigError(f"{path}, {exc}", hint=HINT) from exc
    lines, data = yamlio.line_index(doc.node), doc.data
    del doc  # the node tree: as large as all the rest at 10,000 partners, and no longer needed
    if not isinstance(data, dict):
        raise SurveyConfigError(f"{path}, line 1: survey.yaml must be a mapping (title:, …)")
    try:
        config = Survey.model_validate(data)
    except ValidationError as exc:
        from .explain import explain

        problems = explain(exc.errors(), data, _schema(), lines)
        raise SurveyConfigError(_listed(path, problems), hint=HINT) from exc
    problems = _check_partners(config, lines)
    if problems:
        raise SurveyConfigError(_listed(path, problems), hint=HINT)
    return config, lines


def _listed(path: Path, problems: list[str]) -> str:
    if len(problems) == 1:
        return f"{path}, {problems[0]}"
    return f"{path}: {len(problems)} problems:\n" + "\n".join(f"  - {p}" for p in problems)


@cache
def _schema() -> dict[str, Any]:
    return Survey.model_json_schema()


def _check_partners(config: Survey, lines: Lines) -> list[str]:
    """A partner listed twice (by name or alias), a country urbsurvey does not know."""
    from .explain import did_you_mean
    from .parsing import normalise
    from .parsing.countries import country_names, known_country

    problems: list[str] = []
    seen: dict[str, int] = {}
    for i, partner in enumerate(config.partners):
        line = lines.get(("partners", i), 0)
        for name in (partner.name, *partner.aliases):
            first = seen.setdefault(normalise(name), i)
            if first != i:
                problems.append(
                    f"line {line}: partner {partner.name}: {name!r} is already listed "
                    f"(line {lines.get(('partners', first), 0)}); list each partner once"
                )
        if partner.country and not known_country(partner.country):
            hint = did_you_mean(partner.country.title(), country_names())
            problems.append(
                f"line {lines.get(('partners', i, 'country'), line)}: partner {partner.name}: "
                f"{partner.country!r} is not a country urbsurvey knows{hint or '.'} Write its "
                "ISO code (IT, GB, RO, …) or its English name."
            )
    return problems

"""A survey folder: `survey.yaml` (what was asked of whom) beside the returned workbooks."""

from __future__ import annotations

import datetime as dt
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

from . import yamlio
from .definition.texts import Text
from .errors import SurveyConfigError
from .vocabulary import Role

SURVEY_FILE = "survey.yaml"


#: Exchange rates outside these are a typing slip (one unit of any currency is worth
#: between a millionth and a million of any other).
MIN_RATE, MAX_RATE = Decimal("0.000001"), Decimal(1_000_000)


# Every model defers building its validators to the first survey.yaml validated: a run
# that reads none (one workbook checked against its stamp) builds none.
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

    def addresses(self) -> list[str]:
        return [a for a in (self.email, *self.emails) if a]

    currency: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z]{3}$",
        description="The currency the partner answers in; derived from the country if not given",
    )

    def answers_in(self) -> str | None:
        """The currency of the partner's bare amounts: as given, else the country's."""
        from .parsing import currency_for_country

        return self.currency.upper() if self.currency else currency_for_country(self.country)


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

    def rate(self, currency: str) -> Decimal | None:
        if currency == self.currency:
            return Decimal(1)
        return self.exchange_rates.get(currency)


class SurveyFolder(BaseModel):
    """A loaded survey: its config, where it lives and the text of its survey.yaml.

    `text` and `coding_text` are what a store keeps of the survey (see `store.py`), so
    a report from the store needs neither the folder nor its files.
    """

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True, defer_build=True)

    root: Path
    config: Survey
    text: str = ""
    coding_text: str | None = None
    #: The survey.yaml line of each exchange rate, by currency (found when it was parsed).
    rate_line_numbers: dict[str, int] = {}

    def read_coding(self) -> str | None:
        """The lessons coding as text: kept with the survey, else read from the folder."""
        if self.coding_text is not None or not self.config.coding:
            return self.coding_text
        path = self.root / self.config.coding
        try:
            return yamlio.decode(path.read_bytes())
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise SurveyConfigError(f"cannot read {path}: {exc.strerror}") from exc
        except yamlio.YamlProblem as exc:
            raise SurveyConfigError(f"{path}, {exc}") from exc

    @property
    def returns_dir(self) -> Path:
        return self.root / self.config.returns

    def existing_returns_dir(self) -> Path:
        """The returns folder; SurveyConfigError when it is not there."""
        path = self.returns_dir
        if not path.is_dir():
            raise SurveyConfigError(
                f"{path}: no such folder (survey.yaml says `returns: {self.config.returns}`)",
                hint=f"Create the folder and put the returned workbooks in it, or correct "
                f"`returns:` in {self.root / SURVEY_FILE}.",
            )
        return path


def is_survey_folder(path: Path) -> bool:
    return (path / SURVEY_FILE).is_file()


def load_survey(folder: Path) -> SurveyFolder:
    """Read and check `folder/survey.yaml`; raise SurveyConfigError saying what to write."""
    path = folder / SURVEY_FILE
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SurveyConfigError(
            f"cannot read {path}: {exc.strerror}",
            hint="A survey folder needs a survey.yaml (see the README).",
        ) from exc
    try:
        text = yamlio.decode(data)
    except yamlio.YamlProblem as exc:
        raise SurveyConfigError(f"{path}, {exc}", hint=_HINT) from exc
    return survey_from_text(folder, text, path)


def survey_from_text(root: Path, text: str, path: Path, coding: str | None = None) -> SurveyFolder:
    """The survey folder `root` whose survey.yaml (read, or kept in a store) is `text`;
    `path` names it in messages. The text is parsed once, or not at all when a survey.yaml
    of the same text was checked before (the user's cache folder keeps it, as it keeps
    definitions: only a survey.yaml without problems, keyed by its text and the rules)."""
    from .cachedir import load_pickle, rules_key, store_pickle

    here = Path(__file__).parent
    key = rules_key(tuple(here / name for name in _RULES), text.encode("utf-8", "surrogateescape"))
    kept = load_pickle("surveys", key, tuple) if key else None
    if kept and len(kept) == 2 and isinstance(kept[0], Survey) and isinstance(kept[1], dict):
        config, rates = kept
    else:
        config, lines = parse_survey(text, path)
        rates = {
            str(loc[1]).upper(): line
            for loc, line in lines.items()
            if len(loc) == 2 and loc[0] == "exchange_rates"
        }
        if key:
            store_pickle("surveys", key, (config, rates))
    return SurveyFolder(
        root=root, config=config, text=text, coding_text=coding, rate_line_numbers=rates
    )


#: The modules whose rules decide what a survey.yaml says (their source is in the cache key).
_RULES = ("survey.py", "parsing/countries.py", "parsing/numbers.py", "parsing/text.py")


def parse_survey(text: str, path: Path) -> tuple[Survey, dict[tuple[str | int, ...], int]]:
    """The configuration in a survey.yaml's text, and the line of each of its entries."""
    try:
        doc = yamlio.parse(text)
    except yamlio.YamlProblem as exc:
        raise SurveyConfigError(f"{path}, {exc}", hint=_HINT) from exc
    lines = yamlio.line_index(doc.node)
    if not isinstance(doc.data, dict):
        raise SurveyConfigError(f"{path}, line 1: survey.yaml must be a mapping (title:, …)")
    try:
        config = Survey.model_validate(doc.data)
    except ValidationError as exc:
        from .explain import explain

        problems = explain(exc.errors(), doc.data, _schema(), lines)
        raise SurveyConfigError(_listed(path, problems), hint=_HINT) from exc
    problems = _check_partners(config, lines)
    if problems:
        raise SurveyConfigError(_listed(path, problems), hint=_HINT)
    return config, lines


_HINT = 'Fix survey.yaml as described in the README ("A survey folder").'


def _listed(path: Path, problems: list[str]) -> str:
    if len(problems) == 1:
        return f"{path}, {problems[0]}"
    return f"{path}: {len(problems)} problems:\n" + "\n".join(f"  - {p}" for p in problems)


@cache
def _schema() -> dict[str, Any]:
    return Survey.model_json_schema()


def _check_partners(config: Survey, lines: dict[tuple[str | int, ...], int]) -> list[str]:
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

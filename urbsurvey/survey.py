"""A survey folder: `survey.yaml` (what was asked of whom) beside the returned workbooks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from . import yamlio
from .errors import SurveyConfigError

SURVEY_FILE = "survey.yaml"


#: Exchange rates outside these are a typing slip (one unit of any currency is worth
#: between a millionth and a million of any other).
MIN_RATE, MAX_RATE = Decimal("0.000001"), Decimal(1_000_000)


class Partner(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    country: str | None = Field(default=None, description="ISO code or English name")
    managing_authority: str | None = None
    lead: bool = False
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


class WaveRef(BaseModel):
    """An earlier wave of the same survey: its survey folder, or a store that holds it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

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
    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str
    introduction: str = ""
    questionnaire: str = Field(description="Bundled questionnaire id, or a path from this folder")
    language: str = "en"
    currency: str = Field(default="EUR", pattern=r"^[A-Z]{3}$")
    exchange_rates: dict[str, Decimal] = Field(
        default={}, description="Value of one unit of each currency in the report currency"
    )
    partners: list[Partner] = []
    expected_roles: list[str] = Field(
        default=["city"], description="Roles every partner is expected to return"
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

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    root: Path
    config: Survey
    text: str = ""
    coding_text: str | None = None

    def read_coding(self) -> str | None:
        """The lessons coding as text: kept with the survey, else read from the folder."""
        if self.coding_text is not None or not self.config.coding:
            return self.coding_text
        path = self.root / self.config.coding
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise SurveyConfigError(f"cannot read {path}: {exc.strerror}") from exc

    def rate_lines(self) -> dict[str, int]:
        """The survey.yaml line of each exchange rate, by currency (for the report)."""
        return exchange_rate_lines(self.text)

    @property
    def returns_dir(self) -> Path:
        return self.root / self.config.returns


def is_survey_folder(path: Path) -> bool:
    return (path / SURVEY_FILE).is_file()


def load_survey(folder: Path) -> SurveyFolder:
    path = folder / SURVEY_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SurveyConfigError(
            f"cannot read {path}: {exc.strerror}",
            hint="A survey folder needs a survey.yaml (see the README).",
        ) from exc
    return SurveyFolder(root=folder, config=parse_survey(text, path), text=text)


def parse_survey(text: str, path: Path) -> Survey:
    """The configuration in a survey.yaml's text; `path` names it in messages."""
    import yaml

    try:
        data = yamlio.load(text)
    except yaml.YAMLError as exc:
        raise SurveyConfigError(f"{path}: not valid YAML ({exc})") from exc
    try:
        return Survey.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}" for e in exc.errors()
        )
        raise SurveyConfigError(
            f"{path}: {problems}", hint="Fix survey.yaml as described in the README."
        ) from exc


def exchange_rate_lines(text: str) -> dict[str, int]:
    """Line numbers (1-based) of the `exchange_rates` entries in a survey.yaml's text."""
    import yaml

    try:
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError:
        return {}
    if not isinstance(root, yaml.MappingNode):
        return {}
    for key, value in root.value:
        if key.value == "exchange_rates" and isinstance(value, yaml.MappingNode):
            return {str(k.value).upper(): k.start_mark.line + 1 for k, _ in value.value}
    return {}

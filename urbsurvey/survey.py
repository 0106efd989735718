"""A survey folder: `survey.yaml` (what was asked of whom) beside the returned workbooks.

What a survey.yaml may say, and how it is checked, is `surveyspec` (pydantic models); a
survey.yaml that passed is made of the plain classes here, with the same fields and
defaults. They import nothing of pydantic, so a survey.yaml checked before (kept in the
user's cache folder) is used without it. They are named tuples: frozen, built with
keywords and defaults (a default list or mapping is shared: never change one), and
10,000 partners unpickle in a third of the time objects with attributes take.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Literal, NamedTuple

from . import yamlio
from .errors import SurveyConfigError
from .vocabulary import Role

SURVEY_FILE = "survey.yaml"
HINT = 'Fix survey.yaml as described in the README ("A survey folder").'

#: Exchange rates outside these are a typing slip (one unit of any currency is worth
#: between a millionth and a million of any other).
MIN_RATE, MAX_RATE = Decimal("0.000001"), Decimal(1_000_000)

Text = dict[str, str]  # language -> text, with an English one (`en`)


class Partner(NamedTuple):
    name: str
    country: str | None = None  # ISO code or English name
    managing_authority: str | None = None
    lead: bool = False
    aliases: list[str] = []  # noqa: RUF012 - never changed (nor are the other lists)
    organisation: str | None = None  # pre-filled in the workbook
    email: str | None = None
    emails: list[str] = []  # noqa: RUF012 - other addresses the returns may come from
    language: str | None = None  # of the partner's workbook
    currency: str | None = None  # the partner answers in; else the country's

    def addresses(self) -> list[str]:
        return [a for a in (self.email, *self.emails) if a]

    def answers_in(self) -> str | None:
        """The currency of the partner's bare amounts: as given, else the country's."""
        from .parsing import currency_for_country

        return self.currency.upper() if self.currency else currency_for_country(self.country)


class Narrative(NamedTuple):
    """A block of the report the thematic expert writes (Markdown; raw HTML is shown as text)."""

    id: str
    title: Text
    text: Text
    placement: Literal["before_findings", "after_lessons"] = "before_findings"


class WaveRef(NamedTuple):
    """An earlier wave of the same survey: its survey folder (`path`), or a store that holds
    it (`store`, with the wave's `questionnaire` if given); paths from this folder."""

    id: str
    path: str | None = None
    store: str | None = None
    questionnaire: str | None = None


class Survey(NamedTuple):
    title: Text
    questionnaire: str  # bundled questionnaire id, or a path from this folder
    network: str = ""
    author: str = ""
    date: dt.date | None = None
    introduction: Text | None = None
    narrative: list[Narrative] = []  # noqa: RUF012
    language: str = "en"
    currency: str = "EUR"
    exchange_rates: dict[str, Decimal] = {}  # noqa: RUF012 - one unit's value, upper-case codes
    partners: list[Partner] = []  # noqa: RUF012
    expected_roles: list[Role] = [Role.CITY]  # noqa: RUF012
    returns: str = "returns"
    coding: str | None = "coding.yaml"
    deadline: dt.date | None = None
    return_to: str | None = None
    contact: str | None = None
    wave: str = "this wave"
    waves: list[WaveRef] = []  # noqa: RUF012 - earlier waves, oldest first
    #: The fields survey.yaml gives (the others are the defaults).
    given: frozenset[str] = frozenset()

    def rate(self, currency: str) -> Decimal | None:
        if currency == self.currency:
            return Decimal(1)
        return self.exchange_rates.get(currency)


class SurveyFolder(NamedTuple):
    """A loaded survey: its config, where it lives and the text of its survey.yaml.

    `text` and `coding_text` are what a store keeps of the survey (see `store.py`), so
    a report from the store needs neither the folder nor its files.
    """

    root: Path
    config: Survey
    text: str = ""
    coding_text: str | None = None
    #: The survey.yaml line of each exchange rate, by currency (found when it was parsed).
    rate_line_numbers: dict[str, int] = {}  # noqa: RUF012

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
        raise SurveyConfigError(f"{path}, {exc}", hint=HINT) from exc
    return survey_from_text(folder, text, path)


def survey_from_text(root: Path, text: str, path: Path, coding: str | None = None) -> SurveyFolder:
    """The survey folder `root` whose survey.yaml (read, or kept in a store) is `text`;
    `path` names it in messages. The text is checked once (`surveyspec`), or not at all
    when a survey.yaml of the same text was checked before (the user's cache folder keeps
    it, as it keeps definitions: only a survey.yaml without problems, keyed by its text,
    urbsurvey's and pydantic's versions and the source of the rules)."""
    from .cachedir import remembered

    rules = tuple(Path(__file__).parent / name for name in _RULES)
    data = text.encode("utf-8", "surrogateescape")
    config, rates = remembered("surveys", rules, data, Checked, lambda: _checked(text, path))
    return SurveyFolder(root, config, text, coding, rates)


class Checked(NamedTuple):
    """A survey.yaml checked: its configuration, and the line of each exchange rate."""

    config: Survey
    rates: dict[str, int]


#: A survey.yaml of this many characters or more (some 5,000 partners) is checked in a
#: worker process; a shorter one here, where what the check leaves behind is small and a
#: fork, with pydantic imported there and again here for a new definition, costs more.
CHECK_APART_CHARS = 200_000


def _checked(text: str, path: Path) -> Checked:
    """`surveyspec.check_survey`, for a long survey.yaml in a worker process
    (`intake.workers`) where one can be forked, its result sent back as the cache gives it.
    Checking 10,000 partners here would leave this process some 20 MB larger for the rest
    of the run (the YAML nodes and pydantic models are freed, but not the memory between
    the partners kept): 6 MB more at the peak of a cold `report`. A worker over its time or
    memory limit means checking here: the same result."""
    outcome = _outcome(text, path) if len(text) < CHECK_APART_CHARS else _apart(text, path)
    if isinstance(outcome[0], Survey):
        return outcome
    raise SurveyConfigError(outcome[0], hint=outcome[1])


def _apart(text: str, path: Path) -> Checked | tuple[str, str | None]:
    """`_outcome` in one worker process, or here if the worker is stopped by its limits."""
    import dataclasses

    from .intake.workers import limits_from_env, run_isolated

    one_worker = dataclasses.replace(limits_from_env(), jobs=1)
    found = run_isolated([text], lambda t: _outcome(t, path), lambda t, why: None, one_worker)
    try:
        return next(found) or _outcome(text, path)
    finally:
        found.close()


def _outcome(text: str, path: Path) -> Checked | tuple[str, str | None]:
    """The checked survey.yaml, or what is wrong with it (message and hint)."""
    from .surveyspec import check_survey

    try:
        return Checked(*check_survey(text, path))
    except SurveyConfigError as exc:
        return exc.message, exc.hint


#: The modules whose rules decide what a survey.yaml says (their source is in the cache key).
_RULES = (
    "survey.py",
    "surveyspec.py",
    "definition/texts.py",
    "parsing/countries.py",
    "parsing/numbers.py",
    "parsing/text.py",
)

"""A survey.yaml checked once is loaded from the cache after, and never when it changed.

On a survey of the toy bike-lane questionnaire (not MILE): Polish and Czech cities, rates
in PLN and CZK; the cache folder (`URBSURVEY_CACHE`) is the test's own (conftest).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.workbooks import survey_folder
from urbsurvey import survey, surveyspec
from urbsurvey.errors import SurveyConfigError
from urbsurvey.survey import load_survey

from .conftest import TOY


def entries() -> list[Path]:
    folder = Path(os.environ["URBSURVEY_CACHE"]) / "surveys"
    return sorted(folder.glob("*.pickle")) if folder.is_dir() else []


@pytest.fixture
def bikes(tmp_path: Path) -> Path:
    return survey_folder(
        tmp_path / "bikes",
        [{"name": "Gdańsk", "country": "PL"}, {"name": "Brno", "country": "CZ"}],
        questionnaire=TOY,
        rates={"PLN": 0.23, "CZK": 0.04},
    )


def test_a_survey_loaded_again_is_the_one_checked(bikes: Path) -> None:
    first = load_survey(bikes)
    assert len(entries()) == 1
    again = load_survey(bikes)
    assert again.config == first.config
    assert [p.name for p in again.config.partners] == ["Gdańsk", "Brno"]
    assert again.rate_line_numbers == first.rate_line_numbers
    lines = (bikes / "survey.yaml").read_text("utf-8").splitlines()
    assert "PLN" in lines[again.rate_line_numbers["PLN"] - 1]


def test_an_edit_is_seen_even_with_size_and_time_forged_back(bikes: Path) -> None:
    path = bikes / "survey.yaml"
    load_survey(bikes)
    stat = path.stat()
    text = path.read_text("utf-8")
    assert "Brno" in text
    path.write_text(text.replace("Brno", "Graz").replace("CZ", "AT"), "utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size
    assert [p.name for p in load_survey(bikes).config.partners] == ["Gdańsk", "Graz"]


def test_a_survey_with_problems_is_never_kept(bikes: Path) -> None:
    path = bikes / "survey.yaml"
    path.write_text(path.read_text("utf-8").replace("CZ", "Atlantis"), "utf-8")
    for _ in range(2):
        with pytest.raises(SurveyConfigError, match="Atlantis"):
            load_survey(bikes)
    assert entries() == []


def test_a_damaged_entry_means_checking_again(bikes: Path) -> None:
    first = load_survey(bikes)
    (entry,) = entries()
    entry.write_bytes(b"not a pickle")
    assert load_survey(bikes).config == first.config


def test_a_new_process_loads_it_from_the_cache_without_pydantic(bikes: Path) -> None:
    load_survey(bikes)
    program = (
        "import sys; from pathlib import Path\n"
        "from urbsurvey.survey import load_survey\n"
        "s = load_survey(Path(sys.argv[1]))\n"
        "print([p.answers_in() for p in s.config.partners], s.config.rate('PLN'),"
        " 'pydantic' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program, str(bikes)], capture_output=True, text=True, check=True
    )
    assert done.stdout == "['PLN', 'CZK'] 0.23 False\n"


def test_a_survey_from_the_cache_is_the_one_pydantic_validates(bikes: Path) -> None:
    """Field for field, nested partners, narrative and waves too, with what was given."""
    path = bikes / "survey.yaml"
    path.write_text(
        path.read_text("utf-8")
        + "narrative: [{id: context, title: Context, text: {en: Cities, pl: Miasta}}]\n"
        "waves: [{id: '2019', path: ../bikes-2019}]\nwave: '2021'\n",
        "utf-8",
    )
    load_survey(bikes)
    kept = load_survey(bikes).config
    validated, _ = surveyspec.parse_survey(path.read_text("utf-8"), path)
    assert kept == surveyspec.run_form(validated)
    assert kept.narrative[0].title == {"en": "Context"} and kept.waves[0].path == "../bikes-2019"
    assert kept.given >= {"wave", "partners"} and "network" not in kept.given
    assert [dict(p) for p in validated.partners] == [p._asdict() for p in kept.partners]


def test_the_plain_classes_have_the_models_fields_and_defaults() -> None:
    for name in ("Partner", "Narrative", "WaveRef", "Survey"):
        plain, model = getattr(survey, name), getattr(surveyspec, name)
        fields = set(plain._fields) - {"given"}
        assert fields == set(model.model_fields), name
        defaults = {
            n: f.get_default() for n, f in model.model_fields.items() if not f.is_required()
        }
        assert defaults == {n: v for n, v in plain._field_defaults.items() if n != "given"}, name


def test_a_new_version_of_urbsurvey_checks_it_again(
    bikes: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_survey(bikes)
    monkeypatch.setattr("urbsurvey.__version__", "99.0")
    load_survey(bikes)
    assert len(entries()) == 2


@pytest.mark.parametrize("timeout", [None, "0.000001"], ids=["in a worker", "stopped: here"])
def test_a_long_survey_is_checked_in_a_worker_with_the_same_result(
    bikes: Path, monkeypatch: pytest.MonkeyPatch, timeout: str | None
) -> None:
    """Past `CHECK_APART_CHARS` the check runs in a worker; one stopped by its limits
    means checking here. Either way: the same partners, the same file/line message."""
    monkeypatch.setattr(survey, "CHECK_APART_CHARS", 0)
    if timeout is not None:
        monkeypatch.setenv("URBSURVEY_WORKER_TIMEOUT", timeout)
    assert [p.name for p in load_survey(bikes).config.partners] == ["Gdańsk", "Brno"]
    path = bikes / "survey.yaml"
    path.write_text(path.read_text("utf-8").replace("CZ", "Atlantis"), "utf-8")
    with pytest.raises(SurveyConfigError, match=r"survey.yaml, line \d+: partner Brno: 'Atlantis'"):
        load_survey(bikes)

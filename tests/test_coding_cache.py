"""A coding validated once is taken from the cache after (no pydantic), never once it changed.

On a survey that is not MILE: the toy bike-lanes questionnaire, a city of Poland and
its expert's coding. The cache folder (`URBSURVEY_CACHE`) is the test's own (conftest).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TOY
from tests.support.workbooks import filled, survey_folder
from urbsurvey import pipeline
from urbsurvey.errors import SurveyConfigError
from urbsurvey.outcomes.lessons import parse_coding

CODING = """\
groups:
  - {id: cycling, title: "What keeps people cycling"}
themes:
  - id: kept
    group: cycling
    title: {en: "Lanes kept clear all winter"}
    examples:
      - {partner: Gdańsk, question: kept}
"""


def entries() -> list[Path]:
    folder = Path(os.environ["URBSURVEY_CACHE"]) / "codings"
    return sorted(folder.glob("*.pickle")) if folder.is_dir() else []


@pytest.fixture
def survey(tmp_path: Path) -> Path:
    root = survey_folder(tmp_path / "bikes", ["Gdańsk"], questionnaire=TOY)
    yaml = root / "survey.yaml"
    yaml.write_text(yaml.read_text("utf-8").replace("coding: null", "coding: coding.yaml"), "utf-8")
    (root / "coding.yaml").write_text(CODING, encoding="utf-8")
    filled(root / "returns", {"km_built": "12", "kept": "yes", "budget": "PLN 1000"},
           questionnaire=TOY, partner="Gdańsk", name="gdansk.xlsx")  # fmt: skip
    return root


def theme_titles(survey: Path) -> list[str]:
    report = pipeline.report(survey)
    return [theme.title for group in report.lessons for theme in group.themes]


def test_a_coding_read_again_is_the_one_validated_without_pydantic() -> None:
    first = parse_coding(CODING, "coding.yaml")
    assert len(entries()) == 1
    assert parse_coding(CODING, "coding.yaml") == first
    program = (
        "import sys\n"
        "from urbsurvey.outcomes.lessons import parse_coding\n"
        "coding = parse_coding(sys.stdin.read(), 'coding.yaml')\n"
        "theme = coding.themes[0]\n"
        "print(theme.title['en'], theme.partners(), 'pydantic' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], input=CODING, capture_output=True, text=True, check=True
    )
    assert done.stdout == "Lanes kept clear all winter ['Gdańsk'] False\n"


def test_an_edited_coding_is_read_again(survey: Path) -> None:
    assert theme_titles(survey) == ["Lanes kept clear all winter"]
    coding = survey / "coding.yaml"
    coding.write_text(CODING.replace("all winter", "all year"), encoding="utf-8")
    assert theme_titles(survey) == ["Lanes kept clear all year"]
    assert len(entries()) == 2


def test_an_invalid_edit_is_reported_though_the_valid_coding_is_kept(survey: Path) -> None:
    theme_titles(survey)
    (survey / "coding.yaml").write_text(CODING.replace("group: cycling", "group: walking"), "utf-8")
    with pytest.raises(SurveyConfigError, match="names group 'walking', which is not listed"):
        theme_titles(survey)
    (survey / "coding.yaml").write_text(CODING.replace("title: {en:", "titel: {en:"), "utf-8")
    with pytest.raises(SurveyConfigError, match="invalid coding"):
        theme_titles(survey)

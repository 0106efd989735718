from __future__ import annotations

from pathlib import Path

import pytest

from urbsurvey.definition import Questionnaire
from urbsurvey.resources import load_questionnaire

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent
TOY = FIXTURES / "toy-bike-lanes.yaml"
MILE_EXAMPLE = REPO / "examples" / "mile-2009"


@pytest.fixture(scope="session")
def mile() -> Questionnaire:
    return load_questionnaire("mile-followup-2009")


@pytest.fixture(scope="session")
def toy() -> Questionnaire:
    return load_questionnaire(TOY)

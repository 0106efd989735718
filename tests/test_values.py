"""Numbers no survey holds and cells that hold an error are issues at their cell; every
report format still renders; an absurd exchange rate is refused when the survey loads.

End to end through the console script, on the toy bike-lanes survey (not MILE).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from .support.coverage import covers
from .support.script import URBSURVEY
from .support.workbooks import filled, rewrite_zip, survey_folder, where

TOY = Path(__file__).parent / "fixtures" / "toy-bike-lanes.yaml"
TIMEOUT = 180


pytestmark = pytest.mark.skipif(URBSURVEY is None, reason="no urbsurvey console script")


def urbsurvey(*args: str | Path) -> subprocess.CompletedProcess[str]:
    assert URBSURVEY is not None
    return subprocess.run(
        [URBSURVEY, *map(str, args)], capture_output=True, text=True, timeout=TIMEOUT, check=False
    )


GOOD = {"km_built": 12, "kept": "Yes", "counters": 4, "budget": "EUR 350,000"}
BAD = {
    "lyon.xlsx": ("Lyon", "budget", "123456789012345678901234567890123456 EUR", "out-of-range"),
    "graz.xlsx": ("Graz", "counters", 7777, "out-of-range"),  # then saved as 1.7E+308
    "porto.xlsx": ("Porto", "counters", "#DIV/0!", "error-value"),
    "gent.xlsx": ("Gent", "counters", "#N/A", "error-value"),
}


@pytest.fixture
def survey(tmp_path: Path) -> Path:
    partners = [p for p, *_ in BAD.values()] + ["Brno"]
    root = survey_folder(tmp_path / "survey", partners, questionnaire=TOY)
    for name, (partner, qid, value, _) in BAD.items():
        filled(
            root / "returns", {**GOOD, qid: value}, questionnaire=TOY, partner=partner, name=name
        )
    filled(root / "returns", GOOD, questionnaire=TOY, partner="Brno", name="brno.xlsx")
    # openpyxl cannot write 1.7e308: the number cell is edited in the XML
    huge = lambda _, data: data.replace(b"<v>7777</v>", b"<v>1.7E+308</v>")  # noqa: E731
    rewrite_zip(root / "returns/graz.xlsx", huge)
    return root


@covers("error-value")
def test_each_bad_value_is_an_issue_at_its_cell(survey: Path) -> None:
    run = urbsurvey("validate", survey, "--format", "json")
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    issues = json.loads(run.stdout)["issues"]
    for name, (_, qid, _, code) in BAD.items():
        sheet, cell = where(survey / "returns" / name, qid)
        found = [i for i in issues if i["file"] == f"returns/{name}" and i["code"] == code]
        assert [(i["sheet"], i["cell"]) for i in found] == [(sheet, cell)], (name, issues)
    assert not [i for i in issues if i["file"] == "returns/brno.xlsx"]


@pytest.mark.parametrize("fmt", ["md", "html", "json", "xlsx"])
def test_every_report_format_renders(survey: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"report.{fmt}"
    run = urbsurvey("report", survey, "--format", fmt, "-o", out)
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr and "InvalidOperation" not in run.stderr
    assert out.stat().st_size > 0
    if fmt == "json":
        text = out.read_text("utf-8")
        assert "out-of-range" in text and "error-value" in text
        huge = "123456789012345678901234567890123456"
        for indicator in json.loads(text)["indicators"]:
            counted = {k: v for k, v in indicator.items() if k != "left_out"}
            assert huge not in json.dumps(counted), indicator["id"]  # never in a figure


@pytest.mark.parametrize("rate", ["1e40", "0", "-2", "NaN"])
def test_an_absurd_exchange_rate_is_refused_on_load(survey: Path, rate: str) -> None:
    config = yaml.safe_load((survey / "survey.yaml").read_text("utf-8"))
    config["exchange_rates"] = {"GBP": rate}
    (survey / "survey.yaml").write_text(yaml.safe_dump(config), "utf-8")
    run = urbsurvey("report", survey, "--format", "md")
    assert run.returncode == 2, run.stderr
    assert run.stderr.startswith("Error: ") and "Traceback" not in run.stderr
    assert "GBP" in run.stderr

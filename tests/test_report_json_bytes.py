"""`--format json` is written by orjson, byte for byte what `json.dumps(indent=2)` wrote.

The reports are built by the real pipeline (`tests/support/report_sample.py`) on the
toy questionnaire, not MILE; the reference is the documented format:
`json.dumps(report.to_dict(), indent=2, ensure_ascii=False)` and a newline.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from urbsurvey import pipeline
from urbsurvey.cli import app
from urbsurvey.report.render import json_chunks, render
from urbsurvey.report.schema import ExchangeRate, Report

from .conftest import TOY
from .support.report_sample import SCRIPT, sample_report
from .support.workbooks import filled, survey_folder

runner = CliRunner()


def reference(report: Report) -> bytes:
    return (json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


@pytest.fixture(scope="module")
def toy_report() -> Report:
    return sample_report(5, hostile=True, questionnaire=TOY)


def test_json_report_is_byte_identical_to_the_stdlib_output(toy_report: Report) -> None:
    out = render(toy_report, "json")
    assert out == reference(toy_report)
    assert SCRIPT.encode() in out  # hostile text as it is, not \u-escaped
    assert b"bell\\u0007here" in out  # control characters escaped, as json.dumps does


@pytest.mark.parametrize("rate", [0.000058, 5e-06, 1.5e-07, 3e-09, 0.0001, 1e-10, 2e16])
def test_numbers_orjson_writes_differently_are_written_as_python_does(
    toy_report: Report, rate: float
) -> None:
    """orjson writes 5.8e-05 as 0.000058 and 5e-06 as 5e-6: those reports come out as before."""
    toy_report.currency.rates = [
        ExchangeRate(currency="IDR", rate=rate, display="1 IDR = €0.00", source="survey.yaml")
    ]
    out = render(toy_report, "json")
    assert out == reference(toy_report)
    assert f'"rate": {rate!r}'.encode() in out


def test_values_orjson_cannot_write_fall_back_to_the_same_bytes(toy_report: Report) -> None:
    """An integer beyond 64 bits (a count no survey reaches, but never a crash or a loss)."""
    toy_report.indicators[0].value = 2**70
    out = render(toy_report, "json")
    assert out == reference(toy_report)
    assert json.loads(out)["indicators"][0]["value"] == 2**70


def test_a_report_of_many_partners_is_written_in_small_pieces_of_the_same_bytes() -> None:
    """Long lists (the partners, a figure's cells, a finding's quotes) are written some
    elements at a time, and an element holding one in pieces of its own: the bytes are
    still `json.dumps`'s, also where a piece of them falls back to it (a tiny number)."""
    report = sample_report(150, questionnaire=TOY)
    cells = next(i.sources for i in report.indicators if len(i.sources) > 100)
    cells[120].converted = 5e-06  # orjson writes 5e-6: that batch of cells is the stdlib's
    pieces = list(json_chunks(report))
    out = b"".join(pieces)
    assert out == reference(report)
    assert b'"converted": 5e-06' in out
    partners = json.dumps(report.to_dict()["partners"], indent=2, ensure_ascii=False)
    assert max(map(len, pieces)) < len(partners.encode()) / 2  # 64 partners at most


def test_the_command_streams_the_same_bytes_to_a_file_and_to_stdout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`report --format json -o FILE` is written piece by piece; the file is the report."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1258934400")
    monkeypatch.setenv("URBSURVEY_CACHE", str(tmp_path / "cache"))
    root = survey_folder(tmp_path / "bikes", ["Gdańsk", "Brno"], questionnaire=TOY,
                         currency="EUR", rates={"PLN": 0.23, "CZK": 0.04})  # fmt: skip
    for city, budget in (("Gdańsk", "PLN 1000"), ("Brno", "CZK 5000")):
        filled(root / "returns", {"km_built": "12", "kept": "yes", "budget": budget},
               questionnaire=TOY, partner=city, name=f"{city}.xlsx")  # fmt: skip
    out = tmp_path / "out" / "report.json"
    done = runner.invoke(app, ["report", str(root), "--format", "json", "-o", str(out)])
    assert done.exit_code == 0, done.output
    expected = reference(pipeline.report(root))
    assert out.read_bytes() == expected
    shown = runner.invoke(app, ["report", str(root), "--format", "json"])
    assert shown.stdout_bytes == expected
    assert [p["partner"] for p in json.loads(expected)["partners"]] == ["Brno", "Gdańsk"]
    assert list(out.parent.iterdir()) == [out]  # no temporary file left beside it

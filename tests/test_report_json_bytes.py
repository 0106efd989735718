"""`--format json` is written by orjson, byte for byte what `json.dumps(indent=2)` wrote.

The reports are built by the real pipeline (`tests/support/report_sample.py`) on the
toy questionnaire, not MILE; the reference is the documented format:
`json.dumps(report.to_dict(), indent=2, ensure_ascii=False)` and a newline.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import get_args, get_origin, get_type_hints

import pytest
from typer.testing import CliRunner

from urbsurvey import pipeline
from urbsurvey.cli import app
from urbsurvey.report import schema
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


#: Floats orjson writes unlike `json.dumps` (1e-05 as 0.00001, 5e-06 as 5e-6), at the
#: edges of that range and beside it, and those it writes alike (1e+16, -0.0).
HARD_FLOATS = [1e-05, 9.999999999999999e-05, 5e-06, -2.5e-07, 1e-09, 9.99e-10, 0.0001]
HARD_FLOATS += [1e16, 1e22, -0.0, 123456.789e-12]


def _float_places(value: object, seen: set[tuple[type, str]]) -> Iterator[tuple[object, str]]:
    """(object, field) for the first object of each report class holding a field whose type
    allows a float, and (answers, key) for a partner's answers (`JsonValue` is one)."""
    if isinstance(value, list):
        for item in value:
            yield from _float_places(item, seen)
    if not is_dataclass(value) or isinstance(value, type):
        return
    hints = get_type_hints(type(value), vars(schema))
    for f in fields(value):
        kind, args = hints[f.name], get_args(hints[f.name])
        if (kind is float or float in args) and (type(value), f.name) not in seen:
            seen.add((type(value), f.name))
            yield value, f.name
        if get_origin(kind) is dict and float in get_args(args[1]) and (dict, f.name) not in seen:
            seen.add((dict, f.name))
            yield getattr(value, f.name), "a float answer"
        yield from _float_places(getattr(value, f.name), seen)


def _waves() -> schema.Waves:
    value = schema.WaveValue(value=1.5, display="1.5")
    indicator = schema.WaveIndicator(id="km", label="km", values={"2009": value}, change=value,
                                     not_compared=None, flags=[])  # fmt: skip
    return schema.Waves(ids=["2008", "2009"], previous="2008", current="2009", questions=[],
                        indicators=[indicator], indicators_one_wave=[], partners=[],
                        partners_one_wave=[])  # fmt: skip


@pytest.mark.parametrize("number", HARD_FLOATS)
def test_a_float_in_any_place_the_report_allows_one_is_written_as_python_does(
    number: float,
) -> None:
    """Every field of the report whose type allows a float, each in turn, holding a
    number orjson writes otherwise (or alike, for contrast): the stdlib's bytes, in a
    report whose long lists (partners, a figure's cells) are written a part at a time."""
    report = sample_report(70, questionnaire=TOY)
    report.waves = _waves()
    report.currency.rates = [ExchangeRate(currency="PLN", rate=0.23, display="", source="")]
    places = list(_float_places(report, set()))
    kinds = {type(obj).__name__ + "." + name for obj, name in places}
    assert {"Indicator.value", "SourceCell.converted", "Bar.value", "ExchangeRate.rate"} <= kinds
    assert {"ResponseRate.rate", "WaveValue.value", "dict.a float answer"} <= kinds
    for obj, name in places:
        if isinstance(obj, dict):
            obj[name] = number
        else:
            before = getattr(obj, name)
            setattr(obj, name, number)
        out = render(report, "json")
        assert out == reference(report), (type(obj).__name__, name)
        assert f": {number!r}".encode() in out
        if isinstance(obj, dict):
            del obj[name]
        else:
            setattr(obj, name, before)


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

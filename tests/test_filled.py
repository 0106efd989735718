"""The returned workbooks the tests make without openpyxl are the ones openpyxl saves.

`filled()` types answers into the template's saved XML; these tests type the same
answers with openpyxl (`_built`, the path every edited workbook takes) and compare.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from tests.support.workbooks import MILE, MILE_FULL, _built, _typed_in, definition
from urbsurvey.definition import Role
from urbsurvey.reader.workbook import Workbook, read_workbook
from urbsurvey.workbook.partners import WorkbookSpec

#: Every kind of value a test types, none of them a date.
EVERY_KIND: dict[str, object] = {
    "respondent.partner": None,  # clears the pre-filled name
    "ulsg_functioning": " Yes ",
    "barriers": "a & b < c > d \r\n é € 😀 \u2028",
    "lap_actions_implemented": 2.5,
    "funding_secured": Decimal("12.50"),
    "funding_provisional": 150000,
    "ma_in_lsg": True,
    "ma_separate_meetings": False,
    "lap_unplanned": "=SUM(1,2)",
    "local_impact_details": "#N/A",
    "barriers_overcome": "",
    "core_group_active": "=",
    "funding_sources": "a\x01control character",
    "experience_shared": "z" * 40_000,
}
NOTES = {"barriers": "a note", "lap_stage": " spaced € "}
SPECS = [
    WorkbookSpec("Venice", Role.CITY, "en"),
    WorkbookSpec("Lille", Role.MANAGING_AUTHORITY, "fr"),
    WorkbookSpec(None, Role.CITY, "en", interview=True),
]


def _parts(package: bytes) -> dict[str, bytes]:
    """The package's parts but its creation time."""
    with zipfile.ZipFile(io.BytesIO(package)) as zf:
        return {name: zf.read(name) for name in zf.namelist() if name != "docProps/core.xml"}


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: f"{s.role.value}-{s.lang}")
def test_typed_answers_are_the_bytes_openpyxl_saves(spec: WorkbookSpec) -> None:
    q = definition(MILE)
    by_openpyxl = _built(q, spec, EVERY_KIND, NOTES, None)
    assert _parts(_typed_in(MILE, spec, EVERY_KIND, NOTES)[0]) == _parts(by_openpyxl)


def _seen(package: bytes, path: Path) -> object:
    path.write_bytes(package)
    wb = read_workbook(path)
    assert isinstance(wb, Workbook)
    return [(wb.sheet(name).rows, wb.sheet(name).merged) for name in wb.sheet_names]


def test_typed_dates_read_as_the_dates_openpyxl_saves(tmp_path: Path) -> None:
    """A date gets a date format, as openpyxl gives it; only the formats' order differs."""
    answers = {**MILE_FULL, "respondent.name": dt.datetime(2009, 10, 19, 14, 30)}
    spec = SPECS[0]
    by_openpyxl = _built(definition(MILE), spec, answers, NOTES, None)
    typed, _layout = _typed_in(MILE, spec, answers, NOTES)
    assert _seen(typed, tmp_path / "typed.xlsx") == _seen(by_openpyxl, tmp_path / "saved.xlsx")

"""No --questionnaire: the stamps name it (`intake.stamps`). A single file is read once, and
a re-run reads no stamp again, unless the file changed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.workbooks import MILE, MILE_FULL, delete_sheet, filled
from urbsurvey import pipeline
from urbsurvey.definition.load import load_definition
from urbsurvey.errors import InputError
from urbsurvey.intake import batch, workers
from urbsurvey.resources import bundled_questionnaires
from urbsurvey.workbook import contract

Runs = list[list[Any]]


@pytest.fixture
def worker_runs(monkeypatch: pytest.MonkeyPatch) -> Runs:
    """The items of each batch handed to workers (stamps and answers alike), as they go."""
    runs: Runs = []
    real = workers.run_isolated

    def spy(items: list[Any], *args: Any, **kwargs: Any) -> Iterator[Any]:
        runs.append(list(items))
        return real(items, *args, **kwargs)

    monkeypatch.setattr(workers, "run_isolated", spy)
    monkeypatch.setattr(batch, "run_isolated", spy)
    return runs


def validate(*paths: Path, cache: bool = True, **options: Any) -> dict[str, Any]:
    return dict(pipeline.validate(list(paths), cache=cache, **options).to_json())


def keep_definition() -> None:
    """The bundled MILE definition validated and kept in this test's cache folder, as the
    first command to load it keeps it (this process remembers it unkept)."""
    load_definition(bundled_questionnaires()[MILE])


def test_one_file_is_read_once_and_checked_as_with_the_questionnaire_given(
    tmp_path: Path, worker_runs: Runs
) -> None:
    keep_definition()
    path = filled(tmp_path, MILE_FULL)
    found = validate(path, cache=False)
    assert len(worker_runs) == 1  # the stamp and the answers from one read, in one worker
    assert found == validate(path, cache=False, questionnaire=MILE)
    assert found["questionnaire"]["id"] == MILE and found["summary"]["ok"] == 1


def test_a_definition_not_validated_before_is_not_validated_in_the_worker(
    tmp_path: Path, worker_runs: Runs
) -> None:
    """With no definition kept yet, the worker only reads the stamp (validating it there
    would count against the file's time limit); the file is read again for its answers."""
    path = filled(tmp_path, MILE_FULL)
    found = validate(path, cache=False)
    assert len(worker_runs) == 2
    keep_definition()
    assert validate(path, cache=False) == found
    assert len(worker_runs) == 3  # kept: one read
    assert found == validate(path, cache=False, questionnaire=MILE)


def test_a_rerun_reads_no_stamp_and_no_file(tmp_path: Path, worker_runs: Runs) -> None:
    folder = tmp_path / "returns"
    filled(folder, MILE_FULL, name="a.xlsx")
    filled(folder, MILE_FULL, partner="Torino", name="b.xlsx")
    first = validate(folder)
    runs = len(worker_runs)
    assert validate(folder) == first
    assert len(worker_runs) == runs  # no worker started: nothing read
    assert validate(folder, cache=False) == first


def test_a_file_whose_stamp_is_gone_since_is_read_again(tmp_path: Path) -> None:
    path = filled(tmp_path, MILE_FULL)
    assert validate(path)["questionnaire"]["id"] == MILE
    filled(tmp_path, MILE_FULL, edit=delete_sheet(contract.STAMP_SHEET))  # the same file
    with pytest.raises(InputError, match="no questionnaire"):
        validate(path)


def test_a_file_before_the_stamped_one_is_still_read_for_its_answers(
    tmp_path: Path, worker_runs: Runs
) -> None:
    """`a.xlsx` has no stamp, `b.xlsx` decides: `b` is read once, `a` twice (once for its
    stamp, once for its answers); the same with the stamps kept."""
    keep_definition()
    folder = tmp_path / "returns"
    filled(folder, MILE_FULL, name="a.xlsx", edit=delete_sheet(contract.STAMP_SHEET))
    filled(folder, MILE_FULL, partner="Torino", name="b.xlsx")
    found = validate(folder, cache=False)
    assert [[name for _, name in run] for run in worker_runs] == [["a.xlsx", "b.xlsx"], ["a.xlsx"]]
    assert [f["file"] for f in found["files"]] == ["a.xlsx", "b.xlsx"]
    assert found == validate(folder, cache=False, questionnaire=MILE)

"""Each returned workbook is read from disk once: the bytes hashed are the bytes parsed."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from urbsurvey.intake.answers import Interpreter
from urbsurvey.intake.submission import Context, read_submission
from urbsurvey.reader import limits

from .support.surveys import RECYCLING
from .support.workbooks import definition, filled


@pytest.fixture
def ctx() -> Context:
    q = definition(RECYCLING)
    return Context(q, Interpreter(q))


def _cork(tmp_path: Path) -> Path:
    answers = {"points_opened": 12, "weee_accepted": "Yes", "weee_tonnes": 3.5}
    return filled(tmp_path, answers, questionnaire=RECYCLING, partner="Cork", name="cork.xlsx")


def test_digest_and_time_are_the_file_s_and_answers_are_read(tmp_path: Path, ctx: Context) -> None:
    path = _cork(tmp_path)
    os.utime(path, (1_000_000_000, 1_250_000_000))
    sub = read_submission(path, ctx, "returns/cork.xlsx")
    assert sub.readable and sub.format == "xlsx"
    assert sub.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert sub.mtime == 1_250_000_000
    assert sub.answers["points_opened"].value == 12
    assert sub.answers["points_opened"].cell.startswith("C")


def test_a_file_over_the_size_limit_is_refused_but_still_hashed_whole(
    tmp_path: Path, ctx: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _cork(tmp_path)
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", path.stat().st_size - 1)
    sub = read_submission(path, ctx, "returns/cork.xlsx")
    assert not sub.readable
    assert [i.code for i in sub.issues] == ["file-too-large"]
    assert sub.issues[0].file == "returns/cork.xlsx"
    # the digest of the whole file (a duplicate is still recognised), not of a part
    assert sub.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_an_empty_and_a_missing_file_say_so(tmp_path: Path, ctx: Context) -> None:
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    sub = read_submission(empty, ctx, "empty.xlsx")
    assert [i.code for i in sub.issues] == ["empty-file"]
    assert sub.sha256 == hashlib.sha256(b"").hexdigest()
    gone = read_submission(tmp_path / "gone.xlsx", ctx, "gone.xlsx")
    assert not gone.readable and gone.sha256 == ""
    assert [i.code for i in gone.issues] == ["corrupt-file"]
    assert "cannot be opened" in gone.issues[0].message

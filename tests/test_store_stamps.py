"""Re-ingest skips unchanged files unread, and never keeps a stale answer.

A file is skipped when its size, modification time and stamp (inode change time,
inode, device) are the stored ones; when only the times moved, its content hash
decides. On the toy bike-lanes questionnaire (not MILE), three Polish and Czech cities.
"""

from __future__ import annotations

import shutil
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from tests.test_cache import bike_survey, forge_edit
from urbsurvey import pipeline
from urbsurvey.store import Store


@pytest.fixture
def survey(tmp_path: Path) -> Path:
    return bike_survey(tmp_path)  # uncompressed: an edit of the same length keeps the size


def ingest(survey: Path, store: Path) -> tuple[pipeline.IngestResult, int]:
    """Ingest, and how many files were handed to the readers."""
    to_read: list[int] = []
    result = pipeline.ingest([survey], store, on_files=to_read.append)
    return result, to_read[0]


def km_stored(store: Path, city: str) -> object:
    keeper = Store(store, read_only=True)
    try:
        (sub,) = [s for s in keeper.current() if s.partner == city]
    finally:
        keeper.close()
    return sub.answers["km_built"].value


def stamps(store: Path) -> dict[str, str]:
    with sqlite3.connect(store) as conn:
        return dict(conn.execute("SELECT path, stamp FROM file_stamps"))


def test_nothing_changed_reads_nothing(survey: Path, tmp_path: Path) -> None:
    store = tmp_path / "s.sqlite"
    first, read = ingest(survey, store)
    assert (len(first.added), read) == (3, 3)
    again, read = ingest(survey, store)
    assert (again.added, again.unchanged, again.issues, read) == ([], 3, [], 0)


def test_nothing_changed_writes_nothing(survey: Path, tmp_path: Path) -> None:
    """Not even the survey it keeps: a store in a synced or backed-up folder stays as it was."""
    store = tmp_path / "s.sqlite"
    ingest(survey, store)
    before = (store.read_bytes(), store.stat().st_mtime_ns)
    ingest(survey, store)
    assert (store.read_bytes(), store.stat().st_mtime_ns) == before
    assert sorted(p.name for p in tmp_path.glob("s.sqlite*")) == ["s.sqlite"]


def test_an_edit_with_size_and_time_forged_back_is_ingested(survey: Path, tmp_path: Path) -> None:
    store = tmp_path / "s.sqlite"
    path = survey / "returns" / "Brno.xlsx"
    ingest(survey, store)
    forge_edit(path, tmp_path / "edit")
    again, read = ingest(survey, store)
    assert read == 1
    assert [s.file for s in again.added] == ["returns/Brno.xlsx"]
    assert km_stored(store, "Brno") == Decimal(13)


def test_a_touched_file_is_hashed_not_parsed_and_its_stamp_kept(
    survey: Path, tmp_path: Path
) -> None:
    store = tmp_path / "s.sqlite"
    path = survey / "returns" / "Łódź.xlsx"
    ingest(survey, store)
    old = stamps(store)
    shutil.copyfile(path, tmp_path / "copy.xlsx")
    shutil.copyfile(tmp_path / "copy.xlsx", path)  # same bytes, new inode change time
    again, read = ingest(survey, store)
    assert (again.added, again.unchanged, read) == ([], 3, 0)
    new = stamps(store)
    key = str(path.resolve())
    assert new[key] != old[key]
    assert new[key].startswith(f"{path.stat().st_ctime_ns}:")
    assert km_stored(store, "Łódź") == Decimal(12)


def test_a_store_without_stamps_checks_each_hash_once(survey: Path, tmp_path: Path) -> None:
    """As an older urbsurvey left it: size and time only; nothing is parsed again."""
    store = tmp_path / "s.sqlite"
    ingest(survey, store)
    with sqlite3.connect(store) as conn:
        conn.execute("DELETE FROM file_stamps")
    again, read = ingest(survey, store)
    assert (again.added, again.unchanged, read) == ([], 3, 0)
    assert len(stamps(store)) == 3

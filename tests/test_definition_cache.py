"""Definitions validated once are loaded from the cache after, and never when they changed.

On the toy bike-lane questionnaire (not MILE), copied into the test's folder; the read
cache folder (`URBSURVEY_CACHE`) is the test's own (conftest).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from urbsurvey.definition import load_definition
from urbsurvey.errors import DefinitionError

from .conftest import TOY


def entries() -> list[Path]:
    folder = Path(os.environ["URBSURVEY_CACHE"]) / "definitions"
    return sorted(folder.glob("*.pickle")) if folder.is_dir() else []


@pytest.fixture
def bikes(tmp_path: Path) -> Path:
    path = tmp_path / "bikes.yaml"
    path.write_bytes(TOY.read_bytes())
    return path


def test_a_definition_loaded_again_is_the_one_validated(bikes: Path) -> None:
    first = load_definition(bikes)
    assert len(entries()) == 1
    again = load_definition(bikes)
    assert again == first and again.fingerprint() == first.fingerprint()
    assert [q.id for q in again.questions()] == [q.id for q in first.questions()]


def test_a_new_process_loads_it_from_the_cache_without_pydantic(bikes: Path) -> None:
    load_definition(bikes)
    program = (
        "import sys; from pathlib import Path\n"
        "from urbsurvey.definition import load_definition\n"
        "q = load_definition(Path(sys.argv[1]))\n"
        "print(q.id, q.fingerprint(), q.question('km_built').type.name,"
        " 'pydantic' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program, str(bikes)], capture_output=True, text=True, check=True
    )
    expected = load_definition(bikes)
    assert done.stdout == f"toy-bike-lanes {expected.fingerprint()} DECIMAL False\n"


def test_an_edit_is_seen_even_with_size_and_time_forged_back(bikes: Path) -> None:
    before = load_definition(bikes)
    st = bikes.stat()
    text = bikes.read_text("utf-8")
    edited = text.replace("Kilometres of lane built", "Kilometres of lane drawn")
    assert len(edited) == len(text) and edited != text
    bikes.write_text(edited, "utf-8")
    os.utime(bikes, ns=(st.st_atime_ns, st.st_mtime_ns))
    after = load_definition(bikes)
    assert after.question("km_built").text["en"] == "Kilometres of lane drawn"
    assert after.fingerprint() != before.fingerprint()


def test_a_definition_with_problems_is_reported_every_time_and_never_kept(bikes: Path) -> None:
    bikes.write_text(bikes.read_text("utf-8").replace("type: decimal", "type: decimals"), "utf-8")
    for _ in range(2):
        with pytest.raises(DefinitionError, match="decimals"):
            load_definition(bikes)
    assert entries() == []


def test_a_damaged_entry_means_validating_again(bikes: Path) -> None:
    first = load_definition(bikes)
    (entry,) = entries()
    entry.write_bytes(entry.read_bytes()[:100])
    assert load_definition(bikes) == first
    assert load_definition(bikes).fingerprint() == first.fingerprint()


def test_an_unwritable_cache_only_costs_time(bikes: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = bikes.parent / "not-a-folder"
    blocker.write_text("a file where the cache folder would be", "utf-8")
    monkeypatch.setenv("URBSURVEY_CACHE", str(blocker))
    assert load_definition(bikes).id == "toy-bike-lanes"
    assert load_definition(bikes).id == "toy-bike-lanes"


def test_the_workbook_words_come_from_the_cache_as_parsed() -> None:
    from urbsurvey import yamlio
    from urbsurvey.resources import bundled_dir
    from urbsurvey.workbook.words import ui_words

    parsed = yamlio.read_file(bundled_dir("templates") / "workbook.yaml").data
    ui_words.cache_clear()
    assert ui_words() == parsed
    (entry,) = (Path(os.environ["URBSURVEY_CACHE"]) / "words").glob("*.json")
    ui_words.cache_clear()
    assert ui_words() == parsed  # read back from the entry
    entry.write_text('{"en": {"sheets": ', "utf-8")  # damaged
    ui_words.cache_clear()
    assert ui_words() == parsed
    ui_words.cache_clear()

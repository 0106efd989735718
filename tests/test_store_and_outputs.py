"""Two ingests on one store both finish; a store that cannot be written is an `Error:`
line; outputs to devices are written, never replaced; long output names are legal.

Run end to end through the console script on a survey that is not MILE.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
from contextlib import closing
from pathlib import Path

import pytest

from urbsurvey.atomic import write_bytes
from urbsurvey.errors import OutputError

from .support.script import URBSURVEY
from .support.workbooks import filled, survey_folder

TOY = Path(__file__).parent / "fixtures" / "toy-bike-lanes.yaml"
TIMEOUT = 180
PARTNERS = ["Lyon", "Graz", "Porto", "Gent", "Brno", "Turku"]


pytestmark = pytest.mark.skipif(URBSURVEY is None, reason="no urbsurvey console script")


def start(*args: str | Path) -> subprocess.Popen[str]:
    assert URBSURVEY is not None
    return subprocess.Popen(
        [URBSURVEY, *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def finish(proc: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=TIMEOUT)
    return proc.returncode, out, err


@pytest.fixture
def survey(tmp_path: Path) -> Path:
    root = survey_folder(tmp_path / "survey", PARTNERS, questionnaire=TOY)
    for i, partner in enumerate(PARTNERS):
        answers = {"km_built": 10 + i, "kept": "Yes", "counters": i}
        filled(root / "returns", answers, questionnaire=TOY, partner=partner, name=f"{i}.xlsx")
    return root


def test_two_ingests_at_once_both_finish_and_store_each_file_once(
    survey: Path, tmp_path: Path
) -> None:
    for round_ in range(4):
        store = tmp_path / f"store-{round_}.sqlite"
        runs = [start("ingest", survey, "--store", store, "--format", "json") for _ in range(2)]
        results = [finish(run) for run in runs]
        for code, out, err in results:
            assert code == 0, err
            assert "Traceback" not in err and "IntegrityError" not in err
            json.loads(out)
        with closing(sqlite3.connect(store)) as db:
            files = [f for (f,) in db.execute("SELECT file FROM submissions")]
        assert sorted(files) == sorted(f"returns/{i}.xlsx" for i in range(len(PARTNERS)))
        added = sum(len(json.loads(out)["added"]) for _, out, _ in results)
        assert added == len(PARTNERS)  # each file stored by one of the two, never twice


def test_a_read_only_store_is_an_error_line_and_stays_intact(survey: Path, tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes to read-only files")
    store = tmp_path / "store.sqlite"
    code, _, err = finish(start("ingest", survey, "--store", store))
    assert code == 0, err
    before = store.read_bytes()
    extra = filled(survey / "returns", {"km_built": 3}, questionnaire=TOY, partner="Lyon")
    os.utime(extra, (2_000_000_000, 2_000_000_000))
    store.chmod(0o444)
    code, _, err = finish(start("ingest", survey, "--store", store))
    assert code == 2 and err.startswith("Error: "), err
    assert "Traceback" not in err and "Tip:" in err
    assert store.read_bytes() == before


def test_a_damaged_store_is_an_error_line(survey: Path, tmp_path: Path) -> None:
    store = tmp_path / "store.sqlite"
    store.write_bytes(b"SQLite format 3\x00" + os.urandom(4096))
    before = store.read_bytes()
    code, _, err = finish(start("ingest", survey, "--store", store))
    assert code == 2 and err.startswith("Error: "), err
    assert "Traceback" not in err
    assert store.read_bytes() == before


# ------------------------------------------------------------------------- output targets


def test_dev_null_stays_a_device(survey: Path) -> None:
    code, _, err = finish(start("report", survey, "--format", "md", "-o", "/dev/null"))
    assert code == 0, err
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_dev_full_is_an_error_line_and_stays_a_device(survey: Path) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full")
    code, _, err = finish(start("report", survey, "--format", "md", "-o", "/dev/full"))
    assert code == 2 and err.startswith("Error: "), err
    assert "Traceback" not in err
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_a_named_pipe_target_is_written_not_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "out.md"
    os.mkfifo(fifo)
    reader = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    write_bytes(fifo, b"# report\n")
    out, _ = reader.communicate(timeout=30)
    assert out == b"# report\n"
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_a_folder_target_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="is a folder"):
        write_bytes(tmp_path, b"x")


def test_a_legal_250_byte_output_name_is_written(survey: Path, tmp_path: Path) -> None:
    name = "r" * 247 + ".md"
    assert len(name.encode()) == 250
    target = tmp_path / name
    code, _, err = finish(start("report", survey, "--format", "md", "-o", target))
    assert code == 0, err
    assert target.read_text("utf-8").startswith("#")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([name, "survey"])


# ------------------------------------------------------------------------- file names


def test_a_file_name_that_is_not_utf8_is_carried_escaped(survey: Path, tmp_path: Path) -> None:
    returns = os.fsencode(survey / "returns")
    latin1 = os.fsdecode(returns + b"/Malm\xf6.xlsx")
    shutil.move(survey / "returns" / "0.xlsx", latin1)
    shown = "returns/Malm\\xf6.xlsx"
    assert URBSURVEY is not None
    validate = subprocess.run(
        [URBSURVEY, "validate", survey, "--format", "json"], capture_output=True, timeout=TIMEOUT
    )
    assert validate.returncode == 0, validate.stderr
    files = {f["file"]: f["status"] for f in json.loads(validate.stdout.decode("utf-8"))["files"]}
    assert files[shown] == "ok"
    store = tmp_path / "store.sqlite"
    code, _, err = finish(start("ingest", survey, "--store", store, "--format", "json"))
    assert code == 0 and "Traceback" not in err, err
    with closing(sqlite3.connect(store)) as db:
        stored = {f for (f,) in db.execute("SELECT file FROM submissions")}
    assert shown in stored
    report = tmp_path / "report.json"
    code, _, err = finish(start("report", survey, "--format", "json", "-o", report))
    assert code == 0 and "Traceback" not in err, err
    assert json.dumps(shown) in report.read_text("utf-8")  # the backslash escaped in JSON
    table = subprocess.run([URBSURVEY, "validate", survey], capture_output=True, timeout=TIMEOUT)
    table.stdout.decode("utf-8")  # the terminal gets valid UTF-8 too

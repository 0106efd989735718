"""Nothing urbsurvey writes is ever half written.

Reports, partner workbooks and the Excel matrix go to a temporary file in the target's
folder, renamed into place (`urbsurvey.atomic`): a failure midway, a full disk or a
crash leaves the previous version intact and no temporary file behind. A full disk
cannot be made portably without root mounts, so it is simulated by the one write that
fails with ENOSPC after writing half its bytes.

The store: `urbsurvey ingest` is killed with SIGKILL at random points over a batch;
after every kill the database is intact, holds no half submission, and re-running
completes the batch with every file exactly once.
"""

from __future__ import annotations

import builtins
import errno
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from urbsurvey import atomic
from urbsurvey.atomic import atomic_path, write_bytes, write_text
from urbsurvey.errors import OutputError

from .support.script import URBSURVEY
from .support.workbooks import MILE, MILE_FULL, MILE_REQUIRED, filled

TIMEOUT = 120


needs_script = pytest.mark.skipif(URBSURVEY is None, reason="no urbsurvey console script")


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str


def urbsurvey(*args: str | Path, cwd: Path | None = None) -> Run:
    assert URBSURVEY is not None
    done = subprocess.run(
        [URBSURVEY, *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def assert_clean_error(run: Run, code: int = 2) -> str:
    """A failed command: its exit code, one `Error:` message, no traceback."""
    assert "Traceback" not in run.stdout + run.stderr, run.stderr[-3000:]
    assert run.returncode == code, run.stderr
    assert run.stderr.startswith("Error: "), run.stderr
    return run.stderr


def leftovers(folder: Path) -> list[str]:
    """Temporary files urbsurvey may have left (`.NAME.xxxx.tmp`)."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def main(monkeypatch: pytest.MonkeyPatch, capsys: Any, *args: str | Path) -> Run:
    """`urbsurvey ARGS` in this process, so that a write can be made to fail."""
    from urbsurvey.cli import main as cli_main

    capsys.readouterr()
    monkeypatch.setattr(sys, "argv", ["urbsurvey", *map(str, args)])
    with pytest.raises(SystemExit) as exit_:
        cli_main()
    out = capsys.readouterr()
    code = exit_.value.code
    return Run(code if isinstance(code, int) else (0 if code is None else 1), out.out, out.err)


# ------------------------------------------------------------------------- a full disk


def full_disk(monkeypatch: pytest.MonkeyPatch, after: int = 0) -> list[Path]:
    """Writes to urbsurvey's temporary files fail with ENOSPC (after `after` good ones).

    The failing write first writes half its bytes, as a disk filling up does; so does
    a file written piece by piece (`atomic.write_chunks`, the streamed JSON report),
    at its first piece. Returns the temporary paths written to, in order.
    """
    real = Path.write_bytes
    seen: list[Path] = []

    def write(self: Path, data: Any) -> int:
        if not (self.name.startswith(".") and self.name.endswith(".tmp")):
            return real(self, data)
        seen.append(self)
        if len(seen) <= after:
            return real(self, data)
        with self.open("wb") as fh:
            fh.write(bytes(data)[: len(data) // 2])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))

    def open_(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        fh = builtins.open(file, mode, *args, **kwargs)  # noqa: SIM115 (open itself: the caller closes)
        path = Path(file)
        if "w" not in mode or not (path.name.startswith(".") and path.name.endswith(".tmp")):
            return fh
        seen.append(path)
        return fh if len(seen) <= after else _FillingUp(fh, path)

    monkeypatch.setattr(Path, "write_bytes", write)
    monkeypatch.setattr(atomic, "open", open_, raising=False)
    return seen


class _FillingUp:
    """A file on a disk that fills up: half of the first piece is written, then ENOSPC."""

    def __init__(self, fh: Any, path: Path) -> None:
        self.fh, self.path = fh, path

    def __enter__(self) -> _FillingUp:
        return self

    def __exit__(self, *exc: object) -> None:
        self.fh.close()

    def write(self, data: bytes) -> int:
        self.fh.write(data[: len(data) // 2])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self.path))

    def writelines(self, pieces: Any) -> None:
        for piece in pieces:
            self.write(piece)


# ------------------------------------------------------------------------- atomic_path


def test_atomic_path_replaces_the_target_from_its_own_folder(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.write_text("previous", encoding="utf-8")
    with atomic_path(target) as tmp:
        assert tmp.parent == target.parent and tmp != target
        assert tmp.name.startswith(".report.html.") and tmp.name.endswith(".tmp")
        tmp.write_text("new", encoding="utf-8")
        assert target.read_text(encoding="utf-8") == "previous"  # not until the rename
    assert target.read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_atomic_path_failure_midway_keeps_the_previous_version(tmp_path: Path) -> None:
    target = tmp_path / "matrix.xlsx"
    target.write_bytes(b"previous version")
    with pytest.raises(RuntimeError, match="midway"), atomic_path(target) as tmp:
        tmp.write_bytes(b"half of the new ver")
        raise RuntimeError("crash midway")
    assert target.read_bytes() == b"previous version"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["matrix.xlsx"]


def test_atomic_path_new_target_left_absent_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "new.md"
    with pytest.raises(KeyboardInterrupt), atomic_path(target) as tmp:
        tmp.write_text("partial", encoding="utf-8")
        raise KeyboardInterrupt
    assert not target.exists()
    assert list((tmp_path / "sub").iterdir()) == []


def test_write_bytes_on_a_full_disk_keeps_the_previous_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.json"
    target.write_text('{"previous": true}', encoding="utf-8")
    seen = full_disk(monkeypatch)
    with pytest.raises(OutputError, match="No space left on device") as caught:
        write_text(target, '{"new": true, "long": "' + "x" * 10_000 + '"}')
    assert str(target) in caught.value.message
    assert len(seen) == 1 and seen[0].parent == tmp_path
    assert target.read_text(encoding="utf-8") == '{"previous": true}'
    assert leftovers(tmp_path) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_write_to_a_read_only_folder_is_a_clean_error(tmp_path: Path) -> None:
    folder = tmp_path / "locked"
    folder.mkdir()
    (folder / "report.md").write_text("previous", encoding="utf-8")
    folder.chmod(0o500)
    try:
        with pytest.raises(OutputError, match="cannot write"):
            write_bytes(folder / "report.md", b"new")
        assert (folder / "report.md").read_text(encoding="utf-8") == "previous"
    finally:
        folder.chmod(0o700)
    assert leftovers(folder) == []


def test_write_below_a_file_is_a_clean_error(tmp_path: Path) -> None:
    """The target's folder cannot be made (a file is in the way): OutputError, not OSError."""
    blocker = tmp_path / "reports"
    blocker.write_text("a file, not a folder", encoding="utf-8")
    with pytest.raises(OutputError, match="cannot write"):
        write_bytes(blocker / "report.md", b"new")
    with pytest.raises(OutputError, match="cannot write"), atomic_path(blocker / "x.xlsx"):
        pass
    assert blocker.read_text(encoding="utf-8") == "a file, not a folder"


def test_write_over_a_folder_is_a_clean_error_and_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.mkdir()
    (target / "keep.txt").write_text("kept", encoding="utf-8")
    with pytest.raises(OutputError, match="cannot write"):
        write_bytes(target, b"<html>")
    assert (target / "keep.txt").read_text(encoding="utf-8") == "kept"
    assert leftovers(tmp_path) == []


# ------------------------------------------------------------------------- report -o


@pytest.fixture(scope="module")
def returns(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("returns")
    filled(folder, MILE_FULL, name="venice.xlsx")
    filled(folder, MILE_REQUIRED, partner="Amadora", name="amadora.xlsx")
    return folder


PREVIOUS = "<!doctype html><p>The report of last week.</p>\n"

#: Templates that fail while rendering (after the data was read), and whether urbsurvey
#: turns the failure into a clean error.
FAILING_TEMPLATES = [
    pytest.param('{% include "missing-partial.j2" %}\n', id="missing-include"),
    pytest.param("{{ survey.title }}{{ nothing_here() }}\n", id="call-undefined"),
    pytest.param("{% for x in %}\n", id="syntax-error"),
    pytest.param(
        "<p>{{ survey.title }}</p>{{ 1 / 0 }}\n",
        id="zero-division",
    ),
]


@needs_script
@pytest.mark.parametrize("template", FAILING_TEMPLATES)
def test_report_failing_midway_keeps_the_previous_report(
    tmp_path: Path, returns: Path, template: str
) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "report.html.j2").write_text(template, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    target = out / "report.html"
    target.write_text(PREVIOUS, encoding="utf-8")
    run = urbsurvey(
        "report", returns, "--questionnaire", MILE, "--format", "html", "-o", target,
        "--template", templates,
    )  # fmt: skip
    assert target.read_text(encoding="utf-8") == PREVIOUS
    assert sorted(p.name for p in out.iterdir()) == ["report.html"]
    message = assert_clean_error(run)
    assert "report.html.j2" in message


@needs_script
def test_report_over_a_folder_is_a_clean_error(tmp_path: Path, returns: Path) -> None:
    target = tmp_path / "report.md"
    target.mkdir()
    run = urbsurvey("report", returns, "--questionnaire", MILE, "-o", target)
    assert "cannot write" in assert_clean_error(run)
    assert leftovers(tmp_path) == [] and list(target.iterdir()) == []


@needs_script
def test_report_rewrite_leaves_no_temporary_file(tmp_path: Path, returns: Path) -> None:
    target = tmp_path / "report.md"
    target.write_text("previous", encoding="utf-8")
    run = urbsurvey("report", returns, "--questionnaire", MILE, "-o", target)
    assert run.returncode == 0, run.stderr
    assert target.read_text(encoding="utf-8").startswith("# ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md"]


@pytest.mark.parametrize("fmt", ["md", "html", "json", "xlsx"])
def test_report_on_a_full_disk_keeps_the_previous_report(
    tmp_path: Path, returns: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any, fmt: str
) -> None:
    target = tmp_path / f"report.{fmt}"
    target.write_bytes(b"previous report")
    seen = full_disk(monkeypatch)
    result = main(
        monkeypatch, capsys, "report", returns, "--questionnaire", MILE, "--format", fmt,
        "-o", target,
    )  # fmt: skip
    assert "No space left on device" in assert_clean_error(result)
    assert [p.parent for p in seen] == [tmp_path]  # the temporary file is beside the target
    assert target.read_bytes() == b"previous report"
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


# ------------------------------------------------------------------------- template -o


def _save_fails_midway(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """openpyxl's save writes part of the file, then the disk is full."""
    from openpyxl.workbook.workbook import Workbook

    seen: list[Path] = []

    def save(self: Any, filename: Any) -> None:
        seen.append(Path(filename))
        Path(filename).write_bytes(b"PK\x03\x04 half a workbook")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(filename))

    monkeypatch.setattr(Workbook, "save", save)
    return seen


def test_template_on_a_full_disk_keeps_the_previous_workbook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    target = tmp_path / "venice.xlsx"
    filled(tmp_path, MILE_REQUIRED, name="venice.xlsx")
    before = target.read_bytes()
    seen = _save_fails_midway(monkeypatch)
    result = main(monkeypatch, capsys, "template", MILE, "--partner", "Venice", "-o", target)
    assert "No space left on device" in assert_clean_error(result)
    assert [p.parent for p in seen] == [tmp_path]
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["venice.xlsx"]


def test_template_partners_on_a_full_disk_keep_the_previous_workbooks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    partners = tmp_path / "partners.csv"
    partners.write_text("partner\nAmadora\nVenice\nSevilla\n", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    previous = {name: f"previous {name}".encode() for name in ("Venice-city.xlsx",)}
    for name, data in previous.items():
        (out / name).write_bytes(data)
    full_disk(monkeypatch, after=1)  # Amadora's workbook is written, then the disk is full
    result = main(monkeypatch, capsys, "template", MILE, "--partners", partners, "-o", out)
    assert "No space left on device" in assert_clean_error(result)
    assert sorted(p.name for p in out.iterdir()) == ["Amadora-city.xlsx", "Venice-city.xlsx"]
    assert (out / "Venice-city.xlsx").read_bytes() == previous["Venice-city.xlsx"]
    assert openpyxl.load_workbook(out / "Amadora-city.xlsx").sheetnames[0] == "Responses"


@needs_script
def test_template_over_a_folder_is_a_clean_error(tmp_path: Path) -> None:
    target = tmp_path / "venice.xlsx"
    target.mkdir()
    (target / "keep.txt").write_text("kept", encoding="utf-8")
    run = urbsurvey("template", MILE, "--partner", "Venice", "-o", target)
    assert "cannot write" in assert_clean_error(run)
    assert leftovers(tmp_path) == []
    assert (target / "keep.txt").read_text(encoding="utf-8") == "kept"


# ------------------------------------------------------------------------- SIGKILL and the store

TABLES = {
    *("meta", "submissions", "answers", "issues", "provenance", "files", "file_stamps", "survey"),
}
BATCH_SIZE = 60
#: When each of the 8 runs is killed: early, once N files are stored, at a random time.
KILL_SCHEDULE = ("early", "stored", "stored", "stored", "stored", "time", "time", "time")


def _variant(i: int) -> dict[str, object]:
    """Answers with no issue, an error, a warning, or the minimum, in turn."""
    return [
        MILE_FULL,
        {**MILE_REQUIRED, "ulsg_functioning": "maybe"},  # invalid-choice
        {**MILE_REQUIRED, "barriers": "Staff\x07 turnover"},  # control-characters
        MILE_REQUIRED,
    ][i % 4]


@pytest.fixture(scope="module")
def kill_batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """60 returns from 60 partners; four of them truncated (unreadable)."""
    folder = tmp_path_factory.mktemp("kill") / "returns"
    for i in range(BATCH_SIZE):
        path = filled(folder, _variant(i), partner=f"Partner {i:02}", name=f"partner-{i:02}.xlsx")
        if i % 15 == 14:
            data = path.read_bytes()
            path.write_bytes(data[: len(data) // 2])
    return folder


Expected = dict[str, tuple[int, str | None, str, int, list[str]]]


def _snapshot(store: Path) -> Expected:
    """Per content hash: readable, partner, status, number of answers, issue codes."""
    with closing(sqlite3.connect(store)) as db:
        rows = db.execute("SELECT id, sha256, readable, partner, status FROM submissions")
        result: Expected = {}
        for sid, sha, readable, partner, status in rows.fetchall():
            (answers,) = db.execute(
                "SELECT count(*) FROM answers WHERE submission_id=?", (sid,)
            ).fetchone()
            codes = sorted(
                c for (c,) in db.execute("SELECT code FROM issues WHERE submission_id=?", (sid,))
            )
            result[sha] = (readable, partner, status, answers, codes)
        return result


def _check_store(store: Path, expected: Expected) -> int:
    """The store after a kill: intact, no half submission. Returns how many are stored."""
    if not store.exists():
        return 0
    with closing(sqlite3.connect(store)) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        tables = {n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert tables in (set(), TABLES), tables  # the schema is created whole or not at all
        if not tables:
            return 0
        (orphans,) = db.execute(
            "SELECT (SELECT count(*) FROM answers WHERE submission_id NOT IN"
            " (SELECT id FROM submissions)) + (SELECT count(*) FROM issues WHERE"
            " submission_id NOT IN (SELECT id FROM submissions))"
        ).fetchone()
        assert orphans == 0
        (unknown,) = db.execute(
            "SELECT count(*) FROM files WHERE sha256 NOT IN (SELECT sha256 FROM submissions)"
        ).fetchone()
        assert unknown == 0  # a file is remembered only with its submission
    got = _snapshot(store)
    for sha, state in got.items():
        assert sha in expected, "a submission for content that is not in the batch"
        assert state == expected[sha], "a half-stored submission"
    return len(got)


def _ingest_argv(batch: Path, store: Path) -> list[str]:
    assert URBSURVEY is not None
    return [URBSURVEY, "ingest", str(batch), "--store", str(store), "--questionnaire", MILE]


def _kill_after(proc: subprocess.Popen[bytes], delay: float) -> bool:
    """SIGKILL `proc` (and only its process group) after `delay`; False if it had finished."""
    try:
        proc.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=TIMEOUT)
        return True


def _kill_when(proc: subprocess.Popen[bytes], store: Path, stored: int, extra: float) -> bool:
    """SIGKILL `proc` once the store holds `stored` submissions, plus `extra` seconds."""
    deadline = time.monotonic() + TIMEOUT
    while proc.poll() is None and time.monotonic() < deadline:
        count = 0
        if store.exists():  # never create it: connecting to a missing file would
            try:
                with closing(sqlite3.connect(store)) as db:
                    (count,) = db.execute("SELECT count(*) FROM submissions").fetchone()
            except sqlite3.Error:
                pass  # the schema is not there yet
        if count >= stored:
            return _kill_after(proc, extra)
        time.sleep(0.002)
    proc.wait(timeout=TIMEOUT)
    return False


@needs_script
def test_sigkill_during_ingest_never_leaves_half_a_submission(
    tmp_path: Path, kill_batch: Path
) -> None:
    files = sorted(kill_batch.iterdir())
    assert len(files) == BATCH_SIZE

    # What a complete ingest stores for each file, and how long it takes here.
    reference = tmp_path / "reference.sqlite"
    start = time.monotonic()
    done = subprocess.run(
        _ingest_argv(kill_batch, reference), capture_output=True, text=True, timeout=TIMEOUT
    )
    duration = time.monotonic() - start
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    expected = _snapshot(reference)
    assert len(expected) == BATCH_SIZE
    assert sum(1 for state in expected.values() if state[0] == 0) == 4
    assert all(state[3] > 0 for state in expected.values() if state[0] == 1)

    store = tmp_path / "survey.sqlite"
    rng = random.Random(20091019)
    progress: list[int] = []
    for when in KILL_SCHEDULE:
        proc = subprocess.Popen(
            _ingest_argv(kill_batch, store),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, killed alone
        )
        before = progress[-1] if progress else 0
        if when == "early":  # while starting up, opening or creating the store: a share
            # of this machine's full run (a fixed 0.05-0.3 s came after the end of a 0.3 s run)
            _kill_after(proc, rng.uniform(0.05, 0.3) * min(duration, 1.0))
        elif when == "stored" and BATCH_SIZE - before >= 2:
            # a random point among the first sixth of the files still to do, a few
            # milliseconds into one (a file takes about 6 ms here: a later kill saw the end)
            target = before + rng.randint(1, max(1, (BATCH_SIZE - before) // 6))
            _kill_when(proc, store, min(target, BATCH_SIZE - 1), rng.uniform(0.0, 0.005))
        else:  # a random moment, scaled to this machine's full run so it lands inside it
            _kill_after(proc, rng.uniform(0.05, 1.0) * max(duration, 0.2))
        progress.append(_check_store(store, expected))
    assert len({n for n in progress if 0 < n < BATCH_SIZE}) >= 3, progress  # mid-batch kills

    # Re-running completes the batch: every file exactly once.
    final = subprocess.run(
        [*_ingest_argv(kill_batch, store), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert "Traceback" not in final.stderr, final.stderr
    added = json.loads(final.stdout)
    errors = any(i["severity"] == "error" for i in added["issues"])  # if any were left to do
    assert final.returncode == (1 if errors else 0), final.stderr
    assert len(added["added"]) + added["unchanged"] == BATCH_SIZE
    assert _check_store(store, expected) == BATCH_SIZE
    assert _snapshot(store) == expected
    with closing(sqlite3.connect(store)) as db:
        (count, distinct) = db.execute(
            "SELECT count(*), count(DISTINCT sha256) FROM submissions"
        ).fetchone()
        known = db.execute("SELECT count(*) FROM files").fetchone()[0]
    assert count == distinct == len(files) == known

    # ... and a further run adds nothing.
    again = subprocess.run(
        [*_ingest_argv(kill_batch, store), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert again.returncode == 0, again.stderr
    out = json.loads(again.stdout)
    assert out["added"] == [] and out["unchanged"] == BATCH_SIZE and out["issues"] == []
    assert _snapshot(store) == expected


def test_helpers_compose(tmp_path: Path) -> None:
    """`leftovers` sees exactly the temporary names atomic_path uses."""
    target = tmp_path / "x.md"
    names: list[str] = []
    with pytest.raises(ValueError), atomic_path(target) as tmp:
        names.append(tmp.name)
        assert leftovers(tmp_path) == names
        raise ValueError
    assert leftovers(tmp_path) == []


def test_atomic_writes_get_ordinary_permissions(tmp_path: Path) -> None:
    """A temporary file is private; the file it becomes must not be."""
    from urbsurvey.atomic import write_text

    fresh = tmp_path / "report.md"
    write_text(fresh, "new")
    umask = os.umask(0)
    os.umask(umask)
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~umask
    kept = tmp_path / "shared.md"
    kept.write_text("old", encoding="utf-8")
    kept.chmod(0o640)
    write_text(kept, "new")
    assert kept.stat().st_mode & 0o777 == 0o640
    assert kept.read_text(encoding="utf-8") == "new"

"""Untrusted files cannot take the batch down: every workbook is parsed in a worker that may die.

The hostile files are a few KB each, made here, and each makes python-calamine abort
the process (exit 134) when read in the command's own process: a shared-strings
count of 4·10⁹, an ODS space run of 10⁹ (`<text:s text:c=…>`), one 20 KB string
repeated over 900,000 cells. Beside them: a named pipe, a socket and a link to
/dev/zero named `*.xlsx`. Every command runs through the console script on a batch
with good returns of a survey that is not MILE: no abort, no hang, no traceback, the
good returns reported, every bad file named with the limit it hit.

The supervisor itself (`run_isolated`) is tested with real tasks that sleep, abort,
exhaust memory or raise in the worker.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from urbsurvey.errors import UrbsurveyError
from urbsurvey.intake.supervisor import Supervisor
from urbsurvey.intake.workers import (
    Failure,
    Limits,
    WorkerBug,
    limits_from_env,
    run_isolated,
)

from .support.coverage import covers
from .support.script import URBSURVEY
from .support.workbooks import MILE, MILE_FULL, filled, rewrite_zip, survey_folder

FIXTURES = Path(__file__).parent / "fixtures"
TOY = FIXTURES / "toy-bike-lanes.yaml"
TIMEOUT = 180
GOOD = {"lyon.xlsx": "Lyon", "graz.xlsx": "Graz", "porto.xlsx": "Porto"}
ANSWERS: dict[str, object] = {"km_built": 12.5, "kept": "Yes", "counters": 4}


needs_script = pytest.mark.skipif(URBSURVEY is None, reason="no urbsurvey console script")


def urbsurvey(
    *args: str | Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    assert URBSURVEY is not None
    return subprocess.run(
        [URBSURVEY, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
        env={**os.environ, **(env or {})},
    )


_PEAK = (
    "import resource, subprocess, sys;"
    "done = subprocess.run(sys.argv[2:], capture_output=True, text=True);"
    "sys.stdout.write(done.stdout); sys.stderr.write(done.stderr);"
    "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss));"
    "sys.exit(done.returncode)"
)


def with_peak(*args: str | Path) -> tuple[subprocess.CompletedProcess[str], float]:
    """`urbsurvey ARGS`, and the largest RSS (MB) of it or any of its workers."""
    assert URBSURVEY is not None
    with tempfile.NamedTemporaryFile("r", suffix=".peak") as peak:
        run = subprocess.run(
            [sys.executable, "-c", _PEAK, peak.name, URBSURVEY, *map(str, args)],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
        return run, int(peak.read() or 0) / 1024


def assert_no_crash(run: subprocess.CompletedProcess[str]) -> None:
    assert run.returncode in (0, 1), (run.returncode, run.stderr[-3000:])
    for stream in (run.stdout, run.stderr):
        assert "Traceback" not in stream, stream[-3000:]
        assert "BrokenProcessPool" not in stream
        assert "memory allocation" not in stream  # calamine's last words stay in the worker


# ------------------------------------------------------------------------- hostile files

_ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def tiny_ods(path: Path, rows: str) -> Path:
    """A minimal .ods package whose one sheet holds `rows` (table:table-row elements)."""
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NS} '
        'office:version="1.2"><office:body><office:spreadsheet>'
        f'<table:table table:name="Responses">{rows}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "mimetype",
            "application/vnd.oasis.opendocument.spreadsheet",
            compress_type=zipfile.ZIP_STORED,
        )
        z.writestr("content.xml", content)
        z.writestr("META-INF/manifest.xml", manifest)
    return path


def _cell(text: str) -> str:
    return (
        f'<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>'
    )


def space_run(path: Path) -> Path:
    """944 bytes declaring a run of 10⁹ spaces in one cell (about 4 GB once decoded)."""
    run = _cell('a<text:s text:c="1000000000"/>b')
    return tiny_ods(path, f"<table:table-row>{run}</table:table-row>")


def repeated_string(path: Path) -> Path:
    """One 20 KB string repeated over 1,000 × 900 cells: 1 KB on disk, 18 GB decoded."""
    cell = (
        '<table:table-cell table:number-columns-repeated="900" office:value-type="string">'
        f"<text:p>{'y' * 20_000}</text:p></table:table-cell>"
    )
    row = '<table:table-row table:number-rows-repeated="1000">'
    return tiny_ods(path, f"{row}{cell}</table:table-row>")


_SST = (
    b'<?xml version="1.0" encoding="UTF-8"?><sst '
    b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'count="4000000000" uniqueCount="4000000000"><si><t>a</t></si></sst>'
)


def declared_count(good: Path, path: Path) -> Path:
    """A good return plus a shared-strings part declaring 4·10⁹ strings (it holds one)."""
    shutil.copyfile(good, path)
    return rewrite_zip(path, add={"xl/sharedStrings.xml": _SST})


def aborts_in_process(path: Path) -> bool:
    """Whether python-calamine reading `path` in a plain process limited to 1 GB aborts it
    (SIGABRT, exit 134): the reason a worker reads it. Some of these the pre-checks now
    refuse first; not all."""
    code = (
        "import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30));"
        "import python_calamine as c; b = c.CalamineWorkbook.from_path(sys.argv[1]);"
        "[b.get_sheet_by_name(n).to_python() for n in b.sheet_names]"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)],
        capture_output=True,
        timeout=TIMEOUT,
        check=False,
        env={**os.environ, "RUST_BACKTRACE": "0"},
    )
    return done.returncode == -signal.SIGABRT


@pytest.fixture
def survey(tmp_path: Path) -> Iterator[Path]:
    """A toy-bike-lanes survey: three good returns and every hostile file."""
    root = survey_folder(
        tmp_path / "survey", ["Lyon", "Graz", "Porto"], questionnaire=TOY, expected_roles=["city"]
    )
    returns = root / "returns"
    t0 = 1_200_000_000
    for i, (name, partner) in enumerate(GOOD.items()):
        path = filled(returns, ANSWERS, questionnaire=TOY, partner=partner, name=name)
        os.utime(path, (t0 + 100 + i, t0 + 100 + i))  # newer than every hostile file
    hostile = [
        declared_count(returns / "lyon.xlsx", returns / "a-sst-count.xlsx"),
        space_run(returns / "a-space-run.ods"),
        repeated_string(returns / "a-repeated-string.ods"),
    ]
    for i, path in enumerate(hostile):
        os.utime(path, (t0 + i, t0 + i))  # oldest: ingest reads them first
    os.mkfifo(returns / "a-pipe.xlsx")
    (returns / "a-zero.xlsx").symlink_to("/dev/zero")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(returns / "a-socket.xlsx"))
    try:
        yield root
    finally:
        sock.close()


KILLERS = ["returns/a-sst-count.xlsx", "returns/a-space-run.ods", "returns/a-repeated-string.ods"]
NOT_FILES = ["returns/a-pipe.xlsx", "returns/a-zero.xlsx", "returns/a-socket.xlsx"]


def test_each_hostile_file_is_small_and_kills_a_plain_process(survey: Path) -> None:
    for name in KILLERS:
        path = survey / name
        assert path.stat().st_size < 10 * 1024, name  # a whole good return for the sst one
        assert aborts_in_process(path), f"{name} no longer kills calamine: the test proves nothing"


def _issues_by_file(report: dict[str, object]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for issue in report["issues"]:  # type: ignore[attr-defined]
        found.setdefault(issue["file"], set()).add(issue["code"])
    return found


@needs_script
@covers("not-a-regular-file")
def test_validate_survives_every_hostile_file_and_reports_the_good_ones(survey: Path) -> None:
    start = time.perf_counter()
    run = urbsurvey("validate", survey, "--format", "json")
    assert time.perf_counter() - start < 60
    assert_no_crash(run)
    report = json.loads(run.stdout)
    status = {f["file"]: f["status"] for f in report["files"]}
    assert {status[f"returns/{name}"] for name in GOOD} == {"ok"}
    issues = _issues_by_file(report)
    for name in KILLERS:
        assert status[name] == "unreadable"
        assert issues[name] == {"file-too-large"}, name
    for name in NOT_FILES:
        assert status[name] == "unreadable"
        assert issues[name] == {"not-a-regular-file"}, name
    messages = {i["file"]: i["message"] for i in report["issues"]}
    # The pre-checks now count decoded text: these two never reach calamine.
    for name in ("returns/a-space-run.ods", "returns/a-repeated-string.ods"):
        assert "50,000,000 characters of text" in messages[name]
    assert "named pipe" in messages["returns/a-pipe.xlsx"]
    assert "character device" in messages["returns/a-zero.xlsx"]
    assert "socket" in messages["returns/a-socket.xlsx"]


def big_text(path: Path) -> Path:
    """One 49,000-character string repeated over 900 cells: 44 million characters, under
    the pre-checks' text limit, so calamine reads it (about 100 MB)."""
    cell = (
        '<table:table-cell table:number-columns-repeated="900" office:value-type="string">'
        f"<text:p>{'y' * 49_000}</text:p></table:table-cell>"
    )
    return tiny_ods(path, f"<table:table-row>{cell}</table:table-row>")


@needs_script
def test_the_memory_limit_is_configurable_and_named(survey: Path) -> None:
    """A file the pre-checks let through, read by a worker under a 40 MB limit: it costs
    only itself, and its issue names the limit."""
    big_text(survey / "returns" / "a-big-text.ods")
    run = urbsurvey(
        "validate", survey, "--format", "json", env={"URBSURVEY_WORKER_MEMORY_MB": "40"}
    )
    assert_no_crash(run)
    report = json.loads(run.stdout)
    messages = {i["file"]: i["message"] for i in report["issues"]}
    assert "memory" in messages["returns/a-big-text.ods"]
    assert "limit of 40 MB per file" in messages["returns/a-big-text.ods"]
    assert {f["status"] for f in report["files"] if f["file"].startswith("returns/")} >= {"ok"}
    # With the limit raised, the file is read again, not served from the read cache.
    again = json.loads(urbsurvey("validate", survey, "--format", "json").stdout)
    assert all("memory" not in i["message"] for i in again["issues"])


@needs_script
def test_a_single_hostile_file_is_isolated_too(survey: Path) -> None:
    run = urbsurvey(
        "validate", survey / "returns/a-space-run.ods", "--questionnaire", TOY, "--format", "json"
    )
    assert run.returncode == 1, run.stderr
    assert_no_crash(run)
    (issue,) = json.loads(run.stdout)["issues"]
    assert issue["code"] == "file-too-large" and issue["file"].endswith("a-space-run.ods")


@needs_script
def test_the_questionnaire_is_found_from_stamps_read_in_a_worker(
    survey: Path, tmp_path: Path
) -> None:
    """No --questionnaire: the stamps are read first, in a worker too (the bomb comes first)."""
    mile = filled(tmp_path, MILE_FULL, name="venice.xlsx")
    run = urbsurvey("validate", survey / "returns/a-space-run.ods", mile, "--format", "json")
    assert_no_crash(run)
    report = json.loads(run.stdout)
    assert report["questionnaire"]["id"] == MILE
    assert [f["status"] for f in report["files"]] == ["unreadable", "ok"]


@needs_script
def test_report_renders_with_hostile_files_in_the_batch(survey: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    run = urbsurvey("report", survey, "--format", "json", "-o", out)
    assert_no_crash(run)
    text = out.read_text("utf-8")
    for partner in GOOD.values():
        assert partner in text
    for name in KILLERS + NOT_FILES:
        assert name in text


@needs_script
def test_ingest_stores_a_killer_as_unreadable_and_a_rerun_skips_it(
    survey: Path, tmp_path: Path
) -> None:
    store = tmp_path / "store.sqlite"
    first = urbsurvey("ingest", survey, "--store", store)
    assert_no_crash(first)
    with closing(sqlite3.connect(store)) as db:
        rows = dict(db.execute("SELECT file, status FROM submissions").fetchall())
    for name in GOOD:
        assert rows[f"returns/{name}"] == "ok"
    for name in KILLERS:
        assert rows[name] == "unreadable"
    again = urbsurvey("ingest", survey, "--store", store, "--format", "json")
    assert_no_crash(again)
    result = json.loads(again.stdout)
    assert result["added"] == []
    assert result["unchanged"] == len(GOOD) + len(KILLERS)


@needs_script
def test_hundreds_of_files_use_several_workers_and_none_breaks(survey: Path) -> None:
    """250 files: the batch runs in several workers; killers among them cost only themselves."""
    returns = survey / "returns"
    good = returns / "lyon.xlsx"
    for i in range(240):
        extra = returns / f"copy-{i:03d}.xlsx"
        shutil.copyfile(good, extra)
    for i in range(5):
        space_run(returns / f"z-space-run-{i}.ods")
    run, peak_mb = with_peak("validate", survey, "--format", "json")
    assert_no_crash(run)
    report = json.loads(run.stdout)
    assert report["summary"]["files"] == 3 + 240 + 5 + len(KILLERS) + len(NOT_FILES)
    status = {f["file"]: f["status"] for f in report["files"]}
    assert all(status[f"returns/z-space-run-{i}.ods"] == "unreadable" for i in range(5))
    assert status["returns/graz.xlsx"] == status["returns/porto.xlsx"] == "ok"
    assert status["returns/lyon.xlsx"] == "warnings"  # 240 copies of it: duplicate files
    print(f"peak RSS of the hostile batch (one process): {peak_mb:.0f} MB")
    assert 0 < peak_mb < 1024 + 300, f"peak {peak_mb:.0f} MB"


# ------------------------------------------------------------------------- the supervisor


def _task(name: str) -> str:
    """What the workers do in these tests: misbehave on cue."""
    if name == "sleep":
        time.sleep(30)
    elif name == "abort":
        os.abort()
    elif name == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    elif name == "memory":
        hoard = []
        while True:
            hoard.append(bytearray(64 << 20))
    elif name == "bug":
        raise ValueError("urbsurvey's own mistake")
    return f"read {name} in {os.getpid()}"


def _failed(name: str, failure: Failure) -> str:
    return f"{name} failed: {failure.kind}: {failure.detail}"


def test_a_worker_that_dies_costs_only_its_file_and_order_is_kept() -> None:
    names = ["a", "abort", "b", "kill", "c", "memory", "d", "sleep", "e"]
    items = names
    limits = Limits(memory_mb=200, timeout_s=1.5, jobs=2)
    start = time.perf_counter()
    results = list(run_isolated(items, _task, _failed, limits))
    assert time.perf_counter() - start < 20
    assert [r.split()[0] if "failed" in r else r.split()[1] for r in results] == names
    by_name = dict(zip(names, results, strict=True))
    for good in "abcde":
        assert by_name[good].startswith(f"read {good} in ")
        assert int(by_name[good].split()[-1]) != os.getpid()  # read in a worker
    assert "crash" in by_name["abort"] and "signal 6" in by_name["abort"]
    assert "memory" in by_name["kill"]  # what the kernel's OOM killer looks like
    assert by_name["memory"].startswith("memory failed: memory: ")
    assert "limit of 200 MB per file" in by_name["memory"]
    assert by_name["sleep"].startswith("sleep failed: time: ")
    assert "1.5 s per file" in by_name["sleep"]


def test_a_result_sent_just_before_the_worker_died_is_kept() -> None:
    """The worker read `a`, sent it and died on `kill` after the selector last looked: `a`
    is its result, and only `kill` is lost (under load, `a` was reported as lost)."""
    supervisor = Supervisor(["a", "kill"], _task, _failed, Limits(jobs=1), str)
    try:
        supervisor._feed()
        supervisor._feed()  # one file at a time: both sent
        (worker,) = supervisor.workers
        worker.process.join(10)
        supervisor._collect(worker, set())  # the selector saw none of it
        supervisor._collect(worker, set())
        assert supervisor.done[0].startswith("read a in ")
        assert supervisor.done[1].startswith("kill failed: ")
    finally:
        supervisor.stop()


def test_workers_live_across_files() -> None:
    items = [str(i) for i in range(60)]
    results = list(run_isolated(items, _task, _failed, Limits(jobs=2)))
    pids = {r.split()[-1] for r in results}
    assert 1 <= len(pids) <= 2


def test_a_bug_in_the_task_is_raised_not_turned_into_an_issue() -> None:
    items = ["a", "bug"]
    with pytest.raises(WorkerBug, match="urbsurvey's own mistake"):
        list(run_isolated(items, _task, _failed, Limits(jobs=1)))


def _slow_setup() -> None:
    """What a worker does before its first file: 1.5 s, over the per-file time limit."""
    time.sleep(1.5)


def _broken_setup() -> None:
    raise ValueError("urbsurvey's own mistake, setting up")


def test_a_worker_s_setup_is_not_counted_against_its_first_file() -> None:
    """The clock of a file starts once its worker is set up (the reading code imported:
    urbsurvey's own code, not a file)."""
    limits = Limits(timeout_s=1.0, jobs=1)
    (result,) = run_isolated(["a"], _task, _failed, limits, setup=_slow_setup)
    assert result.startswith("read a in ")


def test_the_workers_are_at_work_before_the_first_result_is_asked_for(tmp_path: Path) -> None:
    """`run_isolated` forks its workers when called: the caller goes on meanwhile."""
    marker = tmp_path / "set-up"
    results = run_isolated(["a"], _task, _failed, Limits(jobs=1), setup=marker.touch)
    for _ in range(6000):  # up to a minute: no result has been asked for yet
        if marker.exists():
            break
        time.sleep(0.01)
    assert marker.exists()
    assert [r.split()[1] for r in results] == ["a"]


def _touch(path: str) -> str:
    Path(path).touch()
    return path


def test_the_workers_read_before_the_first_result_is_asked_for(tmp_path: Path) -> None:
    """The workers get their first items when forked, not when the caller first asks for
    a result: what the caller does meanwhile (a report imports its renderers) overlaps
    the reading."""
    items = [str(tmp_path / f"{i}.done") for i in range(2)]
    results = run_isolated(items, _touch, _failed, Limits(jobs=1))
    first = Path(items[0])
    for _ in range(6000):  # up to a minute: no result has been asked for yet
        if first.exists():
            break
        time.sleep(0.01)
    assert first.exists()
    assert list(results) == items


def test_a_bug_in_the_setup_is_raised_not_turned_into_an_issue() -> None:
    with pytest.raises(WorkerBug, match="urbsurvey's own mistake, setting up"):
        list(run_isolated(["a"], _task, _failed, Limits(jobs=1), setup=_broken_setup))


def test_limits_come_from_the_environment() -> None:
    limits = limits_from_env(
        {
            "URBSURVEY_WORKER_MEMORY_MB": "512",
            "URBSURVEY_WORKER_TIMEOUT": "2.5",
            "URBSURVEY_JOBS": "3",
        }
    )
    assert limits == Limits(512, 2.5, 3)
    assert limits_from_env({}).memory_mb <= 1024
    with pytest.raises(UrbsurveyError, match="URBSURVEY_WORKER_TIMEOUT"):
        limits_from_env({"URBSURVEY_WORKER_TIMEOUT": "soon"})


# ------------------------------------------------------------------------- fast rejections


def test_a_sheet_of_a_million_rows_is_rejected_at_once(tmp_path: Path) -> None:
    """1.2 million row elements: refused by counting them, without a pass over the cells."""
    from urbsurvey.reader import Workbook, read_workbook

    path = filled(tmp_path, {"km_built": 3}, questionnaire=TOY, partner="Lyon")
    rows = b"".join(
        b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (i, i) for i in range(1, 1_200_001)
    )

    def many_rows(part: str, data: bytes) -> bytes:
        if part != "xl/worksheets/sheet1.xml":
            return data
        return (
            data[: data.index(b"<sheetData")] + b"<sheetData>" + rows + b"</sheetData></worksheet>"
        )

    rewrite_zip(path, many_rows)
    start = time.perf_counter()
    issue = read_workbook(path)
    seconds = time.perf_counter() - start
    assert not isinstance(issue, Workbook)
    assert issue.code == "file-too-large" and "1,200,000 rows" in issue.message
    assert seconds < 3, f"{seconds:.1f} s"


# ------------------------------------------------------------------------- parts calamine reads

_FAR_SHEET = (
    b'<?xml version="1.0" encoding="UTF-8"?><worksheet '
    b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1"><v>1</v></c></row>'
    b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>'
)


def test_the_checks_follow_a_sheet_at_an_absolute_path(tmp_path: Path) -> None:
    """workbook.xml.rels sends the first sheet to /evil/sheet.xml, outside xl/: it is the
    part calamine reads, so it is the one checked (refused by the pre-check, not the worker)."""
    path = filled(tmp_path, ANSWERS, questionnaire=TOY, partner="Lyon")

    def elsewhere(part: str, data: bytes) -> bytes:
        if part == "xl/_rels/workbook.xml.rels":
            return data.replace(b'Target="/xl/worksheets/sheet1.xml"', b'Target="/evil/sheet.xml"')
        return data

    rewrite_zip(path, elsewhere, {"evil/sheet.xml": _FAR_SHEET})
    assert b"/evil/sheet.xml" in zipfile.ZipFile(path).read("xl/_rels/workbook.xml.rels")
    run = urbsurvey("validate", path, "--questionnaire", TOY, "--format", "json")
    assert_no_crash(run)
    (issue,) = json.loads(run.stdout)["issues"]
    assert issue["code"] == "file-too-large" and "XFD1048576" in issue["message"]


def test_a_package_whose_workbook_is_elsewhere_is_refused(tmp_path: Path) -> None:
    """_rels/.rels naming another workbook part: calamine would read parts never checked."""
    path = filled(tmp_path, ANSWERS, questionnaire=TOY, partner="Lyon")

    def other_workbook(part: str, data: bytes) -> bytes:
        if part == "_rels/.rels":
            return data.replace(b'Target="xl/workbook.xml"', b'Target="evil/workbook.xml"')
        return data

    rewrite_zip(path, other_workbook)
    assert b"evil/workbook.xml" in zipfile.ZipFile(path).read("_rels/.rels")
    run = urbsurvey("validate", path, "--questionnaire", TOY, "--format", "json")
    assert_no_crash(run)
    (issue,) = json.loads(run.stdout)["issues"]
    assert issue["code"] == "corrupt-file" and "evil/workbook.xml" in issue["message"]

"""`urbsurvey ingest`: returned workbooks into a real SQLite store, inspected with sqlite3."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from urbsurvey.cli import app
from urbsurvey.issues import CATALOGUE, IssueCode
from urbsurvey.pipeline import IngestResult, ingest
from urbsurvey.store import Store

from .support.coverage import covers
from .support.workbooks import (
    MILE,
    MILE_FULL,
    MILE_FULL_PARSED,
    MILE_REQUIRED,
    filled,
    survey_folder,
    where,
)

runner = CliRunner()
TABLES = ("submissions", "answers", "issues", "files")
T0 = 1_200_000_000  # file times, set explicitly so "newest" never depends on the clock


@contextmanager
def db(store: Path) -> Iterator[sqlite3.Connection]:
    with closing(sqlite3.connect(store)) as conn:
        yield conn


def counts(store: Path) -> dict[str, int]:
    with db(store) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def at(path: Path, seconds: int) -> Path:
    os.utime(path, (T0 + seconds, T0 + seconds))
    return path


def test_a_store_can_be_created_and_reopened(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite"
    Store(path).close()  # created
    Store(path).close()  # opened again
    assert counts(path) == dict.fromkeys(TABLES, 0)


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """Where the store goes: created by the first ingest."""
    return tmp_path / "survey.sqlite"


@pytest.fixture
def returns(tmp_path: Path) -> Path:
    """Three partners' returns: one complete, one minimal, one with an ambiguous figure."""
    folder = tmp_path / "returns"
    at(filled(folder, MILE_FULL, name="venice.xlsx"), 0)
    at(
        filled(
            folder,
            {**MILE_REQUIRED, "funding_secured": "EUR 350k"},
            partner="Amadora",
            name="amadora.xlsx",
        ),
        10,
    )
    at(
        filled(
            folder,
            {**MILE_REQUIRED, "funding_secured": "1.400 EUR"},
            partner="Torino",
            name="torino.xlsx",
        ),
        20,
    )
    return folder


def run(folder: Path, store: Path) -> IngestResult:
    return ingest([folder], store, MILE)


def test_ingest_folder(returns: Path, store: Path) -> None:
    result = run(returns, store)
    assert sorted(s.file for s in result.added) == ["amadora.xlsx", "torino.xlsx", "venice.xlsx"]
    assert result.unchanged == 0
    assert result.totals == {"submissions": 3, "current": 3}
    with db(store) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        subs = {
            r[0]: r[1:]
            for r in conn.execute(
                "SELECT file, partner, role, kind, status, readable, superseded_by, questionnaire"
                " FROM submissions"
            )
        }
        assert subs == {
            "venice.xlsx": ("Venice", "city", "questionnaire", "ok", 1, None, MILE),
            "amadora.xlsx": ("Amadora", "city", "questionnaire", "ok", 1, None, MILE),
            "torino.xlsx": ("Torino", "city", "questionnaire", "warnings", 1, None, MILE),
        }
        answers = {
            (r[0], r[1]): r[2:]
            for r in conn.execute(
                "SELECT s.file, a.question, a.raw, a.value, a.valid, a.sheet, a.cell"
                " FROM answers a JOIN submissions s ON s.id = a.submission_id"
            )
        }
        issues = conn.execute(
            "SELECT s.file, i.code, i.severity, i.sheet, i.cell, i.message, i.hint"
            " FROM issues i JOIN submissions s ON s.id = i.submission_id"
        ).fetchall()
    raw, value, valid, sheet, cell = answers[("amadora.xlsx", "funding_secured")]
    assert (raw, valid) == ("EUR 350k", 1)
    assert json.loads(value) == {"amount": "350000", "currency": "EUR", "converted": "350000"}
    assert (sheet, cell) == where(returns / "amadora.xlsx", "funding_secured")
    venice = {q: (r[0], json.loads(r[1])) for (f, q), r in answers.items() if f == "venice.xlsx"}
    assert venice["lap_actions_implemented"] == ("3", 3)
    assert venice["ma_in_lsg"] == ("No", False)
    assert venice["local_impact"] == (
        "New ideas stimulated\nNew partnerships",
        ["new_ideas", "new_partnerships"],
    )
    assert len(venice) == len([q for q in MILE_FULL if not q.startswith("respondent.")])
    sheet, cell = where(returns / "torino.xlsx", "funding_secured")
    assert issues == [
        (
            "torino.xlsx",
            "ambiguous-number",
            "warning",
            sheet,
            cell,
            issues[0][5],
            CATALOGUE[IssueCode.AMBIGUOUS_NUMBER].hint,
        )
    ]
    assert "'1.400 EUR'" in issues[0][5]


def test_stored_values_read_back_as_parsed(returns: Path, store: Path) -> None:
    from urbsurvey.intake.batch import read_all
    from urbsurvey.intake.inputs import resolve_inputs

    result = run(returns, store)
    inputs = resolve_inputs([returns], MILE)
    read = {s.file: s for s in read_all(inputs.files, inputs.context, base=inputs.base)}
    assert set(read) == {s.file for s in result.added}
    keeper = Store(store)
    try:
        current = {s.file: s for s in keeper.current()}
    finally:
        keeper.close()
    assert set(current) == set(read)
    for name, sub in read.items():
        assert current[name].answers == sub.answers
        assert current[name].issues == sub.issues
        assert current[name].respondent == sub.respondent
    venice = current["venice.xlsx"].answers
    assert {q: venice[q].value for q in MILE_FULL_PARSED} == MILE_FULL_PARSED


def test_reingest_unchanged(returns: Path, store: Path) -> None:
    run(returns, store)
    before = counts(store)
    again = run(returns, store)
    assert (again.added, again.unchanged, again.issues) == ([], 3, [])
    assert again.totals == {"submissions": 3, "current": 3}
    assert counts(store) == before


def test_an_unchanged_survey_folder_is_ingested_without_the_readers_or_pydantic(
    tmp_path: Path, store: Path
) -> None:
    """Nothing new: no workbook reader, no pydantic (the survey.yaml checked before)."""
    folder = survey_folder(tmp_path / "survey", ["Venice", "Amadora"])
    at(filled(folder / "returns", MILE_FULL, name="venice.xlsx"), 0)
    program = (
        "import sys; from pathlib import Path\n"
        "from urbsurvey.pipeline import ingest\n"
        "r = ingest([Path(sys.argv[1])], Path(sys.argv[2]))\n"
        "print(r.unchanged, len(r.added), sorted(m for m in sys.modules"
        " if m.startswith(('pydantic', 'urbsurvey.reader', 'urbsurvey.parsing',"
        " 'urbsurvey.intake.submission', 'urbsurvey.intake.answers'))))\n"
    )
    runs = [
        subprocess.run(
            [sys.executable, "-c", program, str(folder), str(store)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for _ in range(2)  # the first one stores the workbook
    ]
    assert runs[0].startswith("0 1 ")
    assert runs[1] == "1 0 []\n"


def test_touched_file_is_not_added_again(returns: Path, store: Path) -> None:
    run(returns, store)
    before = counts(store)
    at(returns / "venice.xlsx", 1000)  # opened and closed without saving, or copied again
    again = run(returns, store)
    assert (again.added, again.unchanged, again.issues) == ([], 3, [])
    assert counts(store) == before
    with db(store) as conn:
        (mtime_ns,) = conn.execute(
            "SELECT mtime_ns FROM files WHERE path = ?", (str((returns / "venice.xlsx").resolve()),)
        ).fetchone()
    assert mtime_ns == (T0 + 1000) * 10**9  # remembered: the next run does not even open it


@covers("resubmission")
def test_new_version_supersedes(returns: Path, store: Path) -> None:
    run(returns, store)
    newer = at(
        filled(returns, {**MILE_FULL, "lap_stage": "implementing_full"}, name="venice-v2.xlsx"),
        100,
    )
    result = run(returns, store)
    assert [s.file for s in result.added] == [newer.name]
    assert result.unchanged == 3
    assert result.totals == {"submissions": 4, "current": 3}
    resubmission = [i for i in result.all_issues() if i.code == "resubmission"]
    assert len(resubmission) == 1
    assert resubmission[0].file == "venice.xlsx"  # on the file that no longer counts
    assert "venice-v2.xlsx" in resubmission[0].message
    with db(store) as conn:
        ids = dict(conn.execute("SELECT file, id FROM submissions"))
        superseded = dict(conn.execute("SELECT file, superseded_by FROM submissions"))
        stored = conn.execute(
            "SELECT code, severity, message FROM issues WHERE submission_id = ?",
            (ids["venice-v2.xlsx"],),
        ).fetchall()
        old_answers = conn.execute(
            "SELECT count(*) FROM answers WHERE submission_id = ?", (ids["venice.xlsx"],)
        ).fetchone()[0]
    assert superseded["venice.xlsx"] == ids["venice-v2.xlsx"]  # kept, no longer counts
    assert superseded["venice-v2.xlsx"] is None
    assert old_answers > 0
    assert stored == []  # which file counts is decided on reading, by one rule (test_figures)
    keeper = Store(store)
    try:
        current = {s.partner: s for s in keeper.current()}
    finally:
        keeper.close()
    assert current["Venice"].file == "venice-v2.xlsx"
    assert current["Venice"].answers["lap_stage"].value == "implementing_full"


def test_two_versions_in_one_run_newest_wins(tmp_path: Path, store: Path) -> None:
    folder = tmp_path / "returns"
    # "venice-final" sorts first by name; the times decide which is newer.
    at(filled(folder, {**MILE_REQUIRED, "lap_stage": "Discontinued"}, name="venice-final.xlsx"), 50)
    at(filled(folder, MILE_REQUIRED, name="venice.xlsx"), 0)
    result = run(folder, store)
    assert [s.file for s in result.added] == ["venice.xlsx", "venice-final.xlsx"]
    with db(store) as conn:
        current = conn.execute(
            "SELECT file FROM submissions WHERE superseded_by IS NULL"
        ).fetchall()
    assert current == [("venice-final.xlsx",)]


def test_same_content_twice_in_one_run(tmp_path: Path, store: Path) -> None:
    folder = tmp_path / "returns"
    first = at(filled(folder, MILE_REQUIRED, name="venice.xlsx"), 0)
    at(Path(shutil.copy2(first, folder / "venice (copy).xlsx")), 5)
    result = run(folder, store)
    assert [s.file for s in result.added] == ["venice.xlsx"]
    assert [(i.code, i.file) for i in result.issues] == [("duplicate-file", "venice (copy).xlsx")]
    assert counts(store)["submissions"] == 1


def test_duplicate_in_one_run_names_the_first_file(tmp_path: Path, store: Path) -> None:
    """The duplicate's message names the file it duplicates."""
    folder = tmp_path / "returns"
    first = at(filled(folder, MILE_REQUIRED, name="venice.xlsx"), 0)
    at(Path(shutil.copy2(first, folder / "venice (copy).xlsx")), 5)
    (issue,) = run(folder, store).issues
    assert "venice.xlsx" in issue.message


def test_bad_file_among_good(returns: Path, store: Path) -> None:
    broken = filled(returns, MILE_REQUIRED, partner="Sevilla", name="sevilla.xlsx")
    broken.write_bytes(broken.read_bytes()[:2000])
    (returns / "vantaa.xlsx").write_bytes(b"")
    result = run(returns, store)
    assert len(result.added) == 5
    with db(store) as conn:
        rows = {
            r[0]: r[1:]
            for r in conn.execute("SELECT file, partner, status, readable FROM submissions")
        }
        issues = set(
            conn.execute(
                "SELECT s.file, i.code, i.severity FROM issues i"
                " JOIN submissions s ON s.id = i.submission_id WHERE s.readable = 0"
            )
        )
        unreadable_answers = conn.execute(
            "SELECT count(*) FROM answers a JOIN submissions s ON s.id = a.submission_id"
            " WHERE s.readable = 0"
        ).fetchone()[0]
    assert rows["sevilla.xlsx"] == (None, "unreadable", 0)
    assert rows["vantaa.xlsx"] == (None, "unreadable", 0)
    assert rows["venice.xlsx"] == ("Venice", "ok", 1)
    assert rows["amadora.xlsx"] == ("Amadora", "ok", 1)
    assert issues == {
        ("sevilla.xlsx", "corrupt-file", "error"),
        ("vantaa.xlsx", "empty-file", "error"),
    }
    assert unreadable_answers == 0


def test_fixed_file_replaces_the_unreadable_one(returns: Path, store: Path) -> None:
    """A corrupt file resent, fixed, under the same name: its old error no longer counts."""
    broken = returns / "sevilla.xlsx"
    broken.write_bytes(b"")
    run(returns, store)
    at(filled(returns, MILE_REQUIRED, partner="Sevilla", name="sevilla.xlsx"), 100)
    result = run(returns, store)
    assert [s.status for s in result.added] == ["ok"]
    keeper = Store(store)
    try:
        current = keeper.current()
    finally:
        keeper.close()
    assert [s.status for s in current if s.file == "sevilla.xlsx"] == ["ok"]
    assert not [i for s in current for i in s.issues if i.code == "empty-file"]


# --------------------------------------------------------------------------- the command line


def cli(*args: str | Path) -> tuple[int, Any]:
    result = runner.invoke(app, [*map(str, args)])
    data = json.loads(result.stdout) if "--format" in args else result.stdout
    return result.exit_code, data


def test_cli_ingest_json(returns: Path, store: Path) -> None:
    code, data = cli(
        "ingest", returns, "--store", store, "--questionnaire", MILE, "--format", "json"
    )
    assert code == 0  # a warning only
    assert set(data) >= {"added", "unchanged", "totals", "issues"}
    assert data["store"] == str(store)
    added = {f["file"]: f for f in data["added"]}
    assert added["venice.xlsx"] == {
        "file": "venice.xlsx",
        "partner": "Venice",
        "role": "city",
        "kind": "questionnaire",
        "status": "ok",
    }
    assert set(added) == {"venice.xlsx", "amadora.xlsx", "torino.xlsx"}
    assert data["unchanged"] == 0
    assert data["totals"] == {"submissions": 3, "current": 3}
    (issue,) = data["issues"]
    assert set(issue) == {"severity", "code", "file", "sheet", "cell", "message", "hint"}
    assert (issue["code"], issue["file"]) == ("ambiguous-number", "torino.xlsx")

    code, again = cli(
        "ingest", returns, "--store", store, "--questionnaire", MILE, "--format", "json"
    )
    assert code == 0
    assert (again["added"], again["unchanged"], again["issues"]) == ([], 3, [])


def test_cli_ingest_exit_codes(returns: Path, store: Path) -> None:
    code, _ = cli("ingest", returns, "--store", store, "--questionnaire", MILE, "--strict")
    assert code == 1  # the ambiguous figure is a warning
    bad = filled(
        returns, {**MILE_REQUIRED, "lap_stage": "sideways"}, partner="Sevilla", name="sevilla.xlsx"
    )
    at(bad, 30)
    code, out = cli("ingest", returns, "--store", store, "--questionnaire", MILE)
    assert code == 1
    assert "invalid-choice" in out
    assert "1 added, 3 unchanged" in out


def test_cli_ingest_clean_exits_0(tmp_path: Path, store: Path) -> None:
    folder = tmp_path / "returns"
    filled(folder, MILE_FULL)
    code, out = cli("ingest", folder, "--store", store, "--strict")  # stamped
    assert code == 0, out
    assert "1 added, 0 unchanged" in out


def test_report_from_store(returns: Path, store: Path) -> None:
    run(returns, store)
    shutil.rmtree(returns)  # the report needs only the store
    code, data = cli("report", store, "--format", "json")
    assert code == 0
    indicators = {i["id"]: i for i in data["indicators"]}
    assert set(indicators) >= {
        "lsg_sustained_formally",
        "funding_secured_eur",
        "lap_actions_implemented",
    }
    assert indicators["lsg_sustained_formally"]["partners"] == ["Venice"]
    assert sorted(indicators["funding_secured_eur"]["partners"]) == ["Amadora", "Torino", "Venice"]
    assert {i["file"] for i in data["inputs"]} == {"venice.xlsx", "amadora.xlsx", "torino.xlsx"}
    assert [i["code"] for i in data["issues"]] == ["ambiguous-number"]

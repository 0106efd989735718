"""Smoke test of the benchmark script: a 20-workbook corpus, every measurement taken."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).parent.parent
N = 20
FOLDER_MEASUREMENTS = (
    "report",
    "report_cold_reads",
    "validate",
    "ingest_new",
    "ingest_unchanged",
    "ingest_changed",
    "floor",
)
OTHER_MEASUREMENTS = (
    "python_start", "import_cli", "help", "validate_one", "validate_one_new", "template",
    "report_warm",
)  # fmt: skip


def test_bench_smoke(tmp_path: Path) -> None:
    has_pandas = importlib.util.find_spec("pandas") is not None
    cmd = [sys.executable, str(REPO / "bench" / "run.py"), "--n", str(N), "--out", str(tmp_path)]
    if not has_pandas:
        cmd.append("--skip-naive")
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "report" in done.stdout and "x floor" in done.stdout

    data = json.loads((tmp_path / f"results-{N}.json").read_text(encoding="utf-8"))
    assert data["n"] == N
    assert data["machine"]["cpu_count"] >= 1 and data["machine"]["python"]
    m = data["measurements"]
    folder = FOLDER_MEASUREMENTS + (("naive",) if has_pandas else ())
    for name in folder + OTHER_MEASUREMENTS:
        assert m[name]["wall_s"] > 0, name
        assert m[name]["peak_mb"] > 0, name
    for name in folder:
        assert m[name]["files"] == N, name
        assert m[name]["x_floor"] > 0, name
    # One clean file, read before and as just arrived: the same verdict; the copy is gone.
    assert m["validate_one"]["files"] == m["validate_one_new"]["files"] == 1
    for name in ("validate_one", "validate_one_new"):
        printed = (tmp_path / f"logs-{N}" / f"{name}.log").read_text(encoding="utf-8")
        assert printed.endswith("1 files: 1 ok, 0 with warnings, 0 with errors, 0 unreadable.\n")
    assert not (tmp_path / "validate-one-new").exists()
    assert "validate_one_new_under_0.15s" in data["targets"]
    assert "report_cold_reads_within_3x_floor" in data["targets"]
    assert m["template"]["files"] == N == m["template"]["partners"]

    corpus = data["corpus"]
    assert sum(corpus["formats"].values()) == N
    assert corpus["issues"]["corrupt-file"] == 1
    if data["machine"]["soffice"] is None:
        assert corpus["formats"]["xlsx"] == N

    # The corpus is what the generator says: the planted issues and nothing else.
    summary = m["validate"]["summary"]
    planted = sum(v for k, v in corpus["issues"].items() if k != "corrupt-file")
    assert summary == {
        "files": N,
        "ok": N - planted - 1,
        "warnings": 0,
        "errors": planted,
        "unreadable": 1,
    }
    assert m["ingest_new"]["added"] == N
    assert m["ingest_unchanged"]["added"] == 0
    assert m["ingest_changed"]["added"] == m["ingest_changed"]["changed_files"] == 1
    assert m["report_warm"]["files"] == N and m["report_warm"]["changed_files"] == 1

    # The report: every partner but the one whose file is corrupt.
    report = json.loads((tmp_path / f"report-{N}.json").read_text(encoding="utf-8"))
    assert len(report["respondents"]["expected"]) == N
    assert len(report["partners"]) == N - 1
    assert len(report["inputs"]) == N

    # The corpus is cached and reused, unchanged by the 1% rewrite.
    manifest = json.loads((tmp_path / f"corpus-{N}" / "manifest.json").read_text("utf-8"))
    assert manifest["pending_changes"] == []

"""A plain (non-editable) install outside the repository finds the bundled files."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

from .conftest import REPO


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, timeout=300, env=env, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_wheel_ships_questionnaires_and_templates(tmp_path: Path) -> None:
    run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
        "-w", str(tmp_path / "dist"), str(REPO), cwd=tmp_path,
    )  # fmt: skip
    (wheel,) = (tmp_path / "dist").glob("urbsurvey-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "urbsurvey/_bundled/questionnaires/mile-followup-2009.yaml" in names
    assert "urbsurvey/_bundled/templates/workbook.yaml" in names
    assert "urbsurvey/_bundled/templates/report.html.j2" in names

    # a fresh virtual environment outside the repository; the dependencies come from the
    # environment running the tests (its site-packages as a plain path: its .pth files, and
    # so the editable install of the checkout, are not read), urbsurvey only from the wheel
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", str(venv), cwd=tmp_path)
    py = venv / "bin" / "python"
    (venv_site,) = (venv / "lib").glob("python*/site-packages")
    (venv_site / "test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    run(str(py), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel), cwd=tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    where = run(
        str(py), "-c", "import urbsurvey.resources as r; print(r.bundled_dir('templates'))",
        cwd=tmp_path, env=env,
    )  # fmt: skip
    assert "_bundled" in where and str(REPO) not in where
    out = tmp_path / "venice.xlsx"
    cli = venv / "bin" / "urbsurvey"
    listed = run(str(cli), "questionnaire", "list", cwd=tmp_path, env=env)
    assert "mile-followup-2009" in listed
    run(
        str(cli), "template", "mile-followup-2009", "--partner", "Venice", "--lang", "fr",
        "-o", str(out), cwd=tmp_path, env=env,
    )  # fmt: skip
    assert out.stat().st_size > 0
    report = run(
        str(cli), "report", str(REPO / "examples" / "mile-2009"), "--format", "md",
        cwd=tmp_path, env=env,
    )  # fmt: skip
    assert "4 partners have formally sustained their LSG" in report

"""The `urbsurvey` command's fast lines (`urbsurvey.entry`) print what typer prints for them.

`urbsurvey --help` and plain `validate`, `report` and `ingest` lines are answered without
typer (`tests/test_entry_lines.py`: they become typer's call); every other line goes to
typer. Here the installed console script is run as a user runs it and its output compared
with typer's for the same line, on a survey that is not MILE.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from urbsurvey.entry import HELP, terminal_columns

from .conftest import TOY
from .support.workbooks import filled, survey_folder

URBSURVEY = Path(sys.executable).parent / "urbsurvey"
needs_script = pytest.mark.skipif(
    not URBSURVEY.is_file(), reason="no console script beside the interpreter"
)


@pytest.fixture(scope="module")
def typer_script(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An `urbsurvey` script calling typer's `cli.main` for every line (the script before
    `entry`): typer names the program after the script, as for the installed one."""
    script = tmp_path_factory.mktemp("typer") / "urbsurvey"
    script.write_text("from urbsurvey.cli import main\n\nmain()\n", "utf-8")
    return script


def run(command: list[str], *args: str, columns: int) -> tuple[int, str, str]:
    """Exit code, standard output and standard error of `command ARGS`."""
    env = {**os.environ, "COLUMNS": str(columns)}
    done = subprocess.run([*command, *args], capture_output=True, text=True, env=env, check=False)
    return done.returncode, done.stdout, done.stderr


def both(typer_script: Path, *args: str, columns: int = 100) -> tuple[tuple[int, str, str], ...]:
    """What the installed console script and typer's script print for the same line."""
    return (
        run([str(URBSURVEY)], *args, columns=columns),
        run([sys.executable, str(typer_script)], *args, columns=columns),
    )


@pytest.fixture
def bikes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two returns of the bike-lane survey: Graz clean, Lund with a word for a figure."""
    root = survey_folder(tmp_path / "bikes", ["Graz", "Lund"], questionnaire=TOY)
    filled(root / "returns", {"km_built": "12,5", "kept": "ja"}, questionnaire=TOY,
           partner="Graz", name="graz.xlsx")  # fmt: skip
    filled(root / "returns", {"km_built": "twelve", "kept": "yes"}, questionnaire=TOY,
           partner="Lund", name="lund.xlsx")  # fmt: skip
    monkeypatch.chdir(tmp_path)
    return Path("bikes")


@needs_script
@pytest.mark.parametrize("columns", [60, 80, 100, 200])
def test_help_is_what_typer_prints(typer_script: Path, columns: int) -> None:
    """When this fails at 80 or more, cli.py's commands or help changed: paste typer's text
    into `entry.HELP`."""
    ours, typers = both(typer_script, "--help", columns=columns)
    assert ours == typers
    assert (ours[1] == HELP) is (columns >= 80)


@needs_script
@pytest.mark.parametrize(
    "args",
    [
        ["validate", "bikes"],
        ["validate", "bikes/returns/graz.xlsx", "--questionnaire", str(TOY)],
        ["validate", "bikes/returns/graz.xlsx", "--survey", "bikes", "--format", "json"],
        [
            "validate",
            "--strict",
            "bikes/returns/graz.xlsx",
            "bikes/returns/lund.xlsx",
            "--questionnaire",
            str(TOY),
            "--no-cache",
        ],
        ["validate", "bikes/returns/gratz.xlsx"],  # an Error: and a Tip:, exit 2
        ["validate", "bikes", "--format=json"],  # typer's spelling: typer parses it
        ["validate", "bikes", "--format", "csv"],  # typer says what is wrong
        ["report", "bikes", "--format", "json", "--lang", "fr"],
        ["report", "bikes", "--format", "md", "--strict", "--no-cache"],
        ["report", "bikes", "--format", "html"],  # needs -o: an Error:, exit 2
        ["report", "--schema"],
        ["report"],  # no SOURCE: an Error: and a Tip:
        ["report", "bikes", "--format=json"],  # typer parses it
    ],
)
def test_a_line_prints_and_exits_as_typer_does(
    bikes: Path, typer_script: Path, args: list[str]
) -> None:
    ours, typers = both(typer_script, *args)
    assert ours == typers
    assert "Traceback" not in ours[2]


@needs_script
def test_a_failure_is_an_error_and_a_tip(bikes: Path) -> None:
    assert run([str(URBSURVEY)], "validate", "bikes/returns/gratz.xlsx", columns=100) == (
        2,
        "",
        "Error: bikes/returns/gratz.xlsx: no such file or folder; did you mean 'graz.xlsx'?\n"
        "Tip: Check the spelling; give a survey folder, folders of workbooks or files.\n",
    )


@needs_script
def test_report_writes_what_typer_writes(bikes: Path, typer_script: Path) -> None:
    ours, typers = (
        run(command, "report", "bikes", "--format", "json", "-o", name, columns=100)
        for command, name in (
            ([str(URBSURVEY)], "ours.json"),
            ([sys.executable, str(typer_script)], "typers.json"),
        )
    )
    assert ours == (0, "", "Wrote ours.json\n")
    assert typers == (0, "", "Wrote typers.json\n")
    assert Path("ours.json").read_bytes() == Path("typers.json").read_bytes()


@needs_script
@pytest.mark.parametrize(
    "args",
    [
        ["ingest", "bikes", "--store", "s.sqlite"],
        [
            "ingest",
            "bikes/returns/lund.xlsx",
            "--store",
            "s.sqlite",
            "--format",
            "json",
            "--strict",
        ],
        ["ingest", "bikes", "--store", "s.sqlite", "--questionnaire", "nope"],  # exit 2
    ],
)
def test_ingest_prints_and_exits_as_typer_does(
    bikes: Path, typer_script: Path, args: list[str]
) -> None:
    """Each into a new store, then again into the store it made (nothing new)."""

    def twice(command: list[str]) -> list[tuple[int, str, str]]:
        Path("s.sqlite").unlink(missing_ok=True)
        return [run(command, *args, columns=100) for _ in range(2)]

    ours = twice([str(URBSURVEY)])
    assert ours == twice([sys.executable, str(typer_script)])
    assert all("Traceback" not in err for _, _, err in ours)


@needs_script
@pytest.mark.parametrize(
    "args",
    [
        ["validate", "bikes", "--format", "json"],
        ["validate", "bikes", "--format", "csv"],  # typer's usage error names the program
        ["report", "bikes", "--format", "md", "-o", "r.md"],
        ["report"],
        ["--help"],
    ],
)
def test_python_m_prints_what_the_command_prints(bikes: Path, args: list[str]) -> None:
    """`python -m urbsurvey` takes the same lines as `urbsurvey`; typer names the program
    `python -m urbsurvey` in what it prints itself (help, usage errors)."""
    ours = run([sys.executable, "-m", "urbsurvey"], *args, columns=100)
    command = run([str(URBSURVEY)], *args, columns=100)
    assert (
        tuple(
            part.replace("python -m urbsurvey", "urbsurvey") if isinstance(part, str) else part
            for part in ours
        )
        == command
    )
    if args == ["--help"]:
        assert ours[1].startswith("Usage: python -m urbsurvey [OPTIONS]")


def test_python_m_report_runs_without_typer(bikes: Path) -> None:
    """A plain line run as `python -m urbsurvey` skips typer, as the command does."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "urbsurvey", "report", "bikes", "-o", "r.md"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if "|" in line}
    assert "urbsurvey.commands" in imported
    assert not {"typer", "click", "urbsurvey.cli"} & imported


@pytest.mark.parametrize("columns", [None, "100", "0", "-3", "wide"])
def test_terminal_columns_are_shutils(monkeypatch: pytest.MonkeyPatch, columns: str | None) -> None:
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    assert terminal_columns() == shutil.get_terminal_size().columns

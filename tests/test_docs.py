"""The README documents every command and option the CLI has, and names none it does not have."""

from __future__ import annotations

import re
from io import BytesIO

import openpyxl
import pytest
import typer.main

from urbsurvey.cli import app
from urbsurvey.report.render import render
from urbsurvey.report.schema import Report

from .conftest import REPO
from .support.report_sample import sample_report

README = (REPO / "README.md").read_text(encoding="utf-8")


def _commands() -> dict[str, list[tuple[str, ...]]]:
    """Command path ("questionnaire check") → its options (each with its spellings: `-o`,
    `--output`), as `--help` lists them."""
    found: dict[str, list[tuple[str, ...]]] = {}

    def options(command: object) -> list[tuple[str, ...]]:
        return [
            tuple(param.opts)
            for param in getattr(command, "params", [])
            if param.param_type_name == "option" and not getattr(param, "hidden", False)
        ]

    def walk(command: object, path: tuple[str, ...]) -> None:
        subcommands = getattr(command, "commands", None)
        if subcommands:
            if options(command):  # a group's own options (`urbsurvey --version`)
                found[" ".join(path)] = options(command)
            for name, sub in subcommands.items():
                if not getattr(sub, "hidden", False):
                    walk(sub, (*path, name))
            return
        found[" ".join(path)] = options(command)

    walk(typer.main.get_command(app), ())
    return found


def _usages() -> list[str]:
    """Every `urbsurvey …` the README shows: in inline code and in shell blocks."""
    spans = re.findall(r"`(urbsurvey [^`\n]+)`", README)
    lines = [line.strip() for line in README.splitlines() if line.strip().startswith("urbsurvey ")]
    return [usage.replace("\\|", "|") for usage in spans + lines]


OPTION = re.compile(r"(?<![\w-])(-{1,2}[a-z][\w-]*)")


def _command_of(usage: str, commands: dict[str, list[tuple[str, ...]]]) -> str | None:
    words = usage.split()[1:]
    if words and words[0].startswith("-"):  # an option of urbsurvey itself
        return "" if "" in commands else None
    for n in (2, 1):
        if " ".join(words[:n]) in commands:
            return " ".join(words[:n])
    return None


def test_every_command_and_option_is_documented() -> None:
    commands = _commands()
    documented: dict[str, set[str]] = {name: set() for name in commands}
    for usage in _usages():
        command = _command_of(usage, commands)
        if command is not None:
            documented[command] |= set(OPTION.findall(usage))
    shown = {_command_of(usage, commands) for usage in _usages()}
    undocumented = {
        name: [spellings[-1] for spellings in options if not documented[name] & set(spellings)]
        for name, options in commands.items()
    }
    assert {name: opts for name, opts in undocumented.items() if opts} == {}
    assert set(commands) - shown == set()


def test_readme_names_no_command_or_option_that_does_not_exist() -> None:
    commands = _commands()
    unknown = []
    for usage in _usages():
        command = _command_of(usage, commands)
        if command is None:
            unknown.append(usage)
            continue
        known = {spelling for spellings in commands[command] for spelling in spellings}
        unknown += [f"{command} {opt}" for opt in sorted(set(OPTION.findall(usage)) - known)]
    assert unknown == []


def test_xlsx_report_sheets_are_the_documented_ones() -> None:
    documented = re.search(r"`--format xlsx` is the matrix the secretariat keeps: sheets ([^.(]+)",
                           README)  # fmt: skip
    assert documented is not None
    sheets = re.findall(r"`(\w+)`", documented.group(1))
    book = openpyxl.load_workbook(BytesIO(render(sample_report(partners=3), "xlsx")))
    assert book.sheetnames == sheets


def test_the_python_example_runs_as_written(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The README's use of the library from Python, run from the repository as a reader would."""
    blocks = re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL)
    assert len(blocks) == 1
    monkeypatch.chdir(REPO)
    scope: dict[str, object] = {}
    exec(compile(blocks[0], "README.md", "exec"), scope)
    assert capsys.readouterr().out == (
        "{'files': 24, 'ok': 23, 'warnings': 1, 'errors': 0, 'unreadable': 0}\n"
    )
    report = scope["report"]
    assert isinstance(report, Report)
    assert report.survey.title.startswith("MILE: Managing migration and integration")

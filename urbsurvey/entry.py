"""The `urbsurvey` command: the lines run most often start without typer.

Building the typer application and parsing with it costs more than the rest of a
one-file `validate` (typer converts every option through pydantic). So `main` answers
two lines itself and hands every other line to `cli`, unchanged:

- `urbsurvey --help` in a terminal at least 80 columns wide: `HELP`, the text typer
  prints there (`tests/test_entry.py` fails when the two differ);
- `urbsurvey validate PATH... [--questionnaire ID|FILE] [--format table|json]
  [--strict|--no-strict] [--survey DIR] [--no-cache]`, each option at most once and
  spelled out: `commands.validate`, the body of `cli.validate` too.

Anything else, from a `--format=json` or a repeated option to a path starting with
`-`, goes to typer, which parses it (and reports its errors) as always.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # not `from typing`: `--help` imports nothing it does not print with
if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path
    from typing import Any

#: `urbsurvey --help` as typer prints it at 80 columns or more.
HELP = """\
Usage: urbsurvey [OPTIONS] COMMAND [ARGS]...

  Follow-up surveys of URBACT city networks: questionnaires, partner
  workbooks, ingest, headline outcomes and reports.

Options:
  --version  Show the version and exit.
  --help     Show this message and exit.

Commands:
  template       Write the Excel workbook(s) partners fill in.
  validate       Check returned workbooks cell by cell.
  report         Write the survey report: summary, findings, lessons,...
  export         Export for analysts: a Frictionless Data Package, or...
  ingest         Store returned workbooks in SQLite; unchanged files are...
  status         The response ledger: per partner and role, the current...
  feedback       Fix requests (a commented copy and a message) and...
  questionnaire  List, show, check questionnaire definitions.
"""

_FLAGS = {
    "--strict": ("strict", True),
    "--no-strict": ("strict", False),
    "--no-cache": ("no_cache", True),
}
_VALUED = {"--questionnaire": "questionnaire", "--format": "output_format", "--survey": "survey"}
_FORMATS = ("table", "json")


def main() -> None:
    """Console entry point."""
    argv = sys.argv[1:]
    if _plain_process():
        if argv == ["--help"] and _help_fits():
            sys.stdout.write(HELP)
            return
        options = parse_validate(argv)
        if options is not None:
            sys.exit(_validate(options))
    from .cli import main as typer_main

    typer_main()


def _plain_process() -> bool:
    """Run as `urbsurvey` (typer names the program after it), no completion, not Windows."""
    return (
        os.name != "nt"
        and os.path.basename(sys.argv[0]) == "urbsurvey"
        and "_URBSURVEY_COMPLETE" not in os.environ
    )


def _help_fits() -> bool:
    """Typer wraps help at min(terminal columns, 80) - 2: `HELP` is the text at 80 or more."""
    return terminal_columns() >= 80


def terminal_columns() -> int:
    """The columns `shutil.get_terminal_size` gives (COLUMNS, else the terminal's, else 80),
    counted without importing shutil, which brings `re` and `enum` with it."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


def parse_validate(argv: list[str]) -> dict[str, Any] | None:
    """The keyword arguments of `commands.validate` for a plain `validate` line, else None."""
    if not argv or argv[0] != "validate":
        return None
    from pathlib import Path

    found: dict[str, Any] = {}
    paths: list[Path] = []
    words = iter(argv[1:])
    for word in words:
        if not word.startswith("-") and word:
            paths.append(Path(word))
        elif not _take_option(word, words, found):
            return None
    if not paths:
        return None
    return _with_defaults(paths, found)


def _take_option(word: str, words: Iterator[str], found: dict[str, Any]) -> bool:
    """Record one option in `found`; False for anything typer should parse instead."""
    value: str | bool | None
    if word in _FLAGS:
        name, value = _FLAGS[word]
    elif word in _VALUED:
        name, value = _VALUED[word], next(words, None)
        if not value or value.startswith("-"):
            return False
    else:
        return False
    if name in found or (name == "output_format" and value not in _FORMATS):
        return False
    found[name] = value
    return True


def _with_defaults(paths: list[Path], found: dict[str, Any]) -> dict[str, Any]:
    from pathlib import Path

    from .commands import OutputFormat

    survey = found.get("survey")
    return {
        "paths": paths,
        "questionnaire": found.get("questionnaire"),
        "output_format": OutputFormat(found.get("output_format", "table")),
        "strict": found.get("strict", False),
        "survey": None if survey is None else Path(survey),
        "no_cache": found.get("no_cache", False),
    }


def _validate(options: dict[str, Any]) -> int:
    """`commands.validate`, its failures shown and its exit codes as typer gives them."""
    from . import commands, console
    from .errors import UrbsurveyError

    try:
        return commands.validate(**options)
    except UrbsurveyError as exc:  # as `cli.UrbsurveyApp.invoke` shows it
        console.print_error(exc)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (`| head`): nothing more to say
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - replaced for the exit's flush
        return 1

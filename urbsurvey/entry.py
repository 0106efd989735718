"""The `urbsurvey` command: the lines run most often start without typer.

Building the typer application and parsing with it costs more than the rest of a
one-file `validate` (typer converts every option through pydantic). So `main` answers
these lines itself and hands every other line to `cli`, unchanged:

- `urbsurvey --help` in a terminal at least 80 columns wide: `HELP`, the text typer
  prints there (`tests/test_entry.py` fails when the two differ);
- `urbsurvey validate PATH... [--questionnaire ID|FILE] [--format table|json]
  [--strict|--no-strict] [--survey DIR] [--no-cache]`;
- `urbsurvey report [SOURCE] [--format md|html|json|xlsx|docx] [-o|--output FILE]
  [--lang LANG] [--questionnaire ID|FILE] [--store FILE] [--template DIR] [--schema]
  [--strict|--no-strict] [--no-cache]`;
- `urbsurvey ingest PATH... --store FILE [--questionnaire ID|FILE] [--format table|json]
  [--strict|--no-strict]`;

each option at most once and spelled out, each value a separate word: the line becomes
the call of its body in `commands` that `cli`'s command makes for the same line.

Anything else, from a `--format=json` or a repeated option to a path starting with
`-`, goes to typer, which parses it (and reports its errors) as always.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # not `from typing`: `--help` imports nothing it does not print with
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
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

_STRICT = {"--strict": ("strict", True), "--no-strict": ("strict", False)}
_NO_CACHE = {"--no-cache": ("no_cache", True)}
_TABLE_JSON = ("table", "json")
#: `report.formats.FORMATS`, written out so that parsing imports nothing (a test compares them).
REPORT_FORMATS = ("md", "html", "json", "xlsx", "docx")

#: Per command: its flags (option -> keyword and value) and its options taking a value
#: (option -> keyword, and the values allowed; None for any). The keywords are those of
#: the body in `commands`.
FLAGS: dict[str, dict[str, tuple[str, bool]]] = {
    "validate": {**_STRICT, **_NO_CACHE},
    "report": {"--schema": ("schema", True), **_STRICT, **_NO_CACHE},
    "ingest": _STRICT,
}
VALUED: dict[str, dict[str, tuple[str, tuple[str, ...] | None]]] = {
    "validate": {
        "--questionnaire": ("questionnaire", None),
        "--format": ("output_format", _TABLE_JSON),
        "--survey": ("survey", None),
    },
    "report": {
        "--format": ("output_format", REPORT_FORMATS),
        "-o": ("output", None),
        "--output": ("output", None),
        "--lang": ("lang", None),
        "--questionnaire": ("questionnaire", None),
        "--store": ("store", None),
        "--template": ("template", None),
    },
    "ingest": {
        "--store": ("store", None),
        "--questionnaire": ("questionnaire", None),
        "--format": ("output_format", _TABLE_JSON),
    },
}


def main() -> None:
    """Console entry point."""
    argv = sys.argv[1:]
    if _plain_process():
        if argv == ["--help"] and _named_urbsurvey() and _help_fits():
            sys.stdout.write(HELP)
            return
        line = parse_line(argv)
        if line is not None:
            sys.exit(_run(*line))
    from .cli import main as typer_main

    typer_main()


def _plain_process() -> bool:
    """Run as `urbsurvey` or `python -m urbsurvey`, no completion, not Windows."""
    return (
        os.name != "nt"
        and os.path.basename(sys.argv[0]) in ("urbsurvey", "__main__.py")
        and "_URBSURVEY_COMPLETE" not in os.environ
    )


def _named_urbsurvey() -> bool:
    """Run as `urbsurvey`: `HELP` names the program so, as typer does after `sys.argv[0]`
    (`python -m urbsurvey --help` says `python -m urbsurvey`)."""
    return os.path.basename(sys.argv[0]) == "urbsurvey"


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


def parse_line(argv: list[str]) -> tuple[str, dict[str, Any]] | None:
    """The command and the keyword arguments of its body in `commands` for a plain
    `validate`, `report` or `ingest` line; None for any other line."""
    if not argv or argv[0] not in FLAGS:
        return None
    command = argv[0]
    found: dict[str, Any] = {}
    words: list[str] = []
    rest = iter(argv[1:])
    for word in rest:
        if word and not word.startswith("-"):
            words.append(word)
        elif not _take_option(command, word, rest, found):
            return None
    if command == "report":
        return None if len(words) > 1 else (command, _report_options(words, found))
    if not words or (command == "ingest" and "store" not in found):
        return None
    return command, _paths_options(command, words, found)


def _take_option(command: str, word: str, words: Iterator[str], found: dict[str, Any]) -> bool:
    """Record one option in `found`; False for anything typer should parse instead."""
    value: str | bool | None
    if word in FLAGS[command]:
        name, value = FLAGS[command][word]
    elif word in VALUED[command]:
        (name, allowed), value = VALUED[command][word], next(words, None)
        if not value or value.startswith("-") or (allowed is not None and value not in allowed):
            return False
    else:
        return False
    if name in found:
        return False
    found[name] = value
    return True


def _paths_options(command: str, words: list[str], found: dict[str, Any]) -> dict[str, Any]:
    """`validate`'s and `ingest`'s keyword arguments, with typer's defaults and types."""
    from pathlib import Path

    from .commands import OutputFormat

    options: dict[str, Any] = {
        "paths": [Path(word) for word in words],
        "questionnaire": found.get("questionnaire"),
        "output_format": OutputFormat(found.get("output_format", "table")),
        "strict": found.get("strict", False),
    }
    if command == "ingest":
        return {**options, "store": Path(found["store"])}
    survey = found.get("survey")
    return {
        **options,
        "survey": None if survey is None else Path(survey),
        "no_cache": found.get("no_cache", False),
    }


def _report_options(words: list[str], found: dict[str, Any]) -> dict[str, Any]:
    """`report`'s keyword arguments, with typer's defaults and types."""
    from pathlib import Path

    from .report.formats import ReportFormat

    def path(name: str) -> Path | None:
        return None if name not in found else Path(found[name])

    return {
        "source": Path(words[0]) if words else None,
        "output_format": ReportFormat(found.get("output_format", "md")),
        "output": path("output"),
        "lang": found.get("lang"),
        "questionnaire": found.get("questionnaire"),
        "store": path("store"),
        "template": path("template"),
        "schema": found.get("schema", False),
        "strict": found.get("strict", False),
        "no_cache": found.get("no_cache", False),
    }


def _run(command: str, options: dict[str, Any]) -> int:
    """The body of `command`, its failures shown and its exit codes as typer gives them."""
    from . import commands, console
    from .errors import UrbsurveyError

    body: Callable[..., int] = getattr(commands, command)
    try:
        return body(**options)
    except UrbsurveyError as exc:  # as `cli.UrbsurveyApp.invoke` shows it
        console.print_error(exc)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (`| head`): nothing more to say
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - replaced for the exit's flush
        return 1

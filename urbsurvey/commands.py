"""The bodies of the commands that the fast entry point (`entry`) runs without typer.

`cli` wraps them in typer commands (options, help); `entry` calls them straight from
`sys.argv` when it can parse the line itself. Each returns the exit code, so neither
caller needs the other's way of exiting. Nothing here imports typer or rich at import.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from . import console

if TYPE_CHECKING:
    from .results import IngestJSON, ValidationJSON


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


def finish(data: ValidationJSON | IngestJSON, output_format: OutputFormat, strict: bool) -> int:
    """Print JSON if asked; the exit code: 1 on errors (on any issue with `strict`), else 0."""
    if output_format is OutputFormat.json:
        import json

        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    severities = {i["severity"] for i in data["issues"]}
    return 1 if "error" in severities or (strict and severities) else 0


def validate(
    paths: list[Path],
    questionnaire: str | None,
    output_format: OutputFormat,
    strict: bool,
    survey: Path | None,
    no_cache: bool,
) -> int:
    """`urbsurvey validate`: check the workbooks, print the table or JSON, return the exit code."""
    from .pipeline import validate as run

    with console.progress("Reading workbooks") as (set_total, advance):
        result = run(
            paths,
            questionnaire,
            progress=advance,
            on_files=set_total,
            keep_answers=False,
            survey=survey,
            cache=not no_cache,
        )
    data = result.to_json()
    if output_format is OutputFormat.table:
        console.print_validation(data)
    return finish(data, output_format, strict)

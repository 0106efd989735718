"""The bodies of the commands that the fast entry point (`entry`) runs without typer:
`validate`, `report` and `ingest`.

`cli` wraps them in typer commands (options, help); `entry` calls them straight from
`sys.argv` when it can parse the line itself. Each returns the exit code, so neither
caller needs the other's way of exiting. Nothing here imports typer or rich at import.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from . import console

if TYPE_CHECKING:
    from .report.formats import ReportFormat
    from .results import IngestJSON, ValidationJSON


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


def finish(data: ValidationJSON | IngestJSON, output_format: OutputFormat, strict: bool) -> int:
    """Print JSON if asked; the exit code: 1 on errors (on any issue with `strict`), else 0."""
    if output_format is OutputFormat.json:
        import json

        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    from .issues import Severity

    severities = {i["severity"] for i in data["issues"]}
    return 1 if Severity.ERROR in severities or (strict and severities) else 0


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


def report(
    source: Path | None,
    output_format: ReportFormat,
    output: Path | None,
    lang: str | None,
    questionnaire: str | None,
    store: Path | None,
    template: Path | None,
    schema: bool,
    strict: bool,
    no_cache: bool,
) -> int:
    """`urbsurvey report`: write the report (or print its JSON Schema); the exit code."""
    from .atomic import write_chunks
    from .errors import UsageError
    from .pipeline import report as run

    if schema:
        import json

        from .report.schema import report_json_schema

        sys.stdout.write(json.dumps(report_json_schema(), indent=2) + "\n")
        return 0
    if source is None:
        raise UsageError(
            "report needs a SOURCE", hint="Give a survey folder, e.g. examples/mile-2009."
        )
    if output is None and not output_format.is_text:
        raise UsageError(f"--format {output_format.value} needs -o FILE")
    with console.progress("Reading workbooks") as (_set_total, advance), _uncollected():
        result = run(source, questionnaire, store, progress=advance, lang=lang, cache=not no_cache)
    from .report.render import render_chunks  # imported while the workbooks were read

    body = render_chunks(result, output_format, template)  # JSON: written as it is made
    if output is not None:
        write_chunks(output, body)
        console.say(f"Wrote {output}", stderr=True)
    else:
        for piece in body:  # write, not writelines: what a captured stdout (tests) records
            sys.stdout.buffer.write(piece)
    errors = result.error_count()
    if strict and errors:
        console.say(f"{errors} data errors (see the report's data-quality appendix).", stderr=True)
        return 1
    return 0


@contextmanager
def _uncollected() -> Iterator[None]:
    """The garbage collector paused while a report is built; what it keeps then frozen.

    A report keeps everything it reads and builds until it is written (every submission,
    their answers, the report's parts) and frees it by reference counting: what it leaves
    to the collector is a few hundred objects. But the collector's passes walk what is
    kept, again and again as it grows (some 50 ms of a 0.35 s report of 1,000 cached
    workbooks, collecting nothing), and once more at the process's exit. Frozen
    (`gc.freeze`), it is still freed when no longer used, but no later pass walks it;
    the renderers then collect as usual (python-docx leaves cycles behind). The workers
    that read files collect as before (`supervisor`).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def ingest(
    paths: list[Path],
    store: Path,
    questionnaire: str | None,
    output_format: OutputFormat,
    strict: bool,
) -> int:
    """`urbsurvey ingest`: store the workbooks, print the table or JSON, return the exit code."""
    from .pipeline import ingest as run

    with console.progress("Ingesting workbooks") as (set_total, advance):
        result = run(paths, store, questionnaire, progress=advance, on_files=set_total)
    data = result.to_json()
    if output_format is OutputFormat.table:
        console.print_ingest(data)
    return finish(data, output_format, strict)

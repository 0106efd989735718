"""The command line: parse options, call one core function, render its result.

No spreadsheet, template or database code lives here. Every `UrbsurveyError`
is turned into a message (and a tip) in one place, `main`.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from .errors import UrbsurveyError

app = typer.Typer(
    help="Follow-up surveys of URBACT city networks: questionnaires, partner workbooks, "
    "ingest, headline outcomes and reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
questionnaire_app = typer.Typer(
    help="List, show, check questionnaire definitions.", no_args_is_help=True
)
app.add_typer(questionnaire_app, name="questionnaire")


class RoleOption(StrEnum):
    city = "city"
    managing_authority = "managing_authority"
    other = "other"


def _console(stderr: bool = False):  # type: ignore[no-untyped-def]
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


@questionnaire_app.command("list")
def questionnaire_list() -> None:
    """List the bundled questionnaire definitions."""
    from rich.table import Table

    from .definition import text
    from .resources import bundled_questionnaires, load_questionnaire

    table = Table("ID", "Version", "Languages", "Title")
    for qid in bundled_questionnaires():
        q = load_questionnaire(qid)
        table.add_row(q.id, q.version, ", ".join(q.languages), text(q.title, "en"))
    _console().print(table)


@questionnaire_app.command("show")
def questionnaire_show(
    ref: Annotated[str, typer.Argument(metavar="ID|FILE", help="Bundled id or YAML file.")],
    lang: Annotated[str, typer.Option(help="Language of the texts.")] = "en",
) -> None:
    """Show a definition's sections and questions as a table."""
    from rich.table import Table

    from .definition import text
    from .resources import load_questionnaire

    q = load_questionnaire(ref)
    console = _console()
    console.print(f"[bold]{text(q.title, lang)}[/bold]")
    console.print(
        f"id {q.id}, version {q.version}, languages {', '.join(q.languages)}, "
        f"fingerprint {q.fingerprint()}"
    )
    for section in q.sections:
        table = Table(
            "ID",
            "Type",
            "Req.",
            "Question",
            "Choices / range",
            "Asked when",
            title=text(section.title, lang),
            title_justify="left",
        )
        for question in section.questions:
            required = (
                question.required
                if isinstance(question.required, bool)
                else (", ".join(question.required))
            )
            extra = "; ".join(f"{c.code}={text(c.label, lang)}" for c in question.choices)
            if question.min is not None or question.max is not None:
                low, high = question.min, question.max
                extra = (
                    ("" if low is None else f"{low:g}")
                    + ".."
                    + ("" if high is None else f"{high:g}")
                )
            when = ""
            if question.ask_when:
                op = "in" if question.ask_when.in_ is not None else "not in"
                when = f"{question.ask_when.question} {op} {', '.join(question.ask_when.codes)}"
            table.add_row(
                question.id,
                question.type.value,
                str(required).lower(),
                text(question.text, lang),
                extra,
                when,
            )
        console.print(table)
    if q.indicators:
        table = Table("ID", "Kind", "Label", title="Indicators", title_justify="left")
        for ind in q.indicators:
            table.add_row(ind.id, ind.kind.value, text(ind.label, lang))
        console.print(table)


@questionnaire_app.command("check")
def questionnaire_check(
    file: Annotated[Path, typer.Argument(help="Definition YAML file.")],
) -> None:
    """Validate a definition; exit 1 with the problems and their YAML lines."""
    from .resources import load_questionnaire

    q = load_questionnaire(file)
    _console().print(
        f"{file}: OK ({q.id} version {q.version}, {len(q.questions())} questions, "
        f"{len(q.indicators)} indicators)"
    )


@questionnaire_app.command("schema")
def questionnaire_schema() -> None:
    """Print the JSON Schema of the definition format (for editors)."""
    import json

    from .definition import json_schema

    sys.stdout.write(json.dumps(json_schema(), indent=2) + "\n")


@app.command()
def template(
    ref: Annotated[str, typer.Argument(metavar="ID|FILE", help="Bundled id or YAML file.")],
    output: Annotated[
        Path, typer.Option("-o", "--output", help="FILE.xlsx, or DIR/ with --partners.")
    ],
    partner: Annotated[str | None, typer.Option(help="Partner (city) name to pre-fill.")] = None,
    partners: Annotated[
        Path | None, typer.Option(help="CSV with columns partner[,role,lang]: one workbook each.")
    ] = None,
    role: Annotated[RoleOption, typer.Option(help="Respondent role.")] = RoleOption.city,
    lang: Annotated[str, typer.Option(help="Language of the workbook.")] = "en",
    interview: Annotated[
        bool, typer.Option(help="An interview record for the thematic expert.")
    ] = False,
) -> None:
    """Write the Excel workbook(s) partners fill in."""
    from .definition import Role
    from .resources import load_questionnaire
    from .template import WorkbookSpec, read_partner_list, write_template, write_templates

    q = load_questionnaire(ref)
    if partners is not None:
        specs = read_partner_list(partners)
        if lang != "en":
            specs = [
                WorkbookSpec(s.partner, s.role, lang if s.lang == "en" else s.lang) for s in specs
            ]
        paths = write_templates(q, specs, output, interview=interview)
        _console().print(f"Wrote {len(paths)} workbooks to {output}")
        return
    if partner is None:
        raise UrbsurveyError(
            "give --partner NAME or --partners FILE.csv",
            hint="Example: urbsurvey template mile-followup-2009 --partner Venice -o venice.xlsx",
        )
    write_template(q, WorkbookSpec(partner, Role(role.value), lang, interview), output)
    _console().print(f"Wrote {output}")


def main() -> None:
    """Console entry point: the one place where errors become messages."""
    try:
        app()
    except UrbsurveyError as exc:
        console = _console(stderr=True)
        console.print(f"[red]Error:[/red] {exc.message}", markup=True, soft_wrap=True)
        if exc.hint:
            console.print(f"Tip: {exc.hint}", soft_wrap=True)
        sys.exit(1)

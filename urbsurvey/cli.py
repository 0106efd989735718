"""The command line: parse options, call one core function, render its result.

No spreadsheet, template or database code lives here. Every `UrbsurveyError`
is turned into a message (and a tip) in one place, `UrbsurveyApp.invoke`.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from . import console
from .commands import OutputFormat
from .errors import UrbsurveyError
from .report.formats import ReportFormat
from .vocabulary import Role


class UrbsurveyApp(TyperGroup):
    """The root command: the one place where errors become messages (`Error:`, `Tip:`, exit 2)."""

    def invoke(self, ctx: Any) -> Any:  # a click Context (vendored by typer)
        try:
            return super().invoke(ctx)
        except UrbsurveyError as exc:
            console.print_error(exc)
            raise typer.Exit(2) from None


app = typer.Typer(
    cls=UrbsurveyApp,
    help="Follow-up surveys of URBACT city networks: questionnaires, partner workbooks, "
    "ingest, headline outcomes and reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: rendering it with rich costs ~0.2 s at every --help
)
questionnaire_app = typer.Typer(
    help="List, show, check questionnaire definitions.", no_args_is_help=True, rich_markup_mode=None
)
app.add_typer(questionnaire_app, name="questionnaire")


def _show_version(value: bool) -> None:
    if value:
        from . import __version__

        console.say(f"urbsurvey {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Follow-up surveys of URBACT city networks: questionnaires, partner workbooks, ingest,
    headline outcomes and reports."""


@questionnaire_app.command("list")
def questionnaire_list() -> None:
    """List the bundled questionnaire definitions."""
    from .resources import bundled_questionnaires, load_questionnaire

    console.print_questionnaire_list([load_questionnaire(q) for q in bundled_questionnaires()])


@questionnaire_app.command("show")
def questionnaire_show(
    ref: Annotated[str, typer.Argument(metavar="ID|FILE", help="Bundled id or YAML file.")],
    lang: Annotated[str, typer.Option(help="Language of the texts.")] = "en",
) -> None:
    """Show a definition's sections and questions as a table."""
    from .resources import load_questionnaire

    q = load_questionnaire(ref)
    console.print_questionnaire(q, lang)


@questionnaire_app.command("check")
def questionnaire_check(
    file: Annotated[Path, typer.Argument(help="Definition YAML file.")],
) -> None:
    """Validate a definition; exit 1 with the problems and their YAML lines."""
    from .errors import DefinitionError
    from .resources import load_questionnaire

    try:
        q = load_questionnaire(file)
    except DefinitionError as exc:
        console.say(exc.message, stderr=True)
        raise typer.Exit(1) from exc
    console.say(
        f"{file}: OK ({q.id} version {q.version}, {len(q.questions())} questions, "
        f"{len(q.indicators)} indicators)"
    )


@questionnaire_app.command("schema")
def questionnaire_schema() -> None:
    """Print the JSON Schema of the definition format (for editors)."""
    import json

    from .definition import json_schema

    sys.stdout.write(json.dumps(json_schema(), indent=2) + "\n")


@questionnaire_app.command("import")
def questionnaire_import(
    form: Annotated[Path, typer.Argument(help="XLSForm (.xlsx): survey, choices, settings.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Definition YAML to write.")],
) -> None:
    """Read an XLSForm (KoboToolbox, ODK) into a definition; list what is not carried over."""
    from .xlsform.importer import import_xlsform

    result = import_xlsform(form, output)
    q = result.questionnaire
    console.say(
        f"Wrote {output} ({q.id}: {len(q.sections)} sections, "
        f"{len(q.questions())} questions, languages {', '.join(q.languages)})"
    )
    console.print_remarks(result.remarks, "Not carried over, or carried over by an assumption")


@questionnaire_app.command("export")
def questionnaire_export(
    ref: Annotated[str, typer.Argument(metavar="ID|FILE", help="Bundled id or YAML file.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="XLSForm (.xlsx) to write.")],
) -> None:
    """Write a definition as an XLSForm for KoboToolbox, ODK or SurveyCTO."""
    from .resources import load_questionnaire
    from .xlsform.exporter import export_xlsform

    remarks = export_xlsform(load_questionnaire(ref), output)
    console.say(f"Wrote {output}")
    console.print_remarks(remarks, "Not exported")


@app.command()
def template(
    ref: Annotated[
        str,
        typer.Argument(
            metavar="ID|FILE|SURVEY",
            help="Bundled id, YAML file, or a survey folder (one workbook per partner, "
            "pre-filled from survey.yaml).",
        ),
    ],
    output: Annotated[
        Path,
        typer.Option("-o", "--output", help="FILE.xlsx, or DIR/ with --partners or a survey."),
    ],
    partner: Annotated[str | None, typer.Option(help="Partner (city) name to pre-fill.")] = None,
    partners: Annotated[
        Path | None, typer.Option(help="CSV with columns partner[,role,lang]: one workbook each.")
    ] = None,
    role: Annotated[Role, typer.Option(help="Respondent role.")] = Role.CITY,
    lang: Annotated[
        str | None,
        typer.Option(help="Language of the workbook (with --partners: of the rows without one)."),
    ] = None,
    interview: Annotated[
        bool, typer.Option(help="An interview record for the thematic expert.")
    ] = False,
    prefill_from: Annotated[
        Path | None,
        typer.Option(
            help="An earlier wave (survey folder or store): show each partner's answers "
            "beside the empty answer cells."
        ),
    ] = None,
) -> None:
    """Write the Excel workbook(s) partners fill in."""
    from .pipeline import template as run

    written = run(
        ref,
        output,
        partner=partner,
        partners=partners,
        role=role,
        lang=lang,
        interview=interview,
        prefill_from=prefill_from,
    )
    console.say(
        f"Wrote {output}"
        if written.folder is None
        else f"Wrote {len(written.paths)} workbooks to {output}"
    )


PathsArg = Annotated[
    list[Path], typer.Argument(help="Workbooks, folders of them, or a survey folder.")
]
QuestionnaireOpt = Annotated[
    str | None, typer.Option(help="Questionnaire ID|FILE to check against.")
]
FormatOpt = Annotated[OutputFormat, typer.Option("--format", help="table or json.")]
StrictOpt = Annotated[bool, typer.Option(help="Exit 1 on warnings too.")]
NoCacheOpt = Annotated[
    bool, typer.Option("--no-cache", help="Read every file, even those read before unchanged.")
]


@app.command()
def validate(
    paths: PathsArg,
    questionnaire: QuestionnaireOpt = None,
    output_format: FormatOpt = OutputFormat.table,
    strict: StrictOpt = False,
    survey: Annotated[
        Path | None,
        typer.Option(
            metavar="DIR",
            help="Check against this survey folder's questionnaire, rates and partners "
            "(one attachment as it arrives).",
        ),
    ] = None,
    no_cache: NoCacheOpt = False,
) -> None:
    """Check returned workbooks cell by cell. Exit 1 when there are errors."""
    from . import commands

    raise typer.Exit(
        commands.validate(
            paths=paths,
            questionnaire=questionnaire,
            output_format=output_format,
            strict=strict,
            survey=survey,
            no_cache=no_cache,
        )
    )


@app.command()
def report(
    source: Annotated[
        Path | None,
        typer.Argument(help="Survey folder, folder of workbooks, or store (.sqlite)."),
    ] = None,
    output_format: Annotated[
        ReportFormat,
        typer.Option("--format", help="md, html, json, xlsx or docx."),
    ] = ReportFormat.MD,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", help="Output file (md and json go to standard output without it)."
        ),
    ] = None,
    lang: Annotated[
        str | None,
        typer.Option("--lang", help="Language of the report (default: survey.yaml's language)."),
    ] = None,
    questionnaire: Annotated[
        str | None, typer.Option(help="Questionnaire ID|FILE for a plain folder or store.")
    ] = None,
    store: Annotated[
        Path | None, typer.Option(help="Ingest into this store first, and report from it.")
    ] = None,
    template: Annotated[
        Path | None,
        typer.Option(
            "--template", help="Folder of templates overriding the bundled ones, file by file."
        ),
    ] = None,
    schema: Annotated[
        bool, typer.Option("--schema", help="Print the JSON Schema of --format json and exit.")
    ] = False,
    strict: Annotated[bool, typer.Option(help="Exit 1 when the data has errors.")] = False,
    no_cache: NoCacheOpt = False,
) -> None:
    """Write the survey report: summary, findings, lessons, methodology and appendices."""
    from . import commands

    raise typer.Exit(
        commands.report(
            source=source,
            output_format=output_format,
            output=output,
            lang=lang,
            questionnaire=questionnaire,
            store=store,
            template=template,
            schema=schema,
            strict=strict,
            no_cache=no_cache,
        )
    )


class ExportFormat(StrEnum):
    datapackage = "datapackage"
    datasette = "datasette"


@app.command()
def export(
    source: Annotated[
        Path, typer.Argument(help="Survey folder, folder of workbooks, or store (.sqlite).")
    ],
    output: Annotated[
        Path,
        typer.Option("-o", "--output", help="DIR for datapackage; metadata.json for datasette."),
    ],
    output_format: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            help="datapackage (CSVs + datapackage.json) or datasette (a store's metadata.json).",
        ),
    ] = ExportFormat.datapackage,
    questionnaire: Annotated[
        str | None, typer.Option(help="Questionnaire ID|FILE for a plain folder or store.")
    ] = None,
    store: Annotated[
        Path | None, typer.Option(help="Ingest into this store first, and export from it.")
    ] = None,
) -> None:
    """Export for analysts: a Frictionless Data Package, or Datasette metadata for a store."""
    from .export import export_datapackage, export_datasette

    if output_format is ExportFormat.datasette:
        export_datasette(store or source, output)
        console.say(f"Wrote {output}", stderr=True)
        return
    with console.progress("Reading workbooks") as (_set_total, advance):
        paths = export_datapackage(source, output, questionnaire, store, progress=advance)
    names = ", ".join(p.name for p in paths)
    console.say(f"Wrote {len(paths)} files to {output}: {names}", stderr=True)


@app.command()
def ingest(
    paths: PathsArg,
    store: Annotated[Path, typer.Option(help="SQLite store (created if missing).")],
    questionnaire: QuestionnaireOpt = None,
    output_format: FormatOpt = OutputFormat.table,
    strict: StrictOpt = False,
) -> None:
    """Store returned workbooks in SQLite; unchanged files are skipped, new versions supersede."""
    from . import commands

    raise typer.Exit(
        commands.ingest(
            paths=paths,
            store=store,
            questionnaire=questionnaire,
            output_format=output_format,
            strict=strict,
        )
    )


class StatusFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"


SurveyArg = Annotated[Path, typer.Argument(help="Survey folder (with a survey.yaml).")]


@app.command()
def status(
    survey: SurveyArg,
    output_format: Annotated[
        StatusFormat, typer.Option("--format", help="table, csv or json.")
    ] = StatusFormat.table,
) -> None:
    """The response ledger: per partner and role, the current return and its state."""
    from .loop.ledger import ledger

    with console.progress("Reading workbooks") as (_set_total, advance):
        result = ledger(survey, progress=advance)
    if output_format is StatusFormat.json:
        import json

        sys.stdout.write(json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n")
    elif output_format is StatusFormat.csv:
        sys.stdout.write(result.to_csv())
    else:
        console.print_ledger(result.to_json())


@app.command()
def feedback(
    survey: SurveyArg,
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder to write into.")],
) -> None:
    """Fix requests (a commented copy and a message) and reminders, ready to send."""
    from .loop.feedback import feedback as run

    console.print_feedback(run(survey, output), output)


def main() -> None:
    """Console entry point."""
    app()

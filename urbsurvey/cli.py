"""The command line: parse options, call one core function, render its result.

No spreadsheet, template or database code lives here. Every `UrbsurveyError`
is turned into a message (and a tip) in one place, `main`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from .errors import UrbsurveyError

app = typer.Typer(
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


class RoleOption(StrEnum):
    city = "city"
    managing_authority = "managing_authority"
    other = "other"


def _console(stderr: bool = False) -> Any:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def escape(text: str) -> str:
    """Partner text shown in the terminal: never read as rich markup."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


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
    from rich.table import Column, Table

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
            Column("ID", no_wrap=True),
            Column("Type", no_wrap=True),
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
    from .errors import DefinitionError
    from .resources import load_questionnaire

    try:
        q = load_questionnaire(file)
    except DefinitionError as exc:
        _console(stderr=True).print(escape(exc.message), soft_wrap=True)
        raise typer.Exit(1) from exc
    _console().print(
        f"{escape(str(file))}: OK ({q.id} version {q.version}, {len(q.questions())} questions, "
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
    role: Annotated[RoleOption, typer.Option(help="Respondent role.")] = RoleOption.city,
    lang: Annotated[str, typer.Option(help="Language of the workbook.")] = "en",
    interview: Annotated[
        bool, typer.Option(help="An interview record for the thematic expert.")
    ] = False,
) -> None:
    """Write the Excel workbook(s) partners fill in."""
    from .definition import Role
    from .resources import load_questionnaire
    from .survey import is_survey_folder
    from .template import WorkbookSpec, read_partner_list, write_template, write_templates

    if is_survey_folder(Path(ref)):
        _survey_templates(Path(ref), output, partner, Role(role.value), interview)
        return
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


def _survey_templates(
    folder: Path, output: Path, partner: str | None, role: Any, interview: bool
) -> None:
    from .resources import load_questionnaire
    from .survey import load_survey
    from .template import survey_spec, write_survey_templates, write_template

    survey = load_survey(folder)
    q = load_questionnaire(survey.config.questionnaire, base=survey.root)
    if partner is None:
        paths = write_survey_templates(survey, q, output, interview=interview)
        _console().print(f"Wrote {len(paths)} workbooks to {escape(str(output))}")
        return
    found = next((p for p in survey.config.partners if p.name == partner), None)
    if found is None:
        known = ", ".join(p.name for p in survey.config.partners)
        raise UrbsurveyError(
            f"{partner!r} is not a partner of {folder}/survey.yaml", hint=f"Partners: {known}."
        )
    write_template(q, survey_spec(survey, q, found, role, interview=interview), output)
    _console().print(f"Wrote {escape(str(output))}")


class OutputFormat(StrEnum):
    table = "table"
    json = "json"


@contextmanager
def _progress(label: str) -> Iterator[tuple[Callable[[int], None], Callable[[int], None]]]:
    """A progress bar on stderr when it is a terminal; nothing otherwise."""
    if not sys.stderr.isatty():
        yield (lambda total: None), (lambda n: None)
        return
    from rich.progress import Progress

    with Progress(console=_console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=None)
        yield (lambda total: bar.update(task, total=total)), (lambda n: bar.advance(task, n))


PathsArg = Annotated[
    list[Path], typer.Argument(help="Workbooks, folders of them, or a survey folder.")
]
QuestionnaireOpt = Annotated[
    str | None, typer.Option(help="Questionnaire ID|FILE to check against.")
]
FormatOpt = Annotated[OutputFormat, typer.Option("--format", help="table or json.")]
StrictOpt = Annotated[bool, typer.Option(help="Exit 1 on warnings too.")]


def _finish(data: dict[str, Any], output_format: OutputFormat, strict: bool) -> None:
    """Print JSON if asked, and exit 1 on errors (on any issue with --strict)."""
    if output_format is OutputFormat.json:
        import json

        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    severities = {i["severity"] for i in data["issues"]}
    raise typer.Exit(1 if "error" in severities or (strict and severities) else 0)


@app.command()
def validate(
    paths: PathsArg,
    questionnaire: QuestionnaireOpt = None,
    output_format: FormatOpt = OutputFormat.table,
    strict: StrictOpt = False,
) -> None:
    """Check returned workbooks cell by cell. Exit 1 when there are errors."""
    from .validation import validate as run

    with _progress("Reading workbooks") as (set_total, advance):
        result = run(paths, questionnaire, progress=advance, on_files=set_total, keep_answers=False)
    data = result.to_json()
    if output_format is OutputFormat.table:
        _print_validation(data)
    _finish(data, output_format, strict)


def _print_validation(data: dict[str, Any]) -> None:
    from rich.table import Column, Table

    console = _console()
    table = Table(
        Column("File", overflow="fold"),
        Column("Partner", overflow="fold"),
        "Role",
        "Status",
        "Answers",
        "Errors",
        "Warnings",
        title=f"{data['questionnaire']['id']} version {data['questionnaire']['version']}",
        title_justify="left",
    )
    colours = {"ok": "green", "warnings": "yellow", "errors": "red", "unreadable": "red"}
    for f in data["files"]:
        table.add_row(
            escape(f["file"]),
            escape(f["partner"] or ""),
            " ".join(p for p in (f["role"], f["kind"] if f["kind"] == "interview" else "") if p),
            f"[{colours[f['status']]}]{f['status']}[/]",
            str(f["answers"]),
            str(f["errors"]),
            str(f["warnings"]),
        )
    console.print(table)
    _print_issues(data["issues"])
    s = data["summary"]
    console.print(
        f"{s['files']} files: {s['ok']} ok, {s['warnings']} with warnings, "
        f"{s['errors']} with errors, {s['unreadable']} unreadable."
    )


def _print_issues(issues: list[dict[str, Any]]) -> None:
    console = _console()
    for issue in issues:
        where = ", ".join(
            p
            for p in (
                issue["file"],
                issue["sheet"] and f"sheet {issue['sheet']}",
                issue["cell"] and f"cell {issue['cell']}",
            )
            if p
        )
        colour = "red" if issue["severity"] == "error" else "yellow"
        head = f"[{colour}]{issue['severity']}[/] [bold]{issue['code']}[/]"
        console.print(f"{head} {escape(where)}: {escape(issue['message'])}")
        console.print(f"    {escape(issue['hint'])}", style="dim")


class ReportFormat(StrEnum):
    md = "md"
    html = "html"
    json = "json"
    xlsx = "xlsx"


@app.command()
def report(
    source: Annotated[
        Path, typer.Argument(help="Survey folder, folder of workbooks, or store (.sqlite).")
    ],
    output_format: Annotated[
        ReportFormat, typer.Option("--format", help="md, html, json or xlsx.")
    ] = ReportFormat.md,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", help="Output file (md and json go to standard output without it)."
        ),
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
    strict: Annotated[bool, typer.Option(help="Exit 1 when the data has errors.")] = False,
) -> None:
    """Write the survey report: headline outcomes, lessons, matrix, data quality, provenance."""
    from .atomic import write_bytes
    from .render import render
    from .report import build_report, gather

    with _progress("Reading workbooks") as (_set_total, advance):
        data = gather(source, questionnaire, store, progress=advance)
    result = build_report(data)
    body = render(result, output_format.value, template)
    if output is not None:
        write_bytes(output, body)
        _console(stderr=True).print(f"Wrote {output}")
    elif output_format in (ReportFormat.md, ReportFormat.json):
        sys.stdout.buffer.write(body)
    else:
        raise UrbsurveyError(f"--format {output_format.value} needs -o FILE")
    errors = sum(i["severity"] == "error" for i in result["issues"])
    if strict and errors:
        _console(stderr=True).print(
            f"{errors} data errors (see the report's data-quality appendix)."
        )
        raise typer.Exit(1)


@app.command()
def ingest(
    paths: PathsArg,
    store: Annotated[Path, typer.Option(help="SQLite store (created if missing).")],
    questionnaire: QuestionnaireOpt = None,
    output_format: FormatOpt = OutputFormat.table,
    strict: StrictOpt = False,
) -> None:
    """Store returned workbooks in SQLite; unchanged files are skipped, new versions supersede."""
    from .ingest import ingest as run

    with _progress("Ingesting workbooks") as (set_total, advance):
        result = run(paths, store, questionnaire, progress=advance, on_files=set_total)
    data = result.to_json()
    if output_format is OutputFormat.table:
        console = _console()
        for f in data["added"]:
            console.print(
                f"added {escape(f['file'])}: {escape(f['partner'] or '?')} "
                f"({f['kind'] if f['kind'] == 'interview' else f['role']}), {f['status']}"
            )
        _print_issues(data["issues"])
        console.print(
            f"{len(data['added'])} added, {data['unchanged']} unchanged; the store holds "
            f"{data['totals']['submissions']} submissions, {data['totals']['current']} current."
        )
    _finish(data, output_format, strict)


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

    with _progress("Reading workbooks") as (_set_total, advance):
        result = ledger(survey, progress=advance)
    if output_format is StatusFormat.json:
        import json

        sys.stdout.write(json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n")
    elif output_format is StatusFormat.csv:
        sys.stdout.write(result.to_csv())
    else:
        _print_ledger(result.to_json())


@app.command()
def feedback(
    survey: SurveyArg,
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder to write into.")],
) -> None:
    """Fix requests (a commented copy and a message) and reminders, ready to send."""
    from .loop.feedback import feedback as run

    result = run(survey, output)
    console = _console()
    for sent in result.fix_requests:
        console.print(
            f"fixes {escape(sent.entry.partner or '')} ({sent.entry.role}): {len(sent.fixes)} "
            f"to fix, to {escape(sent.entry.email or '?')}: {escape(sent.workbook.name)}, "
            f"{escape(sent.message.name)}"
        )
    for sent in result.reminders:
        console.print(
            f"reminder {escape(sent.entry.partner or '')} ({sent.entry.role}), to "
            f"{escape(sent.entry.email or '?')}: {escape(sent.workbook.name)}, "
            f"{escape(sent.message.name)}"
        )
    for entry, why in result.skipped:
        name = entry.submission.file if entry.submission else "?"
        console.print(f"[yellow]skipped[/] {escape(name)}: {why}")
    console.print(
        f"{len(result.fix_requests)} fix requests and {len(result.reminders)} reminders "
        f"in {escape(str(output))}."
    )


def _print_ledger(data: dict[str, Any]) -> None:
    from rich.table import Column, Table

    table = Table(
        Column("Partner", overflow="fold"),
        "Role",
        "State",
        Column("File", overflow="fold"),
        "Received",
        Column("From", overflow="fold"),
        "Errors",
        "Warnings",
        Column("E-mail", overflow="fold"),
        title=data["survey"],
        title_justify="left",
    )
    colours = {"complete": "green", "needs fixes": "red", "missing": "yellow"}
    for r in data["responses"]:
        role = " ".join(p for p in (r["role"], r["kind"] if r["kind"] == "interview" else "") if p)
        table.add_row(
            escape(r["partner"] or "?"),
            escape(role + ("" if r["expected"] else " (not expected)")),
            f"[{colours[r['state']]}]{r['state']}[/]",
            escape(r["file"] or ""),
            (r["received"] or "")[:10],
            escape(r["from"] or ""),
            str(r["errors"]),
            str(r["warnings"]),
            escape(r["email"] or ""),
        )
    console = _console()
    console.print(table)
    s = data["summary"]
    console.print(
        f"{s['expected']} expected: {s['complete']} complete, {s['needs fixes']} need fixes, "
        f"{s['missing']} missing."
    )


def main() -> None:
    """Console entry point: the one place where errors become messages."""
    try:
        app()
    except UrbsurveyError as exc:
        console = _console(stderr=True)
        console.print(f"[red]Error:[/red] {exc.message}", markup=True, soft_wrap=True)
        if exc.hint:
            console.print(f"Tip: {exc.hint}", soft_wrap=True)
        sys.exit(2)

"""What people see in the terminal: tables, progress, issues, and `Error:`/`Tip:` lines.

Everything from partners (file names, partner names, messages quoting answers)
is escaped before rich prints it, so it is never read as markup.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from .vocabulary import Kind, Status

if TYPE_CHECKING:
    from pathlib import Path

    from .definition import Questionnaire
    from .errors import UrbsurveyError
    from .issues import IssueDict
    from .loop.feedback import FeedbackResult
    from .results import IngestJSON, ValidationJSON


def console(stderr: bool = False) -> Any:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe(text: str) -> str:
    """Any untrusted text (file, sheet and partner names, answers) made safe for the terminal.

    Control characters, escape sequences and bidi controls are shown as `\\n`, `\\x1b`,
    `\\u202e`, so they can neither forge a line nor disguise a name; rich markup
    (`[red]`, `a[/b].xlsx`) is printed as written.
    """
    from rich.markup import escape as rich_escape

    from .parsing.text import UNSAFE_CHARS  # imported here: `--help` needs none of parsing

    return rich_escape(UNSAFE_CHARS.sub(_visible, text))


#: The earlier name of `safe`, kept for the code that calls it so.
escape = safe


@contextmanager
def progress(label: str) -> Iterator[tuple[Callable[[int], None], Callable[[int], None]]]:
    """A progress bar on stderr when it is a terminal; nothing otherwise."""
    if not sys.stderr.isatty():
        yield (lambda total: None), (lambda n: None)
        return
    from rich.progress import Progress

    with Progress(console=console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=None)
        yield (lambda total: bar.update(task, total=total)), (lambda n: bar.advance(task, n))


def print_validation(data: ValidationJSON) -> None:
    from rich.table import Column, Table

    out = console()
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
    colours = {
        Status.OK: "green",
        Status.WARNINGS: "yellow",
        Status.ERRORS: "red",
        Status.UNREADABLE: "red",
    }
    for f in data["files"]:
        table.add_row(
            escape(f["file"]),
            escape(f["partner"] or ""),
            " ".join(p for p in (f["role"], f["kind"] if f["kind"] == Kind.INTERVIEW else "") if p),
            f"[{colours[f['status']]}]{f['status']}[/]",
            str(f["answers"]),
            str(f["errors"]),
            str(f["warnings"]),
        )
    out.print(table)
    print_issues(data["issues"])
    s = data["summary"]
    out.print(
        f"{s['files']} files: {s['ok']} ok, {s['warnings']} with warnings, "
        f"{s['errors']} with errors, {s['unreadable']} unreadable."
    )


#: Issues of one code in one file shown in the terminal; the rest are counted
#: (`--format json` lists every one).
SHOWN_PER_CODE = 20
#: Cells named for one message repeated at many cells of a sheet.
SHOWN_CELLS = 5


def print_issues(issues: list[IssueDict]) -> None:
    """Each issue with where it is and what to do. One message repeated at many cells
    (100,000 rows with one question id) is shown once with its first cells and the
    count; past `SHOWN_PER_CODE` of a code in a file, the rest are counted."""
    out = console()
    shown: dict[tuple[str, str], int] = {}
    hidden: dict[tuple[str, str], int] = {}
    for issue, cells, count in _grouped(issues):
        key = (issue["file"], issue["code"])
        if shown.get(key, 0) >= SHOWN_PER_CODE:
            hidden[key] = hidden.get(key, 0) + count
            continue
        shown[key] = shown.get(key, 0) + 1
        where = ", ".join(
            p
            for p in (issue["file"], issue["sheet"] and f"sheet {issue['sheet']}", _cells(cells))
            if p
        )
        colour = "red" if issue["severity"] == "error" else "yellow"
        head = f"[{colour}]{issue['severity']}[/] [bold]{issue['code']}[/]"
        times = f" ({count:,} times)" if count > max(1, len(cells)) else ""
        out.print(f"{head} {safe(where)}: {safe(issue['message'])}{times}")
        out.print(f"    {safe(issue['hint'])}", style="dim")
    for (file, code), count in hidden.items():
        out.print(
            f"... and {count:,} more [bold]{code}[/] issues in {safe(file)} "
            "(--format json lists every one)."
        )


def _grouped(issues: list[IssueDict]) -> list[tuple[IssueDict, list[str], int]]:
    """Issues alike but for their cell, once each (in order): the cells, the count."""
    groups: dict[tuple[object, ...], tuple[IssueDict, list[str], list[int]]] = {}
    for issue in issues:
        key = (issue["file"], issue["sheet"], issue["code"], issue["message"], issue["hint"])
        group = groups.get(key)
        if group is None:
            group = groups[key] = (issue, [], [0])
        if issue["cell"]:
            group[1].append(issue["cell"])
        group[2][0] += 1
    return [(issue, cells, count[0]) for issue, cells, count in groups.values()]


def _cells(cells: list[str]) -> str:
    if not cells:
        return ""
    if len(cells) == 1:
        return f"cell {cells[0]}"
    more = len(cells) - SHOWN_CELLS
    listed = ", ".join(cells[:SHOWN_CELLS])
    return f"cells {listed} and {more:,} more" if more > 0 else f"cells {listed}"


def print_questionnaire(q: Questionnaire, lang: str) -> None:
    """A definition's sections and questions as tables (texts escaped: they may hold brackets)."""
    from rich.table import Column, Table

    from .definition import text as plain

    def text(value: dict[str, str] | None, lang: str) -> str:
        return safe(plain(value, lang))

    out = console()
    out.print(f"[bold]{text(q.title, lang)}[/bold]")
    out.print(
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
        out.print(table)
    if q.indicators:
        table = Table("ID", "Kind", "Label", title="Indicators", title_justify="left")
        for ind in q.indicators:
            table.add_row(ind.id, ind.kind.value, text(ind.label, lang))
        out.print(table)


def print_questionnaire_list(questionnaires: list[Questionnaire]) -> None:
    from rich.table import Table

    from .definition import text

    table = Table("ID", "Version", "Languages", "Title")
    for q in questionnaires:
        table.add_row(
            safe(q.id), safe(q.version), ", ".join(q.languages), safe(text(q.title, "en"))
        )
    console().print(table)


def print_ingest(data: IngestJSON) -> None:
    out = console()
    added = []
    for f in data["added"]:
        who = f["kind"] if f["kind"] is Kind.INTERVIEW else f["role"]
        partner = escape(f["partner"] or "no partner")
        added.append(
            f"added {escape(f['file'])}: {partner}{f' ({who})' if who else ''}, {f['status']}"
        )
    if added:  # one print: rich's cost is per call (10,000 lines: 3.6 s -> 2.9 s)
        out.print("\n".join(added))
    print_issues(data["issues"])
    out.print(
        f"{len(data['added'])} added, {data['unchanged']} unchanged; the store holds "
        f"{data['totals']['submissions']} submissions, {data['totals']['current']} current."
    )


def print_ledger(data: dict[str, Any]) -> None:
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
    out = console()
    out.print(table)
    s = data["summary"]
    out.print(
        f"{s['expected']} expected: {s['complete']} complete, {s['needs fixes']} need fixes, "
        f"{s['missing']} missing."
    )


def print_feedback(result: FeedbackResult, output: Path) -> None:
    out = console()
    for sent in result.fix_requests:
        out.print(
            f"fixes {escape(sent.entry.partner or '')} ({sent.entry.role}): {len(sent.fixes)} "
            f"to fix, to {escape(sent.entry.email or '?')}: {escape(sent.workbook.name)}, "
            f"{escape(sent.message.name)}"
        )
    for sent in result.reminders:
        out.print(
            f"reminder {escape(sent.entry.partner or '')} ({sent.entry.role}), to "
            f"{escape(sent.entry.email or '?')}: {escape(sent.workbook.name)}, "
            f"{escape(sent.message.name)}"
        )
    for entry, why in result.skipped:
        name = entry.submission.file if entry.submission else "?"
        out.print(f"[yellow]skipped[/] {escape(name)}: {escape(why)}")
    out.print(
        f"{len(result.fix_requests)} fix requests and {len(result.reminders)} reminders "
        f"in {escape(str(output))}."
    )


def print_remarks(remarks: list[Any], title: str) -> None:
    """What an XLSForm import or export could not carry over, one line each, on stderr."""
    if not remarks:
        return
    err = console(stderr=True)
    err.print(f"{escape(title)} ({len(remarks)}):", soft_wrap=True)
    for remark in remarks:
        err.print(f"  - {escape(str(remark))}", soft_wrap=True)


def say(message: str, *, stderr: bool = False) -> None:
    """A plain line (escaped) on standard output, or standard error."""
    console(stderr=stderr).print(_lines(message), soft_wrap=True)


def _lines(message: str) -> str:
    """A message of ours: its own lines (a list of problems) stay lines, the rest is escaped."""
    return "\n".join(safe(line) for line in message.split("\n"))


def print_error(exc: UrbsurveyError) -> None:
    """The one way a failure is shown: `Error:` and, when there is one, `Tip:`."""
    err = console(stderr=True)
    err.print(f"[red]Error:[/red] {_lines(exc.message)}", soft_wrap=True)
    if exc.hint:
        err.print(f"Tip: {safe(exc.hint)}", soft_wrap=True)

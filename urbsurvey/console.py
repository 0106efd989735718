"""What people see in the terminal: tables, progress, issues, and `Error:`/`Tip:` lines.

Everything from partners (file names, partner names, messages quoting answers)
is escaped before rich prints it, so it is never read as markup.

Importing rich costs more than the rest of a one-file `validate`. So what goes to a file
or a pipe (not a terminal, as rich decides it) and is plain, printable ASCII text, is
written without rich, byte for byte as rich writes it: `say`'s lines, and the table of a
`validate` without issues (`_plain_validation`; `tests/test_console_plain.py` compares
both with rich's). Anything else is rich's to print.
"""

from __future__ import annotations

import builtins
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
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


#: Text rich prints as it is: printable ASCII without `[`, `]`, `\\` (markup) and `:` (emoji
#: codes such as `:smile:`), nor a space at either end or two in a row (wrapping keeps those).
_PLAIN = re.compile(r"[!-9;-Z^-~]+(?: [!-9;-Z^-~]+)*")


def _plain(stream: Any, *texts: str) -> bool:
    """Whether rich would write `texts` to `stream` as they are: the stream is no terminal
    (and no variable tells rich to treat it as one), not in IPython or Jupyter nor on
    Windows (where rich sizes and draws otherwise), and every text is plain."""
    if "FORCE_COLOR" in os.environ or "TTY_COMPATIBLE" in os.environ:
        return False
    if os.name == "nt" or hasattr(builtins, "get_ipython"):
        return False
    try:
        if stream.isatty():
            return False
    except ValueError:  # closed: rich's to report
        return False
    return all(_PLAIN.fullmatch(text) for text in texts)


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


#: `validate`'s table: its columns, and whether a long word in one is folded (else cut).
_VALIDATION_COLUMNS = (
    ("File", True),
    ("Partner", True),
    ("Role", False),
    ("Status", False),
    ("Answers", False),
    ("Errors", False),
    ("Warnings", False),
)


def print_validation(data: ValidationJSON) -> None:
    """The table of files read, their issues, and the counts."""
    plain = _plain_validation(data)
    if plain is not None:
        sys.stdout.write(plain)
        sys.stdout.flush()
        return
    _rich_validation(data)


def _validation_rows(data: ValidationJSON) -> list[tuple[str, ...]]:
    """Each file's cells, as shown (the status without its colour)."""
    return [
        (
            f["file"],
            f["partner"] or "",
            " ".join(p for p in (f["role"], f["kind"] if f["kind"] == Kind.INTERVIEW else "") if p),
            f["status"],
            str(f["answers"]),
            str(f["errors"]),
            str(f["warnings"]),
        )
        for f in data["files"]
    ]


def _validation_texts(data: ValidationJSON) -> tuple[str, str]:
    """The table's title and the counts' line."""
    q, s = data["questionnaire"], data["summary"]
    return f"{q['id']} version {q['version']}", (
        f"{s['files']} files: {s['ok']} ok, {s['warnings']} with warnings, "
        f"{s['errors']} with errors, {s['unreadable']} unreadable."
    )


def _rich_validation(data: ValidationJSON) -> None:
    from rich.table import Column, Table

    out = console()
    title, counts = _validation_texts(data)
    table = Table(
        *(
            Column(name, overflow="fold" if fold else "ellipsis")
            for name, fold in _VALIDATION_COLUMNS
        ),
        title=title,
        title_justify="left",
    )
    colours: dict[str, str] = {
        Status.OK: "green",
        Status.WARNINGS: "yellow",
        Status.ERRORS: "red",
        Status.UNREADABLE: "red",
    }
    for file, partner, role, status, *numbers in _validation_rows(data):
        table.add_row(
            escape(file), escape(partner), role, f"[{colours[status]}]{status}[/]", *numbers
        )
    out.print(table)
    print_issues(data["issues"])
    out.print(counts)


def _plain_validation(data: ValidationJSON) -> str | None:
    """What rich prints for a validation without issues (`_rich_validation`), made without
    rich; None when only rich can say (a terminal, issues, text that is not plain, a
    table too narrow for its words)."""
    rows = _validation_rows(data)
    title, counts = _validation_texts(data)
    texts = [title] + [cell for row in rows for cell in row if cell]  # counts: digits, words
    if data["issues"] or not _plain(sys.stdout, *texts) or not _utf(sys.stdout):
        return None
    width = _rich_width()
    headers = [name for name, _ in _VALIDATION_COLUMNS]
    widths = _column_widths([headers, *rows], width - len(headers) - 1)
    table_width = sum(widths) + len(headers) + 1
    if len(title) > table_width or len(counts) > width:
        return None
    body = [_table_row(row, widths) for row in rows]
    if None in body or any(len(h) > w - 2 for h, w in zip(headers, widths, strict=True)):
        return None
    lines = [
        title.ljust(table_width),
        "┏" + "┳".join("━" * w for w in widths) + "┓",
        "┃" + "┃".join(f" {h.ljust(w - 2)} " for h, w in zip(headers, widths, strict=True)) + "┃",
        "┡" + "╇".join("━" * w for w in widths) + "┩",
        *(line for row_lines in body if row_lines for line in row_lines),
        "└" + "┴".join("─" * w for w in widths) + "┘",
        counts,
    ]
    return "\n".join(lines) + "\n"


def _utf(stream: Any) -> bool:
    """Whether rich draws boxes with lines on `stream` (else with ASCII)."""
    return (getattr(stream, "encoding", None) or "utf-8").lower().startswith("utf")


def _rich_width() -> int:
    """The width rich gives its console: COLUMNS, else the first terminal among standard
    input, output and error, else 80."""
    columns = os.environ.get("COLUMNS")
    if columns is not None and columns.isdigit():
        return int(columns)
    for fd in (0, 1, 2):
        try:
            return os.get_terminal_size(fd).columns or 80
        except (AttributeError, ValueError, OSError):
            continue
    return 80


def _column_widths(cells: list[Sequence[str]], most: int) -> list[int]:
    """rich's widths (padding included) for the columns of `cells` within `most`
    (`Table._calculate_column_widths`): each as wide as its widest text, then the widest
    narrowed toward the next widest (every column may wrap), then all alike."""
    widths = [min(max(len(row[i]) for row in cells) + 2, most) or 1 for i in range(len(cells[0]))]
    excess = sum(widths) - most
    while sum(widths) and excess > 0:
        widest = max(widths)
        gap = widest - max(w if w != widest else 0 for w in widths)
        if not gap:
            break
        ratios = [int(w == widest) for w in widths]
        widths = _ratio_reduce(excess, ratios, [min(excess, gap)] * len(widths), widths)
        excess = sum(widths) - most
    if excess > 0:
        widths = _ratio_reduce(excess, [1] * len(widths), widths, widths)
    return widths


def _ratio_reduce(total: int, ratios: list[int], most: list[int], values: list[int]) -> list[int]:
    """rich's `ratio_reduce`: `total` taken off `values` in proportion to `ratios`, at most
    `most` from each."""
    ratios = [ratio if top else 0 for ratio, top in zip(ratios, most, strict=True)]
    left, weight = total, sum(ratios)
    result = []
    for ratio, top, value in zip(ratios, most, values, strict=True):
        if ratio and weight > 0:
            taken = min(top, round(ratio * left / weight))
            result.append(value - taken)
            left -= taken
            weight -= ratio
        else:
            result.append(value)
    return result


def _table_row(row: Sequence[str], widths: list[int]) -> list[str] | None:
    """A row's lines as rich draws them (texts from the top, padded); None when a word is
    too long for a column that cuts instead of folding."""
    cells = []
    for text, width, (_, fold) in zip(row, widths, _VALIDATION_COLUMNS, strict=True):
        lines = _wrapped(text, width - 2, fold)
        if lines is None:
            return None
        cells.append([f" {line.ljust(width - 2)} " for line in lines])
    height = max(len(lines) for lines in cells)
    for lines, width in zip(cells, widths, strict=True):
        lines += [" " * width] * (height - len(lines))
    return ["│" + "│".join(line) + "│" for line in zip(*cells, strict=True)]


def _wrapped(text: str, width: int, fold: bool) -> list[str] | None:
    """rich's lines of a plain text `width` wide (`rich._wrap.divide_line`, then each line
    cut of the spaces past the width): a word that does not fit starts the next line, one
    longer than a line is folded; None where rich would cut a word short instead."""
    if width < 1:
        return None
    breaks: list[int] = []
    offset = start = 0
    for word in text.split(" "):
        end = start + len(word)
        spaced = text[start : end + 1]  # the word and the space after it, as rich counts
        if width - offset >= len(word):
            offset += len(spaced)
        elif len(word) > width:
            if not fold:
                return None
            chunks = [spaced[i : i + width] for i in range(0, len(spaced), width)]
            for chunk in chunks:
                if start:
                    breaks.append(start)
                start += len(chunk)
            offset = len(chunks[-1])
        elif offset and start:
            breaks.append(start)
            offset = len(spaced)
        start = end + 1
    lines = [text[a:b] for a, b in zip([0, *breaks], [*breaks, len(text)], strict=True)]
    lines = [line[:width] if line[width:].isspace() else line for line in lines]
    return None if any(len(line) > width for line in lines) else lines


#: Issues of one code in one file shown in the terminal; the rest are counted
#: (`--format json` lists every one).
SHOWN_PER_CODE = 20
#: Cells named for one message repeated at many cells of a sheet.
SHOWN_CELLS = 5


def print_issues(issues: list[IssueDict]) -> None:
    """Each issue with where it is and what to do. One message repeated at many cells
    (100,000 rows with one question id) is shown once with its first cells and the
    count; past `SHOWN_PER_CODE` of a code in a file, the rest are counted."""
    from .issues import Severity

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
        colour = "red" if issue["severity"] == Severity.ERROR else "yellow"
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
    """A line per file added, the issues, and what the store holds."""
    plain = _plain_ingest(data)
    if plain is not None:
        sys.stdout.write(plain)
        sys.stdout.flush()
        return
    out = console()
    added = _added_lines(data, escape)
    if added:  # one print: rich's cost is per call (10,000 lines: 3.6 s -> 2.9 s)
        out.print("\n".join(added))
    print_issues(data["issues"])
    out.print(_store_line(data))


def _added_lines(data: IngestJSON, shown: Callable[[str], str]) -> list[str]:
    """`added FILE: PARTNER (ROLE), STATUS` per file, its names as `shown` makes them."""
    lines = []
    for f in data["added"]:
        who = f["kind"] if f["kind"] is Kind.INTERVIEW else f["role"]
        partner = shown(f["partner"]) if f["partner"] else "no partner"
        lines.append(
            f"added {shown(f['file'])}: {partner}{f' ({who})' if who else ''}, {f['status']}"
        )
    return lines


def _store_line(data: IngestJSON) -> str:
    return (
        f"{len(data['added'])} added, {data['unchanged']} unchanged; the store holds "
        f"{data['totals']['submissions']} submissions, {data['totals']['current']} current."
    )


def _plain_ingest(data: IngestJSON) -> str | None:
    """What rich prints for an ingest without issues, made without rich (1,000 lines cost
    rich some 0.3 s); None when only rich can say. Each line's one `:` is ours: with the
    names plain, no `:code:` of rich's emoji can form."""
    names = [name for f in data["added"] for name in (f["file"], f["partner"]) if name]
    if data["issues"] or not _plain(sys.stdout, *names):
        return None
    width = _rich_width()
    wrapped = [
        _wrapped(line, width, True) for line in [*_added_lines(data, str), _store_line(data)]
    ]
    if None in wrapped:
        return None
    return "".join(line + "\n" for lines in wrapped if lines for line in lines)


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
        kind = r["kind"] if r["kind"] == Kind.INTERVIEW else ""
        unexpected = "" if r["expected"] else "(not expected)"
        role = " ".join(p for p in (r["role"], kind, unexpected) if p)
        table.add_row(
            escape(r["partner"] or "?"),
            escape(role),
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
    fixes, reminders = len(result.fix_requests), len(result.reminders)
    out.print(
        f"{fixes} fix request{'' if fixes == 1 else 's'} and "
        f"{reminders} reminder{'' if reminders == 1 else 's'} in {escape(str(output))}."
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
    stream = sys.stderr if stderr else sys.stdout
    if _plain(stream, *message.split("\n")):
        stream.write(message + "\n")
        stream.flush()  # as rich does: the order of stdout and stderr lines stays
        return
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

"""The lines `urbsurvey.entry` parses itself become the call typer makes for them.

For every `validate`, `report` or `ingest` line the hand parser accepts, typer (through
`cli.app`) calls the same body of `urbsurvey.commands` with the same arguments; every
other line is left to typer.
"""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from urbsurvey import commands
from urbsurvey.cli import app
from urbsurvey.entry import FLAGS, REPORT_FORMATS, VALUED, parse_line
from urbsurvey.report.formats import FORMATS


def typers_call(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> tuple[str, dict[str, Any]]:
    """The body typer calls for `argv` and its arguments by name (the bodies replaced)."""
    calls: list[tuple[str, dict[str, Any]]] = []
    for name in FLAGS:
        body = getattr(commands, name)

        def record(*args: Any, _name: str = name, _body: Any = body, **kwargs: Any) -> int:
            bound = inspect.signature(_body).bind(*args, **kwargs)
            calls.append((_name, dict(bound.arguments)))
            return 0

        monkeypatch.setattr(commands, name, record)
    done = CliRunner().invoke(app, argv)
    assert done.exit_code == 0, (argv, done.output)
    (call,) = calls
    return call


@pytest.mark.parametrize(
    "argv",
    [
        ["validate", "a.xlsx", "b", "--format", "json", "--no-strict"],
        ["validate", "--strict", "a.xlsx", "--survey", "s", "--questionnaire", "q.yaml"],
        ["validate", "a.xlsx", "--no-cache"],
        ["report", "survey", "--format", "json", "-o", "r.json"],
        ["report", "survey", "--output", "r.docx", "--format", "docx", "--lang", "fr"],
        ["report", "s.sqlite", "--questionnaire", "q", "--template", "t", "--no-cache"],
        ["report", "survey", "--store", "s.sqlite", "--strict"],
        ["report", "--schema"],
        ["report"],
        ["ingest", "returns", "--store", "s.sqlite"],
        ["ingest", "a.xlsx", "b.xlsx", "--store", "s.sqlite", "--format", "json", "--strict"],
        ["ingest", "--questionnaire", "q", "a.xlsx", "--store", "s", "--no-strict"],
    ],
)
def test_a_plain_line_is_typers_call(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    assert parse_line(argv) == typers_call(argv, monkeypatch)


def test_other_lines_are_left_to_typer() -> None:
    for typers in (
        [],
        ["--help"],
        ["validate"],  # typer says a path is missing
        ["template", "mile-followup-2009"],
        ["validate", "a.xlsx", "--help"],
        ["validate", "a.xlsx", "--strict", "--strict"],
        ["validate", "a.xlsx", "--questionnaire"],
        ["validate", "a.xlsx", "--questionnaire", "--strict"],
        ["validate", "a.xlsx", "--survey="],
        ["validate", "a.xlsx", "--format", "csv"],  # typer says what is wrong
        ["validate", "a.xlsx", "--schema"],  # a report option
        ["validate", "--", "-odd.xlsx"],
        ["validate", ""],
        ["report", "a", "b"],
        ["report", "survey", "--format", "pdf"],
        ["report", "survey", "-o", "a.md", "--output", "b.md"],
        ["report", "survey", "-or.md"],
        ["ingest", "returns"],  # typer says --store is missing
        ["ingest", "returns", "--store", "s", "--no-cache"],  # not an ingest option
    ):
        assert parse_line(typers) is None, typers


def test_the_report_formats_are_the_renderers() -> None:
    assert REPORT_FORMATS == FORMATS


_ODD = [["--"], ["-x"], ["--help"], ["--format=json"], [""], ["--no-cache"], ["--schema"]]
_VALUES = ["json", "table", "md", "docx", "csv", "fr", "s.sqlite", "", "-x", "--strict"]


@st.composite
def lines(draw: st.DrawFn) -> list[str]:
    """A line of one command: paths and its options (each with a value, allowed or not) in
    any order; now and then a word typer reads in its own way, or an option twice."""
    command = draw(st.sampled_from(sorted(FLAGS)))
    options = {**{f: None for f in FLAGS[command]}, **VALUED[command]}

    def keyword(option: str) -> str:
        return FLAGS[command][option][0] if option in FLAGS[command] else VALUED[command][option][0]

    def value(option: str) -> st.SearchStrategy[list[str]]:
        if option in FLAGS[command]:
            return st.just([option])
        allowed = st.sampled_from(VALUED[command][option][1] or ["x", "q.yaml"])
        return st.one_of(*[allowed] * 4, st.sampled_from(_VALUES)).map(lambda v: [option, v])

    chosen = draw(st.lists(st.sampled_from(sorted(options)), unique_by=keyword, max_size=5))
    pieces = [draw(value(option)) for option in chosen]
    pieces += [[p] for p in draw(st.lists(st.sampled_from(["a.xlsx", "dir"]), max_size=3))]
    pieces += draw(st.lists(st.sampled_from([*_ODD, *([o] for o in options)]), max_size=1))
    return [command, *(word for p in draw(st.permutations(pieces)) for word in p)]


@given(argv=lines())
def test_any_line_parsed_is_typers_call(argv: list[str]) -> None:
    """Each line the hand parser takes is parsed by typer into the same call."""
    parsed = parse_line(argv)
    if parsed is not None:
        with pytest.MonkeyPatch.context() as patch:
            assert parsed == typers_call(argv, patch), argv

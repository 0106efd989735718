"""What `console` writes without rich (to a file or a pipe) is what rich writes there.

The table of a `validate` without issues and `say`'s lines are made without importing
rich when the text is plain; here they are compared with rich's output for the same data,
at many widths, and rich is shown not to be imported for them.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from urbsurvey import console

_CHARS = st.sampled_from("abcxyz019-_./ ")
_WORD = st.text(_CHARS.filter(lambda c: c != " "), min_size=1, max_size=30)
#: Names as partners and folders spell them: words, sometimes one too long for a line.
_NAME = st.lists(_WORD, min_size=1, max_size=5).map(" ".join)


@contextlib.contextmanager
def plain_output(columns: int) -> Iterator[None]:
    """Standard output to a file (not a terminal) `columns` wide, no variable forcing colour."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COLUMNS", str(columns))
        patch.delenv("FORCE_COLOR", raising=False)
        patch.delenv("TTY_COMPATIBLE", raising=False)
        yield


def written(call: Callable[[], None]) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        call()
    return out.getvalue()


@st.composite
def validations(draw: st.DrawFn) -> dict[str, Any]:
    """The JSON of a `validate` without issues, of one to four files."""
    statuses = st.sampled_from(["ok", "warnings", "errors", "unreadable"])
    files = [
        {
            "file": draw(_NAME),
            "partner": draw(st.none() | _NAME),
            "role": draw(st.sampled_from([None, "city", "managing_authority"])),
            "kind": draw(st.sampled_from(["questionnaire", "interview"])),
            "status": draw(statuses),
            "answers": draw(st.integers(0, 10**6)),
            "errors": draw(st.integers(0, 999)),
            "warnings": draw(st.integers(0, 99999)),
        }
        for _ in range(draw(st.integers(1, 4)))
    ]
    version = draw(st.sampled_from(["1.0", "2026 spring", "x" * 40]))
    return {
        "questionnaire": {"id": "mile-followup-2009", "version": version, "fingerprint": "f"},
        "summary": {"files": len(files), "ok": 1, "warnings": 0, "errors": 0, "unreadable": 0},
        "files": files,
        "issues": [],
    }


@settings(deadline=None)  # rich renders slowly on a busy machine; no timing is tested
@given(data=validations(), columns=st.integers(30, 200))
def test_the_table_is_the_one_rich_prints(data: dict[str, Any], columns: int) -> None:
    with plain_output(columns):
        ours = console._plain_validation(data)  # type: ignore[arg-type]
        if ours is not None:
            assert ours == written(lambda: console._rich_validation(data))  # type: ignore[arg-type]


def test_a_clean_file_at_80_columns_is_printed_without_rich() -> None:
    data = {
        "questionnaire": {"id": "mile-followup-2009", "version": "1.0", "fingerprint": "f"},
        "summary": {"files": 1, "ok": 1, "warnings": 0, "errors": 0, "unreadable": 0},
        "files": [
            {
                "file": "/tmp/m1/bench/out/corpus-1000/returns/00001-venice-00001-city.xlsx",
                "partner": "Venice 00001",
                "role": "city",
                "kind": "questionnaire",
                "status": "ok",
                "answers": 12,
                "errors": 0,
                "warnings": 0,
            }
        ],
        "issues": [],
    }
    with plain_output(80):
        rich = written(lambda: console._rich_validation(data))  # type: ignore[arg-type]
    program = (
        "import json, sys\n"
        "from urbsurvey import console\n"
        "console.print_validation(json.loads(sys.argv[1]))\n"
        "print('rich' in sys.modules, file=sys.stderr)\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE")}
    done = subprocess.run(
        [sys.executable, "-c", program, json.dumps(data)],
        capture_output=True,
        text=True,
        check=True,
        env={**env, "COLUMNS": "80"},
    )
    assert (done.stdout, done.stderr) == (rich, "False\n")


def test_what_is_not_plain_is_left_to_rich() -> None:
    with plain_output(80):
        assert console._plain(sys.stdout, "Venice 00001", "a/b.xlsx")
        for odd in ("[red]x", "a:smile:b", "back\\slash", "Iași", "tab\there", " lead", "two  "):
            assert not console._plain(sys.stdout, odd), odd
    with plain_output(80), pytest.MonkeyPatch.context() as patch:
        patch.setenv("FORCE_COLOR", "1")
        assert not console._plain(sys.stdout, "Venice")
    with plain_output(80), pytest.MonkeyPatch.context() as patch:
        patch.setattr("builtins.get_ipython", lambda: None, raising=False)  # rich draws for it
        assert not console._plain(sys.stdout, "Venice")


@settings(deadline=None)
@given(message=st.lists(_NAME, min_size=1, max_size=3).map("\n".join), columns=st.integers(20, 120))
def test_say_writes_what_rich_writes(message: str, columns: int) -> None:
    with plain_output(columns):
        ours = written(lambda: console.say(message))
        rich = written(lambda: console.console().print(console._lines(message), soft_wrap=True))
    assert ours == rich


@st.composite
def ingests(draw: st.DrawFn) -> dict[str, Any]:
    """The JSON of an `ingest` without issues."""
    added = [
        {
            "file": draw(_NAME),
            "partner": draw(st.none() | _NAME),
            "role": draw(st.sampled_from([None, "city", "managing_authority"])),
            "kind": draw(st.sampled_from(["questionnaire", "interview"])),
            "status": draw(st.sampled_from(["ok", "warnings", "errors"])),
        }
        for _ in range(draw(st.integers(0, 4)))
    ]
    totals = {"submissions": draw(st.integers(0, 10**5)), "current": draw(st.integers(0, 10**5))}
    unchanged = draw(st.integers(0, 10**4))
    return {
        "store": "s.sqlite",
        "added": added,
        "unchanged": unchanged,
        "totals": totals,
        "issues": [],
    }


@settings(deadline=None)
@given(data=ingests(), columns=st.integers(20, 160))
def test_ingest_lines_are_the_ones_rich_prints(data: dict[str, Any], columns: int) -> None:
    with plain_output(columns):
        ours = written(lambda: console.print_ingest(data))  # type: ignore[arg-type]
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(console, "_plain_ingest", lambda data: None)
            rich = written(lambda: console.print_ingest(data))  # type: ignore[arg-type]
    assert ours == rich

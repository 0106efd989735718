"""`submission` helpers: how files are named, what the context builds once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from urbsurvey.intake.answers import Interpreter
from urbsurvey.intake.record import display_name
from urbsurvey.intake.submission import Context
from urbsurvey.resources import load_questionnaire


@pytest.mark.parametrize(
    ("path", "base", "shown"),
    [
        ("returns/a.xlsx", "returns", "a.xlsx"),
        ("returns/sub/a.xlsx", "returns", "sub/a.xlsx"),
        ("./returns/a.xlsx", "returns/.", "a.xlsx"),
        ("a.xlsx", ".", "a.xlsx"),
        ("other/a.xlsx", "returns", "other/a.xlsx"),
        ("returns/../returns/a.xlsx", "returns", "../returns/a.xlsx"),
        ("{cwd}/returns/a.xlsx", "returns", "a.xlsx"),
        ("returns/a.xlsx", "{cwd}/returns", "a.xlsx"),
        ("returns/a.xlsx", "{cwd}", "returns/a.xlsx"),
        ("{cwd}/returns/a.xlsx", "{cwd}/returns", "a.xlsx"),
        ("/elsewhere/a.xlsx", "returns", "/elsewhere/a.xlsx"),
    ],
)
def test_display_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: str, base: str, shown: str
) -> None:
    monkeypatch.chdir(tmp_path)
    cwd = os.getcwd()
    path_ = Path(path.format(cwd=cwd))
    base_ = Path(base.format(cwd=cwd))
    assert display_name(path_, base_) == shown
    # the same as comparing the absolute (not resolved) paths
    try:
        expected = path_.absolute().relative_to(base_.absolute()).as_posix()
    except ValueError:
        expected = str(path_)
    assert display_name(path_, base_) == expected
    assert display_name(path_, None) == str(path_)


def test_context_question_lookups() -> None:
    q = load_questionnaire("mile-followup-2009")
    ctx = Context(q, Interpreter(q))
    assert ctx.questions == q.questions()
    assert ctx.question_ids == {question.id for question in q.questions()}
    assert ctx.required_or_conditional == [
        question
        for question in q.questions()
        if question.ask_when is not None or any(question.required_for(role) for role in q.roles)
    ]

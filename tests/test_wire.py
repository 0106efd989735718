"""Workers send submissions back as tuples (`intake.wire`): nothing is lost on the way."""

from __future__ import annotations

import dataclasses
import datetime as dt
import pickle
from decimal import Decimal
from pathlib import Path

from urbsurvey.intake.answers import Answer, Interpreter, MoneyValue
from urbsurvey.intake.batch import read_item, read_items, read_wired
from urbsurvey.intake.record import Submission
from urbsurvey.intake.submission import Context, read_submission
from urbsurvey.intake.wire import Spool, pack, unpack, unwired, wired
from urbsurvey.intake.workers import Limits
from urbsurvey.issues import Issue
from urbsurvey.vocabulary import Kind, Role

from .support.surveys import RECYCLING
from .support.workbooks import definition, filled


def _context() -> Context:
    q = definition(RECYCLING)
    return Context(q, Interpreter(q, "EUR", {"GBP": Decimal("1.15")}))


def _returns(tmp_path: Path) -> list[Path]:
    """Three returns of the recycling survey: clean, with problems, with money and a date."""
    q = RECYCLING
    return [
        filled(
            tmp_path,
            {"points_opened": 12, "weee_accepted": "Yes", "weee_tonnes": 3.5},
            questionnaire=q,
            partner="Cork",
            name="cork.xlsx",
        ),
        filled(
            tmp_path,
            {"points_opened": "many", "weee_accepted": "Perhaps"},
            questionnaire=q,
            partner="Lyon",
            lang="fr",
            name="lyon.xlsx",
        ),
        filled(
            tmp_path,
            {
                "points_opened": 4,
                "weee_accepted": "No",
                "running_cost": "£240,000",
                "opened_on": dt.date(2026, 3, 2),
            },
            questionnaire=q,
            partner="Namur",
            name="namur.xlsx",
        ),
    ]


def test_every_field_of_a_submission_its_answers_and_issues_travels(tmp_path: Path) -> None:
    sub = read_submission(_returns(tmp_path)[1], _context(), "returns/lyon.xlsx")
    assert sub.issues and sub.answers  # a return with problems, read
    # every field set to something other than its default
    sub.role, sub.kind, sub.language = Role.CITY, Kind.INTERVIEW, "fr"
    sub.readable = False
    sub.row_ids, sub.row_values = {7: "points_opened"}, {"points_opened": "many"}
    sub.provenance = {"sender": "dechets@lyon.example"}
    sub.answers["x"] = Answer("points_opened", "7", 7, "Réponses", "C7", False, "n", True)
    defaults = Submission(file="", sha256="")
    for f in dataclasses.fields(Submission):
        assert getattr(sub, f.name) != getattr(defaults, f.name), f.name
    back = unpack(pickle.loads(pickle.dumps(pack(sub), pickle.HIGHEST_PROTOCOL)))
    assert back == sub
    assert back.answers["x"].hidden and back.answers["x"].question == "points_opened"
    assert type(back.role) is Role and type(back.issues[0]) is Issue
    # a field added to one of the dataclasses and not to `wire` fails here
    assert len(pack(sub)) == len(dataclasses.fields(Submission))
    assert len(pack(sub)[11]) == len(sub.answers) * (1 + len(dataclasses.fields(Answer)))
    assert len(pack(sub)[13][0]) == len(dataclasses.fields(Issue))


def test_read_in_workers_equals_read_here(tmp_path: Path) -> None:
    ctx = _context()
    items = [(path, f"returns/{path.name}") for path in _returns(tmp_path)]
    here = [read_item(item, ctx) for item in items]
    assert any(s.issues for s in here)
    money = [a.value for s in here for a in s.answers.values() if isinstance(a.value, MoneyValue)]
    assert [m.currency for m in money] == ["GBP"]
    there = list(read_items(list(items), ctx, limits=Limits(jobs=2)))
    assert there == here


def test_strings_that_repeat_from_file_to_file_are_held_once(tmp_path: Path) -> None:
    ctx = _context()
    paths = _returns(tmp_path)
    cork, namur = (unpack(pickle.loads(pickle.dumps(pack(read_item((p, p.name), ctx)))))
                   for p in (paths[0], paths[2]))  # fmt: skip
    a, b = cork.answers["points_opened"], namur.answers["points_opened"]
    assert (a.cell, a.sheet) == (b.cell, b.sheet)
    assert a.cell is b.cell and a.sheet is b.sheet and a.question is b.question
    assert cork.answers["weee_accepted"].raw == "Yes" and namur.answers["weee_accepted"].raw == "No"


def test_what_the_workers_sent_is_held_and_rebuilt_in_order(tmp_path: Path) -> None:
    """A report holds what the workers sent until every file is read: the same submissions
    come back, in order, among the cached ones, a file with a long answer (more than a
    block of the spool) too."""
    ctx = _context()
    items = [(path, f"returns/{path.name}") for path in _returns(tmp_path)]
    here = [read_item(item, ctx) for item in items]
    long = read_item(items[0], ctx)
    long.answers["x"] = Answer("points_opened", "7" * 3_000_000, "7" * 3_000_000, "S", "C7")
    sent = list(read_wired(list(items), ctx, limits=Limits(jobs=2)))
    assert [unwired(w) for w in sent] == here
    assert all(cacheable for cacheable, _ in sent)  # opened: each may be cached
    spool = Spool()
    entries: list[Submission | tuple[bool, bytes]] = [here[2], sent[0], wired(long)]
    for entry in [*entries, sent[1], here[0], sent[2]]:
        spool.add(entry)
    assert spool.submissions() == [here[2], here[0], long, here[1], here[0], here[2]]
    assert spool.submissions() == []  # handed out once, and freed


def test_a_file_that_cannot_be_opened_is_not_cached(tmp_path: Path) -> None:
    item = (tmp_path / "gone.xlsx", "returns/gone.xlsx")
    [(cacheable, _)] = read_wired([item], _context(), limits=Limits(jobs=1))
    assert not cacheable


def test_a_choice_label_is_held_once_whatever_its_length() -> None:
    label = "Informally: members still meet in other local groupings"
    text = "We focused the plan on three concrete actions, each written up as a project."

    def sent(partner: str) -> Submission:
        sub = Submission(file=f"{partner}.xlsx", sha256="0" * 64, partner=partner)
        sub.answers["functioning"] = Answer("functioning", "".join(label), "informal", "S", "C4")
        raw = "".join(text)  # a string of its own, as each file's reader makes it
        sub.answers["lessons"] = Answer("lessons", raw, raw, "S", "C5")
        return unpack(pickle.loads(pickle.dumps(pack(sub))))

    cork, lyon = sent("Cork"), sent("Lyon")
    assert cork.answers["functioning"].raw is lyon.answers["functioning"].raw  # a choice's label
    assert cork.answers["lessons"].raw == lyon.answers["lessons"].raw == text
    assert cork.answers["lessons"].value is cork.answers["lessons"].raw  # one string

"""The report's classes compare and show themselves as dataclasses do.

Their `__eq__` and `__repr__` are written once (`schema._Record`), not made by
`dataclass` for each class: the reference here is a plain dataclass of the same fields.
"""

from __future__ import annotations

import copy
import dataclasses

import pytest

from urbsurvey.report import schema
from urbsurvey.report.schema import AnswerShown, Report, Respondent

from .conftest import TOY
from .support.report_sample import sample_report

CLASSES = [c for c in vars(schema).values() if isinstance(c, type) and dataclasses.is_dataclass(c)]


def _twin(cls: type) -> type:
    """A dataclass of `cls`'s fields with the methods `dataclass` makes itself."""
    spec = [(f.name, object, dataclasses.field(default=None)) for f in dataclasses.fields(cls)]
    return dataclasses.make_dataclass(cls.__name__, spec, kw_only=True)


@pytest.fixture(scope="module")
def report() -> Report:
    return sample_report(3, hostile=True, questionnaire=TOY)


def _instances(value: object) -> list[object]:
    """The report's objects of each class, one per class, found in the report."""
    found: dict[type, object] = {}
    todo = [value]
    while todo:
        item = todo.pop()
        if isinstance(item, list | tuple):
            todo.extend(item)
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            found.setdefault(type(item), item)
            todo.extend(getattr(item, f.name) for f in dataclasses.fields(item))
        elif isinstance(item, dict):
            todo.extend(item.values())
    return list(found.values())


def test_every_class_shows_and_compares_itself_as_a_dataclass_would(report: Report) -> None:
    shown = _instances(report)
    assert len(shown) >= 20
    for obj in shown:
        values = {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}  # type: ignore[arg-type]
        twin = _twin(type(obj))(**values)
        assert repr(obj) == repr(twin)
        assert obj == copy.deepcopy(obj)
        assert obj != values and obj != twin  # another class is never equal
        name = dataclasses.fields(obj)[0].name  # type: ignore[arg-type]
        other = copy.copy(obj)
        object.__setattr__(other, name, "something else")
        assert obj != other


def test_a_report_equals_a_copy_until_an_answer_differs(report: Report) -> None:
    same = copy.deepcopy(report)
    assert same == report
    same.partners[-1].typed["changed"] = "yes"
    assert same != report
    with pytest.raises(TypeError):
        hash(report)  # as a dataclass that compares: unhashable
    assert hash(AnswerShown(question="q", text="t", shown="s")) == hash(
        AnswerShown(question="q", text="t", shown="s")
    )


def test_repr_is_the_fields_by_name() -> None:
    who = Respondent(partner="Brno", role=None, role_label="city")
    assert repr(who) == "Respondent(partner='Brno', role=None, role_label='city', file=None)"


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_every_class_keeps_its_dataclass_traits(cls: type) -> None:
    assert cls.__hash__ is None or cls is AnswerShown
    assert "__slots__" in vars(cls)
    assert cls.__match_args__ == ()  # keyword-only, as before

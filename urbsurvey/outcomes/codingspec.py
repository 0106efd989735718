"""The format of a coding.yaml, as pydantic validates it: imported only to read a coding
not validated before (`lessons.parse_coding` keeps the result in its plain classes).

The classes are named as the plain ones in `lessons` are, so the JSON Schema that
explains a problem in a coding names them as it always did.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from ..definition.texts import Text
from ..vocabulary import Source
from . import lessons


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Group(_Model):
    id: str
    title: Text
    chapter: bool = False


class Example(_Model):
    partner: str
    question: str | None = None
    source: Source = Source.CITY
    note: str | None = None


class Theme(_Model):
    id: str
    group: str
    title: Text
    description: Text | None = None
    examples: list[Example] = []


class Coding(_Model):
    groups: list[Group] = []
    themes: list[Theme] = []

    def plain(self) -> lessons.Coding:
        """The coding in `lessons`' classes, which need no pydantic to unpickle."""
        return lessons.Coding(
            groups=[lessons.Group(**g.model_dump()) for g in self.groups],
            themes=[
                lessons.Theme(
                    id=t.id,
                    group=t.group,
                    title=t.title,
                    description=t.description,
                    examples=[lessons.Example(**e.model_dump()) for e in t.examples],
                )
                for t in self.themes
            ],
        )

"""Definitions validated before, kept between runs: then loading one is a read and an unpickle.

Validating a definition (the YAML parsed, pydantic's validators built and run, the
checks across the document) costs more than the rest of a one-file `validate`. An
entry is the validated `Questionnaire` in its plain classes (`model`: unpickling it
imports no pydantic), its fingerprint and JSON computed, under a key of everything the
result depends on:

- the file's bytes, as read for this run: an edited definition is a new key, whatever
  its size and times say;
- urbsurvey's version and pydantic's;
- the source of the modules that define and check the format (`spec`, `texts`, `model`,
  `checks`, `load`), so a changed rule is never answered with a definition validated
  under the old one.

Only a definition that passed is kept: one with problems is read and reported every
time. Entries are pickles in `definitions/` of the user's cache folder (`cachedir`),
private to the user (0700) as the read cache is, and a folder owned by someone else is
never read. Anything missing, unreadable or unwritable there means validating again.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import Questionnaire

_RULES = ("spec.py", "texts.py", "model.py", "checks.py", "load.py")


def key_of(data: bytes) -> str | None:
    """The entry's name for a definition file holding `data`; None without the rules' source
    (an installation without it keeps no definitions)."""
    from ..cachedir import rules_key

    here = Path(__file__).parent
    return rules_key(tuple(here / name for name in _RULES), data)


def load(key: str) -> Questionnaire | None:
    """The definition validated under `key`, or None."""
    from ..cachedir import load_pickle
    from .model import Questionnaire

    return load_pickle("definitions", key, Questionnaire)


def store(key: str, questionnaire: Questionnaire) -> None:
    """Keep a validated definition; a failure only costs time."""
    from ..cachedir import store_pickle

    questionnaire.fingerprint()  # computed now, kept with it, as its JSON is (`spec`)
    store_pickle("definitions", key, questionnaire)

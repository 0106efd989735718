"""The bundled questionnaire the returned workbooks are stamped with, when none is given.

Without `--questionnaire` or a survey folder, the first workbook whose version stamp
names a bundled questionnaire decides what the files are checked against. Stamps are
read in a worker, as everything in a workbook is (`workers`), and:

- the workbook that decides is checked against that questionnaire in the same worker,
  from the same read, when the definition was validated before (`Stamped.ahead`): a
  single file is read once, by one worker, where it took two;
- with `cache`, each file's stamp is kept (`cachedir`, `stamps/`) under urbsurvey's
  version, the file's absolute path and its size, modification and inode change times,
  inode and device, taken before it is read, as the read cache keys a file
  (`intake.cache`): a re-run finds the questionnaire without opening a workbook, and a
  file written since is read again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from stat import S_ISREG
from typing import TYPE_CHECKING

from .. import __version__
from ..cachedir import load_pickle, store_pickle
from ..resources import bundled_questionnaires
from .batch import Item, item_name
from .record import Submission
from .wire import Packed, unpack

if TYPE_CHECKING:
    from ..issues import Issue
    from ..reader import Workbook

#: What the worker sends back for one file: its cache key (None: not kept), the
#: questionnaires its stamp names, and, for the file that decides, its checked
#: submission and the fingerprint of the definition it was checked against.
_Found = tuple[str | None, tuple[str, ...], tuple[Packed, str] | None]


@dataclasses.dataclass(frozen=True, slots=True)
class Stamped:
    """The bundled questionnaire named first (None: no file names one), and the file that
    named it, if it was read here: its item, its submission checked against that
    questionnaire and the fingerprint of the definition it was checked against."""

    questionnaire: str | None
    ahead: tuple[Item, Submission, str] | None = None


def find_stamped(items: list[Item], *, cache: bool) -> Stamped:
    """The first bundled questionnaire the items' stamps name: kept stamps first, then the
    items from the first one not kept on, read in one worker."""
    bundled = set(bundled_questionnaires())
    for index, item in enumerate(items):
        kept = _kept(item) if cache else None
        if kept is None:
            return _read(items[index:], bundled, cache)
        ref = _first(kept, bundled)
        if ref is not None:
            return Stamped(ref)
    return Stamped(None)


def _first(named: tuple[str, ...], bundled: set[str]) -> str | None:
    return next((ref for ref in named if ref in bundled), None)


def _key(item: Item) -> str | None:
    """A workbook file's key in `stamps/` as it is now; None for an e-mail's attachment and
    anything that is not a regular file (the reading says what it is)."""
    if not isinstance(item, tuple):
        return None
    from .cache import stat_key

    try:
        st = os.stat(item[0])
    except OSError:
        return None
    if not S_ISREG(st.st_mode):
        return None
    digest = hashlib.sha256(f"{__version__}\0{stat_key(st)}\0".encode())
    digest.update(os.fsencode(item[0].absolute()))
    return digest.hexdigest()


def _kept(item: Item) -> tuple[str, ...] | None:
    key = _key(item)
    return None if key is None else load_pickle("stamps", key, tuple)


def _read(items: list[Item], bundled: set[str], cache: bool) -> Stamped:
    """Read the items' stamps in one worker, in order, until one names a bundled
    questionnaire; a file its worker died on names none (it is reported when read)."""
    from .workers import Failure, limits_from_env, run_isolated

    def task(item: Item) -> _Found:
        return _stamp_of(item, bundled, cache)

    def failed(item: Item, failure: Failure) -> _Found | None:
        return None

    one_worker = dataclasses.replace(limits_from_env(), jobs=1)
    found = run_isolated(items, task, failed, one_worker, item_name)
    try:
        for item, result in zip(items, found, strict=False):
            if result is None:
                continue
            key, named, checked = result
            if key is not None:
                store_pickle("stamps", key, named)
            ref = _first(named, bundled)
            if ref is not None:
                ahead = None if checked is None else (item, unpack(checked[0]), checked[1])
                return Stamped(ref, ahead)
    finally:
        found.close()
    return Stamped(None)


def _stamp_of(item: Item, bundled: set[str], cache: bool) -> _Found:
    """In the worker: the item's key (taken before it is read), the questionnaires its stamp
    names and, if one is bundled, the item checked against it."""
    from .mail import MailItem
    from .submission import open_submission

    key = _key(item) if cache else None
    if isinstance(item, MailItem):
        if item.data is None:
            return key, (), None
        from ..reader import read_workbook_bytes

        return key, _named(read_workbook_bytes(item.data, item.display)), None
    sub, book = open_submission(item[0], item[1])
    named = () if book is None else _named(book)
    ref = _first(named, bundled)
    if ref is None or book is None:
        return key, named, None
    return key, named, _checked(book, sub, ref)


def _named(book: Workbook | Issue) -> tuple[str, ...]:
    """The questionnaires a workbook's stamp names (its `questionnaire` rows)."""
    from ..reader import ReadError, Workbook
    from ..workbook import contract

    if not isinstance(book, Workbook) or contract.STAMP_SHEET not in book.sheet_names:
        return ()
    try:
        rows = book.sheet(contract.STAMP_SHEET).rows
    except ReadError:
        return ()
    return tuple(
        row[1]
        for row in rows
        if len(row) >= 2 and row[0] == "questionnaire" and isinstance(row[1], str)
    )


def _checked(book: Workbook | Issue, sub: Submission, ref: str) -> tuple[Packed, str] | None:
    """In the worker: the submission checked against the bundled questionnaire `ref`, packed,
    and that definition's fingerprint; None unless the definition was validated before
    (validating it here would count against the file's time limit): the parent loads it,
    and the file is read again."""
    from ..definition.load import cached_definition
    from .batch import make_context
    from .submission import check_submission
    from .wire import pack

    q = cached_definition(bundled_questionnaires()[ref])
    if q is None:
        return None
    return pack(check_submission(book, sub, make_context(q))), q.fingerprint()

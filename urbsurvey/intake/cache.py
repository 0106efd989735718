"""A cache of workbooks already read, so a re-run reads only the returns that are new or changed.

The secretariat re-runs `validate` and `report` each time a few returns arrive;
reading the other thousand again gives the same submissions. An entry is the
`Submission` read from one file, under a key of everything that could change it:

- the file: its absolute path, size, modification time, and its inode change
  time and number. Any write to a file moves its change time, and no tool
  (`touch -d`, `os.utime`, a copy with `cp -p`) can set it back, so a file
  edited with its size and modification time forged back is still read again;
- the reading context: urbsurvey's version, the definition's fingerprint and
  everything `survey.yaml` says about partners, currency and rates (a digest of
  the context the workbook is read with), and the name the file is shown under.

An entry is the submission as the workers send it back (`wire.Wired`: `wire.pack`'s
plain tuples, pickled), stored as received, rebuilt with the strings that repeat from
file to file shared. The classes' field names are part of the reading context, so a
changed class never meets an entry of the old one.

The cache is a SQLite file in the user's cache folder (`$URBSURVEY_CACHE`, else
`$XDG_CACHE_HOME/urbsurvey`, else `~/.cache/urbsurvey`), private to the user
(0700), since its entries are pickles that only urbsurvey itself writes. Any
failure to open or write it only means the files are read again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import pickle
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

from .. import __version__
from ..cachedir import private_folder
from ..definition import Questionnaire
from ..issues import Issue
from . import wire
from .batch import Item
from .record import Answer, MoneyValue, Submission
from .wire import Wired
from .workers import limits_from_env

#: How an entry is laid out (`wire.LAYOUT`), and the fields of each class it is made of.
_LAYOUT = ";".join(
    [wire.LAYOUT]
    + [
        f"{cls.__qualname__}:{','.join(f.name for f in dataclasses.fields(cls))}"
        for cls in (Submission, Answer, MoneyValue, Issue)
    ]
)

#: Entries are written this many at a time: a first read of 10,000 workbooks never holds
#: all their entries (23 MB) until the end.
_BATCH = 500

_SCHEMA = """
CREATE TABLE IF NOT EXISTS reads (
    context TEXT NOT NULL,
    path TEXT NOT NULL,
    stat TEXT NOT NULL,
    submission BLOB NOT NULL,
    PRIMARY KEY (context, path)
) WITHOUT ROWID
"""
#: What `fresh_paths` reads, apart from the entries: a scan of it skips their pages (1,000
#: entries of 2.3 KB: 2.0 -> 0.6 ms).
_INDEX = "CREATE INDEX IF NOT EXISTS reads_stat ON reads (context, path, stat)"


def context_key(q: Questionnaire, survey_text: str | None) -> str:
    """A digest of what reading depends on besides the file: version, the entries' layout,
    definition, the workers' limits (a file that hit one is read again once it is raised),
    survey.yaml (its text as loaded)."""
    limits = limits_from_env()
    digest = hashlib.sha256()
    digest.update(f"{__version__}\0{_LAYOUT}\0{q.fingerprint()}\0".encode())
    digest.update(f"{limits.memory_mb}\0{limits.timeout_s}\0".encode())
    if survey_text is not None:
        digest.update(survey_text.encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _path_key(path: Path) -> str:
    """The absolute path as the cache names it: any bytes (a name need not be UTF-8)."""
    return os.fsencode(path.absolute()).decode("utf-8", "backslashreplace")


def stat_key(st: os.stat_result) -> str:
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}:{st.st_dev}"


class ReadCache:
    """Submissions by file and context; `None` from `open` when there is no usable cache."""

    def __init__(self, db: sqlite3.Connection, context: str) -> None:
        self._db = db
        self._context = context
        self._pending: list[tuple[str, str, str, bytes]] = []

    @classmethod
    def open(cls, context: str) -> ReadCache | None:
        folder = private_folder()  # never someone else's: never unpickle what they wrote
        if folder is None:
            return None
        try:
            db = sqlite3.connect(folder / "reads.sqlite", timeout=5)
            db.execute(_SCHEMA)
            db.execute(_INDEX)
        except (OSError, sqlite3.Error):
            return None
        return cls(db, context)

    def fresh_paths(self, keys: dict[str, str]) -> set[str]:
        """The paths in `keys` (path → stat key) whose entry is still fresh."""
        try:
            rows = self._db.execute(
                "SELECT path, stat FROM reads WHERE context = ?", (self._context,)
            ).fetchall()
        except sqlite3.Error:
            return set()
        return {path for path, stat in rows if keys.get(path) == stat}

    def unpacked(self, keys: dict[str, str]) -> dict[str, Submission] | None:
        """The cached submissions of the paths in `keys` (path → stat key), each unpickled as
        its row is read (their pickles are never all held); None if one no longer unpacks or
        is gone or changed since `fresh_paths` (another process writes the cache too)."""
        found: dict[str, Submission] = {}
        try:
            rows = self._db.execute(
                "SELECT path, stat, submission FROM reads WHERE context = ?", (self._context,)
            )
            for path, stat, blob in rows:
                if keys.get(path) == stat:
                    found[path] = wire.loads(blob)
        except (
            sqlite3.Error,
            pickle.UnpicklingError,
            EOFError,
            AttributeError,
            ImportError,
            TypeError,  # an entry that no longer fits its class's constructor
            ValueError,  # ... or the packed layout
        ):
            return None
        return found if len(found) == len(keys) else None

    def add(self, path: str, stat: str, sub: Wired) -> None:
        """Store a submission as its worker sent it (its bytes, not packed again)."""
        cacheable, blob = sub
        if cacheable:  # a file that could not even be opened is tried again next time
            self._pending.append((self._context, path, stat, blob))
            if len(self._pending) >= _BATCH:
                self._write()

    def _write(self) -> None:
        """Store the entries added since the last write, in one transaction."""
        try:
            with self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO reads VALUES (?, ?, ?, ?)", self._pending
                )
        except sqlite3.Error:
            pass  # a full disk or a locked cache: the files are read again next time
        self._pending = []

    def close(self) -> None:
        try:
            self._write()
        finally:
            self._db.close()


def read_cached(
    items: list[Item],
    context: str,
    read: Callable[[list[Item]], Iterator[Wired]],
    stats: dict[int, os.stat_result],
    meanwhile: Callable[[], None] | None = None,
) -> Iterator[Submission | Wired]:
    """Each item's submission, in order: from the cache when its file is unchanged, else read
    (as its worker sent it, `wire.Wired`: stored in the cache as it is; the caller rebuilds
    it, `wire.unwired`, when it likes).

    Only workbook files are cached; e-mail attachments are always read. `read` reads
    the items that are not in the cache, or no longer fresh there; its workers are at
    work while the cached entries are unpacked, and `meanwhile()` then runs. `stats`
    holds the `stat` of every workbook file that could be stat'ed, by index.
    """
    cache = ReadCache.open(context)
    # index -> (path key, stat key and the name it is shown by) of each workbook file that
    # could be stat'ed: a file shown by another name (another folder given) is read again
    files: dict[int, tuple[str, str]] = {}
    for index, st in stats.items():
        path, name = items[index]  # type: ignore[misc]  # a workbook file's item
        files[index] = (_path_key(path), f"{stat_key(st)}:{name}")
    del stats  # keyed: not held while the files are read (6.6 MB at 10,000 files)
    found = cache.fresh_paths(dict(files.values())) if cache else set()
    kept = {index: files[index] for index in files if files[index][0] in found}
    fresh = read([item for index, item in enumerate(items) if index not in kept])
    by_path = cache.unpacked(dict(kept.values())) if cache and kept else {}
    if by_path is None:  # an entry of an older urbsurvey, say: every file is read, as uncached
        del fresh  # its workers are stopped (`workers.Results`)
        kept, by_path, fresh = {}, {}, read(items)
    hits = {index: by_path[path] for index, (path, _) in kept.items()}
    if meanwhile is not None:
        meanwhile()
    try:
        for index in range(len(items)):
            if index in hits:
                yield hits[index]
                continue
            sub = next(fresh)
            if cache is not None and index in files:
                cache.add(*files[index], sub)
            yield sub
        next(fresh, None)  # let the reader finish (its progress report follows each item)
    finally:
        if cache is not None:
            cache.close()

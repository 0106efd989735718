"""The SQLite store of submissions: every version kept, one transaction per file.

Re-ingesting an unchanged file changes nothing: a file whose path, size,
modification time and inode change time are known is not even opened, and one
whose times moved but whose content hash is known is not parsed (`Seen`).
Every version of a partner's submission stays in the store; which one counts
follows the one rule of `intake.current` (latest respondent date, then file
time), whatever the order files were ingested in: `superseded_by` points the
others at it. A file sent again under the same name replaces its earlier content
(`replaced_by`).

The store also keeps the survey it was ingested for (table `survey`: the
folder's path, the text of its survey.yaml and coding, the definition), so a
report from the store alone is the report of the survey folder.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import StoreError
from .issues import Issue, IssueCode, Severity
from .results import StoreTotals
from .vocabulary import Kind, Role

if TYPE_CHECKING:  # the readers' modules: imported where submissions are, not to open a store
    from .intake.record import Submission

SCHEMA_VERSION = 2
#: How long a writer waits for another one holding the store (each holds it for one file).
BUSY_TIMEOUT_S = 120.0
#: Pages (4 KiB) the write-ahead log grows to before they are copied into the store, with
#: two fsyncs: about 600 files (SQLite's default, 1,000 pages, syncs every 60 files). A
#: killed ingest loses no commit either way; a power cut may lose those since the last
#: copy (synchronous=NORMAL), never the store's consistency, and ingest reads them again.
CHECKPOINT_PAGES = 10_000
SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY,
    file TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    format TEXT,
    partner TEXT,
    role TEXT,
    kind TEXT NOT NULL,
    questionnaire TEXT,
    version TEXT,
    fingerprint TEXT,
    respondent TEXT NOT NULL DEFAULT '{}',
    received TEXT NOT NULL,
    status TEXT NOT NULL,
    readable INTEGER NOT NULL,
    mtime REAL NOT NULL DEFAULT 0,
    superseded_by INTEGER REFERENCES submissions(id),
    replaced_by INTEGER REFERENCES submissions(id)
);
CREATE UNIQUE INDEX IF NOT EXISTS submissions_sha ON submissions(sha256);
CREATE INDEX IF NOT EXISTS submissions_key ON submissions(partner, role, kind);
CREATE INDEX IF NOT EXISTS submissions_by_file ON submissions(file);
-- the same columns again, current versions only: every file stored wrote both for nothing
DROP INDEX IF EXISTS submissions_current;
DROP INDEX IF EXISTS submissions_file;
CREATE TABLE IF NOT EXISTS answers (
    submission_id INTEGER NOT NULL REFERENCES submissions(id),
    question TEXT NOT NULL,
    raw TEXT NOT NULL,
    value TEXT,
    valid INTEGER NOT NULL,
    sheet TEXT NOT NULL,
    cell TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    hidden INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (submission_id, question)
);
CREATE TABLE IF NOT EXISTS issues (
    submission_id INTEGER NOT NULL REFERENCES submissions(id),
    code TEXT NOT NULL,
    severity TEXT NOT NULL,
    file TEXT NOT NULL,
    sheet TEXT,
    cell TEXT,
    message TEXT NOT NULL,
    hint TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS issues_submission ON issues(submission_id);
CREATE TABLE IF NOT EXISTS provenance (
    submission_id INTEGER PRIMARY KEY REFERENCES submissions(id),
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS file_stamps (path TEXT PRIMARY KEY, stamp TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS survey (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
    + """
CREATE VIEW IF NOT EXISTS current_answers AS
SELECT s.partner,
       CASE WHEN s.kind = 'interview' THEN 'interview' ELSE coalesce(s.role, 'other') END
           AS source,
       a.question,
       a.raw,
       a.valid,
       a.hidden,
       CASE json_type(a.value)
           WHEN 'text' THEN json_extract(a.value, '$')
           WHEN 'array' THEN (SELECT group_concat(j.value, ';') FROM json_each(a.value) j)
       END AS value_text,
       CASE json_type(a.value)
           WHEN 'integer' THEN json_extract(a.value, '$')
           WHEN 'real' THEN json_extract(a.value, '$')
           WHEN 'object' THEN CAST(coalesce(json_extract(a.value, '$.converted'),
                                            json_extract(a.value, '$.decimal')) AS REAL)
       END AS value_number,
       json_extract(a.value, '$.date') AS value_date,
       CASE json_type(a.value) WHEN 'true' THEN 1 WHEN 'false' THEN 0 END AS value_bool,
       CAST(json_extract(a.value, '$.amount') AS REAL) AS money_amount,
       json_extract(a.value, '$.currency') AS money_currency,
       a.note,
       a.sheet,
       a.cell,
       s.file,
       s.sha256,
       s.received
FROM answers a JOIN submissions s ON s.id = a.submission_id
WHERE s.superseded_by IS NULL;
CREATE VIEW IF NOT EXISTS partners AS
SELECT partner,
       count(*) AS submissions,
       group_concat(DISTINCT CASE WHEN kind = 'interview' THEN 'interview'
                                  ELSE coalesce(role, 'other') END) AS sources,
       sum(status = 'errors') AS files_with_errors,
       (SELECT count(*) FROM answers a JOIN submissions t ON t.id = a.submission_id
        WHERE t.partner = s.partner AND t.superseded_by IS NULL) AS answers,
       max(received) AS last_received
FROM submissions s
WHERE superseded_by IS NULL AND partner IS NOT NULL
GROUP BY partner;
CREATE VIEW IF NOT EXISTS current_issues AS
SELECT s.partner, i.severity, i.code, i.file, i.sheet, i.cell, i.message, i.hint
FROM issues i JOIN submissions s ON s.id = i.submission_id
WHERE s.superseded_by IS NULL;
"""
)

#: What each table and view holds, column by column (the README and Datasette's metadata).
DESCRIPTIONS: dict[str, tuple[str, dict[str, str]]] = {
    "current_answers": (
        "Every answer of the current version of each file, with the parsed value in a "
        "typed column. Money is in the report currency at the rates of the time of ingest.",
        {
            "partner": "The partner the file is for",
            "source": "city, managing_authority, other, or interview (the expert's record)",
            "question": "Question id, as in the definition",
            "raw": "The cell as typed",
            "valid": "1 if the answer passed the checks; 0 if it has an error (see current_issues)",
            "hidden": "1 if the skip logic hides the question (kept and shown, never counted)",
            "value_text": "Choice codes (several separated by ;) or the text",
            "value_number": "Integers, decimals, and money in the report currency",
            "value_date": "Dates, as YYYY-MM-DD",
            "value_bool": "Yes/no answers: 1 or 0",
            "money_amount": "Money: the amount as written",
            "money_currency": "Money: the currency as written",
            "note": "The Notes cell",
            "sheet": "Sheet of the answer",
            "cell": "Cell of the answer, e.g. C12",
            "file": "The workbook",
            "sha256": "SHA-256 of the workbook",
            "received": "When it was ingested (UTC)",
        },
    ),
    "partners": (
        "One row per partner with a current file.",
        {
            "partner": "Partner name",
            "submissions": "Current files (questionnaires and interview records)",
            "sources": "Who answered: city, managing_authority, other, interview",
            "files_with_errors": "Current files with at least one error",
            "answers": "Answers in the current files",
            "last_received": "When the newest file was ingested (UTC)",
        },
    ),
    "current_issues": (
        "Problems found in the current files, each with the cell and what to do.",
        {"severity": "error or warning", "code": "See the catalogue in the README"},
    ),
    "submissions": (
        "Every file ever ingested; superseded_by points at the version that counts instead "
        "(the latest respondent date, then file time), replaced_by at a file of the same "
        "name sent again.",
        {
            "sha256": "Content hash",
            "superseded_by": "The submission that counts instead, if any",
            "replaced_by": "The same file name's newer content, if any",
        },
    ),
    "answers": (
        "Raw answers of every version; value is the parsed value as JSON.",
        {"value": "Parsed value as JSON (money as {amount, currency, converted})"},
    ),
    "issues": ("Problems found in every version of every file.", {}),
    "provenance": (
        "Where a workbook attached to an e-mail came from.",
        {"data": "JSON: message, sender, date, subject, message_id, attachment"},
    ),
    "files": ("Files seen (path, size, modification time) so unchanged ones are skipped.", {}),
    "file_stamps": (
        "Each file's inode change time, inode and device when it was last seen: an edit with "
        "the size and modification time set back still moves them, so it is read again.",
        {"stamp": "ctime_ns:inode:device"},
    ),
    "meta": ("The store's schema version.", {}),
    "survey": (
        "The survey the store was ingested for, so a report needs only the store.",
        {"key": "root, survey.yaml, coding, questionnaire, definition", "value": "Its text"},
    ),
}

#: From schema 1: hidden answers, same-name replacements, the survey (older rows: not hidden).
MIGRATE_1 = """
ALTER TABLE answers ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0;
ALTER TABLE submissions ADD COLUMN replaced_by INTEGER REFERENCES submissions(id);
UPDATE submissions SET replaced_by = superseded_by WHERE superseded_by IN
    (SELECT s2.id FROM submissions s2 WHERE s2.file = submissions.file);
CREATE TABLE IF NOT EXISTS survey (key TEXT PRIMARY KEY, value TEXT NOT NULL);
UPDATE meta SET value = '2' WHERE key = 'schema';
"""
_SUBMISSION_COLUMNS = (
    "id, file, sha256, format, partner, role, kind, questionnaire, version,"
    " fingerprint, respondent, readable, mtime"
)


#: How a file was when it was last seen: its size, modification time (ns) and `file_stamp`
#: ("" for an e-mailed workbook, or a file an older urbsurvey ingested: its content hash
#: is then checked once). The same as now: the file is skipped, unread.
Seen = tuple[int, int, str]


def file_stamp(st: os.stat_result) -> str:
    """What no tool can set back on an edited file: its inode change time, inode and device."""
    return f"{st.st_ctime_ns}:{st.st_ino}:{st.st_dev}"


class Store:
    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        """Open the store at `path`; unless `read_only`, create it or bring it up to date."""
        self.path = path
        try:
            if read_only:
                self.db = _connect_read_only(path)
                self._check_version()
            else:
                self._open_for_writing()
        except sqlite3.DatabaseError as exc:
            if not read_only and _is_read_only(path, exc):
                raise StoreError(
                    f"{path}: the store is read-only, so nothing can be added to it ({exc})",
                    hint="Reports can still be made from it (`urbsurvey report STORE`); to "
                    "ingest, give a store in a folder you can write to, or ask for write "
                    "permission.",
                ) from exc
            raise StoreError(
                f"{path} is not an urbsurvey store ({exc})",
                hint="Give a new file name with --store, or the store urbsurvey ingest made.",
            ) from exc

    def _open_for_writing(self) -> None:
        """Connect and create (or upgrade) the schema, retrying while another ingest locks it.

        SQLite's busy timeout does not cover every case of two processes creating one
        store at once (a new file switched to WAL, a read lock upgraded inside a
        transaction), so the whole opening is tried again, until `BUSY_TIMEOUT_S`.
        """
        deadline = time.monotonic() + BUSY_TIMEOUT_S
        pause = 0.02
        while True:
            db: sqlite3.Connection | None = None
            try:
                db = self.db = _connect(self.path)
                self._create()
                return
            except sqlite3.OperationalError as exc:
                if db is not None:
                    db.close()
                if "locked" not in str(exc) or time.monotonic() + pause > deadline:
                    raise
                time.sleep(pause)
                pause = min(pause * 2, 0.5)

    def _create(self) -> None:
        """Create the tables, or bring an older store up to this schema (one transaction)."""
        exists = self.db.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'"
        ).fetchone()
        version = None
        if exists:
            row = self.db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            version = int(row[0]) if row else None
        if version == 1:
            self.db.executescript(f"BEGIN IMMEDIATE; {MIGRATE_1} COMMIT;")
            version = SCHEMA_VERSION
        if version is not None and version != SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} has store schema {version}; this urbsurvey reads {SCHEMA_VERSION}"
            )
        # one script, one transaction (executescript commits anything pending first)
        self.db.executescript(
            f"BEGIN IMMEDIATE; {SCHEMA}"
            f"INSERT OR IGNORE INTO meta VALUES ('schema', '{SCHEMA_VERSION}'); COMMIT;"
        )

    def _check_version(self) -> None:
        """A store opened read-only is read as it is: it must have this schema already."""
        (version,) = self.db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        if int(version) != SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} has store schema {version}; this urbsurvey reads {SCHEMA_VERSION}",
                hint="Ingest into it once (that brings it up to date), then report from it.",
            )

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write, all or nothing; a store that cannot be written is a `StoreError`."""
        try:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"{self.path}: cannot write to the store ({exc}); it is unchanged",
                hint="Check the disk has room and the store file and its folder are "
                "writable, then run the command again.",
            ) from exc

    # --- files seen -----------------------------------------------------------

    def known_files(self) -> dict[str, Seen]:
        """Every file seen, by path, in one query (their content hashes: `hash_seen`)."""
        rows = self.db.execute(
            "SELECT f.path, f.size, f.mtime_ns, coalesce(s.stamp, '')"
            " FROM files f LEFT JOIN file_stamps s ON s.path = f.path"
        )
        return {path: (size, mtime, stamp) for path, size, mtime, stamp in rows}

    def hash_seen(self, path: str) -> str | None:
        """The content hash of the file at `path` when it was last seen."""
        row = self.db.execute("SELECT sha256 FROM files WHERE path=?", (path,)).fetchone()
        return row[0] if row else None

    def has_content(self, sha256: str) -> str | None:
        row = self.db.execute("SELECT file FROM submissions WHERE sha256=?", (sha256,)).fetchone()
        return row[0] if row else None

    def remember_file(self, path: str, seen: Seen, sha256: str) -> None:
        size, mtime_ns, stamp = seen
        self.db.execute(
            "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?)", (path, size, mtime_ns, sha256)
        )
        self.db.execute("INSERT OR REPLACE INTO file_stamps VALUES (?, ?)", (path, stamp))

    # --- submissions ----------------------------------------------------------

    def add(self, sub: Submission, path: str, seen: Seen) -> int | None:
        """Store one submission atomically, then settle which version of its partner counts.

        None if the same content is stored already (by an earlier ingest, or by another
        one running at the same time).
        """
        with self.transaction() as db:
            if db.execute("SELECT 1 FROM submissions WHERE sha256=?", (sub.sha256,)).fetchone():
                return None
            cur = db.execute(
                "INSERT INTO submissions (file, sha256, format, partner, role, kind, questionnaire,"
                " version, fingerprint, respondent, received, status, readable, mtime)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    sub.file,
                    sub.sha256,
                    sub.format,
                    sub.partner,
                    sub.role.value if sub.role else None,
                    sub.kind,
                    sub.questionnaire,
                    sub.version,
                    sub.fingerprint,
                    json.dumps(sub.respondent, ensure_ascii=False),
                    dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    sub.status,
                    int(sub.readable),
                    sub.mtime,
                ),
            )
            sid = cur.lastrowid
            assert sid is not None
            replaced = self._replace_same_name(sid, sub.file)
            self._add_rows(sid, sub)
            self.remember_file(path, seen, sub.sha256)
            for key in {(sub.partner, sub.role.value if sub.role else None, sub.kind), *replaced}:
                self._settle(*key)
        return sid

    def _replace_same_name(self, sid: int, file: str) -> set[tuple[str, str, str]]:
        """A file sent again under the same name (say, a corrupt one fixed) replaces its
        standing versions: the partners, roles and kinds they were for."""
        replaced = self.db.execute(
            "SELECT partner, role, kind FROM submissions WHERE file=? AND id<>?"
            " AND replaced_by IS NULL",
            (file, sid),
        ).fetchall()
        if replaced:
            self.db.execute(
                "UPDATE submissions SET replaced_by=?, superseded_by=? WHERE file=? AND id<>?"
                " AND replaced_by IS NULL",
                (sid, sid, file, sid),
            )
        return set(replaced)

    def _add_rows(self, sid: int, sub: Submission) -> None:
        from .intake.record import encode_value

        self.db.executemany(
            "INSERT INTO answers VALUES (?,?,?,?,?,?,?,?,?)",
            [
                (
                    sid,
                    a.question,
                    a.raw,
                    json.dumps(encode_value(a.value)),
                    int(a.valid),
                    a.sheet,
                    a.cell,
                    a.note,
                    int(a.hidden),
                )
                for a in sub.answers.values()
            ],
        )
        if sub.provenance:
            self.db.execute(
                "INSERT INTO provenance VALUES (?, ?)",
                (sid, json.dumps(sub.provenance, ensure_ascii=False)),
            )
        if sub.issues:
            self.db.executemany(
                "INSERT INTO issues VALUES (?,?,?,?,?,?,?,?)",
                [
                    (sid, i.code, i.severity.value, i.file, i.sheet, i.cell, i.message, i.hint)
                    for i in sub.issues
                ],
            )

    def _settle(self, partner: str | None, role: str | None, kind: str) -> None:
        """Point every version of (partner, role, kind) but the current one at the current
        one; only the pointers that change are written."""
        if not (partner and role):
            return
        from .intake.current import choose_current

        was = dict(
            self.db.execute(
                "SELECT id, superseded_by FROM submissions WHERE partner=? AND role=? AND kind=?"
                " AND replaced_by IS NULL",
                (partner, role, kind),
            ).fetchall()
        )
        if len(was) < 2 and all(pointer is None for pointer in was.values()):
            return  # no version, or one pointing nowhere: it counts if it can, as it is
        versions = self._versions_of(partner, role, kind)
        current = choose_current(versions.values())
        ids = {id(sub): sid for sid, sub in versions.items()}
        winner = ids[id(current.counted[0])] if current.counted else None
        for sid in versions:
            pointer = None if sid == winner or winner is None else winner
            if was[sid] != pointer:
                self.db.execute("UPDATE submissions SET superseded_by=? WHERE id=?", (pointer, sid))

    def _versions_of(self, partner: str, role: str, kind: str) -> dict[int, Submission]:
        """The standing versions of one partner, role and kind (no answers, but their count)."""
        versions = self._load(
            "WHERE partner=? AND role=? AND kind=? AND replaced_by IS NULL", (partner, role, kind)
        )
        marks = ",".join("?" * len(versions))
        counts = dict(
            self.db.execute(
                f"SELECT submission_id, count(*) FROM answers WHERE submission_id IN ({marks})"
                " GROUP BY submission_id",
                tuple(versions),
            ).fetchall()
        )
        for sid, sub in versions.items():
            sub.answer_count = counts.get(sid, 0)
        return versions

    def rivals(self, keys: set[tuple[str, str, str]]) -> list[Submission]:
        """The standing versions, light (see `_load`), of those of these partners, roles and
        kinds that have more than one: the only ones of which one may not count."""
        several = self.db.execute(
            "SELECT partner, role, kind FROM submissions WHERE replaced_by IS NULL"
            " GROUP BY partner, role, kind HAVING count(*) > 1"
        )
        contested = keys & set(several)
        return [sub for key in sorted(contested) for sub in self._versions_of(*key).values()]

    def _load(self, where: str, params: tuple[object, ...] = ()) -> dict[int, Submission]:
        """Submissions (no answers, no issues) by id, in the order they were stored."""
        from .intake.record import Submission

        rows = self.db.execute(
            f"SELECT {_SUBMISSION_COLUMNS} FROM submissions {where} ORDER BY id", params
        ).fetchall()
        return {
            r[0]: Submission(
                file=r[1],
                sha256=r[2],
                format=r[3],
                partner=r[4],
                role=Role(r[5]) if r[5] else None,
                kind=Kind(r[6]),
                questionnaire=r[7],
                version=r[8],
                fingerprint=r[9],
                respondent=json.loads(r[10]),
                readable=bool(r[11]),
                mtime=r[12],
            )
            for r in rows
        }

    def current(self) -> list[Submission]:
        """The submissions that count: for each partner and source, the current version."""
        return self._full("WHERE superseded_by IS NULL AND replaced_by IS NULL")

    def versions(self) -> list[Submission]:
        """Every version still standing (not replaced by a file of the same name), named in
        the order a folder is scanned: the rule of `intake.current` picks among them."""
        subs = self._full("WHERE replaced_by IS NULL")
        return sorted(subs, key=lambda s: scan_order(s.file))

    def _full(self, where: str) -> list[Submission]:
        from .intake.record import Answer, decode_value

        subs = self._load(where)
        for sid, question, raw, value, valid, sheet, cell, note, hidden in self.db.execute(
            "SELECT a.* FROM answers a JOIN submissions s ON s.id = a.submission_id " + where
        ):
            if sid in subs:
                subs[sid].answers[question] = Answer(
                    question,
                    raw,
                    decode_value(json.loads(value)),
                    sheet,
                    cell,
                    bool(valid),
                    note,
                    bool(hidden),
                )
        for sid, data in self.db.execute(
            "SELECT p.* FROM provenance p JOIN submissions s ON s.id = p.submission_id " + where
        ):
            if sid in subs:
                subs[sid].provenance = json.loads(data)
        for sid, code, severity, file, sheet, cell, message, hint in self.db.execute(
            "SELECT i.* FROM issues i JOIN submissions s ON s.id = i.submission_id " + where
        ):
            if sid in subs:
                subs[sid].issues.append(
                    Issue(IssueCode(code), Severity(severity), file, sheet, cell, message, hint)
                )
        for sub in subs.values():
            sub.answer_count = len(sub.answers)
        return list(subs.values())

    # --- the survey it was ingested for --------------------------------------

    def remember_survey(self, snapshot: dict[str, str]) -> None:
        """Keep the survey's path, configuration and definition (replacing what was kept);
        the same survey again is not written again."""
        kept = self.snapshot()
        held = kept.get("questionnaire")
        if held and snapshot.get("questionnaire") and held != snapshot["questionnaire"]:
            raise StoreError(
                f"{self.path} holds questionnaire {held!r}, not {snapshot['questionnaire']!r}",
                hint="Give another store with --store: one store holds one survey.",
            )
        if kept == (snapshot if "survey.yaml" in snapshot else {**kept, **snapshot}):
            return
        with self.transaction() as db:
            if "survey.yaml" in snapshot:  # a survey folder: what was kept is replaced whole
                db.execute("DELETE FROM survey")
            # loose files (no survey.yaml) keep the survey they are added to
            db.executemany("INSERT OR REPLACE INTO survey VALUES (?, ?)", sorted(snapshot.items()))

    def snapshot(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT key, value FROM survey").fetchall())

    def counts(self) -> StoreTotals:
        total, current = self.db.execute(
            "SELECT count(*), sum(superseded_by IS NULL) FROM submissions"
        ).fetchone()
        return {"submissions": int(total), "current": int(current or 0)}


def scan_order(name: str) -> tuple[tuple[int, str], ...]:
    """Sort key for file names in the order `collect_files` finds them: in each folder its
    files first (by name), then its subfolders (by name)."""
    parts = name.split("/")
    return (*((1, p) for p in parts[:-1]), (0, parts[-1]))


def _connect(path: Path) -> sqlite3.Connection:
    if not path.parent.is_dir():
        raise StoreError(
            f"{path}: the folder {path.parent} does not exist",
            hint="Create the folder first, or give another file name with --store.",
        )
    # another ingest writing the same store: wait for it (WAL: readers never wait)
    db = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_S)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute(f"PRAGMA wal_autocheckpoint={CHECKPOINT_PAGES}")
    db.execute("PRAGMA foreign_keys=ON")
    return db


def _connect_read_only(path: Path) -> sqlite3.Connection:
    """Read without writing anything, even beside a store in a read-only folder."""
    if not path.is_file():
        raise StoreError(f"{path}: no such store", hint="Create it with `urbsurvey ingest`.")
    uri = path.absolute().as_uri()
    try:
        db = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None)
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return db
    except sqlite3.OperationalError:  # a WAL store whose folder is read-only: no -shm file
        return sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None)


def _is_read_only(path: Path, exc: sqlite3.DatabaseError) -> bool:
    import os

    if "readonly" in str(exc).lower():
        return True
    target = path if path.exists() else path.parent
    return target.exists() and not os.access(target, os.W_OK)

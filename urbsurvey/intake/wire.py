"""A `Submission` as plain tuples, the form a worker sends it back in.

Pickling the dataclasses themselves sends each object's class and a dict of its
fields; as tuples of strings, numbers and containers a submission pickles ~4x faster,
unpickles (rebuilt) ~2x faster and is a quarter smaller, and the parent, which
unpickles every file's result alone, is not the bottleneck of a batch. Enums travel
as their values, a submission's answers as one flat list (no tuple per answer). The
parent keeps every submission of a batch, so `unpack` shares the strings that repeat
from file to file (question ids, sheet names, cell references, short answers and
choice codes, the respondent block's field names) instead of holding a copy per
file: a third less memory for the submissions of a batch.

A worker sends each submission `wired`: `pack`'s tuples already pickled, which the
parent keeps as they come (some 2.3 KB a file, where the objects rebuilt take four
times that), stores as they are in the read cache, and rebuilds (`unwired`) only once
the workers are gone, so its submissions and the workers never take memory at once.

`unpack(pack(sub)) == sub` for every submission; the field lists below follow the
dataclasses' fields in order (a test checks they are all there).
"""

from __future__ import annotations

import mmap
import pickle
import sys
from typing import Any

from ..issues import Issue, IssueCode, Severity
from ..vocabulary import Kind, Role
from .record import Answer, Submission

Packed = tuple[Any, ...]
#: A submission as a worker sends it: whether it may be cached (it was opened: it has a
#: content hash; one that could not be is tried again next time), and `pack`'s tuples
#: pickled, the read cache's entry.
Wired = tuple[bool, bytes]


#: How `pack` lays a submission out (the read cache keys its entries with it): answers as
#: one flat list, `_ANSWER_WIDTH` items each (the key, then the `Answer`'s fields).
LAYOUT = "wire-2"
_ANSWER_WIDTH = 9


def pack(sub: Submission) -> Packed:
    """The submission as tuples (issues too; answers as one flat list), in field order."""
    return (
        sub.file,
        sub.sha256,
        sub.mtime,
        sub.format,
        sub.questionnaire,
        sub.version,
        sub.fingerprint,
        sub.partner,
        None if sub.role is None else sub.role.value,
        sub.kind.value,
        sub.respondent,
        _flat_answers(sub),
        sub.answer_count,
        [
            (i.code.value, i.severity.value, i.file, i.sheet, i.cell, i.message, i.hint)
            for i in sub.issues
        ],
        sub.readable,
        sub.language,
        sub.row_ids,
        sub.row_values,
        sub.provenance,
    )


def wired(sub: Submission) -> Wired:
    """The submission as a worker sends it back."""
    return bool(sub.sha256), pickle.dumps(pack(sub), pickle.HIGHEST_PROTOCOL)


def unwired(data: Wired) -> Submission:
    """The submission a worker sent as `data`."""
    return loads(data[1])


def loads(entry: bytes) -> Submission:
    """The submission of a read cache's entry (`pack`'s tuples pickled)."""
    return unpack(pickle.loads(entry))


def unpack(data: Packed) -> Submission:
    """The submission `pack` made `data` from."""
    (file, sha256, mtime, fmt, questionnaire, version, fingerprint, partner, role, kind,
     respondent, answers, answer_count, issues, readable, language, row_ids, row_values,
     provenance) = data  # fmt: skip
    return Submission(
        file,
        sha256,
        mtime,
        _maybe_shared(fmt),
        _maybe_shared(questionnaire),
        _maybe_shared(version),
        _maybe_shared(fingerprint),
        partner,
        None if role is None else _ROLES[role],
        _KINDS[kind],
        {_intern(k): _shared(v) for k, v in respondent.items()},
        _answers(answers),
        answer_count,
        [Issue(IssueCode(i[0]), Severity(i[1]), *i[2:]) for i in issues],
        readable,
        language,
        row_ids,
        row_values,
        provenance,
    )


#: The enums by value, looked up (a call of the enum takes ten times longer).
_ROLES = {role.value: role for role in Role}
_KINDS = {kind.value: kind for kind in Kind}

#: Strings up to this long are shared (interned) when a submission is rebuilt.
_SHARED_MAX = 32
_intern = sys.intern  # ids, sheet names and cell references: always short, always shared


def _shared(text: str) -> str:
    return _intern(text) if len(text) <= _SHARED_MAX else text


def _maybe_shared(text: str | None) -> str | None:
    return None if text is None else _shared(text)


def _flat_answers(sub: Submission) -> list[object]:
    """The answers as one list, no tuple per answer: the parent unpickles one object
    fewer per answer, and frees no 14 small tuples a file amid what it keeps."""
    flat: list[object] = []
    for key, a in sub.answers.items():
        flat += (key, a.question, a.raw, a.value, a.sheet, a.cell, a.valid, a.note, a.hidden)
    return flat


def _answers(flat: list[Any]) -> dict[str, Answer]:
    """The answers of `_flat_answers`' list, their repeating strings shared: one loop, no
    call per answer (the 14,368 answers of 1,000 cached returns, 17.0 -> 14.8 ms)."""
    if len(flat) % _ANSWER_WIDTH:
        raise ValueError("the answers do not fit the packed layout")
    answers: dict[str, Answer] = {}
    items = iter(flat)
    fields = zip(*[items] * _ANSWER_WIDTH, strict=True)  # the fields of each answer in turn
    for key, question, raw, value, sheet, cell, valid, note, hidden in fields:
        question = _intern(question)
        # a choice's raw text (its label, whatever its length) repeats from file to file too
        shared_raw = _intern(raw) if len(raw) <= _SHARED_MAX or value is not raw else raw
        if value is raw:  # a text answer: its value is its raw text, one string
            value = shared_raw
        elif type(value) is str:
            value = _shared(value)
        elif type(value) is list:
            value = [_shared(v) for v in value]
        answers[question if key == question else _intern(key)] = Answer(
            question, shared_raw, value, _intern(sheet), _intern(cell), valid, note, hidden
        )
    return answers


class Spool:
    """Submissions as they come, cached ones as they are and the workers' as sent (`Wired`),
    held until every file is read, then rebuilt in order (`submissions`).

    What the workers sent is copied into blocks of memory mapped apart from Python's heap
    (`mmap`), freed whole once rebuilt: 2.3 KB bytes objects each allocated on the heap
    would, once freed, leave 23 MB of holes (at 10,000 files) that the objects rebuilt
    from them never fill (Python puts its small objects elsewhere), and the process would
    peak that much higher."""

    _BLOCK = 1 << 20

    def __init__(self) -> None:
        self._blocks: list[mmap.mmap] = []
        self._end = 0  # how much of the last block is used
        self._entries: list[Submission | tuple[int, int, int]] = []  # or (block, start, end)

    def add(self, entry: Submission | Wired) -> None:
        if isinstance(entry, Submission):
            self._entries.append(entry)
            return
        data = entry[1]
        if not self._blocks or self._end + len(data) > len(self._blocks[-1]):
            self._blocks.append(mmap.mmap(-1, max(self._BLOCK, len(data))))
            self._end = 0
        start, self._end = self._end, self._end + len(data)
        self._blocks[-1][start : self._end] = data
        self._entries.append((len(self._blocks) - 1, start, self._end))

    def submissions(self) -> list[Submission]:
        """Every submission in order; each block is freed once read."""
        entries, blocks = self._entries, self._blocks
        self._entries, self._blocks = [], []
        subs, freed = [], 0
        for entry in entries:
            if isinstance(entry, Submission):
                subs.append(entry)
                continue
            index, start, end = entry
            while freed < index:  # the blocks before this one are read
                blocks[freed].close()
                freed += 1
            subs.append(loads(blocks[index][start:end]))
        for block in blocks:
            block.close()
        return subs

"""Untrusted workbooks are parsed in worker processes that may die.

python-calamine (Rust) aborts the whole process when an allocation fails, and no
`except` catches that; the reader's pre-checks are a fast first line, not the
guarantee. So every file is read by `run_isolated` in a worker process:

- workers are forked from this process, so the reading modules are already
  imported (or imported by each worker first, its `setup`) and the task needs no
  pickling; each lives across many files (paths go in, one pickled result per file
  comes out). A bare `os.fork` and two pipes
  (`supervisor`, imported only to read): `multiprocessing` costs more to import and
  start than a one-file `validate` spends reading;
- each worker runs under an address-space limit (`RLIMIT_AS`: what it started with
  plus `Limits.memory_mb`), no core dumps, and its stderr captured to a private file
  (how the supervisor tells an aborted allocation from another crash);
- the supervisor enforces the per-file time limit itself (from when a worker is set
  up: its setup is urbsurvey's own code, not a file): a worker over it is killed;
- a worker that aborts, is killed or exceeds a limit costs only the file it was
  reading, which becomes the caller's `failed(path, name, Failure)` result; a fresh
  worker takes the next files. Nothing here breaks when a worker dies (no pool).

A Python exception raised by the task is urbsurvey's own bug, not a bad file: it is
raised here as `WorkerBug` with the worker's traceback, never turned into an issue.

Limits come from the environment (`limits_from_env`): URBSURVEY_WORKER_MEMORY_MB,
URBSURVEY_WORKER_TIMEOUT (seconds per file) and URBSURVEY_JOBS (worker processes).
Where `fork` is not available (Windows), files are read in this process.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ..errors import UsageError

T = TypeVar("T")
I = TypeVar("I")  # noqa: E741 (an item to read: a path, an e-mail attachment)

#: Default extra address space a worker may take for one file, and the per-file time.
DEFAULT_MEMORY_MB = 1024
DEFAULT_TIMEOUT_S = 60.0
#: A worker per this many files, up to the usable cores.
FILES_PER_WORKER = 20
_MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    """What one worker may use for one file; `jobs` None means one per usable core."""

    memory_mb: int = DEFAULT_MEMORY_MB
    timeout_s: float = DEFAULT_TIMEOUT_S
    jobs: int | None = None


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a worker stopped on a file: `memory`, `time` or `crash`, and in words."""

    kind: str
    detail: str


class WorkerBug(RuntimeError):
    """The task raised in a worker: a bug in urbsurvey (the worker's traceback attached)."""


def limits_from_env(environ: dict[str, str] | None = None) -> Limits:
    """The worker limits, from URBSURVEY_WORKER_MEMORY_MB, _TIMEOUT and URBSURVEY_JOBS."""
    env = os.environ if environ is None else environ
    memory = _env_number(env, "URBSURVEY_WORKER_MEMORY_MB", _default_memory_mb(), int)
    timeout = _env_number(env, "URBSURVEY_WORKER_TIMEOUT", DEFAULT_TIMEOUT_S, float)
    jobs = _env_number(env, "URBSURVEY_JOBS", 0, int)
    return Limits(int(memory), float(timeout), int(jobs) or None)


def _env_number(env: Any, name: str, default: float, kind: Callable[[str], float]) -> float:
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        value = kind(text)
    except ValueError:
        value = -1
    if value < 0 or value != value:  # negative or NaN
        raise UsageError(
            f"{name}={text!r} is not a valid setting",
            hint=f"Set {name} to a positive number, or unset it for the default.",
        )
    return value


def _default_memory_mb() -> int:
    """1 GB, but never more than a quarter of the machine's memory."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // _MB
    except (ValueError, OSError, AttributeError):
        return DEFAULT_MEMORY_MB
    return max(256, min(DEFAULT_MEMORY_MB, total // 4))


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def worker_count(files: int, limits: Limits) -> int:
    if limits.jobs:
        return max(1, min(limits.jobs, files))
    return max(1, min(usable_cores(), files // FILES_PER_WORKER))


def can_isolate() -> bool:
    return sys.platform != "win32" and hasattr(os, "fork")


def run_isolated(
    items: Sequence[I],
    task: Callable[[I], T],
    failed: Callable[[I, Failure], T],
    limits: Limits | None = None,
    name: Callable[[I], str] = str,
    setup: Callable[[], object] | None = None,
) -> Results[T]:
    """`task(item)` for every item, each in a worker; results in the items' order.

    The workers are forked now, once `items` exist, so only indices travel to them (an
    item may hold an attachment's bytes), and they are at work while the caller goes on
    before it takes the first result. `setup()` is what each worker does first, before its
    limits are set (the reading code it imports is not counted against a file); its clock
    starts once that is done. `failed(item, why)` is the result for an item whose worker
    died; `name(item)` names it in a `WorkerBug`.
    """
    if not items:
        return Results(iter(()))
    limits = limits or limits_from_env()
    if not can_isolate():
        if setup is not None:
            setup()
        return Results(task(item) for item in items)
    from .supervisor import Supervisor

    supervisor = Supervisor(items, task, failed, limits, name, setup)
    return Results(supervisor.results(), supervisor.stop)


class Results(Generic[T]):
    """The results of `run_isolated`, in order, as they come. The workers are stopped by
    `close`: after the last result, on an error, or once the results are dropped unread."""

    def __init__(self, results: Iterator[T], stop: Callable[[], None] | None = None) -> None:
        self._results = results
        self._stop = stop

    def __iter__(self) -> Results[T]:
        return self

    def __next__(self) -> T:
        try:
            return next(self._results)
        except BaseException:  # the end (StopIteration), a `WorkerBug`, Ctrl-C
            self.close()
            raise

    def close(self) -> None:
        stop, self._stop = self._stop, None
        if stop is not None:
            stop()

    def __del__(self) -> None:
        self.close()

"""The workers of `workers.run_isolated` and their supervisor: forked processes, their
pipes, and the loop that feeds them paths, collects results in order and replaces the
ones that die or run out of time. Imported only by a run that reads a file.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, Generic, TypeVar

from .workers import Failure, Limits, WorkerBug, worker_count

T = TypeVar("T")
I = TypeVar("I")  # noqa: E741 (an item to read: a path, an e-mail attachment)

#: Paths go to a worker in batches of this many (one write for several files), sent
#: when it has `LOW` or fewer left, so it never waits for the next path.
BATCH = 32
LOW = 8
_MB = 1024 * 1024
_ALLOC_FAILED = b"memory allocation of"  # Rust's message before it aborts


# --- the worker ----------------------------------------------------------------


def _serve(
    conn: Any,
    task: Callable[[Any], Any],
    items: Sequence[Any],
    memory_mb: int,
    err_fd: int,
    setup: Callable[[], object] | None,
) -> None:
    """A worker's life: its setup, limits set once, then one result per path until told
    to stop."""
    import faulthandler
    import gc

    # A reader's garbage is collected, whatever its parent does (`commands` pauses the
    # collector while a report is read). What the parent held is frozen first: its first
    # pass would otherwise walk every object the parent made since its last collection
    # (with the parent's collector paused, all of them), and touching an object copies
    # its page into the worker (+7 MB in each of two workers at 10,000 returns).
    gc.freeze()
    gc.enable()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the supervisor's to handle
    faulthandler.disable()  # an abort is reported by the supervisor, not as a dump
    os.dup2(err_fd, 2)
    os.environ["RUST_BACKTRACE"] = "0"
    broken = None if setup is None else _set_up(conn, setup)
    _set_limits(memory_mb)
    parent = os.getppid()
    code = 0
    try:
        while True:
            while not conn.poll(1.0):
                if os.getppid() != parent:  # orphaned: the supervisor was killed
                    os._exit(0)
            jobs = conn.recv()
            if jobs is None:
                break
            for index in jobs:
                os.ftruncate(2, 0)  # stderr holds what this file made the reader say
                os.lseek(2, 0, os.SEEK_SET)
                conn.send_bytes(_run_one(task, items, index, broken))
    except (EOFError, OSError):
        code = 1
    os._exit(code)  # never run the parent's exit handlers or flush its buffers


def _set_up(conn: Any, setup: Callable[[], object]) -> str | None:
    """Run the worker's setup and say it is done (its clock starts then); the traceback
    if it raised, urbsurvey's own bug, reported for each file then sent to this worker."""
    try:
        setup()
        broken = None
    except Exception:
        import traceback

        broken = traceback.format_exc()
    conn.send_bytes(pickle.dumps((-1, "ready", None)))
    return broken


def _run_one(
    task: Callable[[Any], Any], items: Sequence[Any], index: int, broken: str | None = None
) -> bytes:
    """The pickled (index, status, payload) of one file: `ok`, `memory` or `bug`."""
    if broken is not None:
        return pickle.dumps((index, "bug", broken))
    try:
        return pickle.dumps((index, "ok", task(items[index])), pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        return pickle.dumps((index, "memory", None))
    except Exception:
        import traceback

        return pickle.dumps((index, "bug", traceback.format_exc()))


def _set_limits(memory_mb: int) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if memory_mb <= 0:
        return
    limit = _address_space() + memory_mb * _MB
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _address_space() -> int:
    """This process's virtual size now, in bytes (the limit is counted on top of it)."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 256 * _MB


# --- a worker process and its pipes ---------------------------------------------


class _End:
    """One end of a worker's two pipes: messages as `multiprocessing`'s `Connection` sends
    them (a 4-byte length, then the bytes), read whole; `fileno` is the end read from."""

    def __init__(self, read_fd: int, write_fd: int) -> None:
        self.read_fd, self.write_fd = read_fd, write_fd

    @classmethod
    def pair(cls) -> tuple[_End, _End]:
        """The supervisor's end and the worker's."""
        down_r, down_w = os.pipe()
        up_r, up_w = os.pipe()
        return cls(up_r, down_w), cls(down_r, up_w)

    def fileno(self) -> int:
        return self.read_fd

    def send_bytes(self, data: bytes) -> None:
        view = memoryview(len(data).to_bytes(4, "big") + data)
        while view:
            view = view[os.write(self.write_fd, view) :]

    def send(self, obj: Any) -> None:
        self.send_bytes(pickle.dumps(obj, pickle.HIGHEST_PROTOCOL))

    def recv_bytes(self) -> bytes:
        """The next message; EOFError when the other end is gone."""
        return self._read(int.from_bytes(self._read(4), "big"))

    def recv(self) -> Any:
        return pickle.loads(self.recv_bytes())

    def _read(self, size: int) -> bytes:
        chunks = []
        while size:
            chunk = os.read(self.read_fd, size)
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            size -= len(chunk)
        return b"".join(chunks)

    def poll(self, timeout: float = 0.0) -> bool:
        """Whether a message (or the end of the pipe) is waiting, within `timeout` seconds."""
        import select

        return bool(select.select([self.read_fd], [], [], timeout)[0])

    def close(self) -> None:
        for fd in (self.read_fd, self.write_fd):
            with contextlib.suppress(OSError):
                os.close(fd)


class _Child:
    """A forked worker, with what the supervisor needs of `multiprocessing.Process`: its
    `sentinel` (a pipe's end that reads end-of-file once the worker is gone), `is_alive`,
    `kill`, `join` and `exitcode`. `target(*args)` must end the worker with `os._exit`;
    `other` is the supervisor's end of the worker's pipes, closed in the worker."""

    def __init__(self, target: Callable[..., None], args: tuple[Any, ...], other: _End) -> None:
        self.sentinel, alive = os.pipe()
        self.exitcode: int | None = None
        self.pid = os.fork()
        if self.pid == 0:
            try:
                os.close(self.sentinel)
                other.close()
                _quiet_stdin()
                target(*args)
            finally:
                os._exit(1)  # never run the parent's exit handlers or flush its buffers
        os.close(alive)

    def _reap(self, flags: int) -> None:
        if self.exitcode is None:
            try:
                pid, status = os.waitpid(self.pid, flags)
            except ChildProcessError:  # reaped by someone else (SIGCHLD ignored): gone
                pid, status = self.pid, 1 << 8
            if pid:
                self.exitcode = os.waitstatus_to_exitcode(status)

    def is_alive(self) -> bool:
        self._reap(os.WNOHANG)
        return self.exitcode is None

    def kill(self) -> None:
        if self.exitcode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)

    def join(self, timeout: float) -> None:
        """Wait up to `timeout` seconds for the worker to end, and note how it ended."""
        import select

        if self.exitcode is None and select.select([self.sentinel], [], [], timeout)[0]:
            self._reap(0)  # gone: its exit status is there, or about to be

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.sentinel)


def _quiet_stdin() -> None:
    """The worker reads nothing from the terminal (as `multiprocessing` does it)."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        sys.stdin.close()
        sys.stdin = open(os.devnull)  # noqa: SIM115 - the worker's stdin until it ends


# --- the supervisor ------------------------------------------------------------


@dataclass
class _Worker:
    process: Any
    conn: Any
    stderr: IO[bytes]
    pending: deque[int] = field(default_factory=deque)  # indices sent, the head being read
    since: float = 0.0  # when it started on the head
    ready: bool = True  # set up (`_set_up`): only then is its head file timed


class Supervisor(Generic[I, T]):
    def __init__(
        self,
        items: Sequence[I],
        task: Callable[[I], T],
        failed: Callable[[I, Failure], T],
        limits: Limits,
        name: Callable[[I], str],
        setup: Callable[[], object] | None = None,
    ) -> None:
        import selectors  # imported here (and tempfile in `_spawn`): a run that reads nothing
        # starts no supervisor and needs neither

        self.items, self.task, self.failed, self.limits = items, task, failed, limits
        self.name, self.setup = name, setup
        self.todo: deque[int] = deque(range(len(items)))
        self.selector = selectors.DefaultSelector()  # every worker's pipe and sentinel
        self.done: dict[int, T] = {}
        self.workers = [self._spawn() for _ in range(worker_count(len(items), limits))]
        self._feed()  # at work now, while the caller goes on before it takes a result

    def _spawn(self) -> _Worker:
        import selectors
        import tempfile

        parent_end, child_end = _End.pair()
        stderr = tempfile.TemporaryFile(prefix="urbsurvey-worker-")  # noqa: SIM115 (closed in _end)
        memory_mb = self.limits.memory_mb
        args = (child_end, self.task, self.items, memory_mb, stderr.fileno(), self.setup)
        process = _Child(_serve, args, parent_end)
        child_end.close()
        self.selector.register(parent_end, selectors.EVENT_READ)
        self.selector.register(process.sentinel, selectors.EVENT_READ)
        return _Worker(process, parent_end, stderr, ready=self.setup is None)

    def results(self) -> Iterator[T]:
        next_out = 0
        while next_out < len(self.items):
            self._feed()
            waiting = [w for w in self.workers if w.pending]
            if not waiting:
                continue  # a worker was replaced before it took anything
            events = self.selector.select(self._until_deadline(waiting))
            ready = {key.fileobj for key, _ in events}
            for worker in list(self.workers):
                if worker.pending:
                    self._collect(worker, ready)
                elif worker.process.sentinel in ready:  # died idle: nothing lost
                    self._end(worker)
                    self.workers[self.workers.index(worker)] = self._spawn()
                elif worker.conn in ready:  # an idle worker says it is set up
                    self._receive(worker, worker.conn.recv_bytes())
            while next_out in self.done:
                yield self.done.pop(next_out)
                next_out += 1

    def _feed(self) -> None:
        for i, worker in enumerate(self.workers):
            if not self.todo or len(worker.pending) > LOW:
                continue
            left = len(self.todo)  # balanced among several workers; one takes a whole batch
            size = max(1, min(BATCH, left // (2 * len(self.workers)) if self.workers[1:] else left))
            batch = [self.todo[k] for k in range(size)]
            try:
                worker.conn.send(batch)
            except OSError:  # it died: its files are found through its sentinel
                if not worker.pending:
                    self._end(worker)
                    self.workers[i] = self._spawn()
                continue
            for _ in batch:
                self.todo.popleft()
            if not worker.pending:
                worker.since = time.monotonic()
            worker.pending.extend(batch)

    def _until_deadline(self, waiting: list[_Worker]) -> float | None:
        """Seconds until the first time limit; None while no worker is set up (its setup is
        urbsurvey's own code, not a file: it says when it is done)."""
        timed = [w.since for w in waiting if w.ready]
        if not timed:
            return None
        return max(0.0, min(timed) + self.limits.timeout_s - time.monotonic())

    def _collect(self, worker: _Worker, ready: set[Any]) -> None:
        """Take what the worker sent; replace it if it died or ran out of time.

        A worker that died since the selector looked may have sent results first: they
        are taken, one per round, before its death costs the file it was on."""
        dead = worker.process.sentinel in ready or not worker.process.is_alive()
        if worker.conn in ready or (dead and worker.conn.poll()):
            # One result per event: the selector says again if more are waiting (a
            # `conn.poll()` builds a selector of its own each time).
            try:
                self._receive(worker, worker.conn.recv_bytes())
                return
            except (EOFError, OSError):
                pass  # died while sending: handled below as a death
        if dead:
            self._replace(worker, self._why_dead(worker))
        elif worker.ready and time.monotonic() - worker.since >= self.limits.timeout_s:
            self._replace(worker, self._timed_out())

    def _receive(self, worker: _Worker, data: bytes) -> None:
        index, status, payload = pickle.loads(data)
        if status == "ready":  # set up: the clock of the file it is on starts now
            worker.ready, worker.since = True, time.monotonic()
            return
        item = self.items[index]
        if status == "bug":
            where = self.name(item)
            raise WorkerBug(f"urbsurvey failed on {where} (a bug, please report it):\n{payload}")
        worker.pending.popleft()
        worker.since = time.monotonic()
        if status == "memory":
            payload = self.failed(item, Failure("memory", self._memory_detail()))
        self.done[index] = payload

    def _replace(self, worker: _Worker, failure: Failure) -> None:
        """The head file costs only itself; the others go back to the queue."""
        self._end(worker)
        head = worker.pending.popleft()
        self.done[head] = self.failed(self.items[head], failure)
        self.todo.extendleft(reversed(worker.pending))
        self.workers[self.workers.index(worker)] = self._spawn()

    def _timed_out(self) -> Failure:
        seconds = f"{self.limits.timeout_s:g}"
        return Failure("time", f"reading it took longer than the limit of {seconds} s per file")

    def _why_dead(self, worker: _Worker) -> Failure:
        worker.process.join(1)
        code = worker.process.exitcode
        worker.stderr.seek(0)
        said = worker.stderr.read(4096)
        if _ALLOC_FAILED in said or code == -signal.SIGKILL:
            return Failure("memory", self._memory_detail())
        how = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
        return Failure("crash", f"the reader crashed on it ({how})")

    def _memory_detail(self) -> str:
        limit = f"the limit of {self.limits.memory_mb} MB per file"
        return f"reading it needed more memory than {limit}"

    def _end(self, worker: _Worker) -> None:
        for handle in (worker.conn, worker.process.sentinel):
            with contextlib.suppress(KeyError, ValueError):
                self.selector.unregister(handle)
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join(5)
        worker.process.close()
        worker.conn.close()
        worker.stderr.close()

    def stop(self) -> None:
        for worker in self.workers:
            with contextlib.suppress(OSError):
                worker.conn.send(None)
        for worker in self.workers:
            if not worker.pending:  # idle: it ends as asked
                worker.process.join(0.5)
            self._end(worker)  # and one still reading files whose results are not wanted is killed
        self.selector.close()

"""Atomic output: write to a temporary file beside the target, then rename it into place.

A crash, a full disk or an exception midway leaves the previous version of the
target intact and no temporary file behind. A target that exists and is not a
regular file (`/dev/null`, `/dev/stdout`, a named pipe) is written directly, never
renamed over; a folder is refused.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import OutputError

#: Longest file name most file systems take, in bytes.
_NAME_MAX = 255
#: What mkstemp adds to the prefix: 8 random characters, then ".tmp".
_TMP_EXTRA = 8 + len(".tmp")


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; rename it over `target` on success.

    A device or pipe is yielded itself: it cannot be replaced, only written to. An
    `OSError` while writing or renaming is an `OutputError` naming the target.
    """
    if _is_special(target):
        try:
            yield target
        except OSError as exc:
            raise _cannot_write(target, exc) from exc
        return
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=_tmp_prefix(target), suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(
            f"cannot write {target}: {exc.strerror}",
            hint="Check the folder exists and is writable.",
        ) from exc
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _cannot_write(target, exc) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _cannot_write(target: Path, exc: OSError) -> OutputError:
    return OutputError(f"cannot write {target}: {exc.strerror}")


def _is_special(target: Path) -> bool:
    """Whether `target` exists and is not a regular file (a folder is an error)."""
    try:
        mode = os.stat(target).st_mode
    except OSError:
        return False
    if stat.S_ISDIR(mode):
        raise OutputError(f"cannot write {target}: it is a folder", hint="Give a file name.")
    return not stat.S_ISREG(mode)


def _tmp_prefix(target: Path) -> str:
    """`.NAME.`, NAME shortened so the temporary name stays a legal file name."""
    room = _NAME_MAX - _TMP_EXTRA - 2
    return f".{os.fsdecode(os.fsencode(target.name)[:room])}."


def _mode_for(target: Path) -> int:
    """The target's own permissions, or a new file's (mkstemp makes its files private)."""
    try:
        return os.stat(target).st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_bytes(target: Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def write_chunks(target: Path, chunks: Iterable[bytes]) -> None:
    """`write_bytes` of the pieces joined, each written as it comes (never all in memory)."""
    with atomic_path(target) as tmp, open(tmp, "wb") as fh:
        fh.writelines(chunks)


def write_text(target: Path, text: str) -> None:
    write_bytes(target, text.encode("utf-8"))

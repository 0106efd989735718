"""Only regular files are opened: a pipe, socket or device named `*.xlsx` would hang a read."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

_KINDS = (
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISDIR, "a folder"),
)


class NotAFile(OSError):
    """The path (or the file a link points to) is not a regular file."""

    def __init__(self, path: Path, kind: str) -> None:
        super().__init__(f"{path} is {kind}, not a file")
        self.kind = kind


def kind_of(mode: int) -> str:
    return next((kind for test, kind in _KINDS if test(mode)), "not a regular file")


def open_regular(path: Path) -> BinaryIO:
    """Open `path` for reading if it is a regular file; never blocks on a pipe.

    Checked before opening (a socket cannot be opened) and again on the open file (it
    may have been swapped in between). Raises `NotAFile`, or `OSError` as `open` does.
    """
    fd, _ = _open_checked(path)
    try:
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_regular(path: Path, most: int) -> tuple[bytes | None, os.stat_result]:
    """The content of the regular file at `path` (None if it holds more than `most`
    bytes: then no more than `most` + 1 are read) and its status, checked as
    `open_regular` does. Read to its end in calls of the size the open file reports,
    with no file object (a batch reads thousands of small files)."""
    fd, st = _open_checked(path)
    try:
        if st.st_size > most:
            return None, st
        chunks: list[bytes] = []
        total, want = 0, st.st_size + 1
        while total <= most and (chunk := os.read(fd, min(want, most + 1 - total))):
            chunks.append(chunk)
            total += len(chunk)
            want = 1 << 20
        return (None if total > most else b"".join(chunks)), st
    finally:
        os.close(fd)


def _open_checked(path: Path) -> tuple[int, os.stat_result]:
    """A blocking descriptor on `path` and its status, once both say a regular file."""
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):
        raise NotAFile(path, kind_of(mode))
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotAFile(path, kind_of(st.st_mode))
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd, st

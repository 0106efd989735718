"""The user's cache folder: `$URBSURVEY_CACHE`, else `$XDG_CACHE_HOME/urbsurvey`, else
`~/.cache/urbsurvey`. What is kept there (workbooks read, definitions validated, the
workbook words parsed) is only ever a shortcut: anything missing or unreadable in it is
computed again."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def cache_dir() -> Path:
    explicit = os.environ.get("URBSURVEY_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "urbsurvey"


def private_folder(name: str) -> Path | None:
    """`name` in the cache folder, made private (0700) if new; None when it cannot be made or
    is not the user's own (what another user could have written is never read)."""
    folder = cache_dir() / name
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if folder.stat().st_uid != os.getuid():
            return None
    except OSError:
        return None
    return folder


def write_entry(folder: Path, name: str, data: bytes) -> None:
    """Write an entry whole or not at all (a rename); a failure only costs time next run."""
    tmp = folder / f".{name}.{os.getpid()}.tmp"
    try:
        tmp.write_bytes(data)
        os.replace(tmp, folder / name)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)

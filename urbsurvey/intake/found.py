"""What the user pointed at holds: the workbooks and saved e-mail to read, and the name
the store knows each by. Apart from the readers, so that finding the files (all an
unchanged `ingest` does with them, besides a `stat`) imports none of them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ..errors import InputError
from .mail import MAIL_SUFFIXES, is_maildir

#: File name endings picked up when a folder is scanned. Files named on the
#: command line are always read; their format is decided by content.
SPREADSHEET_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".ods", ".xlsb"})


def collect_files(paths: Iterable[Path]) -> list[Path]:
    """Files as given, folders scanned recursively (hidden and lock files skipped): workbooks,
    saved e-mails (.eml, mbox) and Maildir folders."""
    found: list[Path] = []
    wanted = SPREADSHEET_SUFFIXES | MAIL_SUFFIXES
    for path in paths:
        if is_maildir(path):
            found.append(path)
        elif path.is_dir():
            for root, dirs, files in os.walk(path):
                here = Path(root)
                maildirs = sorted(d for d in dirs if is_maildir(here / d))
                found.extend(here / d for d in maildirs)
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in maildirs)
                names = [f for f in files if _suffix(f) in wanted and not f.startswith((".", "~$"))]
                found.extend(_children(here, sorted(names)))
        elif path.exists():
            found.append(path)
        else:
            raise InputError(f"{path}: no such file or folder")
    return found


def _children(folder: Path, names: list[str]) -> list[Path]:
    """The paths of the entries `names` of `folder`, in that order, as `iterdir` makes them:
    4x faster than `folder / name`, which parses each name again. An entry gone since the
    folder was listed is left out, as if it had been listed a moment later."""
    if not names:
        return []
    try:
        by_name = {path.name: path for path in folder.iterdir()}
    except OSError:  # the folder itself is gone: its files, as listed, are reported unreadable
        return [folder / name for name in names]
    return [by_name[name] for name in names if name in by_name]


def _suffix(name: str) -> str:
    """`Path(name).suffix.lower()` of a file's name, 10x faster (a batch names every file)."""
    dot = name.rfind(".")
    return name[dot:].lower() if 0 < dot < len(name) - 1 else ""


def store_key(path: Path, cwd: str) -> str:
    """The name the store knows a file by: `str(path.absolute())` (a link is not resolved),
    5x faster, as valid Unicode (`printable`)."""
    text = str(path)
    if os.path.isabs(text):
        return printable(text)
    return printable(cwd if text == "." else os.path.join(cwd, text))


def printable(name: str) -> str:
    """A file name as valid Unicode: each byte that is not UTF-8 (Latin-1 `Malmö.xlsx`
    from an old system) written as `\\xf6`, so the name is shown and stored as it is."""
    if name.isascii():  # most names: no copy made to find out
        return name
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", "backslashreplace")
    return name

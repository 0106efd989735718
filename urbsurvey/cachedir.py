"""The user's cache folder: `$URBSURVEY_CACHE`, else `$XDG_CACHE_HOME/urbsurvey`, else
`~/.cache/urbsurvey`. What is kept there (workbooks read, definitions and codings validated,
the workbook words parsed) is only ever a shortcut: anything missing or unreadable in it is
computed again."""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def cache_dir() -> Path:
    explicit = os.environ.get("URBSURVEY_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "urbsurvey"


def private_folder(name: str = "") -> Path | None:
    """`name` in the cache folder (without a name, the folder itself), made private (0700) if
    new; None when it cannot be made or is not the user's own (what another user could have
    written is never read)."""
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


def load_pickle(kind: str, key: str, expected: type[T]) -> T | None:
    """The object kept under `key` in the `kind` folder if it is an `expected`, else None."""
    folder = private_folder(kind)
    if folder is None:
        return None
    try:
        found = pickle.loads((folder / f"{key}.pickle").read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError):
        return None
    return found if isinstance(found, expected) else None


def store_pickle(kind: str, key: str, obj: object) -> None:
    """Keep `obj` under `key` in the `kind` folder; a failure only costs time."""
    folder = private_folder(kind)
    if folder is not None:
        write_entry(folder, f"{key}.pickle", pickle.dumps(obj, pickle.HIGHEST_PROTOCOL))


def remembered(
    kind: str, rules: tuple[Path, ...], data: bytes, expected: type[T], make: Callable[[], T]
) -> T:
    """`make()`, or the `expected` it made before from `data` under the same rules, kept in
    the `kind` folder under `rules_key(rules, data)`. A `make` that raises keeps nothing:
    only what passed is ever taken again."""
    key = rules_key(rules, data)
    kept = load_pickle(kind, key, expected) if key else None
    if kept is not None:
        return kept
    made = make()
    if key:
        store_pickle(kind, key, made)
    return made


def rules_key(rules: tuple[Path, ...], data: bytes) -> str | None:
    """The name of an entry made from `data` under the rules of the modules `rules`:
    urbsurvey's version, pydantic's (its `version.py`), those modules' source and the data.
    None when a module's source cannot be read (an installation without it keeps nothing)."""
    from . import __version__

    pydantic_version = _package_file("pydantic", "version.py")
    if pydantic_version is None:
        return None
    digest = hashlib.sha256(f"{__version__}\0".encode())
    try:
        for path in (pydantic_version, *rules):
            digest.update(path.read_bytes())
    except OSError:
        return None
    digest.update(b"\0")
    digest.update(data)
    return digest.hexdigest()


def _package_file(package: str, name: str) -> Path | None:
    """A file of an installed package, found as `import` would find the package, without
    importing it (pydantic costs more than a cache hit saves)."""
    for finder in sys.meta_path:
        find = getattr(finder, "find_spec", None)
        spec = find(package, None) if find is not None else None
        if spec is not None:
            locations = list(spec.submodule_search_locations or ())
            return Path(locations[0]) / name if locations else None
    return None

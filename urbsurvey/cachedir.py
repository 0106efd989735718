"""The user's cache folder: `$URBSURVEY_CACHE`, else `$XDG_CACHE_HOME/urbsurvey`, else
`~/.cache/urbsurvey`. What is kept there (workbooks read, definitions validated) is only
ever a shortcut: anything missing or unreadable in it is computed again."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    explicit = os.environ.get("URBSURVEY_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "urbsurvey"

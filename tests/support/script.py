"""The installed `urbsurvey` console script, for the tests that run it as a user does."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path


def console_script() -> str | None:
    """The script beside this interpreter (the venv's), else the one on PATH, else None."""
    beside = Path(sys.executable).parent / "urbsurvey"
    return str(beside) if beside.is_file() else shutil.which("urbsurvey")


URBSURVEY = console_script()

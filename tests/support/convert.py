"""Convert test workbooks with LibreOffice, for tests that need real .xls/.ods files.

    from .support.convert import convert, requires_soffice

    @requires_soffice
    def test_x(tmp_path):
        xls = convert(xlsx_path, "xls", tmp_path)

Each process uses its own LibreOffice profile (a private `UserInstallation`), so
pytest workers and other processes never share one; calls within a process are
serialised, as one profile cannot serve two LibreOffice instances at once.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice")
TIMEOUT_S = 120

requires_soffice = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice (soffice) is not installed"
)

_lock = threading.Lock()
_profile: Path | None = None


def _profile_dir() -> Path:
    global _profile
    if _profile is None:
        _profile = Path(tempfile.mkdtemp(prefix=f"urbsurvey-lo-{os.getpid()}-"))
        atexit.register(shutil.rmtree, _profile, True)
    return _profile


def convert(src: Path, fmt: str, outdir: Path) -> Path:
    """Convert `src` to `fmt` ("xls", "ods", "xlsx", or "ext:Filter") in `outdir`.

    Returns the new file's path; raises RuntimeError with soffice's output when the
    conversion fails or times out (TIMEOUT_S).
    """
    if SOFFICE is None:
        raise RuntimeError("soffice is not installed")
    outdir.mkdir(parents=True, exist_ok=True)
    out = outdir / f"{src.stem}.{fmt.split(':', 1)[0]}"
    if out.exists() and out.resolve() != src.resolve():
        out.unlink()  # so a stale file cannot pass for this conversion's result
    with _lock:
        cmd = [
            SOFFICE,
            f"-env:UserInstallation={_profile_dir().as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            fmt,
            "--outdir",
            str(outdir),
            str(src),
        ]
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # so a hung soffice.bin can be killed with its group
        )
        try:
            output, _ = proc.communicate(timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            output, _ = proc.communicate()
            raise RuntimeError(
                f"soffice timed out after {TIMEOUT_S} s converting {src}:\n{output}"
            ) from None
    if proc.returncode != 0 or not out.is_file():
        raise RuntimeError(
            f"soffice could not convert {src} to {fmt} (exit {proc.returncode}):\n{output}"
        )
    return out

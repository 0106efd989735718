"""Fail when the project's dependencies come from outside the project's .venv.

`python3 -I .ci/no_leaks.py system`: says which of them the system Python can import.
`.venv/bin/python -I .ci/no_leaks.py venv`: each must be importable, from inside .venv.
"""

import importlib.util
import re
import sys
import tomllib
from pathlib import Path

# Distribution name -> import name, where they differ.
IMPORT_NAMES = {
    "pyyaml": "yaml",
    "python-calamine": "python_calamine",
    "python-docx": "docx",
    "markdown-it-py": "markdown_it",
}
ROOT = Path(__file__).resolve().parent.parent
DEBIAN = "/usr/lib/python3/dist-packages/"


def dependencies() -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = [re.split(r"[<>=!~\[; ]", d, maxsplit=1)[0].lower() for d in project["dependencies"]]
    return [IMPORT_NAMES.get(n, n.replace("-", "_")) for n in names]


def main(mode: str) -> int:
    found = {m: importlib.util.find_spec(m) for m in dependencies()}
    if mode == "system":
        present = {m: str(spec.origin) for m, spec in found.items() if spec is not None}
        # Debian's own packages (python3-yaml, pulled in by system tools) are on every machine
        # of this kind, fresh ones too: said, not fatal. Anything pip put there is.
        debian = sorted(m for m, origin in present.items() if origin.startswith(DEBIAN))
        if debian:
            print(f"CI: note: {', '.join(debian)} installed by apt in {DEBIAN}", file=sys.stderr)
        leaked = sorted(set(present) - set(debian))
        if leaked:
            # Said, not fatal: a fresh machine of this kind ships pydantic, Jinja2, PyYAML and
            # typing_extensions in its system Python. What guards against a test reading them
            # from there is the `venv` check below and the suite running in .venv only.
            print(
                f"CI: note: the system Python ({sys.executable}) can import "
                f"{', '.join(leaked)}; the suite must not rely on it (checked in .venv below).",
                file=sys.stderr,
            )
        return 0
    outside = sorted(
        m
        for m, spec in found.items()
        if spec is None or not str(spec.origin).startswith(sys.prefix)
    )
    if outside:
        print(f"CI: not installed inside {sys.prefix}: {', '.join(outside)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

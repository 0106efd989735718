"""Bundled questionnaires and report templates, found the same way installed or not.

A wheel carries them under `urbsurvey/_bundled/` (see pyproject.toml); a source
checkout has them at the top of the repository.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from .errors import InputError

if TYPE_CHECKING:
    from .definition import Questionnaire

_PACKAGE = Path(__file__).resolve().parent


def bundled_dir(name: str) -> Path:
    """`questionnaires` or `templates`, from the installed package or the checkout."""
    installed = _PACKAGE / "_bundled" / name
    return installed if installed.is_dir() else _PACKAGE.parent / name


def bundled_questionnaires() -> dict[str, Path]:
    """Bundled definition ids (file stems) and their files."""
    return {p.stem: p for p in sorted(bundled_dir("questionnaires").glob("*.yaml"))}


def resolve_questionnaire(ref: str | Path, base: Path | None = None) -> Path:
    """A bundled id, or a path (relative to `base` when given)."""
    bundled = bundled_questionnaires()
    if isinstance(ref, str) and ref in bundled:
        return bundled[ref]
    path = Path(ref)
    if base is not None and not path.is_absolute():
        path = base / path
    if path.is_file():
        return path
    return _not_found(str(ref), path, bundled)


def _not_found(ref: str, path: Path, bundled: dict[str, Path]) -> NoReturn:
    from .explain import did_you_mean

    if path.is_dir():
        raise InputError(
            f"{ref} is a folder, not a questionnaire definition",
            hint="Give a definition's YAML file, or a bundled id (`urbsurvey questionnaire list`).",
        )
    guess = did_you_mean(ref, list(bundled)) or _sibling_guess(path)
    raise InputError(
        f"{ref}: no such file, and not a bundled questionnaire id{guess}",
        hint=f"Bundled: {', '.join(bundled) or 'none'} (`urbsurvey questionnaire list`); "
        "or give the path of a definition's YAML file.",
    )


def _sibling_guess(path: Path) -> str:
    """`; did you mean 'heating.yaml'?` for a definition file beside `path` with a close name."""
    import difflib

    try:
        stems = {p.stem: p.name for p in path.parent.iterdir() if p.suffix in (".yaml", ".yml")}
    except OSError:
        return ""
    close = difflib.get_close_matches(path.stem, list(stems), n=1, cutoff=0.6)
    return f"; did you mean {stems[close[0]]!r}?" if close else ""


@cache
def _load(path: Path) -> Questionnaire:
    from .definition import load_definition

    return load_definition(path)


def load_questionnaire(ref: str | Path, base: Path | None = None) -> Questionnaire:
    """Load (once per process) a questionnaire by bundled id or path."""
    return _load(resolve_questionnaire(ref, base).resolve())

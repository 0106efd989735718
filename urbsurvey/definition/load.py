"""Loading a definition file: YAML with line numbers, validated, cross-checked."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from .. import yamlio
from ..errors import DefinitionError
from .checks import Loc, cross_check
from .model import Questionnaire


def load_definition(path: Path) -> Questionnaire:
    """Read, validate and cross-check a definition file; raise DefinitionError.

    A definition validated before with the same bytes comes from `cache` instead.
    """
    from . import cache

    try:
        data = yamlio.read_bytes(path)
    except OSError as exc:
        raise DefinitionError(str(path), [f"cannot read the file: {exc.strerror}"]) from exc
    except yamlio.YamlProblem as exc:
        raise DefinitionError(str(path), [str(exc)]) from exc
    key = cache.key_of(data)
    if key is None:
        return _validate(path, data)
    questionnaire = cache.load(key)
    if questionnaire is None:
        questionnaire = _validate(path, data)
        cache.store(key, questionnaire)
    return questionnaire


def cached_definition(path: Path) -> Questionnaire | None:
    """The definition file's `Questionnaire` if it was validated before with the same bytes
    (`cache`), else None: nothing is validated (what a worker with a time limit may ask)."""
    from . import cache

    try:
        key = cache.key_of(yamlio.read_bytes(path))
    except (OSError, yamlio.YamlProblem):
        return None
    return None if key is None else cache.load(key)


def _validate(path: Path, data: bytes) -> Questionnaire:
    from pydantic import ValidationError

    from ..explain import explain
    from .spec import validate

    try:
        doc = yamlio.parse(yamlio.decode(data))
    except yamlio.YamlProblem as exc:
        raise DefinitionError(str(path), [str(exc)]) from exc
    lines = yamlio.line_index(doc.node)
    if not isinstance(doc.data, dict):
        raise DefinitionError(str(path), ["line 1: the file must be a mapping (id:, title:, ...)"])
    try:
        questionnaire = validate(doc.data)
    except ValidationError as exc:
        problems = explain(exc.errors(), doc.data, _schema(), lines)
        raise DefinitionError(str(path), problems) from exc
    problems = [f"{_line_of(loc, lines)}{message}" for loc, message in cross_check(questionnaire)]
    if problems:
        raise DefinitionError(str(path), problems)
    return questionnaire


@cache
def _schema() -> dict[str, Any]:
    from .spec import Questionnaire as Spec

    return Spec.model_json_schema(by_alias=True)


def _line_of(loc: Loc, lines: dict[Loc, int]) -> str:
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return f"line {lines[loc[:end]]}: "
    return ""

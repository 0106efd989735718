"""Loading a definition file: YAML with line numbers, validated, cross-checked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .. import yamlio
from ..errors import DefinitionError
from .checks import Loc, cross_check
from .model import Questionnaire


def load_definition(path: Path) -> Questionnaire:
    """Read, validate and cross-check a definition file; raise DefinitionError."""
    import yaml  # lazy: only needed when a definition is read

    try:
        source = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DefinitionError(str(path), [f"cannot read the file: {exc.strerror}"]) from exc
    reader = yamlio.loader(source)
    try:
        node = reader.get_single_node()
        data = reader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        raise DefinitionError(str(path), [f"{where}not valid YAML ({exc})"]) from exc
    finally:
        reader.dispose()
    lines = _line_index(node)
    if not isinstance(data, dict):
        raise DefinitionError(str(path), ["line 1: the file must be a mapping (id:, title:, ...)"])
    try:
        questionnaire = Questionnaire.model_validate(data)
    except ValidationError as exc:
        raise DefinitionError(str(path), _pydantic_problems(exc, lines)) from exc
    problems = [f"{_line_of(loc, lines)}{message}" for loc, message in cross_check(questionnaire)]
    if problems:
        raise DefinitionError(str(path), problems)
    return questionnaire


def _line_index(node: Any) -> dict[Loc, int]:
    """Map every path in the YAML document to its 1-based line."""
    index: dict[Loc, int] = {}

    def walk(n: Any, loc: Loc) -> None:
        index[loc] = n.start_mark.line + 1
        if n.id == "mapping":
            for key, value in n.value:
                index[(*loc, key.value)] = key.start_mark.line + 1
                walk(value, (*loc, key.value))
        elif n.id == "sequence":
            for i, item in enumerate(n.value):
                walk(item, (*loc, i))

    if node is not None:
        walk(node, ())
    return index


def _line_of(loc: Loc, lines: dict[Loc, int]) -> str:
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return f"line {lines[loc[:end]]}: "
    return ""


def _pydantic_problems(exc: ValidationError, lines: dict[Loc, int]) -> list[str]:
    problems = []
    for error in exc.errors():
        loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and "[" in p))
        where = ".".join(str(p) for p in loc) or "(top)"
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "missing":
            message = "this field is required"
        elif error["type"] == "extra_forbidden":
            message = "unknown field (check the spelling)"
        problems.append(f"{_line_of(loc, lines)}{where}: {message}")
    return problems

"""Validation errors of a YAML file in the words of the person who wrote it.

pydantic says "Extra inputs are not permitted" at `sections.0.questions.3.texte`; a
thematic expert needs "line 23: question why: unknown field 'texte'; did you mean 'text'?".
`explain` turns each error into that: the YAML line, the question (or section, choice,
indicator, partner) named by its id or name, and what to write. Fields and their
types come from the model's JSON Schema, so the advice follows the format.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from typing import Any

Loc = tuple[str | int, ...]

#: What a list item is called in a message, by the list it is in.
_ITEM_NAMES = {
    "sections": "section",
    "questions": "question",
    "choices": "choice",
    "indicators": "indicator",
    "partners": "partner",
    "themes": "theme",
    "groups": "group",
    "examples": "example",
}


def did_you_mean(word: str, choices: Sequence[str]) -> str:
    """`; did you mean 'x'?` for the closest of `choices`, or nothing."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def explain(
    errors: Sequence[Mapping[str, Any]],
    data: Any,
    schema: Mapping[str, Any],
    lines: Mapping[Loc, int],
) -> list[str]:
    """One message per pydantic error: `line N: <where>: <what to write>`."""
    return [_message(error, data, schema, lines) for error in errors]


def _message(
    error: Mapping[str, Any], data: Any, schema: Mapping[str, Any], lines: Mapping[Loc, int]
) -> str:
    loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and "[" in p))
    kind, field = error["type"], loc[-1] if loc else ""
    owner_loc = loc[:-1] if isinstance(field, str) else loc
    where = _where(owner_loc, data)
    if kind == "extra_forbidden":
        fields = list(_node(schema, owner_loc, schema).get("properties", {}))
        what = f"unknown field {field!r}{did_you_mean(str(field), fields)}"
        what += "" if did_you_mean(str(field), fields) else f" (fields here: {', '.join(fields)})"
    elif kind == "missing":
        what = f"{field!r} is missing; add `{field}: …`"
    else:
        what = _wrong_value(error, _node(schema, loc, schema), field)
    return f"{_line(loc, lines)}{where}{what}"


def _wrong_value(error: Mapping[str, Any], node: Mapping[str, Any], field: str | int) -> str:
    name = f"{field!r}" if isinstance(field, str) else f"item {field + 1}"
    value = error.get("input")
    shown = "" if isinstance(value, dict | list) else f" (it is {value!r})"
    if error["type"] == "value_error":  # the model's own words: already what to write
        words = str(error["msg"]).removeprefix("Value error, ")
        return words if isinstance(field, int) else f"{name}: {words}"
    if "enum" in node:
        return f"{name} must be one of: {', '.join(map(str, node['enum']))}{shown}"
    if _is_text(node):
        return f"{name} must be a text: a string, or {{en: …, fr: …}} with an English text"
    kind = error["type"]
    if kind == "string_type":
        return f'{name} must be text{shown}: put it in quotes, e.g. {field}: "{value}"'
    if kind == "string_pattern_mismatch":
        return f"{name} {value!r} is not allowed: {_pattern_advice(node)}"
    expected = {"bool_type": "true or false", "list_type": "a list, e.g. [a, b]"}
    expected |= {"dict_type": "a mapping (key: value)", "model_type": "a mapping (key: value)"}
    expected |= {"float_parsing": "a number", "int_parsing": "a whole number"}
    if kind in expected:
        return f"{name} must be {expected[kind]}{shown}"
    return f"{name}: {error['msg']}"


def _pattern_advice(node: Mapping[str, Any]) -> str:
    pattern = str(node.get("pattern", ""))
    if pattern == "^[a-z][a-z0-9_]*$":
        return "use lower case letters, digits and _, starting with a letter"
    if pattern == "^[A-Z]{3}$":
        return "use a three-letter ISO currency code such as EUR"
    if pattern.startswith("^[a-z0-9]"):
        return "use lower case letters, digits, - . _"
    return f"it must match {pattern}"


def _is_text(node: Mapping[str, Any]) -> bool:
    kinds = {option.get("type") for option in node.get("anyOf", [])}
    return {"string", "object"} <= kinds


def _line(loc: Loc, lines: Mapping[Loc, int]) -> str:
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return f"line {lines[loc[:end]]}: "
    return ""


def _where(loc: Loc, data: Any) -> str:
    """`question why: ` for the innermost named list item on the way to `loc`."""
    label, node = "", data
    for i, part in enumerate(loc):
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(part, int) and i and isinstance(loc[i - 1], str):
            item = _ITEM_NAMES.get(str(loc[i - 1]), str(loc[i - 1]))
            name = _name_of(node)
            label = f"{item} {name}" if name else f"{item} {part + 1} of {loc[i - 1]}"
    return f"{label}: " if label else ""


def _name_of(node: Any) -> str:
    if isinstance(node, dict):
        for key in ("id", "name", "code"):
            if isinstance(node.get(key), str):
                return str(node[key])
    return ""


def _node(schema: Mapping[str, Any], loc: Loc, root: Mapping[str, Any]) -> Mapping[str, Any]:
    """The JSON Schema of the value at `loc` (refs followed; {} when unknown)."""
    node = _deref(schema, root)
    for part in loc:
        if isinstance(part, int):
            node = _deref(_pick(node, "array", root).get("items", {}), root)
        else:
            properties = _pick(node, "object", root).get("properties", {})
            node = _deref(properties.get(part, {}), root)
    return node


def _deref(node: Mapping[str, Any], root: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str):
        target: Any = root
        for key in ref.removeprefix("#/").split("/"):
            target = target.get(key, {})
        return _deref(target, root)
    return node


def _pick(node: Mapping[str, Any], kind: str, root: Mapping[str, Any]) -> Mapping[str, Any]:
    """Of an `anyOf`, the option of JSON type `kind` (a list, a mapping)."""
    for option in node.get("anyOf", []):
        option = _deref(option, root)
        if option.get("type") == kind or (kind == "object" and "properties" in option):
            return option
    return node

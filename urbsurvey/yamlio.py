"""The one YAML loader: every file urbsurvey reads (definitions, survey.yaml, coding.yaml,
the workbook words) goes through `read_file` or `parse`, with the same rules and limits.

- **YAML 1.2 core schema.** Only `true`/`false` are booleans: `no`, `yes`, `on`, `off`, `y`
  and `n` are strings, so yes/no codes work unquoted; `10:30` and `2009-10-15` are strings
  too (YAML 1.1 would make them the number 630 and a date); `010` is ten.
- **Bounded.** A file over `MAX_BYTES`, nested deeper than `MAX_DEPTH` or expanding, through
  aliases, to more than `MAX_NODES` values (an "alias bomb": 3 KB that would take gigabytes)
  is refused before anything is built from it.
- **UTF-8.** A file in another encoding is refused with the line of the first bad byte.

Problems are a `YamlProblem` (message and line); each caller turns it into its own error.
libyaml's C parser is used where PyYAML was built with it (many times faster).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAX_BYTES = 5_000_000
MAX_NODES = 200_000
MAX_DEPTH = 50

_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")


class YamlProblem(Exception):
    """A YAML file that cannot be read: `problem` says why, `line` (1-based) where."""

    def __init__(self, problem: str, line: int | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.line = line

    def __str__(self) -> str:
        return f"line {self.line}: {self.problem}" if self.line else self.problem


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed file: the data, and the node tree (for line numbers)."""

    data: Any
    node: Any


def _loader_class() -> Any:
    """A safe loader whose implicit types are YAML 1.2's core schema (built once)."""
    global _LOADER
    if _LOADER is not None:
        return _LOADER
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    # Own tables (PyYAML's would be shared with every other SafeLoader in the process).
    namespace = {"yaml_implicit_resolvers": {}, "yaml_constructors": dict(base.yaml_constructors)}
    CoreLoader: Any = type("CoreLoader", (base,), namespace)
    for tag, pattern, first in (
        ("bool", _BOOL, "tTfF"),
        ("int", _INT, "-+0123456789"),
        ("float", _FLOAT, "-+0123456789."),
        ("null", _NULL, ["~", "n", "N", ""]),
    ):
        CoreLoader.add_implicit_resolver(f"tag:yaml.org,2002:{tag}", pattern, list(first))
    CoreLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
    _LOADER = CoreLoader
    return CoreLoader


_LOADER: Any = None


def _construct_int(loader: Any, node: Any) -> int:
    value = str(loader.construct_scalar(node))
    if value.startswith(("0o", "0x")):
        return int(value[2:], 8 if value[1] == "o" else 16)
    return int(value, 10)


def _check_size(node: Any) -> None:
    """Refuse a tree that, with its aliases expanded, is too large or too deep."""
    sizes: dict[int, int] = {}

    def size(n: Any, depth: int) -> int:
        if depth > MAX_DEPTH:
            raise YamlProblem(f"nested more than {MAX_DEPTH} levels deep", n.start_mark.line + 1)
        if n.id == "scalar":  # one value: not kept (most nodes are scalars)
            return 1
        known = sizes.get(id(n))
        if known is not None:
            return known
        children = n.value
        if n.id == "mapping":
            children = [item for pair in n.value for item in pair]
        total = 1 + sum(size(child, depth + 1) for child in children)
        if total > MAX_NODES:
            raise YamlProblem(
                f"expands to more than {MAX_NODES:,} values (aliases `*name` repeated "
                "inside each other); write the values out instead",
                n.start_mark.line + 1,
            )
        sizes[id(n)] = total
        return total

    size(node, 0)


def parse(text: str) -> Document:
    """Parse one YAML document (core schema, bounded); raise YamlProblem."""
    import yaml

    if len(text) > MAX_BYTES:
        raise YamlProblem(f"larger than {MAX_BYTES // 1_000_000} MB; is it the right file?")
    reader = _loader_class()(text)
    try:
        node = reader.get_single_node()
        if node is None:
            return Document(None, None)
        _check_size(node)
        return Document(reader.construct_document(node), node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise YamlProblem(
            f"not valid YAML: {problem}", mark.line + 1 if mark is not None else None
        ) from exc
    except RecursionError as exc:
        raise YamlProblem(f"nested more than {MAX_DEPTH} levels deep") from exc
    finally:
        reader.dispose()


def decode(data: bytes) -> str:
    """UTF-8 text (a byte order mark is fine); raise YamlProblem naming the line otherwise."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise YamlProblem(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x}; the file looks saved as "
            "Latin-1/Windows-1252); save it as UTF-8 (in most editors: Save as → Encoding: UTF-8)",
            line,
        ) from exc


def read_file(path: Path) -> Document:
    """Read and parse a YAML file; raise OSError, or YamlProblem."""
    return parse(decode(read_bytes(path)))


def read_bytes(path: Path) -> bytes:
    """A YAML file's bytes, at most `MAX_BYTES`; raise OSError, or YamlProblem."""
    with path.open("rb") as fh:
        data = fh.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise YamlProblem(f"larger than {MAX_BYTES // 1_000_000} MB; is it the right file?")
    return data


def line_index(node: Any) -> dict[tuple[str | int, ...], int]:
    """Map every path in a parsed document (`("sections", 0, "id")`) to its 1-based line."""
    index: dict[tuple[str | int, ...], int] = {}

    def walk(n: Any, loc: tuple[str | int, ...]) -> None:
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

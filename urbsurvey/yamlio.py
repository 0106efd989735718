"""YAML reading with libyaml's C loader where installed (many times faster than pure Python)."""

from __future__ import annotations

from typing import Any


def loader(text: str) -> Any:
    """A safe loader for `text`: C-accelerated when PyYAML was built with libyaml."""
    import yaml

    cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return cls(text)


def load(text: str) -> Any:
    """Parse a YAML document safely (no tags, no objects)."""
    reader = loader(text)
    try:
        return reader.get_single_data()
    finally:
        reader.dispose()

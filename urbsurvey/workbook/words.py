"""The words a partner sees in a workbook, per language (`templates/workbook.yaml`)."""

from __future__ import annotations

from functools import cache
from typing import Any

from .. import yamlio
from ..resources import bundled_dir


@cache
def ui_words() -> dict[str, Any]:
    path = bundled_dir("templates") / "workbook.yaml"
    words: dict[str, Any] = yamlio.read_file(path).data
    return words


def ui(lang: str, *keys: str) -> Any:
    """A word for the workbook in `lang` (nested keys), falling back to English."""
    words = ui_words()
    for table in (words.get(lang, {}), words["en"]):
        value: Any = table
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        if value is not None:
            return value
    raise KeyError(keys)

"""The words a partner sees in a workbook, per language (`templates/workbook.yaml`)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from .. import yamlio
from ..cachedir import private_folder, write_entry
from ..resources import bundled_dir


@cache
def ui_words() -> dict[str, Any]:
    """`templates/workbook.yaml`, parsed once and kept as JSON in the user's cache folder
    under the sha256 of its bytes and of the YAML rules (`yamlio.py`): every run needs the
    words, few need a YAML parser."""
    import hashlib
    import json

    data = yamlio.read_bytes(bundled_dir("templates") / "workbook.yaml")
    rules = Path(yamlio.__file__).read_bytes()
    key = hashlib.sha256(rules + b"\0" + data).hexdigest()
    folder = private_folder("words")
    if folder is not None:
        try:
            kept: dict[str, Any] = json.loads((folder / f"{key}.json").read_bytes())
            return kept
        except (OSError, ValueError):
            pass
    words: dict[str, Any] = yamlio.parse(yamlio.decode(data)).data
    text = json.dumps(words, ensure_ascii=False)
    if folder is not None and json.loads(text) == words:  # JSON keeps it exactly
        write_entry(folder, f"{key}.json", text.encode("utf-8"))
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


def sheet_words(key: str) -> frozenset[str]:
    """A sheet's name (`responses`, `instructions`) in every workbook language, lower case."""
    return frozenset(
        table["sheets"][key].strip().lower()
        for table in ui_words().values()
        if key in table.get("sheets", {})
    ) | {key}


def header_words() -> dict[str, str]:
    """Every language's header word (lower case) -> its key (`id`, `answer`, ...)."""
    from .contract import HEADER_KEYS

    words = {"id": "id", **{key: key for key in HEADER_KEYS}}
    for table in ui_words().values():
        for key, word in table.get("headers", {}).items():
            words.setdefault(word.strip().lower(), key)
    return words


def headers(lang: str) -> list[str]:
    """The header row of the answers sheet in `lang` (the `ID` column stays `ID`)."""
    from .contract import HEADER_KEYS

    return ["ID", *(ui(lang, "headers", key) for key in HEADER_KEYS)]

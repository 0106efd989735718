"""Datasette's `metadata.json` for a store: a description of every table, view and column."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def datasette_metadata(store: Path) -> dict[str, Any]:
    """Metadata for `datasette STORE --metadata metadata.json`, from the store's own docs."""
    from ..errors import StoreError
    from ..store import DESCRIPTIONS, Store

    if not store.is_file():
        raise StoreError(f"{store}: no such store", hint="Create it with `urbsurvey ingest`.")
    Store(store).close()  # checks it is a store, and adds the views to an older one
    tables = {
        name: {"description": description, "columns": columns}
        for name, (description, columns) in DESCRIPTIONS.items()
    }
    return {
        "title": f"urbsurvey store {store.name}",
        "description": "Returned survey workbooks, answer by answer. Start with the views "
        "current_answers and partners.",
        "databases": {store.stem: {"tables": tables}},
    }

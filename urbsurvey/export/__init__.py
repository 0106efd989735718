"""Exports for analysts: a Frictionless Data Package, and Datasette metadata for the store.

`export_datapackage` reads a survey the way `report` does and writes the
package (see `datapackage.py`); `export_datasette` describes a store's tables
and views for Datasette (see `datasette.py`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..intake.batch import Progress


def export_datapackage(
    source: Path,
    outdir: Path,
    questionnaire: str | None = None,
    store: Path | None = None,
    progress: Progress | None = None,
) -> list[Path]:
    """Read SOURCE (survey folder, workbooks or store) and write its data package to `outdir`."""
    from ..pipeline import gather
    from ..report.build import build_report
    from .datapackage import build_datapackage, write_datapackage

    data = gather(source, questionnaire, store, progress=progress)
    package = build_datapackage(build_report(data), data)
    return write_datapackage(package, outdir)


def export_datasette(store: Path, out: Path) -> Path:
    """Write Datasette's `metadata.json` for a store: what each table, view and column holds."""
    import json

    from ..atomic import write_text
    from .datasette import datasette_metadata

    metadata = datasette_metadata(store)
    write_text(out, json.dumps(metadata, indent=2, ensure_ascii=False) + "\n")
    return out

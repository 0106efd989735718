"""The survey report: built as typed data (`build`), laid out in any format (`render`).

`gather` reads what a report is made from (a survey folder, workbooks or a store),
`build_report` turns it into a `schema.Report`, and `render.render` writes that
report in one of the `formats.ReportFormat`s. Names are loaded on first use, so importing the
package (the CLI does, for its `--format` choices) costs nothing.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .build import ReportInput, build_report, gather

__all__ = ["ReportInput", "build_report", "gather"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(import_module(".build", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

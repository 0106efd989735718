"""The report formats: one `ReportFormat` per renderer (`render.render` dispatches on it).

A module of its own, importing nothing, so the CLI derives its `--format` choices
from it without loading any renderer.
"""

from __future__ import annotations

from enum import StrEnum


class ReportFormat(StrEnum):
    """The formats `urbsurvey report --format` writes, each a `(Report) -> bytes` renderer."""

    MD = "md"
    HTML = "html"
    JSON = "json"
    XLSX = "xlsx"
    DOCX = "docx"

    @property
    def is_text(self) -> bool:
        """Whether the format can go to standard output."""
        return self in (ReportFormat.MD, ReportFormat.JSON)


FORMATS = tuple(f.value for f in ReportFormat)

"""What the reader returns and what its checks share.

`Sheet`, `ReadError`, `CellValue` and `cell_ref` are public; `_Reject` (raised by
every check, turned into an `Issue` by `read_workbook`), `_Scan` (what the scans
learn about the sheets) and `_check_dims` (the bound on a sheet's used area) are the
package's own.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import NoReturn

from ..issues import Issue, IssueCode, make_issue
from . import limits

CellValue = (
    str
    | int
    | float
    | bool
    | datetime.date
    | datetime.datetime
    | datetime.time
    | datetime.timedelta
    | None
)


@dataclass(slots=True)
class Sheet:
    """One sheet's cells, origin A1: `rows[r][c]` is row r+1, column c+1."""

    name: str
    visible: bool
    rows: list[list[CellValue]]
    #: (first_row, first_col, last_row, last_col), 0-based.
    merged: list[tuple[int, int, int, int]]


class ReadError(Exception):
    """A sheet could not be read; `.issue` says why, ready to report."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(issue.message)
        self.issue = issue


def cell_ref(row: int, col: int) -> str:
    """0-based (row, col) to an A1 reference: (11, 2) -> "C12"."""
    letters = ""
    n = col + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row + 1}"


class _Reject(Exception):
    def __init__(self, issue: Issue) -> None:
        super().__init__(issue.message)
        self.issue = issue


def _reject(code: IssueCode, name: str, detail: str, sheet: str | None = None) -> NoReturn:
    raise _Reject(make_issue(code, name, f"{name}: {detail}", sheet=sheet))


@dataclass(slots=True)
class _Scan:
    """What a pre-scan learned about the sheets."""

    # per sheet name: cells without a cached formula result / with external refs
    no_value: set[tuple[str, str]] = field(default_factory=set)
    external: set[tuple[str, str]] = field(default_factory=set)
    errors: dict[tuple[str, str], str] = field(default_factory=dict)  # saved error values
    has_external: bool = False
    has_macros: bool = False
    merged: dict[str, list[tuple[int, int, int, int]]] = field(default_factory=dict)


def _check_dims(name: str, sheet: str, rows: int, cols: int) -> None:
    max_rows, max_cols, max_cells = limits.MAX_ROWS, limits.MAX_COLS, limits.MAX_CELLS
    if rows > max_rows or cols > max_cols or rows * cols > max_cells:
        _reject(
            IssueCode.FILE_TOO_LARGE,
            name,
            f"sheet {sheet!r} reaches cell {cell_ref(rows - 1, cols - 1)} "
            f"({rows:,} rows x {cols:,} columns); the limit is {max_rows:,} rows, "
            f"{max_cols:,} columns and {max_cells:,} cells",
            sheet=sheet,
        )

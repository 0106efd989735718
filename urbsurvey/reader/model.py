"""What the reader returns and what its checks share.

`Sheet`, `ReadError`, `CellValue` and `cell_ref` are public; `_Reject` (raised by
every check, turned into an `Issue` by `read_workbook`), `_Scan` (what the scans
learn about the sheets), `_check_dims` (the bound on a sheet's used area) and `_Recent`
(what a worker keeps of parts its workbooks share) are the package's own.
"""

from __future__ import annotations

import datetime
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Generic, NoReturn, TypeVar

from ..issues import Issue, IssueCode, make_issue
from . import limits

_K = TypeVar("_K")
_V = TypeVar("_V")

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


class _Recent(Generic[_K, _V]):
    """The last `most` values kept, by key, the least recently used dropped first: what a
    worker learnt of parts that the workbooks of a batch share byte for byte."""

    def __init__(self, most: int) -> None:
        self._most = most
        self._kept: OrderedDict[_K, _V] = OrderedDict()

    def get(self, key: _K) -> _V | None:
        value = self._kept.get(key)
        if value is not None:
            self._kept.move_to_end(key)
        return value

    def keep(self, key: _K, value: _V) -> None:
        self._kept[key] = value
        if len(self._kept) > self._most:
            self._kept.popitem(last=False)

"""Writing untrusted text into spreadsheets urbsurvey creates (needs openpyxl).

Partner text is always written as a text cell: never a formula, whatever it
starts with (`=`, `+`, `-`, `@`), never an XML error from control characters,
never silently cut without a marker.
"""

from __future__ import annotations

import re
from typing import Any

#: Excel's limit on the characters of one cell.
MAX_CELL_CHARS = 32_767
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CUT = " … [cut: {n} more characters; the full text is in the JSON report and the store]"


def cell_text(value: str) -> str:
    """Text that fits in one cell: control characters removed, a visible marker if cut."""
    value = CONTROL_CHARS.sub("", value)
    if len(value) <= MAX_CELL_CHARS:
        return value
    keep = MAX_CELL_CHARS - len(_CUT.format(n=len(value)))
    return value[:keep] + _CUT.format(n=len(value) - keep)


def put(ws: Any, row: int, col: int, value: object) -> Any:
    """Write one cell; strings always as text cells."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        cell.value = cell_text(value)
        cell.data_type = "s"
    else:
        cell.value = value
    return cell

"""Read one returned workbook safely and fast.

`read_workbook(path)` decides the format by content, checks the file cheaply before
any parser sees it, then lets python-calamine (Rust) read it. It returns a
`Workbook` or, for a file that cannot or must not be read, an `Issue`; it never
raises for a bad file. `Workbook.sheet(name)` reads one sheet on demand (a `Sheet`)
and raises only `ReadError` (carrying an `Issue`) for a bad sheet. `cell_ref` turns
0-based (row, col) into "C12".

Before calamine runs, the file's size, a zip package's directory (zip bombs
included) and every sheet's real used area are bounded (`limits`); encryption,
macros, formulas without a value and links to other workbooks are found. XML is
never parsed with an entity-expanding parser; nothing opens a network connection;
macros are never run. Cell values: empty cells are None, whole-number floats int,
dates `datetime.date`/`datetime.datetime` as calamine types them; an .ods TRUE reads 1.

Only regular files are opened (`files.open_regular`): a named pipe, a socket or a
device is `not-a-regular-file`. Calamine aborts the process when an allocation
fails, so callers run it in a worker that may die (`urbsurvey.intake.workers`).

Modules: `workbook` (the entry point, calamine), `files`, `model` (what is returned, what
the checks share), `limits`, `sniff` (format by content), `zip` and `packages`
(zip packages), `xmlscan`, `xlsx`, `ods`, `ole` and `biff` (xls), `text` (the cells'
text against its limit).
"""

from __future__ import annotations

from .files import NotAFile, open_regular, read_regular
from .limits import MAX_FILE_BYTES, MAX_MEMBERS, MAX_ROWS
from .model import ReadError, Sheet, cell_ref
from .workbook import Workbook, read_workbook, read_workbook_bytes

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_MEMBERS",
    "MAX_ROWS",
    "NotAFile",
    "ReadError",
    "Sheet",
    "Workbook",
    "cell_ref",
    "open_regular",
    "read_regular",
    "read_workbook",
    "read_workbook_bytes",
]

"""The bounds a returned workbook must stay within; a file over one is `file-too-large`.

The other modules of the package read these as `limits.NAME` when they run, so a
test lowers one for the whole reader with `monkeypatch.setattr(limits, "MAX_ROWS", 9)`
(patching the copy re-exported by `urbsurvey.reader` changes nothing).
"""

from __future__ import annotations

#: Largest file read at all (bytes on disk). A questionnaire is a few tens of KB.
MAX_FILE_BYTES = 20 * 1024 * 1024
#: Largest sum of the declared uncompressed sizes of a package's XML parts.
MAX_XML_BYTES = 100 * 1024 * 1024
#: Most members (parts) a zip package may have.
MAX_MEMBERS = 10_000
#: A member inflating more than MAX_RATIO:1 to more than RATIO_MIN_BYTES is a bomb.
MAX_RATIO = 100
RATIO_MIN_BYTES = 10 * 1024 * 1024
#: Largest sheet read, counted from A1 to the last non-empty cell.
MAX_ROWS = 100_000
MAX_COLS = 1_000
MAX_CELLS = 2_000_000
#: Most characters of text a workbook's cells may hold once read, a shared string
#: counted once per cell that shows it (an .xls of 1.4 MB can repeat one 65,535-character
#: string in 180,000 cells: 11.7 GB). calamine and Python each hold a copy.
MAX_TEXT_CHARS = 50_000_000
#: Members compressed to more than this are inflated once to check their declared
#: size even when this package does not need their content (deflate can expand at
#: most ~1032:1, so a smaller member cannot hide more than ~4 MB).
VERIFY_MIN_COMPRESSED = 4096
#: Checked parts are kept (for calamine, see `zip._repack`) up to this many bytes in all.
KEEP_MAX_BYTES = 8 * 1024 * 1024

MB = 1024 * 1024

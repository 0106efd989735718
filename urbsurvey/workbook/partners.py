"""Who a workbook is for: one partner and role, or a list of them from a CSV file."""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from ..definition import Role
from ..errors import PartnerListError


@dataclass(frozen=True, slots=True)
class WorkbookSpec:
    """Who a workbook is for, and what the survey tells them (from survey.yaml)."""

    partner: str | None = None
    role: Role = Role.CITY
    lang: str = "en"
    interview: bool = False
    organisation: str | None = None
    country: str | None = None
    deadline: dt.date | None = None
    return_to: str | None = None
    contact: str | None = None


_UNSAFE = re.compile(r"[^\w.-]+")
_RESERVED_NAMES = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"com{i}" for i in range(1, 10)}
    | {f"lpt{i}" for i in range(1, 10)}
)


def safe_filename(stem: str, suffix: str) -> str:
    """A file name from untrusted text: no folders, no dots at the start, no device names."""
    name = _UNSAFE.sub("-", stem).strip("-._")[:80] or "partner"
    first, dot, rest = name.partition(".")
    if first.lower() in _RESERVED_NAMES:  # Windows devices, whatever follows the first dot
        name = f"{first}-file{dot}{rest}"
    return name + suffix


def read_partner_list(path: Path, default_lang: str = "en") -> list[WorkbookSpec]:
    """A partner list as people save it from Excel: columns `partner`, optional `role`, `lang`.

    UTF-8 with or without a byte order mark, or Windows-1252/Latin-1; separated by `;`, `,`
    or tabs; headers and roles in any case (`Partner`, `Managing authority`). Rows without
    a language get `default_lang`.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PartnerListError(f"cannot read {path}: {exc.strerror}") from exc
    rows = _rows(_decode(data))
    return [_spec(path, line, row, default_lang) for line, row in rows]


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            return data.decode("latin-1")


def _rows(text: str) -> list[tuple[int, dict[str, str]]]:
    """(line, row) with header names lower case; the separator is the header's commonest."""
    lines = text.splitlines()
    header = lines[0] if lines else ""
    delimiter = max(";\t,", key=header.count)
    reader = csv.reader(lines, delimiter=delimiter)
    names = [n.strip().lower() for n in next(reader, [])]
    return [
        (line, dict(zip(names, (cell.strip() for cell in cells), strict=False)))
        for line, cells in enumerate(reader, start=2)
        if any(cell.strip() for cell in cells)
    ]


def _spec(path: Path, line: int, row: dict[str, str], default_lang: str) -> WorkbookSpec:
    partner = row.get("partner", "")
    if not partner:
        raise PartnerListError(
            f"{path}, line {line}: no partner name",
            hint="The file needs a header row with a `partner` column "
            "(and optional `role`, `lang`).",
        )
    role_text = row.get("role") or "city"
    try:
        role = Role("_".join(role_text.lower().split()))
    except ValueError as exc:
        roles = ", ".join(r.value for r in Role)
        raise PartnerListError(
            f"{path}, line {line}: unknown role {role_text!r}", hint=f"Use one of: {roles}."
        ) from exc
    return WorkbookSpec(partner, role, (row.get("lang") or "").lower() or default_lang)

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


def read_partner_list(path: Path) -> list[WorkbookSpec]:
    """Partners CSV: columns `partner`, optional `role` (default city) and `lang`."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.DictReader(fh))
    except OSError as exc:
        raise PartnerListError(f"cannot read {path}: {exc.strerror}") from exc
    specs = []
    for line, row in enumerate(rows, start=2):
        partner = (row.get("partner") or "").strip()
        if not partner:
            raise PartnerListError(
                f"{path}, line {line}: no partner name",
                hint="The CSV needs a header row with a `partner` column "
                "(and optional `role`, `lang`).",
            )
        role_text = (row.get("role") or "city").strip() or "city"
        try:
            role = Role(role_text)
        except ValueError as exc:
            roles = ", ".join(r.value for r in Role)
            raise PartnerListError(
                f"{path}, line {line}: unknown role {role_text!r}", hint=f"Use one of: {roles}."
            ) from exc
        specs.append(WorkbookSpec(partner, role, (row.get("lang") or "").strip() or "en"))
    return specs

"""Dates: date cells, Excel serial numbers, "15/10/2009", "2009-10-15", "15 October 2009"."""

from __future__ import annotations

import datetime
import math
import re

from ..issues import IssueCode
from .errors import _error
from .tables import _MONTHS
from .text import MAX_TEXT_LENGTH, normalise

_TIME = r"(?:[ t][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?)?"
_ISO_DATE_RE = re.compile(rf"([0-9]{{4}})([-/.])([0-9]{{1,2}})\2([0-9]{{1,2}}){_TIME}")
_DMY_DATE_RE = re.compile(
    rf"([0-9]{{1,2}}) ?([-/.]) ?([0-9]{{1,2}}) ?\2 ?([0-9]{{4}}|[0-9]{{2}})\.?{_TIME}"
)
_DAY_MONTH_NAME_RE = re.compile(
    r"([0-9]{1,2})(?:(?:st|nd|rd|th|er|o)(?![a-z]))?\.?[ \-/]?(?:de |of )?"
    r"([a-z]+)\.?[ \-/,]*(?:del? )?([0-9]{4}|[0-9]{2})"
)
_MONTH_NAME_DAY_RE = re.compile(r"([a-z]+)\.? ?([0-9]{1,2})(?:st|nd|rd|th)?,? ?([0-9]{4})")

_EXCEL_MAX_SERIAL = 2958465  # 9999-12-31
_EXCEL_EPOCH = datetime.date(1899, 12, 30)  # serial 0 for serials after the fake 1900-02-29


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < 70 else 1900
    return year


def _from_excel_serial(value: object, serial: int) -> datetime.date:
    if serial < 1 or serial > _EXCEL_MAX_SERIAL:
        raise _error(IssueCode.INVALID_DATE, value, "is not a date.")
    if serial == 60:  # Excel's 29 February 1900, which never existed
        raise _error(IssueCode.INVALID_DATE, value, "is not a real calendar date.")
    if serial < 60:
        return _EXCEL_EPOCH + datetime.timedelta(days=serial + 1)
    return _EXCEL_EPOCH + datetime.timedelta(days=serial)


def _date_from_text(value: object, text: str) -> datetime.date:
    if len(text) > MAX_TEXT_LENGTH:
        raise _error(IssueCode.INVALID_DATE, value, "is not a date.")
    cleaned = normalise(text)
    parts: tuple[int, int, int] | None = None  # year, month, day
    if match := _ISO_DATE_RE.fullmatch(cleaned):
        parts = int(match[1]), int(match[3]), int(match[4])
    elif match := _DMY_DATE_RE.fullmatch(cleaned):
        parts = _year(match[4]), int(match[3]), int(match[1])
    elif (match := _DAY_MONTH_NAME_RE.fullmatch(cleaned)) and match[2] in _MONTHS:
        parts = _year(match[3]), _MONTHS[match[2]], int(match[1])
    elif (match := _MONTH_NAME_DAY_RE.fullmatch(cleaned)) and match[1] in _MONTHS:
        parts = int(match[3]), _MONTHS[match[1]], int(match[2])
    if parts is None:
        raise _error(IssueCode.INVALID_DATE, value, "is not a date.")
    try:
        return datetime.date(*parts)
    except ValueError:
        raise _error(IssueCode.INVALID_DATE, value, "is not a real calendar date.") from None


def parse_date(value: object) -> datetime.date:
    """Read a date: a date cell, an Excel serial number, or text such as "15/10/2009"."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, bool):
        raise _error(IssueCode.INVALID_DATE, value, "is not a date.")
    if isinstance(value, int):
        return _from_excel_serial(value, value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _error(IssueCode.INVALID_DATE, value, "is not a date.")
        return _from_excel_serial(value, math.floor(value))
    if isinstance(value, str):
        return _date_from_text(value, value)
    raise _error(IssueCode.INVALID_DATE, value, "is not a date.")

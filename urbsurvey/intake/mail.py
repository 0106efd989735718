"""Returns as they arrive: workbooks attached to saved e-mails.

A `.eml` file, an mbox file (`.mbox`, `.mbx`) or a Maildir folder (one with `cur/` and
`new/`) is read with the standard library's `email` and `mailbox`. Each spreadsheet
attachment becomes a `MailItem`: a display name (`message.eml › budget.xlsx`), its bytes
and its provenance (message, sender, date, subject, attachment). The bytes are read by
the same reader, with the same limits, as a file; nothing is written to disk. A message
with no spreadsheet attached is an item carrying a `mail-no-workbook` issue.

Outlook `.msg` files are not read (see the README): the one library that reads them
parses the OLE container in-process with a large tree of dependencies.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from ..issues import Issue, IssueCode, make_issue

if TYPE_CHECKING:  # the email modules are imported by what reads e-mail, not by every run
    import mailbox
    from email.message import Message

#: File name endings read as saved e-mail (a folder is read when it is a Maildir).
MAIL_SUFFIXES = frozenset({".eml", ".mbox", ".mbx"})
#: Attachments read as workbooks: by name, or by declared type when the name says nothing.
SHEET_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".ods", ".xlsb"})
SHEET_TYPES = frozenset(
    {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.ms-excel",
        "application/vnd.ms-excel.sheet.macroenabled.12",
        "application/vnd.oasis.opendocument.spreadsheet",
    }
)
#: Largest message read (a 20 MB workbook is about 27 MB once base64-encoded).
MAX_MESSAGE_BYTES = 40 * 1024 * 1024
SEPARATOR = " › "
_MAX_NAME = 120


@dataclass(frozen=True, slots=True)
class MailItem:
    """One attachment to read, or (with `issue`) a message that has none."""

    display: str
    data: bytes | None
    received: float  # the message's date as a timestamp (0 when it has none)
    provenance: dict[str, str] = field(default_factory=dict)
    issue: Issue | None = None


def is_maildir(path: Path) -> bool:
    return path.is_dir() and (path / "cur").is_dir() and (path / "new").is_dir()


def is_mail(path: Path) -> bool:
    return path.suffix.lower() in MAIL_SUFFIXES or is_maildir(path)


def mail_items(path: Path, display: str) -> Iterator[MailItem]:
    """Every attachment of every message in a saved e-mail, mbox or Maildir."""
    import mailbox

    if is_maildir(path):
        box: mailbox.Mailbox = mailbox.Maildir(path, factory=None, create=False)
        yield from _box(box, display, lambda key: f"{display}/{key}")
    elif path.suffix.lower() in (".mbox", ".mbx"):
        box = mailbox.mbox(path, create=False)
        keys = {key: n for n, key in enumerate(sorted(box.keys()), start=1)}
        yield from _box(box, display, lambda key: f"{display} #{keys[key]}")
    else:
        try:
            size = path.stat().st_size
            data = b"" if size > MAX_MESSAGE_BYTES else path.read_bytes()
        except OSError as exc:
            yield _problem(
                IssueCode.CORRUPT_FILE, display, f"cannot be opened ({exc.strerror or exc})"
            )
            return
        if size > MAX_MESSAGE_BYTES:
            yield _too_large(display, size)
            return
        yield from message_items(data, display)


def _box(box: mailbox.Mailbox, display: str, name: object) -> Iterator[MailItem]:
    assert callable(name)
    try:
        keys = sorted(box.keys())
    except OSError as exc:
        yield _problem(IssueCode.CORRUPT_FILE, display, f"cannot be opened ({exc.strerror or exc})")
        return
    for key in keys:
        try:
            data = box.get_bytes(key)
        except (OSError, KeyError) as exc:
            yield _problem(IssueCode.CORRUPT_FILE, name(key), f"cannot be read ({exc})")
            continue
        if len(data) > MAX_MESSAGE_BYTES:
            yield _too_large(name(key), len(data))
            continue
        yield from message_items(data, name(key))
    box.close()


def message_items(data: bytes, display: str) -> Iterator[MailItem]:
    """The spreadsheet attachments of one message (its raw bytes)."""
    import email.policy

    msg = email.message_from_bytes(data, policy=email.policy.compat32)
    provenance = _provenance(msg, display)
    received = _timestamp(msg)
    others: list[str] = []
    found = 0
    for part in msg.walk():
        if part.is_multipart():
            continue
        filename = _filename(part)
        if not filename and part.get_content_disposition() != "attachment":
            continue  # the message's text
        if not _is_sheet(filename, part.get_content_type()):
            others.append(filename or part.get_content_type())
            continue
        found += 1
        name = filename or f"attachment-{found}"
        payload = part.get_payload(decode=True)
        yield MailItem(
            display=f"{display}{SEPARATOR}{name}",
            data=payload if isinstance(payload, bytes) else b"",
            received=received,
            provenance={**provenance, "attachment": name},
        )
    if not found:
        what = f" (attached: {', '.join(others)})" if others else ""
        sender, subject = provenance.get("sender", "?"), provenance.get("subject", "")
        yield MailItem(
            display=display,
            data=None,
            received=received,
            provenance=provenance,
            issue=make_issue(
                IssueCode.MAIL_NO_WORKBOOK,
                display,
                f"{display}: the message from {sender} ({subject!r}) has no spreadsheet "
                f"attached{what}.",
            ),
        )


def _provenance(msg: Message, display: str) -> dict[str, str]:
    found = {"message": display}
    for key, header in (("sender", "From"), ("subject", "Subject"), ("message_id", "Message-ID")):
        value = _header(msg, header)
        if value:
            found[key] = value
    when = _timestamp(msg)
    if when:
        import datetime as dt

        found["date"] = dt.datetime.fromtimestamp(when, dt.UTC).isoformat(timespec="seconds")
    return found


def _header(msg: Message, name: str) -> str:
    """A header decoded to text (`=?utf-8?…?=` words included), control characters out."""
    from email.header import decode_header, make_header

    raw = msg.get(name)
    if raw is None:
        return ""
    try:
        text = str(make_header(decode_header(str(raw))))
    except (ValueError, LookupError, UnicodeError):
        text = str(raw)
    return " ".join(text.split())[:500]


def _timestamp(msg: Message) -> float:
    from email.utils import parsedate_to_datetime

    raw = msg.get("Date")
    if not raw:
        return 0.0
    try:
        return parsedate_to_datetime(str(raw)).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return 0.0


def _filename(part: Message) -> str:
    """The attachment's name, never a path: only its last component, shortened."""
    try:
        name = part.get_filename() or ""
    except (ValueError, LookupError, UnicodeError):
        name = ""
    name = PurePosixPath(name.replace("\\", "/")).name
    return "".join(ch for ch in name if ch.isprintable())[:_MAX_NAME]


def _is_sheet(filename: str, content_type: str) -> bool:
    suffix = PurePosixPath(filename).suffix.lower()
    if suffix:
        return suffix in SHEET_SUFFIXES
    return content_type.lower() in SHEET_TYPES


def _problem(code: IssueCode, display: str, detail: str) -> MailItem:
    return MailItem(
        display, None, 0.0, {"message": display}, make_issue(code, display, f"{display}: {detail}")
    )


def _too_large(display: str, size: int) -> MailItem:
    mb = size / (1024 * 1024)
    return _problem(
        IssueCode.FILE_TOO_LARGE,
        display,
        f"the message is {mb:.0f} MB, more than the {MAX_MESSAGE_BYTES // (1024 * 1024)} MB "
        "a returned questionnaire needs",
    )

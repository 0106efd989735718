"""One returned workbook → a `Submission`: respondent, answers and issues, cell by cell.

Answers are found through the `ID`/`Answer` header, never by fixed positions,
so inserted or reordered rows, a renamed sheet or extra sheets do not shift an
answer to the wrong question.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..definition import Choice, Question, Questionnaire, QuestionType, Role, text
from ..issues import Issue, IssueCode, make_issue
from ..parsing import ParseError, decimal_separator_for_country, normalise, parse_yes_no
from ..parsing.text import has_unsafe_chars
from ..reader import (
    NotAFile,
    ReadError,
    Sheet,
    Workbook,
    cell_ref,
    limits,
    open_regular,
    read_regular,
    read_workbook,
    read_workbook_bytes,
)
from ..vocabulary import Kind
from ..workbook import contract
from .answers import Answer, AssumedCurrency, Interpreter, raw_text
from .found import printable
from .record import Submission, condition_holds, unopenable
from .workers import Failure


@dataclass(frozen=True, slots=True)
class PartnerInfo:
    """What ingest needs to know of an expected partner."""

    name: str
    country: str | None = None
    aliases: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    currency: AssumedCurrency | None = None  # what the partner's bare amounts are read in


@dataclass
class Context:
    """Everything a workbook is checked against, built once per batch."""

    questionnaire: Questionnaire
    interpreter: Interpreter
    partners: list[PartnerInfo] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._partner_index = {
            normalise(name): p for p in self.partners for name in (p.name, *p.aliases)
        }
        self._partner_emails = {e.strip().lower(): p for p in self.partners for e in p.emails}
        self._roles = _role_words()
        # Built once, not per workbook.
        self.questions = self.questionnaire.questions()
        self.question_ids = frozenset(question.id for question in self.questions)
        # The only questions `_check_required_and_skips` has anything to check for.
        # Tick rows of multiple choices: their IDs are not questions but are expected.
        #: Each multiple choice's options with the IDs of their tick rows.
        self.tick_rows = {
            question.id: [
                (choice, f"{question.id}{contract.OPTION_SEPARATOR}{choice.code}")
                for choice in question.choices
            ]
            for question in self.questions
            if question.type is QuestionType.MULTIPLE_CHOICE
        }
        self.option_ids = frozenset(
            row_id for ticks in self.tick_rows.values() for _, row_id in ticks
        )
        self.required_or_conditional = [
            question
            for question in self.questions
            if question.required or question.ask_when is not None
        ]

    def find_partner(self, name: str) -> PartnerInfo | None:
        return self._partner_index.get(normalise(name))

    def partner_by_email(self, address: str) -> PartnerInfo | None:
        return self._partner_emails.get(address.strip().lower())

    def role(self, text: str) -> Role | None:
        return self._roles.get(normalise(text))


def _role_words() -> dict[str, Role]:
    """Role codes and their labels in every workbook language."""
    from ..workbook.words import ui_words

    words: dict[str, Role] = {}
    for role in Role:
        words[normalise(role.value)] = role
        words[normalise(role.value.replace("_", " "))] = role
        for table in ui_words().values():
            label = table.get("roles", {}).get(role.value)
            if label:
                words[normalise(label)] = role
    return words


def sha256_of(path: Path) -> str:
    """The content's digest; `NotAFile` for a pipe, socket or device (never read)."""
    digest = hashlib.sha256()
    with open_regular(path) as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def failure_issue(name: str, failure: Failure) -> Issue:
    """What a worker's death on a file says: the limit it hit, or that it crashed."""
    too_much = failure.kind in ("memory", "time")
    code = IssueCode.FILE_TOO_LARGE if too_much else IssueCode.CORRUPT_FILE
    return make_issue(code, name, f"{name}: not read: {failure.detail}.")


def failed_submission(path: Path, name: str, failure: Failure) -> Submission:
    """The unreadable submission for a file its worker died on (stored, so not retried)."""
    issue = failure_issue(name, failure)
    try:
        sub = Submission(file=name, sha256=sha256_of(path), mtime=path.stat().st_mtime)
    except OSError:
        sub = Submission(file=name, sha256="")
    sub.readable = False
    sub.issues.append(issue)
    return sub


def not_a_file(name: str, exc: NotAFile) -> Issue:
    """The issue for a pipe, socket or device named like a workbook: it is never opened."""
    return make_issue(
        IssueCode.NOT_A_REGULAR_FILE,
        name,
        f"{name}: is {exc.kind}, not a file; only regular files are read.",
    )


def read_submission(path: Path, ctx: Context, display: str | None = None) -> Submission:
    """Read, parse and check one returned workbook. Never raises for bad data.

    The file is read once: the bytes hashed are the bytes parsed.
    """
    sub, book = open_submission(path, display)
    return sub if book is None else check_submission(book, sub, ctx)


def open_submission(
    path: Path, display: str | None = None
) -> tuple[Submission, Workbook | Issue | None]:
    """The first half of `read_submission`: the file read and opened as a workbook (or the
    issue why not), with its submission as yet unchecked (name, hash, time); no workbook
    when the file cannot even be opened (the submission says why). `check_submission`
    is the second half."""
    name = display or printable(str(path))
    try:
        data, mtime = _file_bytes(path)
        if data is None:  # over the reader's size limit: hashed in chunks, refused unread
            sub = Submission(file=name, sha256=sha256_of(path), mtime=mtime)
            return sub, read_workbook(path, display_name=name)
    except NotAFile as exc:
        return Submission(
            file=name, sha256="", readable=False, issues=[not_a_file(name, exc)]
        ), None
    except OSError as exc:
        return Submission(
            file=name, sha256="", readable=False, issues=[unopenable(name, exc)]
        ), None
    sub = Submission(file=name, sha256=hashlib.sha256(data).hexdigest(), mtime=mtime)
    return sub, read_workbook_bytes(data, name, path=path)


def _file_bytes(path: Path) -> tuple[bytes | None, float]:
    """The file's content (None if it is larger than the reader reads) and its mtime."""
    data, st = read_regular(path, limits.MAX_FILE_BYTES)  # read when called: a test may lower it
    return data, st.st_mtime


def read_submission_bytes(
    data: bytes,
    ctx: Context,
    display: str,
    *,
    mtime: float = 0.0,
    provenance: dict[str, str] | None = None,
) -> Submission:
    """`read_submission` for a workbook given as bytes (an e-mail attachment)."""
    sub = Submission(
        file=display,
        sha256=hashlib.sha256(data).hexdigest(),
        mtime=mtime,
        provenance=dict(provenance or {}),
    )
    return check_submission(read_workbook_bytes(data, display), sub, ctx)


def check_submission(book: Workbook | Issue, sub: Submission, ctx: Context) -> Submission:
    """The opened workbook's answers read and checked into `sub` (the second half of
    `read_submission`; `open_submission` is the first)."""
    if has_unsafe_chars(sub.file):
        message = "The file name holds control or right-to-left characters."
        sub.flag(IssueCode.SUSPICIOUS_NAME, message)
    if isinstance(book, Issue):
        sub.readable = False
        sub.issues.append(book)
        return sub
    sub.format = book.format
    try:
        _read(book, sub, ctx)
    except ReadError as exc:
        sub.readable = False
        sub.issues.append(exc.issue)
    sub.answer_count = len(sub.answers)
    return sub


def _read(book: Workbook, sub: Submission, ctx: Context) -> None:
    q = ctx.questionnaire
    stamp = _stamp(book)
    if not _check_stamp(stamp, sub, q):
        return  # made for another questionnaire: its rows mean something else
    if book.has_macros:
        sub.flag(IssueCode.MACROS_PRESENT, "The workbook contains macros (not run).")
    located = _find_header(book)
    if located is None:
        sub.flag(
            IssueCode.MISSING_HEADER,
            f"No sheet has a header row with `ID` and `Answer` cells "
            f"(sheets: {', '.join(book.sheet_names)}).",
        )
        return
    sheet, header_row, columns = located
    rows = _rows_by_id(sheet, header_row, columns, sub)
    _respondent(rows, sheet, sub, ctx, stamp)
    info = ctx.find_partner(sub.partner) if sub.partner else None
    country = info.country if info else None
    reading = _Reading(decimal_separator_for_country(country), info.currency if info else None)
    _answers(book, rows, sheet, columns, sub, ctx, reading)
    _remember_issue_rows(rows, sheet, sub)


@dataclass(frozen=True, slots=True)
class _Reading:
    """How this partner's figures are read: its decimal separator and currency."""

    decimal_separator: str | None
    currency: AssumedCurrency | None


def _remember_issue_rows(rows: dict[str, _Row], sheet: Sheet, sub: Submission) -> None:
    """The ID and text of each answers-sheet row an issue points at (a fix request places
    its comment on that question); only those, so a batch stays small."""
    wanted = {
        int(digits)
        for issue in sub.issues
        if issue.sheet == sheet.name and issue.cell
        for digits in [issue.cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")]
        if digits.isdigit()
    }
    for qid, row in rows.items():
        if row.index + 1 in wanted:
            sub.row_ids[row.index + 1] = qid
            sub.row_values[qid] = raw_text(row.value)


def _stamp(book: Workbook) -> dict[str, str]:
    if contract.STAMP_SHEET not in book.sheet_names:
        return {}
    rows = book.sheet(contract.STAMP_SHEET).rows
    return {raw_text(r[0]): raw_text(r[1]) for r in rows if len(r) >= 2 and r[0] not in (None, "")}


def _check_stamp(stamp: dict[str, str], sub: Submission, q: Questionnaire) -> bool:
    """Check the stamp against the questionnaire; False when the workbook is for another."""
    sub.questionnaire, sub.version, sub.fingerprint = q.id, q.version, q.fingerprint()
    if not stamp:
        sub.flag(
            IssueCode.MISSING_STAMP,
            f"No version stamp; the answers were read as questionnaire {q.id!r} "
            f"version {q.version}.",
        )
        return True
    sub.kind = _kind(stamp.get("kind"))
    sub.language = stamp.get("language") or None
    stamped = stamp.get("questionnaire", "")
    if stamped != q.id:
        sub.flag(
            IssueCode.QUESTIONNAIRE_MISMATCH,
            f"The workbook was made for questionnaire {stamped!r}, but this survey uses {q.id!r}.",
            contract.STAMP_SHEET,
            "B1",
        )
        sub.questionnaire, sub.version, sub.fingerprint = stamped, stamp.get("version"), None
        return False
    if stamp.get("version") != q.version or stamp.get("fingerprint") != q.fingerprint():
        sub.version = stamp.get("version") or q.version
        sub.flag(
            IssueCode.VERSION_MISMATCH,
            f"The workbook was made from version {stamp.get('version')!r} "
            f"(fingerprint {stamp.get('fingerprint')}); the survey uses version "
            f"{q.version!r} (fingerprint {q.fingerprint()}).",
            contract.STAMP_SHEET,
            "B2",
        )
    return True


def _kind(stamped: str | None) -> Kind:
    """The stamp's kind; a stamp edited to something else is read as a questionnaire."""
    try:
        return Kind(stamped or Kind.QUESTIONNAIRE)
    except ValueError:
        return Kind.QUESTIONNAIRE


@functools.cache
def _header_words() -> dict[str, str]:
    from ..workbook.words import header_words

    return header_words()


@functools.cache
def _responses_names() -> frozenset[str]:
    from ..workbook.words import sheet_words

    return sheet_words("responses")


def _header_columns(row: Sequence[object]) -> dict[str, int] | None:
    """The header row's columns by key, its words in any workbook language."""
    words = _header_words()
    found: dict[str, int] = {}
    for col, value in enumerate(row):
        if isinstance(value, str):
            key = words.get(value.strip().lower())
            if key is not None and key not in found:
                found[key] = col
    return found if all(h.lower() in found for h in contract.REQUIRED_HEADERS) else None


def _find_header(book: Workbook) -> tuple[Sheet, int, dict[str, int]] | None:
    """The answers sheet and its header row: `Responses` (in any language) first, then any
    other sheet."""
    names = _responses_names()
    preferred = [n for n in book.sheet_names if n.strip().lower() in names]
    others = [n for n in book.sheet_names if n not in preferred and n != contract.STAMP_SHEET]
    for name in preferred + others:
        sheet = book.sheet(name)
        for r, row in enumerate(sheet.rows[: contract.HEADER_SEARCH_ROWS]):
            columns = _header_columns(row)
            if columns is not None:
                return sheet, r, columns
    return None


# Answer cells sit in the same few rows of every workbook.
_cell_ref = functools.lru_cache(maxsize=4096)(cell_ref)


@dataclass(slots=True)
class _Row:
    index: int
    value: object
    note: str


def _rows_by_id(
    sheet: Sheet, header_row: int, columns: dict[str, int], sub: Submission
) -> dict[str, _Row]:
    id_col, answer_col = columns["id"], columns["answer"]
    notes_col = columns.get("notes")
    rows: dict[str, _Row] = {}
    for r, row in enumerate(sheet.rows[header_row + 1 :], header_row + 1):
        width = len(row)
        cell = row[id_col] if id_col < width else None
        if cell is None:  # a section title or an empty row
            continue
        qid = cell.strip() if type(cell) is str else raw_text(cell)
        if not qid:
            continue
        value = row[answer_col] if answer_col < width else None
        noted = row[notes_col] if notes_col is not None and notes_col < width else None
        note = "" if noted is None else raw_text(noted)
        if qid in rows:
            first = cell_ref(rows[qid].index, id_col)
            sub.flag(
                IssueCode.DUPLICATE_QUESTION,
                f"Question {qid!r} appears again (first at {first}); this row was ignored.",
                sheet.name,
                cell_ref(r, id_col),
            )
            continue
        rows[qid] = _Row(r, value, note)
    for first_row, first_col, last_row, last_col in sheet.merged:
        if first_col <= answer_col <= last_col and last_row > first_row > header_row:
            sub.flag(
                IssueCode.MERGED_ANSWER,
                f"Answer cells {cell_ref(first_row, answer_col)}:"
                f"{cell_ref(last_row, answer_col)} are merged.",
                sheet.name,
                cell_ref(first_row, answer_col),
            )
    return rows


def _respondent(
    rows: dict[str, _Row], sheet: Sheet, sub: Submission, ctx: Context, stamp: dict[str, str]
) -> None:
    fields = {fid: raw_text(rows[fid].value) for fid in contract.RESERVED_FIELDS if fid in rows}
    sub.respondent = {k: v for k, v in fields.items() if v}
    if any(fields.get(f) for f in contract.INTERVIEW_FIELDS):
        sub.kind = Kind.INTERVIEW
    partner_row = rows.get("respondent.partner")
    partner_cell = cell_ref(partner_row.index, 2) if partner_row else None
    partner = fields.get("respondent.partner") or stamp.get("partner", "")
    if not partner and (by_sender := _partner_from_sender(sub, ctx)):
        partner = by_sender.name
        sub.flag(
            IssueCode.PARTNER_FROM_SENDER,
            f"The workbook names no partner; it was attributed to {partner} from the "
            f"sender's address ({sub.provenance.get('sender', '')}).",
            sheet.name,
            partner_cell,
        )
    if not partner:
        sub.flag(
            IssueCode.MISSING_PARTNER, "The partner (city) name is empty.", sheet.name, partner_cell
        )
    elif ctx.partners:
        info = ctx.find_partner(partner)
        if info is None:
            sub.issues.append(_unknown_partner(partner, ctx, sub.file, sheet.name, partner_cell))
        else:
            partner = info.name
    if has_unsafe_chars(partner):
        message = "The partner name holds control or right-to-left characters."
        sub.issues.append(
            make_issue(
                IssueCode.SUSPICIOUS_NAME, sub.file, message, sheet=sheet.name, cell=partner_cell
            )
        )
    sub.partner = partner or None
    role_text = fields.get("respondent.role") or stamp.get("role", "")
    sub.role = ctx.role(role_text) if role_text else Role.CITY
    if sub.role is None:
        role_row = rows.get("respondent.role")
        sub.flag(
            IssueCode.INVALID_ROLE,
            f"{role_text!r} is not a respondent role (city, managing authority, other).",
            sheet.name,
            cell_ref(role_row.index, 2) if role_row else None,
        )


def closest_partner(name: str, partners: Sequence[PartnerInfo]) -> PartnerInfo | None:
    """The expected partner a misspelt name most likely means (`Birmingam` → Birmingham)."""
    import difflib

    names = {normalise(n): p for p in partners for n in (p.name, *p.aliases)}
    close = difflib.get_close_matches(normalise(name), list(names), n=1, cutoff=0.8)
    return names[close[0]] if close else None


def _unknown_partner(partner: str, ctx: Context, file: str, sheet: str, cell: str | None) -> Issue:
    guess = closest_partner(partner, ctx.partners)
    if guess is None:
        known = ", ".join(p.name for p in ctx.partners)
        message = f"{partner!r} is not an expected partner (expected: {known})."
        return make_issue(IssueCode.UNKNOWN_PARTNER, file, message, sheet=sheet, cell=cell)
    return make_issue(
        IssueCode.UNKNOWN_PARTNER,
        file,
        f"{partner!r} is not an expected partner; did you mean {guess.name}?",
        sheet=sheet,
        cell=cell,
        hint=f"If it is {guess.name}, correct the name in the workbook, or add {partner!r} to "
        f"its aliases in survey.yaml; until then its answers are not counted for {guess.name}.",
    )


def _partner_from_sender(sub: Submission, ctx: Context) -> PartnerInfo | None:
    from email.utils import parseaddr

    sender = sub.provenance.get("sender")
    return ctx.partner_by_email(parseaddr(sender)[1]) if sender else None


def _answers(
    book: Workbook,
    rows: dict[str, _Row],
    sheet: Sheet,
    columns: dict[str, int],
    sub: Submission,
    ctx: Context,
    reading: _Reading,
) -> None:
    answer_col = columns["answer"]
    _flag_unknown_rows(rows, sheet, columns["id"], sub, ctx)
    # Most workbooks mark no cell (no saved error, formula without a value or link): then
    # only an error's text in the cell itself can make an answer no value.
    marked = book.error_cells or book.formulas_without_value or book.external_link_cells
    for question in ctx.questions:
        found = rows.get(question.id)
        if found is None:
            continue
        row = found
        cell = _cell_ref(row.index, answer_col)
        if (marked or _error_literal(row.value) is not None) and not _has_a_value(
            book, sheet.name, cell, question.id, sub, row.value
        ):
            continue
        if question.type is QuestionType.MULTIPLE_CHOICE:
            ticked, tick_cell = _ticked(
                question, ctx.tick_rows[question.id], rows, sheet, answer_col, sub
            )
            if ticked:
                _tick_answer(question, row, ticked, sheet.name, cell, tick_cell, sub, ctx)
                continue
        # text is kept exactly as typed (a leading tab or `=` included); values are parsed apart
        raw = row.value if isinstance(row.value, str) else raw_text(row.value)
        if not raw.strip():
            if row.note:
                sub.answers[question.id] = Answer(
                    question.id, "", None, sheet.name, cell, note=row.note
                )
            continue
        result = ctx.interpreter.interpret(
            question,
            row.value,
            decimal_separator=reading.decimal_separator,
            partner_currency=reading.currency,
        )
        for problem in result.problems:
            sub.flag(problem.code, f"{question.id}: {problem.message}", sheet.name, cell)
        sub.answers[question.id] = Answer(
            question.id, raw, result.value, sheet.name, cell, result.valid, row.note
        )
    _check_required_and_skips(rows, sheet, answer_col, sub, ctx.required_or_conditional)


def _flag_unknown_rows(
    rows: dict[str, _Row], sheet: Sheet, id_col: int, sub: Submission, ctx: Context
) -> None:
    q = ctx.questionnaire
    for qid, row in rows.items():
        if (
            qid not in ctx.question_ids
            and qid not in contract.RESERVED_IDS
            and qid not in ctx.option_ids
        ):
            sub.flag(
                IssueCode.UNKNOWN_QUESTION,
                f"Row ID {qid!r} is not a question of {q.id!r}.",
                sheet.name,
                cell_ref(row.index, id_col),
            )


def _has_a_value(
    book: Workbook, sheet: str, cell: str, qid: str, sub: Submission, value: object
) -> bool:
    """False for a formula with no saved result or an error saved as its value (#DIV/0!);
    a value linked from elsewhere is flagged."""
    error = book.error_cells.get((sheet, cell)) or _error_literal(value)
    if error is not None:
        sub.flag(
            IssueCode.ERROR_VALUE,
            f"The answer to {qid!r} is the error {error}, not a value.",
            sheet,
            cell,
        )
        return False
    if (sheet, cell) in book.formulas_without_value:
        sub.flag(
            IssueCode.FORMULA_NO_VALUE,
            f"The answer to {qid!r} is a formula with no saved value.",
            sheet,
            cell,
        )
        return False
    if (sheet, cell) in book.external_link_cells:
        sub.flag(
            IssueCode.EXTERNAL_LINK,
            f"The answer to {qid!r} comes from a link to another workbook.",
            sheet,
            cell,
        )
    return True


_TICKS = frozenset({"✓", "✔", "☑", "x", "X"})


def _is_ticked(value: object) -> bool | None:
    """A tick cell: ✓ (or x, yes, 1) ticked, empty (or no, 0) not; None for anything else."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return False
    if isinstance(value, str) and value.strip() in _TICKS:
        return True
    try:
        return parse_yes_no(value)
    except ParseError:
        return None


def _ticked(
    question: Question,
    tick_rows: list[tuple[Choice, str]],
    rows: dict[str, _Row],
    sheet: Sheet,
    answer_col: int,
    sub: Submission,
) -> tuple[list[str], str | None]:
    """The options ticked in a multiple choice's tick rows (`Context.tick_rows`), and the
    first ticked cell."""
    codes: list[str] = []
    first: str | None = None
    for choice, row_id in tick_rows:
        row = rows.get(row_id)
        if row is None:
            continue
        cell = _cell_ref(row.index, answer_col)
        ticked = _is_ticked(row.value)
        if ticked is None:
            sub.flag(
                IssueCode.INVALID_TICK,
                f"{question.id}: {raw_text(row.value)!r} is not a tick for "
                f"{text(choice.label, 'en')!r}.",
                sheet.name,
                cell,
            )
        elif ticked:
            codes.append(choice.code)
            first = first or cell
    return codes, first


def _tick_answer(
    question: Question,
    row: _Row,
    ticked: list[str],
    sheet: str,
    typed_cell: str,
    tick_cell: str | None,
    sub: Submission,
    ctx: Context,
) -> None:
    """A multiple choice answered by ticks, and possibly also typed in the question's row."""
    codes = set(ticked)
    typed = row.value
    raw_typed = raw_text(typed)
    valid = True
    if raw_typed:
        result = ctx.interpreter.interpret(question, typed)
        for problem in result.problems:
            sub.flag(problem.code, f"{question.id}: {problem.message}", sheet, typed_cell)
        valid = result.valid
        codes.update(result.value if isinstance(result.value, list) else [])
    value = [c.code for c in question.choices if c.code in codes]
    labels = "; ".join(text(c.label, "en") for c in question.choices if c.code in ticked)
    raw = f"{raw_typed}; {labels}" if raw_typed else labels
    cell = typed_cell if raw_typed else (tick_cell or typed_cell)
    sub.answers[question.id] = Answer(question.id, raw, value, sheet, cell, valid, row.note)


#: What a cell shows for a formula that failed, in Excel and LibreOffice (ods and xls
#: keep the text; xlsx cells typed t="e" are found by the reader).
_ERROR_LITERALS = frozenset(
    {"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#GETTING_DATA"}
)


def _error_literal(value: object) -> str | None:
    if isinstance(value, str) and (
        value.strip() in _ERROR_LITERALS or (value.startswith("Err:") and value[4:].isdigit())
    ):
        return value.strip()
    return None


def _check_required_and_skips(
    rows: dict[str, _Row],
    sheet: Sheet,
    answer_col: int,
    sub: Submission,
    questions: list[Question],
) -> None:
    interview = sub.kind == Kind.INTERVIEW
    for question in questions:
        answer = sub.answers.get(question.id)
        asked = True
        if question.ask_when is not None:
            source = sub.answers.get(question.ask_when.question)
            if source is not None and source.raw and not source.valid:
                continue  # the answer it depends on is invalid: whether it was asked is unknown
            asked = (
                source is not None
                and not source.hidden
                and condition_holds(question.ask_when, source.codes())
            )
        if answer is not None and answer.raw and not asked and question.ask_when is not None:
            answer.hidden = True  # kept and shown in the matrix, never counted
            when = question.ask_when
            op = "is one of" if when.in_ is not None else "is not"
            sub.flag(
                IssueCode.SKIPPED_ANSWERED,
                f"{question.id} is asked only when {when.question} {op} "
                f"{', '.join(when.codes)}, but it was answered.",
                sheet.name,
                answer.cell,
            )
        if interview or not asked or not question.required_for(sub.role):
            continue
        if answer is None or not answer.raw:
            row = rows.get(question.id)
            if question.type is QuestionType.MULTIPLE_CHOICE and question.choices:
                # point at the first tick row, where the partner answers
                first = f"{question.id}{contract.OPTION_SEPARATOR}{question.choices[0].code}"
                row = rows.get(first, row)
            sub.flag(
                IssueCode.MISSING_REQUIRED,
                f"{question.id} is required"
                + ("" if row else " but its row is missing from the sheet")
                + ".",
                sheet.name,
                cell_ref(row.index, answer_col) if row else None,
            )

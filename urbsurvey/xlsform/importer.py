"""`urbsurvey questionnaire import`: an XLSForm (.xlsx) as a questionnaire definition.

The form is read with openpyxl, sheet by sheet: `settings` (id, title,
version, default language), `choices` (lists of options) and `survey` (one
row per question or group). Groups become sections, notes the section's
introduction, `label::Français (fr)` columns languages. Only the simple forms
of `constraint` (`. >= 0 and . <= 500`) and `relevant` (`${q} = 'a'`,
`selected(${q}, 'a')`, joined with `or`) are carried over; every other thing
the form holds (calculations, repeats, complex expressions, media questions)
is a `Remark` naming its sheet and row, never silently dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..definition import (
    NUMERIC_TYPES,
    Questionnaire,
    QuestionType,
    cross_check,
)
from ..definition.spec import spec_of, validate
from ..errors import DefinitionError, XLSFormError
from .common import (
    PRECEDENCE_COLUMN,
    REQUIRED_FOR_COLUMN,
    ROLES_SETTING,
    TITLE_SETTING,
    TYPE_COLUMN,
    Remark,
    language_code,
)

_TRUE = frozenset({"yes", "true", "true()", "1", "y"})
_NOT_QUESTIONS = frozenset(
    {
        "calculate",
        "hidden",
        "start",
        "end",
        "today",
        "deviceid",
        "subscriberid",
        "simserial",
        "phonenumber",
        "username",
        "email",
        "audit",
        "start-geopoint",
        "background-audio",
    }
)
_PLAIN_TYPES = {
    "text": QuestionType.SHORT_TEXT,
    "string": QuestionType.SHORT_TEXT,
    "integer": QuestionType.INTEGER,
    "int": QuestionType.INTEGER,
    "decimal": QuestionType.DECIMAL,
    "date": QuestionType.DATE,
}
_SELECT_TYPES = {
    "select_one": QuestionType.SINGLE_CHOICE,
    "select_multiple": QuestionType.MULTIPLE_CHOICE,
}
#: Columns whose content urbsurvey cannot use; each non-empty cell is a remark.
_UNSUPPORTED_COLUMNS = {
    "calculation": "calculations are not carried over",
    "default": "default answers are not carried over",
    "choice_filter": "choice filters are not carried over (all choices are offered)",
    "trigger": "triggers are not carried over",
    "read_only": "read-only questions are not carried over (the question is asked)",
    "repeat_count": "repeat counts are not carried over",
    "constraint_message": "constraint messages are not carried over (urbsurvey writes its own)",
    "required_message": "required messages are not carried over (urbsurvey writes its own)",
}
_CURRENCY = re.compile(r"[€£$]|\b(?:EUR|GBP|USD|RON|currency|money)\b", re.IGNORECASE)
_BOUND = re.compile(r"^\.\s*(>=|<=)\s*(-?\d+(?:\.\d+)?)$")
_EQUALS = re.compile(r"""^\$\{(\w+)\}\s*(=|!=)\s*(['"])(.*?)\3$""")
_SELECTED = re.compile(r"""^selected\(\s*\$\{(\w+)\}\s*,\s*(['"])(.*?)\2\s*\)$""")
_JOIN = re.compile(r"\s+(or|and)\s+")


@dataclass(slots=True)
class ImportResult:
    """The definition read from a form, and what was not carried over."""

    questionnaire: Questionnaire
    remarks: list[Remark]


@dataclass(slots=True)
class _Row:
    number: int
    cells: dict[str, str]

    def get(self, column: str) -> str:
        return self.cells.get(column, "")


@dataclass(slots=True)
class _Texts:
    """Which columns hold a field's text in which language (`label::Français (fr)` → fr)."""

    columns: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> lang -> column
    english_from: str | None = None  # a form without English: the language copied into `en`

    def read(self, row: _Row, name: str) -> dict[str, str]:
        values = {
            lang: row.get(column).strip()
            for lang, column in self.columns.get(name, {}).items()
            if row.get(column).strip()
        }
        if self.english_from and self.english_from in values:
            values.setdefault("en", values[self.english_from])
        return values

    def languages(self) -> list[str]:
        langs = {lang for by_lang in self.columns.values() for lang in by_lang}
        if self.english_from:
            langs.add("en")
        return sorted(langs, key=lambda lang: (lang != "en", lang))


# --- reading the workbook ----------------------------------------------------------


def read_xlsform(path: Path) -> ImportResult:
    """Read an XLSForm; raise XLSFormError if it is not one, DefinitionError if it is invalid."""
    sheets = _read_sheets(path)
    if "survey" not in sheets:
        raise XLSFormError(
            f"{path}: no sheet named `survey`",
            hint="An XLSForm has a `survey` sheet (one row per question), "
            "a `choices` sheet and optionally `settings`.",
        )
    builder = _Builder(path, sheets)
    data = builder.build()
    try:
        questionnaire = validate(data)
    except ValueError as exc:
        raise DefinitionError(str(path), [str(exc)]) from exc
    problems = [
        f"{'.'.join(str(p) for p in loc)}: {message}" for loc, message in cross_check(questionnaire)
    ]
    if problems:
        raise DefinitionError(str(path), problems)
    return ImportResult(questionnaire, builder.remarks)


def _read_sheets(path: Path) -> dict[str, tuple[list[str], list[_Row]]]:
    """Each sheet (by lower-case name): its header and its non-empty rows as text."""
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    if not path.is_file():
        raise XLSFormError(f"{path}: no such file", hint="Give the path of the form's .xlsx.")
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (OSError, InvalidFileException, zipfile.BadZipFile, KeyError) as exc:
        raise XLSFormError(
            f"{path}: not an .xlsx workbook, or damaged",
            hint="Save the form as .xlsx (Excel 2007 or later) and try again.",
        ) from exc
    try:
        return {ws.title.strip().lower(): _rows(ws) for ws in wb.worksheets}
    finally:
        wb.close()


def _rows(ws: Any) -> tuple[list[str], list[_Row]]:
    rows = ws.iter_rows(values_only=True)
    header_cells = next(rows, ())
    header = [_header_name(c) for c in header_cells]
    out = []
    for number, values in enumerate(rows, start=2):
        cells = {name: _cell_text(v) for name, v in zip(header, values, strict=False) if name and v}
        if any(v.strip() for v in cells.values()):
            out.append(_Row(number, cells))
    return header, out


def _header_name(value: object) -> str:
    """`Label :: English (en)` → `label::English (en)`: the column's kind in lower case."""
    if value is None:
        return ""
    parts = [p.strip() for p in str(value).split("::")]
    return "::".join([parts[0].lower(), *parts[1:]])


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def identifier(name: str) -> str:
    """An XLSForm name as an urbsurvey id: lower case, `_` for anything else, a letter first."""
    ident = re.sub(r"[^a-z0-9_]+", "_", name.strip().lower()).strip("_") or "q"
    return ident if ident[0].isalpha() else f"q_{ident}"


def form_identifier(name: str) -> str:
    """A form_id as a questionnaire id: lower case letters, digits and `_ . -`."""
    return re.sub(r"[^a-z0-9_.-]+", "-", name.strip().lower()).strip("-_.") or "form"


# --- building the definition ------------------------------------------------------


class _Builder:
    """Walks the survey sheet and collects sections, questions and remarks."""

    def __init__(self, path: Path, sheets: dict[str, tuple[list[str], list[_Row]]]) -> None:
        self.path = path
        self.remarks: list[Remark] = []
        self.settings = self._settings(sheets.get("settings"))
        header, self.rows = sheets["survey"]
        self.texts = self._text_columns(header, "survey")
        self._check_columns(header)
        choice_header, choice_rows = sheets.get("choices", ([], []))
        self.choice_texts = self._text_columns(choice_header, "choices")
        self.lists = self._choice_lists(choice_rows)
        self.sections: list[dict[str, Any]] = []
        self.current: dict[str, Any] | None = None
        self.questions: dict[str, dict[str, Any]] = {}
        self.relevant: list[tuple[_Row, dict[str, Any]]] = []
        self.codes: dict[str, dict[str, str]] = {}  # question id -> XLSForm name -> code

    def remark(self, row: _Row | None, message: str, sheet: str = "survey") -> None:
        self.remarks.append(Remark(sheet, row.number if row else None, message))

    # settings and columns

    def _settings(self, sheet: tuple[list[str], list[_Row]] | None) -> _Row:
        rows = sheet[1] if sheet else []
        return rows[0] if rows else _Row(0, {})

    def _text_columns(self, header: list[str], sheet: str) -> _Texts:
        texts = _Texts()
        default = language_code(self.settings.get("default_language")) or "en"
        for column in header:
            kind, _, tag = column.partition("::")
            if kind not in ("label", "hint") or column.startswith("urbsurvey::"):
                continue
            lang = language_code(tag) if tag else default
            if lang is None:
                self.remarks.append(
                    Remark(
                        sheet,
                        1,
                        f"column `{column}`: language not recognised, its texts are not "
                        "carried over (write it as `label::Name (code)`, e.g. "
                        "`label::Français (fr)`)",
                    )
                )
                continue
            texts.columns.setdefault(kind, {}).setdefault(lang, column)
        labels = texts.columns.get("label", {})
        if labels and "en" not in labels:
            texts.english_from = next(iter(labels))
            self.remarks.append(
                Remark(
                    sheet,
                    1,
                    f"no English labels: a definition needs English, so the "
                    f"{texts.english_from!r} texts are used as English too",
                )
            )
        return texts

    def _check_columns(self, header: list[str]) -> None:
        known = {"type", "name", "required", "constraint", "relevant", "appearance"}
        known |= set(_UNSUPPORTED_COLUMNS) | {TYPE_COLUMN, REQUIRED_FOR_COLUMN, PRECEDENCE_COLUMN}
        for column in header:
            kind = column.partition("::")[0]
            texts = kind in ("label", "hint", "media", "image", "audio", "video")
            if column and not texts and column not in known:
                self.remark(None, f"column `{column}` is not carried over")

    def _choice_lists(self, rows: list[_Row]) -> dict[str, list[dict[str, Any]]]:
        lists: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            list_name, name = row.get("list_name") or row.get("list name"), row.get("name")
            if not list_name or not name:
                self.remark(row, "a choice without `list_name` or `name` is skipped", "choices")
                continue
            code = identifier(name)
            if code != name:
                self.remark(
                    row, f"choice {name!r} of list {list_name!r} has the code {code!r}", "choices"
                )
            label = self.choice_texts.read(row, "label") or {"en": name}
            lists.setdefault(list_name, []).append({"code": code, "label": label, "name": name})
        return lists

    # the survey sheet

    def build(self) -> dict[str, Any]:
        self._walk()
        for row, question in self.relevant:
            self._resolve_relevant(row, question)
        sections = [s for s in self.sections if s["questions"]]
        for s in self.sections:
            if not s["questions"]:
                self.remark(None, f"group {s['id']!r} has no questions and is left out")
        return self._questionnaire(sections)

    def _questionnaire(self, sections: list[dict[str, Any]]) -> dict[str, Any]:
        s = self.settings
        qid = form_identifier(s.get("form_id") or self.path.stem)
        title = {"en": s.get("form_title") or qid}
        for column, value in s.cells.items():
            kind, _, tag = column.partition("::")
            lang = language_code(tag.partition("::")[2]) if kind == "urbsurvey" else None
            if column.startswith(TITLE_SETTING + "::") and lang and value:
                title[lang] = value
        data: dict[str, Any] = {
            "id": qid,
            "title": title,
            "version": s.get("version") or "1",
            "languages": self.texts.languages() or ["en"],
            "sections": sections,
        }
        if s.get(ROLES_SETTING):
            data["roles"] = s.get(ROLES_SETTING).replace(",", " ").split()
        return data

    def _walk(self) -> None:
        depth = 0
        repeat: _Row | None = None
        for row in self.rows:
            kind, rest = _kind(row.get("type"))
            if repeat is not None:
                if kind == "end_repeat":
                    repeat = None
                else:
                    self.remark(
                        row,
                        f"{row.get('name') or kind!r} is inside a repeat and is not carried over",
                    )
                continue
            if kind == "begin_repeat":
                repeat = row
                self.remark(
                    row,
                    f"repeat {row.get('name')!r} is not carried over: urbsurvey "
                    "asks each question once per respondent",
                )
            elif kind == "begin_group":
                depth += 1
                if depth > 1:
                    self.remark(row, f"nested group {row.get('name')!r} becomes its own section")
                self._start_section(row)
            elif kind == "end_group":
                depth = max(depth - 1, 0)
                self.current = None
            elif kind == "note":
                self._note(row)
            elif kind:
                self._question(row, kind, rest.strip())

    def _start_section(self, row: _Row | None) -> dict[str, Any]:
        n = len(self.sections) + 1
        if row is None:
            sid = "main" if n == 1 else f"part_{n}"
            title = {"en": self.settings.get("form_title") or "Questions"}
        else:
            sid = identifier(row.get("name") or f"section_{n}")
            title = self.texts.read(row, "label") or {"en": row.get("name") or sid}
        section: dict[str, Any] = {"id": sid, "title": title, "questions": []}
        if row is not None and row.get(PRECEDENCE_COLUMN):
            section["precedence"] = row.get(PRECEDENCE_COLUMN).replace(",", " ").split()
        self.sections.append(section)
        self.current = section
        return section

    def _section(self) -> dict[str, Any]:
        return self.current if self.current is not None else self._start_section(None)

    def _note(self, row: _Row) -> None:
        section = self._section()
        label = self.texts.read(row, "label")
        if not label:
            return
        if section["questions"]:
            self.remark(
                row,
                f"note {row.get('name')!r} comes after questions; it is added to "
                f"the introduction of section {section['id']!r}",
            )
        intro = section.setdefault("intro", {})
        for lang, value in label.items():
            intro[lang] = f"{intro[lang]}\n\n{value}" if lang in intro else value

    def _question(self, row: _Row, kind: str, list_name: str) -> None:
        name = row.get("name")
        qtype = self._type(row, kind, list_name)
        if qtype is None:
            return
        qid = identifier(name or f"row_{row.number}")
        if qid != name:
            self.remark(row, f"question {name!r} has the id {qid!r}")
        question: dict[str, Any] = {
            "id": qid,
            "type": qtype.value,
            "text": self.texts.read(row, "label") or {"en": name or qid},
        }
        hint = self.texts.read(row, "hint")
        if hint:
            question["hint"] = hint
        self._required(row, question)
        self._choices(qid, qtype, list_name, question)
        if qtype in NUMERIC_TYPES:
            self._bounds(row, question)
        elif row.get("constraint"):
            self.remark(row, f"constraint {row.get('constraint')!r} is not carried over")
        for column, why in _UNSUPPORTED_COLUMNS.items():
            if row.get(column):
                self.remark(row, f"{why} ({column}: {row.get(column)!r})")
        if row.get("relevant"):
            self.relevant.append((row, question))
        self._section()["questions"].append(question)
        self.questions[qid] = question

    def _choices(
        self, qid: str, qtype: QuestionType, list_name: str, question: dict[str, Any]
    ) -> None:
        """A choice question's options, and how the form's option names map to their codes."""
        if qtype in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
            options = self.lists[list_name]
            question["choices"] = [{"code": o["code"], "label": o["label"]} for o in options]
            self.codes[qid] = {o["name"]: o["code"] for o in options}
        elif qtype is QuestionType.YES_NO:
            self.codes[qid] = {"yes": "yes", "no": "no"}

    def _type(self, row: _Row, kind: str, list_name: str) -> QuestionType | None:
        """The urbsurvey type of a row, or None (with a remark) if it is not carried over."""
        wanted = row.get(TYPE_COLUMN).strip().lower()
        if kind in _SELECT_TYPES:
            if list_name not in self.lists:
                self.remark(
                    row,
                    f"{kind} {row.get('name')!r}: no choices sheet list named "
                    f"{list_name!r}; the question is not carried over",
                )
                return None
            if wanted == QuestionType.YES_NO and kind == "select_one":
                return QuestionType.YES_NO
            return _SELECT_TYPES[kind]
        if kind in _PLAIN_TYPES:
            return self._plain_type(row, _PLAIN_TYPES[kind], wanted)
        what = "is not a question" if kind in _NOT_QUESTIONS else "has no urbsurvey equivalent"
        self.remark(row, f"{kind} {row.get('name')!r} {what} and is not carried over")
        return None

    def _plain_type(self, row: _Row, base: QuestionType, wanted: str) -> QuestionType:
        appearance = row.get("appearance").lower()
        if base is QuestionType.SHORT_TEXT:
            if wanted == QuestionType.LONG_TEXT or "multiline" in appearance.split():
                return QuestionType.LONG_TEXT
            return base
        if appearance:
            self.remark(row, f"appearance {appearance!r} is not carried over")
        if base is QuestionType.DECIMAL and wanted == QuestionType.MONEY:
            return QuestionType.MONEY
        if base is QuestionType.DECIMAL and not wanted:
            words = " ".join(
                self.texts.read(row, "hint").values() or self.texts.read(row, "label").values()
            )
            if _CURRENCY.search(words):
                self.remark(
                    row,
                    f"decimal {row.get('name')!r} is read as money because its "
                    f"text mentions a currency; add `{TYPE_COLUMN}: decimal` if it is not",
                )
                return QuestionType.MONEY
        return base

    def _required(self, row: _Row, question: dict[str, Any]) -> None:
        value = row.get("required").strip().lower()
        roles = row.get(REQUIRED_FOR_COLUMN).replace(",", " ").split()
        if roles:
            question["required"] = roles
        elif value in _TRUE:
            question["required"] = True
        elif value and value not in ("no", "false", "false()", "0", "n"):
            self.remark(
                row,
                f"required only when {row.get('required')!r}: not carried over, "
                "the question is optional",
            )

    def _bounds(self, row: _Row, question: dict[str, Any]) -> None:
        expression = row.get("constraint").strip()
        if not expression:
            return
        bounds = {}
        for term in re.split(r"\s+and\s+", expression):
            match = _BOUND.match(term.strip())
            if match is None:
                self.remark(
                    row,
                    f"constraint {expression!r} is not of the form "
                    "`. >= MIN and . <= MAX` and is not carried over",
                )
                return
            bounds["min" if match.group(1) == ">=" else "max"] = float(match.group(2))
        question.update(bounds)

    def _resolve_relevant(self, row: _Row, question: dict[str, Any]) -> None:
        expression = row.get("relevant").strip()
        condition = self._condition(expression)
        if condition is None:
            self.remark(
                row,
                f"relevant {expression!r} is not of the form `${{q}} = 'a'` or "
                "`selected(${q}, 'a')` and is not carried over: the question is "
                "always asked",
            )
            return
        question["ask_when"] = condition

    def _condition(self, expression: str) -> dict[str, Any] | None:
        parts = _JOIN.split(expression)
        terms, joins = parts[::2], set(parts[1::2])
        if len(joins) > 1:
            return None
        parsed = [_term(t.strip()) for t in terms]
        if any(p is None for p in parsed):
            return None
        targets = {p[0] for p in parsed if p}
        ops = {p[1] for p in parsed if p}
        if len(targets) != 1 or len(ops) != 1:
            return None
        target, op = targets.pop(), ops.pop()
        if (op == "in" and joins == {"and"}) or (op == "not_in" and joins == {"or"}):
            return None
        qid = identifier(target)
        names = self.codes.get(qid)
        if names is None:
            return None
        codes = [names.get(p[2]) for p in parsed if p]
        if any(c is None for c in codes):
            return None
        return {"question": qid, op: codes}


def _kind(cell: str) -> tuple[str, str]:
    """`select_one yes_no` → (`select_one`, `yes_no`); `begin group` → (`begin_group`, ``)."""
    head, _, rest = " ".join(cell.split()).partition(" ")
    head = head.lower()
    if head in ("begin", "end") and rest.lower() in ("group", "repeat"):
        return f"{head}_{rest.lower()}", ""
    return head.replace("-", "_") if head in ("begin-group", "end-group") else head, rest


def _term(term: str) -> tuple[str, str, str] | None:
    """One comparison: (question name, `in` or `not_in`, choice name)."""
    match = _EQUALS.match(term)
    if match:
        return match.group(1), "in" if match.group(2) == "=" else "not_in", match.group(4)
    match = _SELECTED.match(term)
    if match:
        return match.group(1), "in", match.group(3)
    return None


# --- writing the YAML -----------------------------------------------------------


def definition_yaml(result: ImportResult, source: str) -> str:
    """The definition as YAML, headed by comments listing what was not carried over."""
    import yaml

    data = spec_of(result.questionnaire).model_dump(
        mode="json", by_alias=True, exclude_defaults=True
    )
    head = [f"# Imported from the XLSForm {source} by `urbsurvey questionnaire import`."]
    if result.remarks:
        head.append("# Not carried over, or carried over by an assumption:")
        head += [f"#   - {remark}" for remark in result.remarks]
    body = yaml.safe_dump(_compact(data), sort_keys=False, allow_unicode=True, width=100)
    return "\n".join(head) + "\n" + body


def _compact(value: Any) -> Any:
    """English-only texts as plain strings, as a person would write them."""
    if isinstance(value, dict):
        if set(value) == {"en"} and isinstance(value["en"], str):
            return value["en"]
        return {k: _compact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_compact(v) for v in value]
    return value


def import_xlsform(path: Path, out: Path) -> ImportResult:
    """Read the form and write its definition to `out` (atomically)."""
    from ..atomic import write_text

    result = read_xlsform(path)
    write_text(out, definition_yaml(result, path.name))
    return result

"""`urbsurvey export --format datapackage`: the survey as a Frictionless Data Package.

Four CSV resources and a `datapackage.json` describing them with a Table
Schema each (types, choice codes as enums with their labels, missing values,
primary and foreign keys) and the input files with their SHA-256 as `sources`:

- `partners.csv`: one row per partner, the merged answers (the ones the
  outcomes use), money in the report currency;
- `answers.csv`: every answer of every counted file, long form, with its raw
  text, parsed value, sheet, cell and the file's hash;
- `indicators.csv`: the headline figures;
- `issues.csv`: every problem found.

Texts are written as typed (it is data for pandas, R or Datasette, not a
spreadsheet): open the CSVs in a spreadsheet program through its import
dialog, never by double-clicking a file from an untrusted source.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..definition import Question, Questionnaire, QuestionType, text
from ..errors import OutputError
from ..intake.record import AnswerValue, MoneyValue
from ..vocabulary import SOURCE_ORDER

if TYPE_CHECKING:
    from ..report.build import ReportInput

#: Partner columns before the questions' columns.
PARTNER_COLUMNS = ("partner", "country", "lead", "managing_authority", "returned")


@dataclass(slots=True)
class DataPackage:
    """The package in memory: CSV files by name and the descriptor."""

    files: dict[str, bytes]
    descriptor: dict[str, Any]


def build_datapackage(report: dict[str, Any], data: ReportInput) -> DataPackage:
    """The package for a report (`build_report`'s dict) and what it was made from."""
    q: Questionnaire = data.questionnaire
    lang = report["survey"]["language"]
    currency = report["survey"]["currency"]
    _check_names(q)
    tables = {
        "partners": _partners(report, data, q, lang, currency),
        "answers": _answers(data, q, currency),
        "indicators": _indicators(report),
        "issues": _issues(report),
    }
    files = {f"{name}.csv": _csv(fields, rows) for name, (fields, rows) in tables.items()}
    resources = [
        _resource(name, fields, files[f"{name}.csv"], keys)
        for (name, (fields, _)), keys in zip(tables.items(), _KEYS, strict=True)
    ]
    return DataPackage(files, _descriptor(report, resources))


def _check_names(q: Questionnaire) -> None:
    clash = [question.id for question in q.questions() if question.id in PARTNER_COLUMNS]
    if clash:
        raise OutputError(
            f"question id {clash[0]!r} is also a column of partners.csv",
            hint=f"Rename the question in the definition ({', '.join(PARTNER_COLUMNS)} "
            "are taken by the partner's own columns).",
        )


Fields = list[dict[str, Any]]
Rows = list[dict[str, str]]


# --- partners ---------------------------------------------------------------------


def _partners(
    report: dict[str, Any], data: ReportInput, q: Questionnaire, lang: str, currency: str
) -> tuple[Fields, Rows]:
    fields: Fields = [
        {"name": "partner", "type": "string", "title": "Partner",
         "constraints": {"required": True, "unique": True}},
        {"name": "country", "type": "string", "title": "Country (as in survey.yaml)"},
        {"name": "lead", "type": "boolean", "title": "Lead partner"},
        {"name": "managing_authority", "type": "string", "title": "Managing authority"},
        {"name": "returned", "type": "boolean",
         "title": "Returned at least one readable workbook"},
    ]  # fmt: skip
    fields += [question_field(question, lang, currency) for question in q.questions()]
    answered = {p["partner"]: p["answers"] for p in report["partners"]}
    survey = data.survey.config.partners if data.survey else []
    known = {p.name: p for p in survey}
    names = [p.name for p in survey] + sorted(
        (n for n in answered if n not in known), key=str.casefold
    )
    rows = []
    for name in names:
        info = known.get(name)
        row = {
            "partner": name,
            "country": (info.country or "") if info else "",
            "lead": _text(info.lead) if info else "",
            "managing_authority": (info.managing_authority or "") if info else "",
            "returned": _text(name in answered),
        }
        for qid, value in answered.get(name, {}).items():
            row[qid] = _text(value)
        rows.append(row)
    return fields, rows


def question_field(question: Question, lang: str, currency: str) -> dict[str, Any]:
    """The Table Schema field of one question's merged answer."""
    field: dict[str, Any] = {"name": question.id, "title": text(question.text, lang)}
    kind = question.type
    if kind in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
        codes = question.choice_codes()
        field["type"] = "string"
        field["categories"] = [
            {"value": c.code, "label": text(c.label, lang)} for c in question.choices
        ]
        if kind is QuestionType.SINGLE_CHOICE:
            field["constraints"] = {"enum": codes}
        else:
            one = "(?:" + "|".join(codes) + ")"
            field["constraints"] = {"pattern": f"{one}(?:;{one})*"}
            field["description"] = "Choice codes separated by `;` (see categories)."
    elif kind is QuestionType.YES_NO:
        field["type"] = "boolean"
    elif kind is QuestionType.INTEGER:
        field["type"] = "integer"
    elif kind in (QuestionType.DECIMAL, QuestionType.MONEY):
        field["type"] = "number"
    elif kind is QuestionType.DATE:
        field["type"] = "date"
    else:
        field["type"] = "string"
    if kind is QuestionType.MONEY:
        field["description"] = f"Amount in {currency}, converted with the survey's exchange rates."
        field["unit"] = currency
    elif kind in (QuestionType.INTEGER, QuestionType.DECIMAL):
        cast = int if kind is QuestionType.INTEGER else float
        bounds = {
            key: cast(value)
            for key, value in (("minimum", question.min), ("maximum", question.max))
            if value is not None
        }
        if bounds:
            field["constraints"] = bounds
    return field


# --- answers ----------------------------------------------------------------------

_ANSWER_FIELDS: Fields = [
    {"name": "partner", "type": "string", "constraints": {"required": True}},
    {"name": "source", "type": "string",
     "constraints": {"enum": ["city", "interview", "managing_authority", "other"]},
     "description": "Who gave the answer: the city's or managing authority's questionnaire, "
     "or the thematic expert's interview record."},
    {"name": "question", "type": "string", "constraints": {"required": True}},
    {"name": "raw", "type": "string", "description": "The cell as the respondent typed it."},
    {"name": "value", "type": "string",
     "description": "The parsed value: choice codes (`;` between several), yes/no, a number, "
     "money in the report currency, an ISO date, or the text. Empty when invalid."},
    {"name": "valid", "type": "boolean",
     "description": "False when the answer has an error (see issues.csv); it is then "
     "left out of partners.csv and the indicators."},
    {"name": "amount", "type": "number", "description": "Money: the amount as written."},
    {"name": "currency", "type": "string", "description": "Money: the currency as written."},
    {"name": "note", "type": "string", "description": "The Notes cell of the row."},
    {"name": "sheet", "type": "string"},
    {"name": "cell", "type": "string", "description": "The answer cell, e.g. C12."},
    {"name": "file", "type": "string", "constraints": {"required": True},
     "description": "The workbook, relative to the survey folder (see the package's sources)."},
    {"name": "sha256", "type": "string", "description": "SHA-256 of the workbook's content."},
]  # fmt: skip


def _answers(data: ReportInput, q: Questionnaire, currency: str) -> tuple[Fields, Rows]:
    order = {question.id: i for i, question in enumerate(q.questions())}
    subs = sorted(
        (s for s in data.counted if s.partner),
        key=lambda s: ((s.partner or "").casefold(), SOURCE_ORDER[s.source.value], s.file),
    )
    rows = []
    for sub in subs:
        for answer in sorted(sub.answers.values(), key=lambda a: order.get(a.question, 1 << 30)):
            money = answer.value if isinstance(answer.value, MoneyValue) else None
            rows.append(
                {
                    "partner": sub.partner or "",
                    "source": sub.source.value,
                    "question": answer.question,
                    "raw": answer.raw,
                    "value": _text(_plain(answer.value)) if answer.valid else "",
                    "valid": _text(answer.valid),
                    "amount": _text(money.amount) if money else "",
                    "currency": money.currency if money else "",
                    "note": answer.note,
                    "sheet": answer.sheet,
                    "cell": answer.cell,
                    "file": sub.file,
                    "sha256": sub.sha256,
                }
            )
    return _ANSWER_FIELDS, rows


def _plain(value: AnswerValue) -> Any:
    if isinstance(value, MoneyValue):
        return value.converted
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


# --- indicators and issues ----------------------------------------------------------

_INDICATOR_FIELDS: Fields = [
    {"name": "id", "type": "string", "constraints": {"required": True, "unique": True}},
    {"name": "label", "type": "string"},
    {"name": "kind", "type": "string", "constraints": {"enum": ["count", "sum", "breakdown"]}},
    {"name": "value", "type": "number", "description": "Partners counted, or the sum."},
    {"name": "unit", "type": "string", "description": "`partners`, a currency, or empty."},
    {"name": "display", "type": "string", "description": "The value as the report writes it."},
    {"name": "partners", "type": "string", "description": "The partners counted, `;` between."},
    {"name": "breakdown", "type": "string", "description": "Breakdowns: `code=n` per option."},
    {"name": "sentence", "type": "string", "description": "The report's sentence."},
]
_ISSUE_FIELDS: Fields = [
    {"name": "severity", "type": "string", "constraints": {"enum": ["error", "warning"]}},
    {"name": "code", "type": "string", "description": "See the README's catalogue of issues."},
    {"name": "file", "type": "string"},
    {"name": "sheet", "type": "string"},
    {"name": "cell", "type": "string"},
    {"name": "message", "type": "string"},
    {"name": "hint", "type": "string", "description": "What to do about it."},
]


def _indicators(report: dict[str, Any]) -> tuple[Fields, Rows]:
    rows = [
        {
            "id": ind["id"],
            "label": ind["label"],
            "kind": ind["kind"],
            "value": _text(ind["value"]),
            "unit": ind["unit"],
            "display": ind["display"],
            "partners": ";".join(ind["partners"]),
            "breakdown": "; ".join(f"{b['code']}={b['count']}" for b in ind["breakdown"]),
            "sentence": ind["sentence"],
        }
        for ind in report["indicators"]
    ]
    return _INDICATOR_FIELDS, rows


def _issues(report: dict[str, Any]) -> tuple[Fields, Rows]:
    names = [f["name"] for f in _ISSUE_FIELDS]
    return _ISSUE_FIELDS, [{n: _text(i.get(n)) for n in names} for i in report["issues"]]


# keys of partners, answers, indicators, issues (in that order)
_KEYS: list[dict[str, Any]] = [
    {"primaryKey": ["partner"]},
    {
        "primaryKey": ["file", "question"],
        "foreignKeys": [
            {"fields": ["partner"], "reference": {"resource": "partners", "fields": ["partner"]}}
        ],
    },
    {"primaryKey": ["id"]},
    {},
]


# --- writing ------------------------------------------------------------------------


def _text(value: Any) -> str:
    """A value as its CSV cell: yes/no, plain decimals, `;` between choice codes."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        return f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"
    return str(value)


def _csv(fields: Fields, rows: Rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, [f["name"] for f in fields], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _resource(name: str, fields: Fields, body: bytes, keys: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "path": f"{name}.csv",
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "hash": f"sha256:{hashlib.sha256(body).hexdigest()}",
        "bytes": len(body),
        "schema": {"fields": fields, "missingValues": [""], **keys},
    }


def _descriptor(report: dict[str, Any], resources: list[dict[str, Any]]) -> dict[str, Any]:
    survey = report["survey"]
    return {
        "profile": "tabular-data-package",
        "name": survey["questionnaire"]["id"],
        "title": survey["title"],
        "description": survey["introduction"].strip(),
        "created": f"{report['generator']['generated']}T00:00:00Z",
        "urbsurvey": {
            "version": report["generator"]["version"],
            "questionnaire": survey["questionnaire"],
            "currency": survey["currency"],
        },
        "sources": [
            {
                "title": f"{i['partner'] or '?'} ({i['role'] or '?'}): {i['file']}",
                "path": i["file"],
                "sha256": i["sha256"],
                "status": i["status"],
            }
            for i in report["inputs"]
        ],
        "resources": resources,
    }


def write_datapackage(package: DataPackage, outdir: Path) -> list[Path]:
    """Write the CSVs, then `datapackage.json`, each atomically; return the paths."""
    from ..atomic import write_bytes

    paths = []
    for name, body in package.files.items():
        write_bytes(outdir / name, body)
        paths.append(outdir / name)
    descriptor = json.dumps(package.descriptor, indent=2, ensure_ascii=False) + "\n"
    write_bytes(outdir / "datapackage.json", descriptor.encode("utf-8"))
    return [*paths, outdir / "datapackage.json"]

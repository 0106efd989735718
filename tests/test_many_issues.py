"""Many issues in one file: the terminal shows what a user can act on, JSON keeps them all.

A toy-bike-lanes return (not MILE) with 99,900 extra rows repeating one question id
(the most the row limit lets through) gives 99,900 `duplicate-question` issues: the
table output names the message once, with its first cells and the count; `--format
json` lists every one at its cell. `print_issues` is also checked on its own for the
cap on issues of one code in one file.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from urbsurvey import console
from urbsurvey.issues import IssueCode, Severity
from urbsurvey.results import IssueDict

from .support.script import URBSURVEY
from .support.workbooks import filled, rewrite_zip, sheet_part, where
from .test_isolation import TOY, assert_no_crash, urbsurvey

EXTRA = 99_900


def repeated_id(tmp_path: Path, rows: int) -> tuple[Path, int]:
    """Lyon's return with `rows` rows after the last, each with the ID `km_built`; and
    the number of the first added row. The rows are written into the sheet's XML."""
    answers = {"km_built": 12.5, "kept": "Yes"}
    path = filled(tmp_path, answers, questionnaire=TOY, partner="Lyon", name="lyon.xlsx")
    part = sheet_part(path)
    first: list[int] = []

    def add_rows(name: str, data: bytes) -> bytes:
        if name != part:
            return data
        last = max(int(n) for n in re.findall(rb'<row r="(\d+)"', data))
        first.append(last + 1)
        extra = "".join(
            f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>km_built</t></is></c>'
            f'<c r="C{r}"><v>{r}</v></c></row>'
            for r in range(last + 1, last + 1 + rows)
        )
        return data.replace(b"</sheetData>", extra.encode() + b"</sheetData>")

    rewrite_zip(path, add_rows)
    return path, first[0]


@pytest.mark.skipif(URBSURVEY is None, reason="no urbsurvey console script")
def test_one_id_repeated_99900_times_is_one_message_with_its_count(tmp_path: Path) -> None:
    path, first = repeated_id(tmp_path, EXTRA)
    sheet, original = where(path, "km_built")
    # wide enough that the long path (pytest-xdist adds a folder) is never broken mid-name
    run = urbsurvey("validate", path, "--questionnaire", TOY, env={"COLUMNS": "200"})
    assert_no_crash(run)
    assert run.returncode == 1
    text = " ".join(run.stdout.split())  # as read, whatever the terminal's width
    cells = ", ".join(f"A{r}" for r in range(first, first + 5))
    assert text.count("duplicate-question") == 1
    assert (
        f"error duplicate-question {path}, sheet {sheet}, cells {cells} and {EXTRA - 5:,} more: "
        f"Question 'km_built' appears again (first at A{original[1:]}); this row was ignored."
    ) in text
    assert f"│ {EXTRA} " in run.stdout  # the table still counts every error
    data = json.loads(
        urbsurvey("validate", path, "--questionnaire", TOY, "--format", "json").stdout
    )
    duplicates = [i for i in data["issues"] if i["code"] == "duplicate-question"]
    assert [i["cell"] for i in duplicates] == [f"A{r}" for r in range(first, first + EXTRA)]


def _issue(file: str, code: str, message: str, cell: str | None = None) -> IssueDict:
    return {
        "severity": Severity.ERROR,
        "code": IssueCode(code),
        "file": file,
        "sheet": "Responses",
        "cell": cell,
        "message": message,
        "hint": "Fix it.",
    }


def test_past_the_cap_issues_of_a_code_in_a_file_are_counted(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    unknown = [
        _issue("a.xlsx", "unknown-question", f"Row ID 'q{i}' is unknown.") for i in range(25)
    ]
    repeated = [_issue("a.xlsx", "missing-header", "No header row.") for _ in range(3)]
    other = [_issue("b.xlsx", "unknown-question", "Row ID 'x' is unknown.", "A3")]
    console.print_issues(unknown + repeated + other)
    out = capsys.readouterr().out
    shown = re.findall(r"Row ID 'q(\d+)'", out)
    assert shown == [str(i) for i in range(console.SHOWN_PER_CODE)]
    assert "No header row. (3 times)" in out
    assert "b.xlsx, sheet Responses, cell A3: Row ID 'x' is unknown." in out
    assert out.rstrip().endswith(
        f"... and {25 - console.SHOWN_PER_CODE} more unknown-question issues in a.xlsx "
        "(--format json lists every one)."
    )

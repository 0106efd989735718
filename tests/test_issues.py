"""The issue catalogue: one entry per code, and the README's table agrees with it."""

from __future__ import annotations

import re

from tests.conftest import REPO
from urbsurvey.issues import CATALOGUE, IssueCode, Severity, make_issue


def test_every_code_has_one_catalogue_entry_and_every_entry_a_code() -> None:
    assert set(CATALOGUE) == set(IssueCode)
    assert all(isinstance(key, IssueCode) for key in CATALOGUE)


def test_an_issue_takes_severity_and_advice_from_the_catalogue() -> None:
    issue = make_issue(
        IssueCode.INVALID_DATE, "returns/x.xlsx", "'31/02' is not a date.", cell="C9"
    )
    assert (issue.severity, issue.hint) == (Severity.ERROR, CATALOGUE[IssueCode.INVALID_DATE].hint)
    assert issue.to_dict()["code"] == "invalid-date"
    assert issue.location == "returns/x.xlsx, cell C9"


def _readme_issue_table() -> dict[str, str]:
    """code → severity, as the README's Issues table documents them."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Issues\n", 1)[1].split("\n## ", 1)[0]
    documented: dict[str, str] = {}
    for line in section.splitlines():
        if not line.startswith("| `"):
            continue
        codes_cell, severity_cell = (cell.strip() for cell in line.strip("|").split("|")[:2])
        codes = re.findall(r"`([a-z-]+)`", codes_cell)
        severities = [s.strip() for s in severity_cell.split("/")]
        if len(severities) == 1:
            severities *= len(codes)
        assert len(severities) == len(codes), line
        for code, severity in zip(codes, severities, strict=True):
            assert code not in documented, f"{code} documented twice"
            documented[code] = severity
    return documented


def test_readme_issue_table_matches_the_catalogue() -> None:
    documented = _readme_issue_table()
    assert set(documented) == {code.value for code in IssueCode}
    for code, entry in CATALOGUE.items():
        assert documented[code.value] == entry.severity.value, code

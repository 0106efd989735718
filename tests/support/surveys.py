"""Survey folders for tests of the partner's side of the loop (not MILE).

`recycling_survey()` writes a survey.yaml for the toy recycling questionnaire (English
and French) with three partners: Lyon and Namur answer in French, Cork in English.
"""

from __future__ import annotations

from pathlib import Path

import yaml

FIXTURES = Path(__file__).parent.parent / "fixtures"
RECYCLING = FIXTURES / "toy-recycling.yaml"

PARTNERS = [
    {
        "name": "Lyon",
        "country": "FR",
        "language": "fr",
        "organisation": "Métropole de Lyon, direction des déchets",
        "email": "dechets@lyon.example",
    },
    {
        "name": "Cork",
        "country": "IE",
        "organisation": "Cork City Council",
        "email": "waste@cork.example",
        "emails": ["recycling.office@cork.example"],
    },
    {"name": "Namur", "country": "BE", "language": "fr", "email": "environnement@namur.example"},
]


def recycling_survey(root: Path, **extra: object) -> Path:
    """A survey folder at `root` (returns in root/returns), with `extra` survey.yaml keys."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "returns").mkdir(exist_ok=True)
    config = {
        "title": "Recycling points network: six-month check",
        "questionnaire": str(RECYCLING),
        "language": "en",
        "currency": "EUR",
        "exchange_rates": {"GBP": 1.15},
        "deadline": "2026-12-18",
        "return_to": "survey@network.example",
        "contact": "Ana Pereira, survey@network.example, +351 21 000 0000",
        "partners": PARTNERS,
        "expected_roles": ["city"],
        "coding": None,
        **extra,
    }
    (root / "survey.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
    return root


def fill(blank: Path, answers: dict[str, object], out: Path) -> Path:
    """A copy of a blank workbook with `answers` typed into the Answer cells (by row ID)."""
    import openpyxl

    from .workbooks import answers_sheet, row_of

    wb = openpyxl.load_workbook(blank)
    ws = answers_sheet(wb)
    for qid, value in answers.items():
        ws.cell(row=row_of(ws, qid), column=3).value = value
    out.parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
    return out

"""A report dict of the shape `urbsurvey.report.render.render` takes, built without any workbook.

`sample_report(partners, hostile)` is deterministic. With `hostile=True` the
partner names, answers, lesson texts, issue messages and file names carry the
strings in `HOSTILE` (markup, Markdown links, pipes, formulas, control
characters) and one answer is `LONG_ANSWER` (40,000 characters).
"""

from __future__ import annotations

from typing import Any

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
JS_LINK = "[x](javascript:alert(1))"
FORMULA = '=HYPERLINK("http://evil")'
HOSTILE: tuple[str, ...] = (
    SCRIPT,
    IMG,
    JS_LINK,
    "a | b",
    "``code`` and `tick`",
    "**bold**",
    "line1\nline2",
    "cr1\r\ncr2\rcr3",
    FORMULA,
    "+1",
    "-1",
    "@SUM(A1)",
    "before\tafter tab",
    "bell\x07here",
    "# not a heading",
    "1. not a list",
    "back\\slash | \\| pipe",
)
#: One answer longer than an Excel cell holds.
LONG_ANSWER = ("A very long answer. " * 2000)[:40_000]

CITIES = (
    "Amadora",
    "Sevilla",
    "Vantaa",
    "Venice",
    "Komotini",
    "Nea Alikarnassos",
    "Timisoara",
    "Torino",
)
HOSTILE_PARTNERS = (SCRIPT, IMG, f"{JS_LINK} a | b")

SECTIONS: tuple[tuple[str, str, tuple[tuple[str, str, str, tuple[str, ...]], ...]], ...] = (
    (
        "ulsg",
        "Section one: the URBACT Local Support Group",
        (
            (
                "ulsg_functioning",
                "Does the ULSG continue to function?",
                "single_choice",
                ("Yes, it continues and meets regularly", "Informally", "No"),
            ),
            ("ulsg_sustaining", "How are you sustaining the LSG?", "long_text", ()),
        ),
    ),
    (
        "lap_development",
        "Section two (a): Local Action Plans (development and implementation)",
        (
            (
                "lap_stage",
                "What stage has your LAP reached?",
                "single_choice",
                (
                    "Still in preparation",
                    "Adopted",
                    "Being implemented in part",
                    "Being implemented in full",
                    "Discontinued",
                ),
            ),
            ("lap_actions_implemented", "How many actions are being implemented?", "integer", ()),
            (
                "lap_unplanned",
                "Can you mention unplanned actions or consequences of your LAP?",
                "long_text",
                (),
            ),
        ),
    ),
    (
        "lap_impact",
        "Section two (b): Local Action Plans (impact)",
        (
            (
                "core_group_active",
                "Does the core group continue to be active?",
                "single_choice",
                ("Yes", "Partly", "No"),
            ),
            (
                "experience_shared",
                "Have your experiences been shared with others?",
                "multiple_choice",
                ("Other departments", "Other cities", "Other organisations"),
            ),
            (
                "local_impact",
                "In what ways has this cooperation had an impact at local level?",
                "multiple_choice",
                ("Good practice", "New policy framework", "New ideas"),
            ),
            ("local_impact_details", "Can you describe or measure these impacts?", "long_text", ()),
        ),
    ),
    (
        "managing_authorities",
        "Section three: Managing Authorities",
        (
            ("ma_relation", "What has been the relation with the funding bodies?", "long_text", ()),
            ("ma_separate_meetings", "Have you had separate meetings with them?", "yes_no", ()),
            ("ma_in_lsg", "Have they participated in the LSG at all?", "yes_no", ()),
            (
                "ma_funding_indication",
                "Have any provisional indications of funding been given?",
                "yes_no",
                (),
            ),
            ("funding_secured", "Funding secured for the LAP so far", "money", ()),
            ("funding_provisional", "Funding provisionally indicated for the LAP", "money", ()),
            (
                "funding_sources",
                "Sources of this funding",
                "multiple_choice",
                ("ERDF", "ESF", "National", "Other EU"),
            ),
        ),
    ),
    (
        "general",
        "Section four: general",
        (
            ("barriers", "What barriers did your LSG face in developing the LAP?", "long_text", ()),
            ("barriers_overcome", "What did you do to overcome these barriers?", "long_text", ()),
            ("lessons", "What lessons would you pass on to new networks?", "long_text", ()),
            ("comments", "Any other comments?", "long_text", ()),
        ),
    ),
)


def _partner_names(partners: int, hostile: bool) -> list[str]:
    names = [CITIES[i] if i < len(CITIES) else f"City {i + 1:04d}" for i in range(partners)]
    if hostile:
        for i, name in enumerate(HOSTILE_PARTNERS[:partners]):
            names[i] = name
    return names


def _answer(i: int, qid: str, qtype: str, choices: tuple[str, ...]) -> str:
    if qtype in ("single_choice", "multiple_choice"):
        return choices[i % len(choices)]
    if qtype == "yes_no":
        return "Yes" if i % 2 == 0 else "No"
    if qtype == "integer":
        return str(i % 5)
    if qtype == "money":
        return f"€{(i % 4) * 125_000:,}"
    if i % 7 == 3:
        return ""
    return f"Answer of partner {i + 1} to {qid}: we kept meeting every two months."


def _questions() -> list[dict[str, Any]]:
    return [
        {"id": qid, "text": text, "type": qtype, "choices": list(choices), "section": sid}
        for sid, _title, questions in SECTIONS
        for qid, text, qtype, choices in questions
    ]


def _matrix(names: list[str], hostile: bool) -> dict[str, Any]:
    questions = _questions()
    columns = [{"id": q["id"], "text": q["text"], "section": q["section"]} for q in questions]
    rows = []
    for i, name in enumerate(names):
        cells = [_answer(i, q["id"], q["type"], tuple(q["choices"])) for q in questions]
        if hostile and i == 0:
            for j, text in enumerate(HOSTILE):
                cells[j % len(cells)] = text
            cells[1] = LONG_ANSWER
        rows.append({"partner": name, "source": "city", "file": f"{name}.xlsx", "cells": cells})
    if names:
        interview = [""] * len(columns)
        interview[1] = "Interview: the LSG now meets in the neighbourhood forum."
        rows.append(
            {
                "partner": names[0],
                "source": "interview",
                "file": "interviews.xlsx",
                "cells": interview,
            }
        )
    return {"columns": columns, "rows": rows}


def _sources(names: list[str], question: str, value: str) -> list[dict[str, str]]:
    return [
        {
            "partner": n,
            "question": question,
            "file": f"{n}.xlsx",
            "sheet": "Questionnaire",
            "cell": "C5",
            "value": value,
        }
        for n in names
    ]


def _indicators(names: list[str]) -> list[dict[str, Any]]:
    formal = names[0::3]
    informal = names[1::3]
    funded = names[1::2]
    impact = names[: max(0, len(names) - 1)]
    total = 125_000.0 * len(funded)
    return [
        {
            "id": "lsg_sustained_formally",
            "label": "LSG formally sustained",
            "kind": "count",
            "value": len(formal),
            "unit": "partners",
            "display": str(len(formal)),
            "sentence": f"{len(formal)} partners have formally sustained their LSG beyond the "
            f"life of the project: {', '.join(formal)}.",
            "partners": formal,
            "breakdown": None,
            "breakdown_labels": None,
            "sources": _sources(formal, "ulsg_functioning", "Yes, it continues"),
        },
        {
            "id": "lsg_sustained_informally",
            "label": "LSG informally sustained",
            "kind": "count",
            "value": len(informal),
            "unit": "partners",
            "display": str(len(informal)),
            "sentence": f"{len(informal)} partners have also informally sustained their LSGs.",
            "partners": informal,
            "breakdown": None,
            "breakdown_labels": None,
            "sources": _sources(informal, "ulsg_functioning", "Informally"),
        },
        {
            "id": "funding_secured_eur",
            "label": "Actual and provisional funding secured",
            "kind": "sum",
            "value": total,
            "unit": "EUR",
            "display": f"€{total / 1e6:.1f}m",
            "sentence": f"€{total / 1e6:.1f}m of actual and provisional funding has been "
            f"secured by {len(funded)} partners to further their action plans.",
            "partners": funded,
            "breakdown": None,
            "breakdown_labels": None,
            "sources": _sources(funded, "funding_secured", "€125,000"),
        },
        {
            "id": "ongoing_local_impact",
            "label": "Ongoing local impact",
            "kind": "breakdown",
            "value": len(impact),
            "unit": "partners",
            "display": str(len(impact)),
            "sentence": f"{len(impact)} of the partners report ongoing local impact of MILE, "
            "other than through securing additional funding. This impact has consisted of:",
            "partners": impact,
            "breakdown": {"good_practice": len(impact), "policy": len(impact) // 2, "ideas": 1},
            "breakdown_labels": {
                "good_practice": "Incorporation of good practice into local services",
                "policy": "Development of new policy framework at local level",
                "ideas": "Stimulating new ideas",
            },
            "sources": _sources(impact, "local_impact", "Good practice"),
        },
    ]


def _charts(names: list[str], indicators: list[dict[str, Any]]) -> list[dict[str, Any]]:
    impact = indicators[3]
    labels = impact["breakdown_labels"]
    return [
        {
            "id": "ongoing_local_impact",
            "title": "Kinds of ongoing local impact",
            "unit": "partners",
            "bars": [
                {"label": labels[code], "value": float(n), "display": str(n)}
                for code, n in impact["breakdown"].items()
            ],
        },
        {
            "id": "funding_by_partner",
            "title": "Funding secured by partner",
            "unit": "EUR",
            "bars": [
                {"label": n, "value": 125_000.0 * (i % 4), "display": f"€{125 * (i % 4)}k"}
                for i, n in enumerate(names[:12])
            ],
        },
    ]


def _lessons(names: list[str], hostile: bool) -> list[dict[str, Any]]:
    desc = "The partnership integrates the city team, a university and NGOs."
    if hostile:
        desc += " " + " ".join(HOSTILE)
    return [
        {
            "group": "sustaining_lsg",
            "title": "Factors that assist the sustainability of LSGs",
            "themes": [
                {
                    "id": "formal_partnerships",
                    "title": "Creating formal partnerships",
                    "description": desc,
                    "partners": names[:2],
                },
                {
                    "id": "time_for_reflection",
                    "title": "Make time for reflection",
                    "description": "",
                    "partners": [],
                },
            ],
        },
        {
            "group": "programme",
            "title": "Issues for the programme",
            "themes": [
                {
                    "id": "resources",
                    "title": "Lack of resources for the work of the LSG.",
                    "description": "Funding needs to support small-scale research.\n"
                    "And local coordination.",
                    "partners": names[-2:],
                },
            ],
        },
    ]


def _issues(names: list[str], hostile: bool) -> list[dict[str, Any]]:
    first = f"{names[0]}.xlsx" if names else "a.xlsx"
    extra = " ".join(HOSTILE) if hostile else "amount given as text"
    return [
        {
            "severity": "error",
            "code": "not-a-number",
            "file": first,
            "sheet": "Questionnaire",
            "cell": "C12",
            "message": f"'lots' is not a number ({extra})",
            "hint": "Ask the partner for a figure.",
        },
        {
            "severity": "warning",
            "code": "blank-required",
            "file": first,
            "sheet": None,
            "cell": None,
            "message": "a required answer is blank",
            "hint": "",
        },
        {
            "severity": "warning",
            "code": "macros-present",
            "file": "other.xlsm",
            "sheet": None,
            "cell": None,
            "message": "macros ignored",
            "hint": "Nothing to do.",
        },
    ]


def _inputs(names: list[str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = [
        {"file": f"{n}.xlsx", "sha256": f"{i:064x}", "partner": n, "role": "city", "status": "ok"}
        for i, n in enumerate(names)
    ]
    rows.append(
        {
            "file": "other.xlsm",
            "sha256": "f" * 64,
            "partner": None,
            "role": None,
            "status": "skipped",
        }
    )
    return rows


def sample_report(partners: int = 3, hostile: bool = False) -> dict[str, Any]:
    """A complete report dict: `partners` cities, 20 questions, four indicators, two charts."""
    names = _partner_names(partners, hostile)
    indicators = _indicators(names)
    returned = names[: max(0, partners - 1)]
    missing = names[len(returned) :]
    intro = "The aim of this follow-up survey is to capture reflections after the project.\n\n"
    intro += "It feeds the URBACT Annual Conference in Stockholm."
    if hostile:
        intro += "\n\n" + " ".join(HOSTILE)
    questions = _questions()
    return {
        "survey": {
            "title": "MILE follow-up survey 2009" + (f" {SCRIPT}" if hostile else ""),
            "introduction": intro,
            "language": "en",
            "currency": "EUR",
            "questionnaire": {
                "id": "mile-followup-2009",
                "version": "1.0",
                "title": "MILE follow-up survey",
                "fingerprint": "sha256:abc123",
            },
        },
        "methodology": {
            "sections": [
                {
                    "id": sid,
                    "title": title,
                    "questions": [
                        {k: q[k] for k in ("id", "text", "type", "choices")}
                        for q in questions
                        if q["section"] == sid
                    ],
                }
                for sid, title, _qs in SECTIONS
            ],
            "respondents_by_role": {
                "city": len(returned),
                "managing_authority": 1,
                "interview": 1 if names else 0,
                "other": 0,
            },
            "response_rate": {
                "expected": partners,
                "returned": len(returned),
                "rate": len(returned) / partners if partners else None,
            },
            "interviews": 1 if names else 0,
        },
        "respondents": {
            "expected": [{"partner": n, "role": "city"} for n in names],
            "returned": [{"partner": n, "role": "city", "file": f"{n}.xlsx"} for n in returned],
            "missing": [{"partner": n, "role": "city"} for n in missing],
        },
        "indicators": indicators,
        "charts": _charts(names, indicators),
        "lessons": _lessons(names, hostile),
        "matrix": _matrix(names, hostile),
        "conflicts": [
            {
                "partner": n,
                "question": "ulsg_sustaining",
                "used": {"source": "interview", "value": "Meets in the neighbourhood forum."},
                "others": [{"source": "city", "value": "We kept meeting\nevery two months."}],
            }
            for n in names[:1]
        ],
        "issues": _issues(names, hostile),
        "inputs": _inputs(names),
        "generator": {
            "name": "urbsurvey",
            "version": "0.1.0",
            "fingerprint": "sha256:abc123",
            "generated": "2009-11-20",
        },
    }

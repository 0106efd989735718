"""Reports built by the real pipeline from answers made in memory, without workbooks.

`sample_report(partners, hostile=..., questionnaire=..., lang=...)` interprets one
city questionnaire per partner (and one interview) with the real `Interpreter`,
then runs `build_report` on them, so every field a renderer reads is the field
`build_report` fills. Deterministic. With `hostile=True` partner names, free-text
answers, the survey's title and narrative, a lesson and an issue carry the strings
in `HOSTILE` (markup, Markdown links, pipes, formulas, control characters), and one
answer is `LONG_ANSWER` (40,000 characters).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from urbsurvey.definition import Question, QuestionType, Role, text
from urbsurvey.intake.answers import Answer, Interpreter
from urbsurvey.intake.record import Submission
from urbsurvey.issues import IssueCode, make_issue
from urbsurvey.outcomes.lessons import Coding, Example, Group, Theme
from urbsurvey.report.build import ReportInput, build_report
from urbsurvey.report.schema import Report
from urbsurvey.resources import load_questionnaire
from urbsurvey.survey import Narrative, Partner, Survey, SurveyFolder
from urbsurvey.vocabulary import Kind

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
CITIES = ("Amadora", "Sevilla", "Vantaa", "Venice", "Komotini", "Nea Alikarnassos", "Timisoara")
HOSTILE_PARTNERS = (SCRIPT, IMG, f"{JS_LINK} a | b")
NOT_RETURNED = "Torino"
MILE = "mile-followup-2009"


def partner_names(partners: int, hostile: bool = False) -> list[str]:
    names = [CITIES[i] if i < len(CITIES) else f"City {i + 1:04d}" for i in range(partners)]
    if hostile:
        names[: len(HOSTILE_PARTNERS)] = HOSTILE_PARTNERS[: len(names)]
    return names


def _typed(i: int, question: Question, hostile: bool, k: int) -> str:
    """What partner `i` typed for `question` (the `k`-th free text of the questionnaire)."""
    labels = [text(c.label, "en") for c in question.choices]
    kind = question.type
    if kind is QuestionType.SINGLE_CHOICE:
        return labels[i % len(labels)]
    if kind is QuestionType.MULTIPLE_CHOICE:
        return "; ".join(dict.fromkeys(labels[(i + j) % len(labels)] for j in (0, 2)))
    if kind is QuestionType.YES_NO:
        return "Yes" if i % 2 == 0 else "No"
    if kind is QuestionType.INTEGER:
        return str(i % 4)
    if kind is QuestionType.DECIMAL:
        return f"{i}.5"
    if kind is QuestionType.MONEY:
        return f"EUR {(i % 4) * 125_000}"
    if kind is QuestionType.DATE:
        return f"2009-10-{(i % 28) + 1:02d}"
    if hostile and i == 1 and k == 0:
        return LONG_ANSWER
    if hostile:
        return HOSTILE[(i * 6 + k) % len(HOSTILE)]
    return f"Answer {k + 1} of partner {i + 1}: we kept meeting every two months."


def _submission(
    interpreter: Interpreter, name: str, i: int, hostile: bool, *, interview: bool = False
) -> Submission:
    q = interpreter.questionnaire
    answers: dict[str, Answer] = {}
    k = 0
    for row, question in enumerate(q.questions(), start=10):
        raw = _typed(i, question, hostile, k)
        k += question.type in (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT)
        if interview and question.type not in (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT):
            continue
        if interview:
            raw = f"Interview: {raw}"
        result = interpreter.interpret(question, raw)
        answers[question.id] = Answer(
            question.id, raw, result.value, "Responses", f"C{row}", result.valid
        )
    slug = name if not hostile else f"partner-{i + 1}"
    kind = Kind.INTERVIEW if interview else Kind.QUESTIONNAIRE
    return Submission(
        file=f"returns/{slug}{'-interview' if interview else ''}.xlsx",
        sha256=f"{i:02d}{'1' if interview else '0'}".ljust(64, "a"),
        format="xlsx",
        questionnaire=q.id,
        partner=name,
        role=Role.CITY,
        kind=kind,
        answers=answers,
        answer_count=len(answers),
    )


def _coding(names: list[str], q_ref: str | Path, hostile: bool) -> Coding:
    q = load_questionnaire(q_ref)
    free = [qu.id for qu in q.questions() if qu.type is QuestionType.LONG_TEXT]
    first = free[0] if free else None
    return Coding(
        groups=[
            Group(id="sustaining", title={"en": "Factors that sustain the LSG"}),
            Group(id="programme", title={"en": "Issues for the programme"}, chapter=True),
        ],
        themes=[
            Theme(
                id="formal",
                group="sustaining",
                title={"en": SCRIPT if hostile else "Creating formal partnerships"},
                description={"en": "The partnership integrates the city, a university and NGOs."},
                examples=[Example(partner=n, question=first) for n in names[:2]],
            ),
            Theme(
                id="resources",
                group="programme",
                title={"en": "Lack of resources for the work of the LSG"},
                description={"en": "LSG funding should cover research and local activities."},
            ),
        ],
    )


def _survey(names: list[str], hostile: bool) -> SurveyFolder:
    title = f"Follow-up survey 2009 {SCRIPT}" if hostile else "Follow-up survey 2009"
    context = "The programme **funds** LSGs."
    if hostile:
        context += f" {SCRIPT} {JS_LINK} <b>raw</b>"
    config = Survey(
        title={"en": title},
        network="Sample network",
        author="A. Expert, thematic expert",
        questionnaire=MILE,
        partners=[Partner(name=n) for n in [*names, NOT_RETURNED]],
        narrative=[
            Narrative(id="context", title={"en": "Context"}, text={"en": context}),
            Narrative(
                id="conclusions",
                title={"en": "Conclusions"},
                text={"en": "- One\n- Two"},
                placement="after_lessons",
            ),
        ],
    )
    return SurveyFolder(root=Path("."), config=config)


def sample_report(
    partners: int = 3,
    *,
    hostile: bool = False,
    questionnaire: str | Path = MILE,
    lang: str | None = None,
) -> Report:
    """A report of `partners` city questionnaires (and one interview) through `build_report`."""
    names = partner_names(partners, hostile)
    interpreter = Interpreter(load_questionnaire(questionnaire), "EUR", {"GBP": Decimal("1.12")})
    subs = [_submission(interpreter, n, i, hostile) for i, n in enumerate(names)]
    if names:
        subs.append(_submission(interpreter, names[0], 0, hostile, interview=True))
    for sub in subs[:1]:
        message = f"An answer could not be read {SCRIPT} | {FORMULA}" if hostile else "Bad cell."
        sub.issues.append(
            make_issue(IssueCode.NOT_A_NUMBER, sub.file, message, sheet="Responses", cell="C12")
        )
    survey = _survey(names, hostile) if questionnaire == MILE else None
    data = ReportInput(
        load_questionnaire(questionnaire),
        survey,
        subs,
        subs,
        [],
        coding=_coding(names, questionnaire, hostile),
    )
    return build_report(data, lang=lang)

"""Checks across a definition that a field validator cannot make alone."""

from __future__ import annotations

from .model import (
    CHOICE_TYPES,
    NUMERIC_TYPES,
    Condition,
    Indicator,
    IndicatorKind,
    Question,
    Questionnaire,
    QuestionType,
)

Loc = tuple[str | int, ...]


def cross_check(q: Questionnaire) -> list[tuple[Loc, str]]:
    """Checks across the document that a field validator cannot make alone."""
    problems, questions = _check_ids(q)
    problems += _check_skip_logic(q, questions)
    ids: set[str] = set()
    for ii, indicator in enumerate(q.indicators):
        problems += _check_indicator(indicator, ("indicators", ii), questions)
        if indicator.id in ids:
            problems.append((("indicators", ii, "id"), f"duplicate indicator id {indicator.id!r}"))
        ids.add(indicator.id)
    return problems


def _check_ids(q: Questionnaire) -> tuple[list[tuple[Loc, str]], dict[str, Question]]:
    """Section and question ids used twice, each question's own checks; questions by id."""
    problems: list[tuple[Loc, str]] = []
    seen: dict[str, Loc] = {}

    def unique(identifier: str, loc: Loc) -> None:
        if identifier in seen:
            problems.append(
                (loc, f"duplicate id {identifier!r} (also used at {_dotted(seen[identifier])})")
            )
        seen.setdefault(identifier, loc)

    for si, section in enumerate(q.sections):
        unique(section.id, ("sections", si, "id"))
    questions: dict[str, Question] = {}
    for si, section in enumerate(q.sections):
        for qi, question in enumerate(section.questions):
            qloc: Loc = ("sections", si, "questions", qi)
            problems += _check_question(question, qloc)
            unique(question.id, (*qloc, "id"))
            questions[question.id] = question
    return problems, questions


def _check_skip_logic(q: Questionnaire, questions: dict[str, Question]) -> list[tuple[Loc, str]]:
    problems: list[tuple[Loc, str]] = []
    for si, section in enumerate(q.sections):
        for qi, question in enumerate(section.questions):
            if question.ask_when:
                loc: Loc = ("sections", si, "questions", qi, "ask_when")
                problems += _check_condition(question.ask_when, loc, questions)
                if question.ask_when.question == question.id:
                    problems.append((loc, f"question {question.id!r} cannot depend on itself"))
    return problems


def _dotted(loc: Loc) -> str:
    return ".".join(str(p) for p in loc)


def _check_question(question: Question, loc: Loc) -> list[tuple[Loc, str]]:
    problems: list[tuple[Loc, str]] = []
    if question.type in CHOICE_TYPES and not question.choices:
        problems.append(((*loc, "type"), f"{question.type} question {question.id!r} needs choices"))
    if question.type not in CHOICE_TYPES and question.choices:
        problems.append(((*loc, "choices"), f"a {question.type} question has no choices"))
    if question.type not in NUMERIC_TYPES and (
        question.min is not None or question.max is not None
    ):
        problems.append(((*loc, "min"), f"min/max apply to numbers, not to {question.type}"))
    if question.min is not None and question.max is not None and question.min > question.max:
        problems.append(((*loc, "min"), "min is larger than max"))
    codes = [c.code for c in question.choices]
    for ci, code in enumerate(codes):
        if code in codes[:ci]:
            problems.append(((*loc, "choices", ci, "code"), f"duplicate choice code {code!r}"))
    return problems


def _check_condition(
    cond: Condition, loc: Loc, questions: dict[str, Question]
) -> list[tuple[Loc, str]]:
    target = questions.get(cond.question)
    if target is None:
        return [((*loc, "question"), f"no question has the id {cond.question!r}")]
    if (cond.in_ is None) == (cond.not_in is None):
        return [(loc, "give exactly one of `in:` or `not_in:` (the answers that count)")]
    allowed = target.choice_codes()
    if not allowed:
        return [
            ((*loc, "question"), f"{cond.question!r} is a {target.type} question, not a choice")
        ]
    key = "in" if cond.in_ is not None else "not_in"
    return [
        (
            (*loc, key, i),
            f"{cond.question!r} has no choice {code!r} (choices: {', '.join(allowed)})",
        )
        for i, code in enumerate(cond.codes)
        if code not in allowed
    ]


def _check_indicator(
    ind: Indicator, loc: Loc, questions: dict[str, Question]
) -> list[tuple[Loc, str]]:
    problems: list[tuple[Loc, str]] = []
    if ind.kind is IndicatorKind.COUNT and ind.where is None:
        problems.append((loc, f"count indicator {ind.id!r} needs `where:` (which partners count)"))
    if ind.where is not None:
        problems += _check_condition(ind.where, (*loc, "where"), questions)
    if ind.kind is IndicatorKind.SUM and not ind.questions:
        problems.append((loc, f"sum indicator {ind.id!r} needs `questions:` to add up"))
    problems += _check_summed(ind, loc, questions)
    if ind.kind is IndicatorKind.BREAKDOWN and ind.breakdown is None:
        problems.append((loc, f"breakdown indicator {ind.id!r} needs `breakdown:` (a question)"))
    if ind.breakdown is not None:
        problems += _check_breakdown(ind, ind.breakdown, (*loc, "breakdown"), questions)
    if "{value}" not in ind.sentence["en"]:
        problems.append(((*loc, "sentence"), "the sentence must contain {value}"))
    return problems


def _check_summed(
    ind: Indicator, loc: Loc, questions: dict[str, Question]
) -> list[tuple[Loc, str]]:
    problems: list[tuple[Loc, str]] = []
    for i, qid in enumerate(ind.questions):
        target = questions.get(qid)
        if target is None:
            problems.append(((*loc, "questions", i), f"no question has the id {qid!r}"))
        elif target.type not in NUMERIC_TYPES:
            problems.append(
                ((*loc, "questions", i), f"cannot sum {qid!r}: it is a {target.type} question")
            )
    return problems


def _check_breakdown(
    ind: Indicator, qid: str, loc: Loc, questions: dict[str, Question]
) -> list[tuple[Loc, str]]:
    target = questions.get(qid)
    if target is None:
        return [(loc, f"no question has the id {qid!r}")]
    if target.type not in CHOICE_TYPES | {QuestionType.YES_NO}:
        return [(loc, f"cannot break down a {target.type} question")]
    exclude_loc = (*loc[:-1], "exclude")
    return [
        ((*exclude_loc, i), f"{qid!r} has no choice {code!r}")
        for i, code in enumerate(ind.exclude)
        if code not in target.choice_codes()
    ]

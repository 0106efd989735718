"""The answers-per-partner appendix: the answer used for each question, source by source.

Built in one pass per partner (`Merger.chosen_answers`); it must give what the documented
rule gives: the valid, shown answer of the first source in the default precedence (city,
interview, managing authority, other), an invalid or hidden one never. On the toy
bike-lanes questionnaire (not MILE), answers interpreted by the real `Interpreter`.
"""

from __future__ import annotations

from decimal import Decimal

from urbsurvey.definition import Role
from urbsurvey.intake.answers import Answer, Interpreter
from urbsurvey.intake.record import Submission
from urbsurvey.report.build import ReportInput, build_report
from urbsurvey.resources import load_questionnaire
from urbsurvey.vocabulary import Kind

from .conftest import TOY


def submission(
    name: str, role: Role, typed: dict[str, str], kind: Kind = Kind.QUESTIONNAIRE
) -> Submission:
    q = load_questionnaire(TOY)
    interpreter = Interpreter(q, "EUR", {"CZK": Decimal("0.04")})
    answers = {}
    for row, question in enumerate(q.questions(), start=10):
        if question.id in typed:
            result = interpreter.interpret(question, typed[question.id])
            answers[question.id] = Answer(
                question.id, typed[question.id], result.value, "Responses", f"C{row}", result.valid
            )
    return Submission(
        file=f"returns/{name}-{kind.value}-{role.value}.xlsx",
        sha256=f"{name}{kind.value}{role.value}".ljust(64, "0"),
        format="xlsx",
        questionnaire=q.id,
        partner=name,
        role=role,
        kind=kind,
        answers=answers,
        answer_count=len(answers),
    )


def test_each_answer_comes_from_the_first_source_with_a_valid_one() -> None:
    q = load_questionnaire(TOY)
    other = submission("Brno", Role.OTHER, {"km_built": "20", "counters": "4", "mood": "Angry"})
    city = submission("Brno", Role.CITY, {"km_built": "12", "counters": "many", "kept": "yes"})
    interview = submission("Brno", Role.CITY, {"mood": "Mixed"}, kind=Kind.INTERVIEW)
    hidden = submission("Ostrava", Role.CITY, {"km_built": "3", "kept": "yes", "why_not": "x"})
    hidden.answers["why_not"].hidden = True  # the skip logic hides it: shown, never used
    subs = [other, city, interview, hidden]  # the file order is not the precedence
    report = build_report(ReportInput(q, None, subs, subs, []))
    brno, ostrava = report.partners
    assert (brno.partner, ostrava.partner) == ("Brno", "Ostrava")
    assert brno.answers == {"km_built": 12.0, "counters": 4, "kept": True, "mood": "mixed"}
    assert brno.typed == {"km_built": "12", "counters": "4", "kept": "yes", "mood": "Mixed"}
    assert [s.source for s in brno.sources] == ["city", "interview", "other"]
    assert ostrava.answers == {"km_built": 3.0, "kept": True}
    shown = {a.question: a.shown for s in ostrava.sources for a in s.answers}
    assert shown["why_not"].startswith("x [hidden")

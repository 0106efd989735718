"""Survey waves: this survey compared with the earlier waves its survey.yaml names.

Each wave keeps its own definition and returns. Questions are matched by id:
when a question's wording, choices or type differ between two definitions,
every figure resting on it carries a flag. An indicator is compared only when
its own definition (kind, roles, condition, questions, breakdown) and the
types and choices of its questions are the same in both waves; otherwise the
values are shown side by side and the change is left out, saying why.
Partners are matched by the names their survey.yaml gives them; those in one
wave only are listed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..definition import TEXT_TYPES, Indicator, Question, Questionnaire, QuestionType, text
from ..definition.model import as_data
from ..intake.record import Answer, MoneyValue
from ..report import schema as s
from ..report.amounts import format_amount
from .indicators import Outcomes, compute_outcomes, is_money, numeric

if TYPE_CHECKING:
    from ..report.build import ReportInput


@dataclass(slots=True)
class Wave:
    """One wave as the comparison needs it."""

    id: str
    questionnaire: Questionnaire
    outcomes: Outcomes
    currency: str

    @property
    def partners(self) -> list[str]:
        return sorted(self.outcomes.records, key=str.casefold)


def wave_from(data: ReportInput, wave_id: str) -> Wave:
    config = data.survey.config if data.survey else None
    outcomes = compute_outcomes(data.questionnaire, data.counted)
    return Wave(wave_id, data.questionnaire, outcomes, config.currency if config else "EUR")


def previous_answers(wave: Wave, lang: str) -> dict[str, dict[str, str]]:
    """Each partner's answers in `wave` as the report shows them (for `--prefill-from`)."""
    out: dict[str, dict[str, str]] = {}
    merger = wave.outcomes.merger
    for partner, record in wave.outcomes.records.items():
        answers = {}
        for question in wave.questionnaire.questions():
            used = merger.choose(record, question.id)
            if used is not None:
                answers[question.id] = _shown(question, used.answer, lang, wave.currency)
        out[partner] = answers
    return out


# --- comparing definitions ----------------------------------------------------------


def question_changes(before: Question, after: Question) -> list[str]:
    """What changed in a question between two definitions: wording, choices, type."""
    changes = []
    if _words(before.text["en"]) != _words(after.text["en"]):
        changes.append("wording")
    if before.type is not after.type:
        changes.append("type")
    elif [(c.code, _words(c.label["en"])) for c in before.choices] != [
        (c.code, _words(c.label["en"])) for c in after.choices
    ]:
        changes.append("choices")
    return changes


def _words(value: str) -> str:
    return " ".join(value.split()).casefold()


def _indicator_questions(ind: Indicator) -> list[str]:
    qids = list(ind.questions)
    qids += [ind.where.question] if ind.where else []
    qids += [ind.breakdown] if ind.breakdown else []
    return list(dict.fromkeys(qids))


def _indicator_core(ind: Indicator) -> dict[str, Any]:
    return {k: v for k, v in as_data(ind).items() if k not in ("id", "label", "sentence")}


def _flags(qids: list[str], changed: dict[str, list[str]], old: str, new: str) -> list[str]:
    return [
        f"{qid}: {' and '.join(changed[qid])} changed between {old} and {new}"
        for qid in qids
        if changed.get(qid)
    ]


# --- the comparison -------------------------------------------------------------------


def compare_waves(earlier: list[Wave], current: Wave, lang: str) -> s.Waves:
    """The report's `waves` section: indicators per wave and what changed per partner."""
    previous = earlier[-1]
    waves = [*earlier, current]
    old_q = {q.id: q for q in previous.questionnaire.questions()}
    new_q = {q.id: q for q in current.questionnaire.questions()}
    changed = {qid: question_changes(old_q[qid], new_q[qid]) for qid in old_q if qid in new_q}
    return s.Waves(
        ids=[w.id for w in waves],
        previous=previous.id,
        current=current.id,
        questions=_question_rows(previous, current, old_q, new_q, changed, lang),
        indicators=[
            _indicator_row(ind, waves, changed, lang)
            for ind in current.questionnaire.indicators
            if any(ind.id == i.id for i in previous.questionnaire.indicators)
        ],
        indicators_one_wave=_one_wave_indicators(previous, current, lang),
        partners=_partner_changes(previous, current, old_q, new_q, changed, lang),
        partners_one_wave=[
            s.WaveOnlyPartner(partner=p, wave=w.id)
            for w, other in ((previous, current), (current, previous))
            for p in w.partners
            if p not in other.outcomes.records
        ],
    )


def _question_rows(
    previous: Wave,
    current: Wave,
    old_q: dict[str, Question],
    new_q: dict[str, Question],
    changed: dict[str, list[str]],
    lang: str,
) -> list[s.WaveQuestion]:
    rows = [
        s.WaveQuestion(
            id=qid,
            text=text(new_q[qid].text, lang),
            before=text(old_q[qid].text, lang),
            changes=changes,
            only_in=None,
        )
        for qid, changes in changed.items()
        if changes
    ]
    for wave, mine, other in ((previous, old_q, new_q), (current, new_q, old_q)):
        rows += [
            s.WaveQuestion(id=qid, text=text(q.text, lang), before="", changes=[], only_in=wave.id)
            for qid, q in mine.items()
            if qid not in other
        ]
    return rows


def _indicator_row(
    ind: Indicator, waves: list[Wave], changed: dict[str, list[str]], lang: str
) -> s.WaveIndicator:
    previous, current = waves[-2], waves[-1]
    values: dict[str, s.WaveValue] = {}
    for wave in waves:
        result = _result(wave, ind.id)
        if result is not None:
            values[wave.id] = s.WaveValue(value=_float(result[0]), display=result[1])
    before = next(i for i in previous.questionnaire.indicators if i.id == ind.id)
    qids = _indicator_questions(ind)
    flags = _flags(qids, changed, previous.id, current.id)
    reason = None
    if _indicator_core(before) != _indicator_core(ind):
        reason = f"the indicator's definition changed between {previous.id} and {current.id}"
    elif any(set(changed.get(qid, [])) & {"type", "choices"} for qid in qids):
        reason = "the choices or type of its questions changed"
    elif is_money(ind, current.questionnaire) and previous.currency != current.currency:
        reason = f"the report currencies differ ({previous.currency}, {current.currency})"
    change = None
    if reason is None and previous.id in values and current.id in values:
        delta = Decimal(str(values[current.id].value)) - Decimal(str(values[previous.id].value))
        change = s.WaveValue(value=float(delta), display=_delta(delta, ind, current))
    return s.WaveIndicator(
        id=ind.id,
        label=text(ind.label, lang),
        values=values,
        change=change,
        not_compared=reason,
        flags=flags,
    )


def _result(wave: Wave, iid: str) -> tuple[int | Decimal, str] | None:
    for result in wave.outcomes.indicators:
        if result.indicator.id == iid:
            if is_money(result.indicator, wave.questionnaire):
                return result.value, format_amount(Decimal(result.value), wave.currency)
            return result.value, f"{Decimal(result.value).normalize():f}"
    return None


def _float(value: int | Decimal) -> float | int:
    return value if isinstance(value, int) else float(value)


def _delta(delta: Decimal, ind: Indicator, wave: Wave) -> str:
    sign = "+" if delta > 0 else ("−" if delta < 0 else "±")
    if is_money(ind, wave.questionnaire):
        return f"{sign}{format_amount(abs(delta), wave.currency)}"
    return f"{sign}{abs(delta).normalize():f}"


def _one_wave_indicators(previous: Wave, current: Wave, lang: str) -> list[s.WaveOnlyIndicator]:
    rows = []
    for wave, other in ((previous, current), (current, previous)):
        ids = {i.id for i in other.questionnaire.indicators}
        rows += [
            s.WaveOnlyIndicator(id=i.id, label=text(i.label, lang), wave=wave.id)
            for i in wave.questionnaire.indicators
            if i.id not in ids
        ]
    return rows


def _partner_changes(
    previous: Wave,
    current: Wave,
    old_q: dict[str, Question],
    new_q: dict[str, Question],
    changed: dict[str, list[str]],
    lang: str,
) -> list[s.PartnerChanges]:
    compared = [qid for qid in new_q if qid in old_q and new_q[qid].type not in TEXT_TYPES]
    rows = []
    for partner in current.partners:
        if partner not in previous.outcomes.records:
            continue
        changes = []
        for qid in compared:
            flags = _flags([qid], changed, previous.id, current.id)
            row = _answer_change(partner, old_q[qid], new_q[qid], previous, current, lang, flags)
            if row is not None:
                changes.append(row)
        rows.append(s.PartnerChanges(partner=partner, changes=changes))
    return rows


def _answer_change(
    partner: str,
    before_q: Question,
    after_q: Question,
    previous: Wave,
    current: Wave,
    lang: str,
    flags: list[str],
) -> s.AnswerChange | None:
    old = _merged(previous, partner, before_q.id)
    new = _merged(current, partner, after_q.id)
    if old is None and new is None:
        return None
    if old is not None and new is not None and _same(old, new):
        return None
    return s.AnswerChange(
        question=after_q.id,
        text=text(after_q.text, lang),
        before=_shown(before_q, old, lang, previous.currency) if old else "",
        after=_shown(after_q, new, lang, current.currency) if new else "",
        change=_answer_delta(after_q, old, new, current.currency, lang),
        flags=flags,
    )


def _merged(wave: Wave, partner: str, qid: str) -> Answer | None:
    used = wave.outcomes.merger.choose(wave.outcomes.records[partner], qid)
    return used.answer if used else None


def _same(a: Answer, b: Answer) -> bool:
    x, y = a.value, b.value
    if isinstance(x, MoneyValue) and isinstance(y, MoneyValue):
        return x.converted == y.converted
    if isinstance(x, list) and isinstance(y, list):
        return sorted(x) == sorted(y)
    return x == y


def _answer_delta(
    question: Question, old: Answer | None, new: Answer | None, currency: str, lang: str
) -> str:
    if old is None or new is None:
        return "answered" if new is not None else "no longer answered"
    if question.type is QuestionType.MULTIPLE_CHOICE:
        added = [c for c in new.codes() if c not in old.codes()]
        removed = [c for c in old.codes() if c not in new.codes()]
        parts = [f"+ {_label(question, c, lang)}" for c in added]
        parts += [f"− {_label(question, c, lang)}" for c in removed]
        return "; ".join(parts)
    a, b = numeric(old), numeric(new)
    if a is None or b is None:
        return ""
    delta = b - a
    word = "up" if delta > 0 else "down"
    amount = abs(delta)
    shown = (
        format_amount(amount, currency)
        if question.type is QuestionType.MONEY
        else f"{amount.normalize():f}"
    )
    return f"{word} by {shown}"


def _label(question: Question, code: str, lang: str) -> str:
    for choice in question.choices:
        if choice.code == code:
            return text(choice.label, lang)
    return code


def _shown(question: Question, answer: Answer, lang: str, currency: str) -> str:
    """An answer as the report writes it: labels, Yes/No, €1.4m, the text."""
    value = answer.value
    if isinstance(value, MoneyValue):
        return format_amount(value.converted, currency)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if question.type in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
        return "; ".join(_label(question, c, lang) for c in answer.codes())
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)

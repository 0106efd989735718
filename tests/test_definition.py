"""Questionnaire definitions: the bundled MILE one, the toy one, and broken ones."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from urbsurvey.cli import app
from urbsurvey.definition import Questionnaire, QuestionType, Role, load_definition
from urbsurvey.errors import DefinitionError

from .conftest import TOY

runner = CliRunner()

MINIMAL = """\
id: tiny
title: Tiny
version: "1"
sections:
  - id: s
    title: Section
    questions:
      - id: colour
        type: single_choice
        text: Favourite colour
        choices:
          - {code: red, label: Red}
          - {code: blue, label: Blue}
      - id: amount
        type: money
        text: How much?
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "def.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        load_definition(write(tmp_path, text))
    return caught.value.problems


def test_mile_definition_has_the_ids_the_report_needs(mile: Questionnaire) -> None:
    ids = [q.id for q in mile.questions()]
    assert ids == [
        "ulsg_functioning", "ulsg_sustaining", "lap_stage", "lap_actions_implemented",
        "lap_unplanned", "core_group_active", "experience_shared", "local_impact",
        "local_impact_details", "ma_relation", "ma_separate_meetings", "ma_in_lsg",
        "ma_funding_indication", "funding_secured", "funding_provisional", "funding_sources",
        "barriers", "barriers_overcome",
    ]  # fmt: skip
    assert [s.id for s in mile.sections] == [
        "ulsg", "lap_development", "lap_impact", "managing_authorities", "general",
    ]  # fmt: skip
    assert mile.question("ulsg_functioning").choice_codes() == ["formal", "informal", "no"]
    assert mile.question("funding_secured").type is QuestionType.MONEY
    assert mile.question("ulsg_sustaining").ask_when is not None
    required = [q.id for q in mile.questions() if q.required_for(Role.CITY)]
    assert required == ["ulsg_functioning", "lap_stage", "local_impact"]
    assert not any(q.required_for(Role.MANAGING_AUTHORITY) for q in mile.questions())
    assert [i.id for i in mile.indicators] == [
        "lsg_sustained_formally", "lsg_sustained_informally", "funding_secured_eur",
        "lap_implementation_ongoing", "lap_actions_implemented", "ongoing_local_impact",
    ]  # fmt: skip


def test_mile_definition_is_in_english_and_french(mile: Questionnaire) -> None:
    assert mile.languages == ["en", "fr"]
    for q in mile.questions():
        assert q.text.get("fr"), q.id
        for c in q.choices:
            assert c.label.get("fr"), (q.id, c.code)


def test_fingerprint_is_stable_and_changes_with_content(tmp_path: Path) -> None:
    a = load_definition(write(tmp_path, MINIMAL))
    assert a.fingerprint() == load_definition(write(tmp_path, MINIMAL)).fingerprint()
    b = load_definition(write(tmp_path, MINIMAL.replace("How much?", "How much money?")))
    assert a.fingerprint() != b.fingerprint()


def test_duplicate_id_names_both_places_and_the_line(tmp_path: Path) -> None:
    found = problems(tmp_path, MINIMAL.replace("id: amount", "id: colour"))
    assert any("line 14" in p and "duplicate id 'colour'" in p for p in found), found


def test_skip_logic_naming_a_missing_question_or_choice(tmp_path: Path) -> None:
    text = MINIMAL + "        ask_when: {question: colour, in: [green]}\n"
    found = problems(tmp_path, text)
    assert found == ["line 17: 'colour' has no choice 'green' (choices: red, blue)"]
    text = MINIMAL + "        ask_when: {question: flavour, in: [red]}\n"
    assert problems(tmp_path, text) == ["line 17: no question has the id 'flavour'"]


def test_sum_over_a_text_question_is_refused(tmp_path: Path) -> None:
    text = MINIMAL + textwrap.dedent("""\
        indicators:
          - id: total
            kind: sum
            label: Total
            sentence: "{value} in total"
            questions: [colour]
        """)
    assert problems(tmp_path, text) == [
        "line 22: cannot sum 'colour': it is a single_choice question"
    ]


def test_indicator_naming_a_missing_choice(tmp_path: Path) -> None:
    text = MINIMAL + textwrap.dedent("""\
        indicators:
          - id: reds
            kind: count
            label: Reds
            sentence: "{value} like red"
            where: {question: colour, in: [rouge]}
        """)
    assert problems(tmp_path, text) == [
        "line 22: 'colour' has no choice 'rouge' (choices: red, blue)"
    ]


def test_missing_english_label(tmp_path: Path) -> None:
    found = problems(tmp_path, MINIMAL.replace("label: Blue", "label: {fr: Bleu}"))
    assert len(found) == 1
    assert found[0].startswith("line 13: ")
    assert "English text (`en:`) is required" in found[0]


def test_unknown_field_and_bad_type(tmp_path: Path) -> None:
    found = problems(tmp_path, MINIMAL.replace("type: money", "type: cash\n        colour: x"))
    assert found == [
        "line 15: question amount: 'type' must be one of: short_text, long_text, single_choice, "
        "multiple_choice, yes_no, integer, decimal, money, date (it is 'cash')",
        "line 16: question amount: unknown field 'colour' (fields here: id, type, text, hint, "
        "required, choices, min, max, ask_when, currency)",
    ]


def test_not_yaml(tmp_path: Path) -> None:
    found = problems(tmp_path, "id: [unclosed\n")
    assert found[0].startswith("line 2: not valid YAML")


def test_toy_definition_loads(toy: Questionnaire) -> None:
    assert toy.id == "toy-bike-lanes"
    assert toy.question("kept").required_for(Role.CITY)
    assert not toy.question("kept").required_for(Role.OTHER)


def test_cli_list_and_show() -> None:
    listed = runner.invoke(app, ["questionnaire", "list"])
    assert listed.exit_code == 0
    assert "mile-followup-2009" in listed.output
    shown = runner.invoke(app, ["questionnaire", "show", "mile-followup-2009", "--lang", "fr"])
    assert shown.exit_code == 0, shown.output
    assert "ulsg_functioning" in shown.output
    assert "Section un" in shown.output
    toy = runner.invoke(app, ["questionnaire", "show", str(TOY)])
    assert toy.exit_code == 0 and "km_built" in toy.output


def test_cli_check_exits_1_with_the_problems(tmp_path: Path) -> None:
    ok = runner.invoke(app, ["questionnaire", "check", str(TOY)])
    assert ok.exit_code == 0 and "OK" in ok.output
    bad = write(tmp_path, MINIMAL.replace("id: amount", "id: colour"))
    result = runner.invoke(app, ["questionnaire", "check", str(bad)])
    assert result.exit_code == 1
    assert result.output.endswith(
        ": the questionnaire definition has 1 problem(s):\n"
        "  - line 14: duplicate id 'colour' (also used at sections.0.questions.0.id)\n"
    )


def test_schema_is_json_schema_with_the_fields() -> None:
    result = runner.invoke(app, ["questionnaire", "schema"])
    schema = json.loads(result.output)
    assert schema["title"] == "urbsurvey questionnaire definition"
    assert {"id", "title", "version", "sections", "indicators"} <= set(schema["properties"])


def test_the_plain_classes_have_the_models_fields() -> None:
    """A validated definition (`model`) has every field its pydantic model (`spec`) has."""
    from urbsurvey.definition import model, spec

    for name in ("Choice", "Condition", "Question", "Section", "Indicator", "Questionnaire"):
        assert list(getattr(model, name).FIELDS) == list(getattr(spec, name).model_fields), name


@pytest.mark.parametrize("ref", ["mile-followup-2009", str(TOY)])
def test_a_definition_is_the_data_pydantic_dumps(ref: str) -> None:
    """Its data, fingerprint and stored JSON, also for a copy with a change."""
    import hashlib

    from urbsurvey.definition.model import as_data
    from urbsurvey.definition.spec import Questionnaire as Spec
    from urbsurvey.resources import load_questionnaire

    q = load_questionnaire(ref)
    changed = q.replace(version=f"{q.version}.1", glossary={})
    for each in (q, changed):
        validated = Spec.model_validate(as_data(each, by_alias=True))
        assert as_data(each, by_alias=True) == validated.model_dump(mode="json", by_alias=True)
        assert each.definition_json == validated.model_dump_json(by_alias=True)
        dumped = validated.model_dump(mode="json", by_alias=True, exclude={"glossary"})
        for question in (q for s in dumped["sections"] for q in s["questions"]):
            if question["currency"] is None:
                del question["currency"]
        canonical = json.dumps(dumped, sort_keys=True).encode()
        assert each.fingerprint() == hashlib.sha256(canonical).hexdigest()[:16]
    assert changed.fingerprint() != q.fingerprint()


def test_a_definition_is_frozen_and_kept_as_it_was(mile: Questionnaire) -> None:
    import pickle

    question = mile.questions()[0]
    with pytest.raises(AttributeError, match="frozen"):
        question.id = "other"
    again = pickle.loads(pickle.dumps(mile))
    assert again == mile and again is not mile
    assert again.fingerprint() == mile.fingerprint()
    assert again.replace(version="9") != mile

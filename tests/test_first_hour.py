"""The first hour with urbsurvey, on a survey that is not MILE: YAML as people write it,
partner lists as Excel saves them, the everyday slips, and names that try to fool the terminal.

Every command here runs as the user runs it (`python -m urbsurvey`, a real process), so the
exit code and the text are what the user sees.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import jsonschema
import openpyxl
import pytest
import yaml

from urbsurvey.definition import json_schema, load_definition
from urbsurvey.errors import DefinitionError
from urbsurvey.pipeline import validate
from urbsurvey.resources import bundled_questionnaires
from urbsurvey.workbook.partners import read_partner_list

from .conftest import REPO, TOY
from .support.coverage import covers
from .support.schemas import validator as schema_validator
from .support.workbooks import filled

# A definition of our own: a heating survey whose codes are YAML 1.1's booleans, unquoted.
HEATING = """\
id: district-heating
title: {en: "District heating check", da: "Fjernvarme"}
version: "3"
languages: [en, da]
sections:
  - id: plant
    title: Plant
    questions:
      - id: heated
        type: single_choice
        text: Is the district heated?
        choices:
          - {code: no, label: "No"}
          - {code: on, label: "On (all year)"}
          - {code: off, label: "Off in summer"}
      - id: why_not
        type: short_text
        text: Why not?
        ask_when: {question: heated, in: [no]}
      - id: kept
        type: yes_no
        required: true
        text: Will the plant be kept?
      - id: since
        type: short_text
        text: Opening hours
        hint: "e.g. 10:30"
      - id: cost
        type: money
        text: Yearly cost
indicators:
  - id: keeping
    kind: count
    label: Keeping the plant
    sentence: "{value} towns keep their plant."
    where: {question: kept, in: [yes]}
"""


def urbsurvey(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "urbsurvey", *(_relative(a, cwd) for a in args)],
        cwd=cwd, capture_output=True, text=True, timeout=120, env=env, check=False,
    )  # fmt: skip


def _relative(arg: str | Path, cwd: Path) -> str:
    """Paths as a user types them: relative to the folder the command runs in."""
    if isinstance(arg, Path) and arg.is_relative_to(cwd):
        return str(arg.relative_to(cwd))
    return str(arg)


def survey_folder(tmp_path: Path, body: str, *, returns: bool = True) -> Path:
    folder = tmp_path / "heating"
    folder.mkdir()
    (folder / "heating.yaml").write_text(HEATING, encoding="utf-8")
    (folder / "survey.yaml").write_text(body, encoding="utf-8")
    if returns:
        (folder / "returns").mkdir()
    return folder


SURVEY = """\
title: Heating follow-up
questionnaire: heating.yaml
language: en
currency: DKK
exchange_rates: {EUR: 7.46}
partners:
  - {name: Aarhus, country: DK}
  - {name: Birmingham, country: GB}
"""


# --------------------------------------------------------------------------- YAML 1.2


def test_yes_no_on_off_are_strings_in_definitions(tmp_path: Path) -> None:
    path = tmp_path / "heating.yaml"
    path.write_text(HEATING, encoding="utf-8")
    q = load_definition(path)
    heated = q.question("heated")
    assert heated.choice_codes() == ["no", "on", "off"]
    assert q.question("why_not").ask_when.codes == ["no"]  # type: ignore[union-attr]
    assert q.indicators[0].where.codes == ["yes"]  # type: ignore[union-attr]
    assert q.question("since").hint == {"en": "e.g. 10:30"}
    assert q.question("kept").required is True  # `true` is still a boolean


def test_yes_no_are_strings_in_survey_yaml(tmp_path: Path) -> None:
    folder = survey_folder(tmp_path, SURVEY.replace("language: en", "language: no"))
    from urbsurvey.survey import load_survey

    assert load_survey(folder).config.language == "no"  # Norwegian, not False


def test_messages_name_the_question_and_say_what_to_write(tmp_path: Path) -> None:
    broken = HEATING.replace('version: "3"', "version: 3").replace(
        "text: Why not?", "texte: Why not?"
    )
    path = tmp_path / "broken.yaml"
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        load_definition(path)
    assert caught.value.problems == [
        "line 3: 'version' must be text (it is 3): put it in quotes, e.g. version: \"3\"",
        "line 16: question why_not: 'text' is missing; add `text: …`",
        "line 18: question why_not: unknown field 'texte'; did you mean 'text'?",
    ]


@pytest.mark.console
def test_survey_yaml_unknown_field_is_one_line_with_a_suggestion(tmp_path: Path) -> None:
    folder = survey_folder(tmp_path, SURVEY.replace("exchange_rates", "exchange_rate"))
    done = urbsurvey("validate", folder, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines()[0] == (
        "Error: heating/survey.yaml, line 5: unknown field 'exchange_rate'; "
        "did you mean 'exchange_rates'?"
    )
    assert "Traceback" not in done.stderr


@pytest.mark.console
def test_alias_bomb_is_refused_at_once(tmp_path: Path) -> None:
    """Nine aliases of nine aliases ... : 3 KB of YAML that would expand to 387 million values."""
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 9):
        prev, name = chr(96 + i), chr(97 + i)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    bomb = "\n".join(lines) + "\n"
    assert len(bomb) < 3000
    definition = tmp_path / "bomb.yaml"
    definition.write_text(bomb, encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(DefinitionError) as caught:
        load_definition(definition)
    assert time.perf_counter() - started < 2
    assert caught.value.problems == [
        "line 6: expands to more than 200,000 values (aliases `*name` repeated inside each "
        "other); write the values out instead"
    ]
    done = urbsurvey("validate", survey_folder(tmp_path, bomb), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("Error: heating/survey.yaml, line 6: expands to more than")


@pytest.mark.console
def test_latin1_files_get_an_error_naming_file_and_encoding(tmp_path: Path) -> None:
    folder = survey_folder(tmp_path, "")
    (folder / "survey.yaml").write_bytes(b'title: "Chauffage \xe0 Lyon"\nquestionnaire: x\n')
    done = urbsurvey("validate", folder, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith(
        "Error: heating/survey.yaml, line 1: not UTF-8 text (byte 0xe0; the file looks "
        "saved as Latin-1/Windows-1252)"
    )
    (folder / "heating.yaml").write_bytes(
        HEATING.replace("Fjernvarme", "Fjernv\xe6rme").encode("latin-1")
    )
    done = urbsurvey("questionnaire", "check", folder / "heating.yaml", cwd=tmp_path)
    assert done.returncode == 1
    assert "heating.yaml" in done.stderr and "line 2: not UTF-8 text (byte 0xe6" in done.stderr
    assert "Traceback" not in done.stderr


# --------------------------------------------------------------------------- JSON Schema


def readme_definition() -> object:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index("## Questionnaire definitions")
    block = re.search(r"```yaml\n(.*?)```", readme[start:], re.S)
    assert block is not None
    return yaml.safe_load(block.group(1))


def validator() -> jsonschema.Draft202012Validator:
    return schema_validator(json_schema())  # the schema checked against its metaschema once


def test_schema_accepts_every_definition_the_tool_accepts(tmp_path: Path) -> None:
    check = validator()
    (tmp_path / "heating.yaml").write_text(HEATING, encoding="utf-8")
    files = [*bundled_questionnaires().values(), TOY, tmp_path / "heating.yaml"]
    for path in files:
        load_definition(path)  # the tool accepts it ...
        from urbsurvey import yamlio

        errors = [e.message for e in check.iter_errors(yamlio.read_file(path).data)]
        assert errors == [], path  # ... and so does the schema
    assert list(check.iter_errors(readme_definition())) == []


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("text: Why not?", "text: 5"),  # a text that is a number
        ("text: Why not?", "text: {fr: Pourquoi?}"),  # no English
        ("type: money", "type: cash"),
        ("type: money", "type: money\n        colour: red"),  # unknown field
        ("required: true", "required: maybe"),
        ("type: money", "type: money\n        min: '5'"),  # a quoted number
        ("ask_when: {question: heated, in: [no]}", "ask_when: {question: heated}"),
        ('version: "3"', "version: 3"),
        ("id: kept", "id: Kept"),
        ("type: yes_no", "type: yes_no\n        currency: DKK"),  # currency is for money
    ],
)
def test_schema_rejects_what_the_tool_rejects(tmp_path: Path, old: str, new: str) -> None:
    path = tmp_path / "broken.yaml"
    assert old in HEATING
    path.write_text(HEATING.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DefinitionError):
        load_definition(path)
    from urbsurvey import yamlio

    assert list(validator().iter_errors(yamlio.read_file(path).data)), new


# --------------------------------------------------------------------------- partner lists


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\xef\xbb\xbfPartner;Role;Lang\r\nM\xc3\xa1laga;City;\r\nAarhus;city;da\r\n", None),
        (b"partner,role,lang\nM\xc3\xa1laga,city,\nAarhus,CITY,da\n", None),
        (b"PARTNER\tROLE\tLANG\nM\xe1laga\tcity\t\nAarhus\tCity\tDA\n", None),  # cp1252
        (b"Partner;Role\r\nM\xe1laga;City\r\nAarhus;Managing Authority\r\n", "ma"),
    ],
)
def test_partner_list_as_excel_saves_it(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "partners.csv"
    path.write_bytes(content)
    specs = read_partner_list(path, default_lang="it")
    assert [s.partner for s in specs] == ["Málaga", "Aarhus"]
    assert specs[0].role.value == "city" and specs[0].lang == "it"  # no language: --lang
    if expected == "ma":
        assert specs[1].role.value == "managing_authority" and specs[1].lang == "it"
    else:
        assert specs[1].lang == "da"  # its own language is kept


@pytest.mark.console
def test_template_takes_partners_from_the_survey_folder(tmp_path: Path) -> None:
    folder = survey_folder(tmp_path, SURVEY)
    done = urbsurvey("template", folder, "-o", tmp_path / "out", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    made = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert made == ["Aarhus-city.xlsx", "Birmingham-city.xlsx"]
    stamp = openpyxl.load_workbook(tmp_path / "out" / "Aarhus-city.xlsx")["urbsurvey_stamp"]
    values = {row[0]: row[1] for row in stamp.iter_rows(values_only=True)}
    assert values["questionnaire"] == "district-heating" and values["partner"] == "Aarhus"


@pytest.mark.console
def test_template_lang_fills_only_rows_without_a_language(tmp_path: Path) -> None:
    (tmp_path / "heating.yaml").write_text(HEATING, encoding="utf-8")
    (tmp_path / "p.csv").write_text("partner,lang\nAarhus,en\nOdense,\n", encoding="utf-8")
    done = urbsurvey(
        "template", "heating.yaml", "--partners", "p.csv", "--lang", "da", "-o", "out",
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    langs = {}
    for path in (tmp_path / "out").iterdir():
        stamp = openpyxl.load_workbook(path)["urbsurvey_stamp"]
        langs[path.name] = {r[0]: r[1] for r in stamp.iter_rows(values_only=True)}["language"]
    assert langs == {"Aarhus-city.xlsx": "en", "Odense-city.xlsx": "da"}


# --------------------------------------------------------------------------- everyday slips


@pytest.mark.console
def test_everyday_slips_exit_2_with_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "heating.yaml").write_text(HEATING, encoding="utf-8")
    cases = {
        ("validate", "retuns"): "Error: retuns: no such file or folder",
        ("validate", "empty", "--questionnaire", "heating.yaml"): "Error: empty: no workbooks "
        "found",
        ("questionnaire", "show", "mile-followup-2090"): "Error: mile-followup-2090: no such "
        "file, and not a bundled questionnaire id; did you mean 'mile-followup-2009'?",
        ("questionnaire", "show", "heatin.yaml"): "Error: heatin.yaml: no such file, and not "
        "a bundled questionnaire id; did you mean 'heating.yaml'?",
        ("questionnaire", "check", "missing.yaml"): "Error: missing.yaml: no such file",
    }
    (tmp_path / "returns").mkdir()
    for args, first_line in cases.items():
        done = urbsurvey(*args, cwd=tmp_path)
        assert done.returncode == 2, args
        assert done.stderr.startswith(first_line), done.stderr
        assert "\nTip: " in done.stderr and "Traceback" not in done.stderr


@pytest.mark.console
def test_survey_slips_exit_2(tmp_path: Path) -> None:
    body = SURVEY.replace("country: GB", "country: Narnia") + "  - {name: aarhus}\n"
    folder = survey_folder(tmp_path, body)
    done = urbsurvey("validate", folder, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines()[1:3] == [
        "  - line 8: partner Birmingham: 'Narnia' is not a country urbsurvey knows; did you "
        "mean 'Romania'? Write its ISO code (IT, GB, RO, …) or its English name.",
        "  - line 9: partner aarhus: 'aarhus' is already listed (line 7); list each partner once",
    ]
    folder = tmp_path / "second"
    folder.mkdir()
    (folder / "heating.yaml").write_text(HEATING, encoding="utf-8")
    (folder / "survey.yaml").write_text(SURVEY, encoding="utf-8")
    done = urbsurvey("report", folder, cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("Error: second/returns: no such folder")


def heating_return(folder: Path, partner: str, **answers: object) -> Path:
    return filled(
        folder / "returns",
        {"kept": "yes", "heated": "On (all year)", **answers},
        questionnaire=folder / "heating.yaml",
        partner=partner,
        name=f"{partner.lower()}.xlsx",
    )


def test_partner_name_close_to_a_known_one_is_one_issue(tmp_path: Path) -> None:
    folder = survey_folder(tmp_path, SURVEY)
    heating_return(folder, "Aarhus")
    heating_return(folder, "Birmingam")
    issues = [i for i in validate([folder]).batch.all_issues()]
    assert [(i.code, i.file, i.cell, i.message) for i in issues] == [
        (
            "unknown-partner",
            "returns/birmingam.xlsx",
            "C6",
            "'Birmingam' is not an expected partner; did you mean Birmingham?",
        )
    ]
    assert "add 'Birmingam' to its aliases" in issues[0].hint


@pytest.mark.console
def test_validate_one_attachment_against_the_survey(tmp_path: Path) -> None:
    folder = survey_folder(tmp_path, SURVEY)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    attachment = filled(
        inbox,
        {"kept": "yes", "cost": "EUR 1.000"},
        questionnaire=folder / "heating.yaml",
        partner="Aarhus",
        name="aarhus.xlsx",
    )
    done = urbsurvey("validate", attachment, "--survey", folder, "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    data = json.loads(done.stdout)
    assert data["questionnaire"]["id"] == "district-heating"
    assert data["files"][0]["partner"] == "Aarhus"
    assert [i["code"] for i in data["issues"]] == []  # EUR has a rate; nobody else "missing"
    # without the survey, the stamp names no bundled questionnaire
    assert urbsurvey("validate", attachment, cwd=tmp_path).returncode == 2


@pytest.mark.console
def test_version(tmp_path: Path) -> None:
    from urbsurvey import __version__

    done = urbsurvey("--version", cwd=tmp_path)
    assert (done.returncode, done.stdout) == (0, f"urbsurvey {__version__}\n")


def as_nobody() -> list[str]:
    """Run as an unprivileged user (root ignores file permissions)."""
    if os.geteuid() != 0:
        return []
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


@pytest.mark.console
def test_read_only_store_reads_and_refuses_to_write() -> None:
    # Outside pytest's private temporary folder, so the unprivileged user can reach it.
    base = Path(tempfile.mkdtemp(prefix="urbsurvey-readonly-"))
    base.chmod(0o755)
    shelf = base / "shelf"
    try:
        folder = survey_folder(base, SURVEY)
        heating_return(folder, "Aarhus")
        shelf.mkdir()
        store = shelf / "heating.sqlite"
        assert urbsurvey("ingest", folder, "--store", store, cwd=base).returncode == 0
        for path in base.rglob("*"):
            path.chmod(0o755 if path.is_dir() else 0o644)
        store.chmod(0o444)
        shelf.chmod(0o555)
        check_read_only(base, folder, store)
    finally:
        shelf.chmod(0o755)
        shutil.rmtree(base)


def check_read_only(base: Path, folder: Path, store: Path) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}

    def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
        command = [*as_nobody(), sys.executable, "-m", "urbsurvey", *map(str, args)]
        return subprocess.run(
            command, cwd=base, capture_output=True, text=True, env=env, check=False
        )

    if as_nobody() and run("--version").returncode != 0:
        pytest.skip("an unprivileged user cannot run this checkout's Python (a private folder)")
    read = run("report", store, "--questionnaire", folder / "heating.yaml", "--format", "json")
    assert read.returncode == 0, read.stderr
    assert json.loads(read.stdout)["respondents"]["returned"]
    write = run("ingest", folder, "--store", store)
    assert write.returncode == 2
    assert write.stderr.startswith(f"Error: {store}: the store is read-only")


# --------------------------------------------------------------------------- the terminal


@pytest.mark.console
@covers("suspicious-name")
def test_names_are_printed_as_text_and_flagged(tmp_path: Path) -> None:
    folder = survey_folder(tmp_path, SURVEY)
    odd = folder / "returns" / "a["
    odd.mkdir()
    heating_return(folder, "Aarhus").rename(odd / "b].xlsx")
    evil = heating_return(folder, "Aar\u202ehus\n[red]Error: fake[/red]")
    evil.rename(evil.with_name("line\nerror fake \u202excod.xlsx"))
    done = urbsurvey("validate", folder, cwd=tmp_path)
    assert "Traceback" not in done.stderr
    out = done.stdout
    assert "a[/b].xlsx" in out  # markup printed as written
    assert "line\\x0aerror fake \\u202excod.xlsx" in out  # newline and bidi shown escaped
    assert "[red]Error: fake[/red]" in out and "Aar\\u202ehus\\x0a" in out
    assert "\u202e" not in out and "\nerror fake" not in out
    assert out.count("suspicious-name") == 2  # the file name and the partner name

"""`urbsurvey report` on the bundled MILE example reproduces the published 2009 outcomes."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from urbsurvey.cli import app
from urbsurvey.report.i18n import MESSAGES

from .conftest import MILE_EXAMPLE, TOY
from .support.convert import convert, requires_soffice
from .support.coverage import covers
from .support.documents import html_elements, md_tables, styled_paragraphs, unescaped_pipes
from .support.schemas import validate
from .support.workbooks import filled, survey_folder

runner = CliRunner()
GOLDEN = Path(__file__).parent / "golden"
EPOCH = {"SOURCE_DATE_EPOCH": "1258934400"}  # 2009-11-23, for reproducible reports


def report(*args: str) -> str:
    result = runner.invoke(app, ["report", *args], env=EPOCH)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def mile_json() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(report(str(MILE_EXAMPLE), "--format", "json"))
    return data


def indicator(data: dict[str, Any], iid: str) -> dict[str, Any]:
    return next(i for i in data["indicators"] if i["id"] == iid)


def test_published_headline_outcomes(mile_json: dict[str, Any]) -> None:
    formal = indicator(mile_json, "lsg_sustained_formally")
    assert formal["value"] == 4
    assert formal["partners"] == ["Amadora", "Sevilla", "Vantaa", "Venice"]
    assert formal["sentence"].startswith(
        "4 partners have formally sustained their LSG beyond the life of the project "
        "(Amadora, Sevilla, Vantaa, Venice)."
    )
    assert indicator(mile_json, "lsg_sustained_informally")["partners"] == [
        "Komotini", "Nea Alikarnassos", "Timisoara",
    ]  # fmt: skip
    funding = indicator(mile_json, "funding_secured_eur")
    assert funding["value"] == 1_400_000
    assert funding["display"] == "€1.4m"
    assert funding["unit"] == "EUR"
    assert len(funding["partners"]) == 4
    assert indicator(mile_json, "lap_implementation_ongoing")["value"] == 7
    impact = indicator(mile_json, "ongoing_local_impact")
    assert impact["value"] == 8
    assert "Rotterdam" not in impact["partners"]
    five_kinds = ["service_practice", "policy_framework", "new_ideas", "inter_agency",
                  "awareness_events"]  # fmt: skip
    breakdown = {b["code"]: b["count"] for b in impact["breakdown"]}
    assert all(breakdown[kind] > 0 for kind in five_kinds)
    assert "none" not in breakdown


def test_every_figure_points_at_its_cells(mile_json: dict[str, Any]) -> None:
    funding = indicator(mile_json, "funding_secured_eur")
    cells = {(s["partner"], s["question"]): s for s in funding["sources"]}
    venice = cells[("Venice", "funding_secured")]
    assert venice["sheet"] == "Responses"
    assert venice["file"].startswith("returns/")
    assert venice["cell"].startswith("C")
    for ind in mile_json["indicators"]:
        assert {s["partner"] for s in ind["sources"]} >= set(ind["partners"]), ind["id"]


@covers("answer-conflict")
def test_respondents_methodology_and_lessons(mile_json: dict[str, Any]) -> None:
    assert len(mile_json["respondents"]["expected"]) == 9
    assert mile_json["respondents"]["missing"] == []
    assert mile_json["methodology"]["interviews"] == 12
    assert mile_json["methodology"]["response_rate"]["rate"] == 1.0
    themes = {t["title"]: t["partners"] for g in mile_json["lessons"] for t in g["themes"]}
    assert themes["Networked members"] == ["Amadora", "Venice", "Timisoara", "Sevilla"]
    assert themes["Woo your Managing Authority"] == [
        "Amadora", "Komotini", "Venice", "Nea Alikarnassos", "Timisoara",
    ]  # fmt: skip
    assert themes["Creating formal partnerships"] == ["Amadora", "Sevilla"]
    assert all(i["code"] != "coding-reference" for i in mile_json["issues"])
    conflict = next(c for c in mile_json["conflicts"] if c["partner"] == "Timisoara")
    assert conflict["question"] == "ma_in_lsg"
    assert any(i["code"] == "answer-conflict" for i in mile_json["issues"])
    assert len(mile_json["inputs"]) == 24
    assert all(len(i["sha256"]) == 64 for i in mile_json["inputs"])


@pytest.mark.parametrize("fmt", ["md", "json"])
def test_golden_report(fmt: str) -> None:
    """Regenerate on purpose with UPDATE_GOLDEN=1 and review the diff."""
    body = report(str(MILE_EXAMPLE), "--format", fmt)
    golden = GOLDEN / f"mile-2009.{fmt}"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(body, encoding="utf-8")
    assert body == golden.read_text(encoding="utf-8")


def test_html_file(tmp_path: Path) -> None:
    html = tmp_path / "r.html"
    report(str(MILE_EXAMPLE), "--format", "html", "-o", str(html))
    text = html.read_text(encoding="utf-8")
    assert "<svg" in text and "4 partners have formally sustained" in text
    assert "Dr. Haroon Saad, thematic expert" in text.split('<nav class="toc"')[0]


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_binary_formats_need_an_output_file(fmt: str) -> None:
    result = runner.invoke(app, ["report", str(MILE_EXAMPLE), "--format", fmt])
    assert result.exit_code == 2
    assert f"--format {fmt} needs -o FILE" in result.output


MILE_CHAPTERS = [
    "Contents",
    "Introduction",
    "Summary",
    "Context",
    "Section one: the URBACT Local Support Group",
    "Section two (a): Local Action Plans (development and implementation)",
    "Section two (b): Local Action Plans (impact)",
    "Section three: involvement of Managing Authorities",
    "Section four: general",
    "Lessons",
    "Issues for discussion at programme level",
    "Conclusions",
    "Methodology",
    "Appendix: answers per partner",
    "Appendix: conflicts between sources",
    "Appendix: data quality",
    "Appendix: provenance of the figures",
    "Appendix: input files",
]


def test_mile_parts_in_the_order_of_the_2009_report(tmp_path: Path) -> None:
    import docx

    md = report(str(MILE_EXAMPLE))
    assert [line[3:] for line in md.splitlines() if line.startswith("## ")] == MILE_CHAPTERS
    first_finding = md.index("## Section one")
    assert md.index("- 4 partners have formally sustained") < first_finding
    assert "ulsg_functioning" not in md[:first_finding]  # no ids before the findings
    html_file = tmp_path / "r.html"
    report(str(MILE_EXAMPLE), "--format", "html", "-o", str(html_file))
    h2 = re.findall(r"<h2>([^<]*)</h2>", html_file.read_text(encoding="utf-8"))
    assert h2 == MILE_CHAPTERS
    docx_file = tmp_path / "r.docx"
    report(str(MILE_EXAMPLE), "--format", "docx", "-o", str(docx_file))
    document = docx.Document(str(docx_file))
    headings = [text for text, style in styled_paragraphs(document) if style == "Heading 1"]
    assert headings == MILE_CHAPTERS


def test_mile_lessons_carry_the_coded_excerpts(mile_json: dict[str, Any]) -> None:
    themes = {t["id"]: t for g in mile_json["lessons"] for t in g["themes"]}
    allow_change = themes["allow_change"]
    (excerpt,) = allow_change["excerpts"]
    assert excerpt["partner"] == "Vantaa" and excerpt["source"] == "city"
    assert "porte ouverte" in excerpt["text"]  # Vantaa answered in French
    networked = [e["partner"] for e in themes["networked_members"]["excerpts"]]
    assert networked == ["Amadora", "Venice", "Timisoara", "Sevilla"]
    chapters = [g["title"] for g in mile_json["lessons"] if g["chapter"]]
    assert chapters == ["Issues for discussion at programme level"]


def test_mile_methodology_in_words(mile_json: dict[str, Any]) -> None:
    m = mile_json["methodology"]
    assert mile_json["currency"]["code"] == "EUR"
    rates = mile_json["currency"]["rates"]
    assert [(r["display"], r["source"][:16]) for r in rates] == [
        ("1 RON = 0.24 EUR", "survey.yaml line")
    ]
    types = {q["id"]: q["type_label"] for s in m["sections"] for q in s["questions"]}
    assert types["ma_in_lsg"] == "yes/no"
    roles = {r["role"]: r["count"] for r in m["respondents_by_role"]}
    assert roles == {"city": 9, "interview": 12, "managing_authority": 3, "other": 0}


@requires_soffice
def test_xlsx_money_column_sums_to_the_headline_in_libreoffice(tmp_path: Path) -> None:
    xlsx = tmp_path / "matrix.xlsx"
    report(str(MILE_EXAMPLE), "--format", "xlsx", "-o", str(xlsx))
    wb = openpyxl.load_workbook(xlsx)
    ws = wb["Partners"]
    header = [c.value for c in ws[1]]
    money = [i for i, h in enumerate(header) if str(h).startswith("Funding") and "(EUR)" in h]
    assert len(money) == 2
    # the secretariat's check: a SUM formula over the two columns, computed by LibreOffice
    last = ws.max_row
    cols = [openpyxl.utils.get_column_letter(i + 1) for i in money]
    ws.cell(
        row=last + 2, column=1
    ).value = f"=SUM({cols[0]}2:{cols[0]}{last})+SUM({cols[1]}2:{cols[1]}{last})"
    summed = tmp_path / "summed.xlsx"
    wb.save(summed)
    csv = convert(summed, "csv", tmp_path / "csv")
    rows = csv.read_text(encoding="utf-8", errors="replace").splitlines()
    assert rows[-1].split(",")[0] == "1400000"
    pdf = convert(xlsx, "pdf", tmp_path / "pdf")
    assert pdf.read_bytes().startswith(b"%PDF-")


@requires_soffice
def test_docx_converts_with_libreoffice_with_text_tables_and_charts(tmp_path: Path) -> None:
    docx_file = tmp_path / "report.docx"
    report(str(MILE_EXAMPLE), "--format", "docx", "-o", str(docx_file))
    pdf = convert(docx_file, "pdf", tmp_path / "pdf")
    done = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True)
    assert done.returncode == 0
    text = done.stdout
    assert "4 partners have formally sustained their LSG" in text
    assert "Figure 1. Does the ULSG continue to function?" in text
    assert "████" in text  # the bars of the charts
    assert "Appendix: answers per partner" in text
    assert re.search(r"Page 2\b", text)  # page numbers in the footer
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "A4" in info


def english_fragments() -> set[str]:
    """The fixed English texts of two words or more that French does not share.

    Cut at their placeholders; single words are left out, as partners' own answers
    (in English for most MILE cities) hold them too. Headings are checked one by one.
    """
    fragments = set()
    for key, english in MESSAGES["en"].items():
        for part in re.split(r"\{[a-z_]+\}", english):
            part = part.strip(" .:;,()")
            if " " in part and len(part) >= 8 and part not in MESSAGES["fr"][key]:
                fragments.add(part)
    return fragments


def contains(text: str, fragment: str) -> bool:
    """The fragment as words of the text (not "as typed" in "was typed")."""
    return fragment in text and re.search(rf"(?<!\w){re.escape(fragment)}(?!\w)", text) is not None


def test_the_french_catalogue_has_every_text() -> None:
    assert MESSAGES["fr"].keys() == MESSAGES["en"].keys()


def test_mile_in_french_has_no_english_fixed_text(tmp_path: Path) -> None:
    md = report(str(MILE_EXAMPLE), "--lang", "fr")
    found = sorted(f for f in english_fragments() if contains(md, f))
    assert found == []
    headings = [line[3:] for line in md.splitlines() if line.startswith("## ")]
    assert headings[:3] == ["Sommaire", "Introduction", "Synthèse"]
    assert "Méthodologie" in headings and "Annexe : réponses par partenaire" in headings
    assert "1,4\xa0M\xa0€ de financements" in md
    assert "9 partenaires sur 9 ont renvoyé le questionnaire (100\xa0%)." in md
    assert "(oui/non)" in md
    assert "Quatre mois après la fin du projet" in md  # the narrative in French
    assert "Créer des partenariats formels" in md  # the lessons in French
    html_file = tmp_path / "fr.html"
    report(str(MILE_EXAMPLE), "--lang", "fr", "--format", "html", "-o", str(html_file))
    html = html_file.read_text(encoding="utf-8")
    assert '<html lang="fr">' in html
    assert sorted(f for f in english_fragments() if contains(html, f)) == []


@pytest.mark.parametrize("where", ["--lang", "survey.yaml"])
def test_an_unknown_language_is_an_error_and_a_tip(tmp_path: Path, where: str) -> None:
    """A language Babel does not know is the user's to fix, not a traceback."""
    root = survey_folder(tmp_path / "bikes", ["Graz"], questionnaire=TOY)
    filled(root / "returns", {"km_built": "12,5"}, questionnaire=TOY, partner="Graz")
    args = ["report", str(root), "-o", str(tmp_path / "r.md")]
    if where == "--lang":
        args += ["--lang", "xx"]
    else:
        config = root / "survey.yaml"
        config.write_text(config.read_text("utf-8") + "language: xx\n", "utf-8")
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert result.output.splitlines() == [
        "Error: unknown report language 'xx'",
        "Tip: Give a language code such as en, fr or de (--lang, or language: in "
        "survey.yaml); the report's own texts exist in en, fr.",
    ]
    assert not (tmp_path / "r.md").exists()


def test_survey_language_decides_and_money_follows_the_locale(tmp_path: Path) -> None:
    survey = tmp_path / "survey"
    shutil.copytree(MILE_EXAMPLE, survey)
    config = survey / "survey.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("language: en", "language: fr"),
        encoding="utf-8",
    )
    data = json.loads(report(str(survey), "--format", "json"))
    assert data["survey"]["language"] == "fr"
    funding = next(c for c in data["charts"] if c["indicator"] == "funding_secured_eur")
    venice = next(b for b in funding["bars"] if b["label"] == "Venice")
    amount = int(venice["value"])
    assert amount > 100_000
    assert venice["display"] == f"{amount:,}".replace(",", "\u202f") + "\xa0€"
    english = json.loads(report(str(MILE_EXAMPLE), "--format", "json"))
    funding = next(c for c in english["charts"] if c["indicator"] == "funding_secured_eur")
    venice = next(b for b in funding["bars"] if b["label"] == "Venice")
    assert venice["display"] == f"€{amount:,}"


def test_schema_option_prints_the_json_schema_the_output_follows(
    mile_json: dict[str, Any],
) -> None:
    schema = json.loads(report("--schema"))
    validate(mile_json, schema)  # the schema is checked against its metaschema too
    assert set(schema["properties"]) == set(mile_json)
    assert set(schema["required"]) == set(mile_json) - {"waves"}  # waves: only when named


def test_report_from_a_store_matches_the_folder(tmp_path: Path, mile_json: dict[str, Any]) -> None:
    store = tmp_path / "mile.sqlite"
    via_store = json.loads(report(str(MILE_EXAMPLE), "--store", str(store), "--format", "json"))
    assert [i["value"] for i in via_store["indicators"]] == [
        i["value"] for i in mile_json["indicators"]
    ]
    again = json.loads(report(str(store), "--format", "json"))
    assert [i["partners"] for i in again["indicators"]] == [
        i["partners"] for i in mile_json["indicators"]
    ]


def test_toy_questionnaire_report(tmp_path: Path) -> None:
    folder = tmp_path / "returns"
    folder.mkdir()
    for city, km, kept in (("Bologna", "12,5", "sì"), ("Parma", "3", "no")):
        filled(folder, {"km_built": km, "kept": kept, "budget": "EUR 20k", "funders": "EU funds"},
               questionnaire=TOY, partner=city, name=f"{city}.xlsx")  # fmt: skip
    data = json.loads(report(str(folder), "--questionnaire", str(TOY), "--format", "json"))
    values = {i["id"]: i["value"] for i in data["indicators"]}
    assert values == {"cities_keeping": 1, "km_total": 15.5, "budget_total": 40000.0,
                      "funders_split": 2}  # fmt: skip
    assert data["survey"]["questionnaire"]["id"] == "toy-bike-lanes"
    # the toy questionnaire goes through validate and ingest too
    checked = runner.invoke(app, ["validate", str(folder), "--questionnaire", str(TOY)])
    assert checked.exit_code == 0, checked.output
    store = tmp_path / "toy.sqlite"
    stored = runner.invoke(
        app, ["ingest", str(folder), "--questionnaire", str(TOY), "--store", str(store)]
    )
    assert stored.exit_code == 0, stored.output
    again = json.loads(report(str(store), "--questionnaire", str(TOY), "--format", "json"))
    assert {i["id"]: i["value"] for i in again["indicators"]} == values


def test_strict_fails_on_data_errors(tmp_path: Path) -> None:
    survey = tmp_path / "survey"
    shutil.copytree(MILE_EXAMPLE, survey)
    (survey / "returns" / "broken.xlsx").write_bytes(b"not a workbook")
    plain = runner.invoke(app, ["report", str(survey), "--format", "json"])
    assert plain.exit_code == 0
    strict = runner.invoke(app, ["report", str(survey), "--format", "json", "--strict"])
    assert strict.exit_code == 1
    issue = next(i for i in json.loads(plain.stdout)["issues"] if i["file"].endswith("broken.xlsx"))
    assert issue["code"] == "not-a-spreadsheet"


HOSTILE = {
    "ulsg_functioning": "formal",
    "lap_stage": "adopted",
    "local_impact": "new ideas stimulated",
    "ulsg_sustaining": "<script>alert(1)</script> a | b\nnew line `code`",
    "barriers": '=HYPERLINK("http://evil.example","click")',
    "barriers_overcome": "<img src=x onerror=alert(1)> [x](javascript:alert(1))",
}


def test_hostile_partner_text_in_every_format(tmp_path: Path) -> None:
    folder = tmp_path / "returns"
    folder.mkdir()

    def as_text(wb: Any) -> None:  # what a partner typed as text, not a formula
        for row in wb["Responses"].iter_rows():
            if row[0].value == "barriers":
                row[2].data_type = "s"

    filled(folder, HOSTILE, partner="<b>Evil|City</b>", name="evil.xlsx", edit=as_text)
    src = [str(folder), "--questionnaire", "mile-followup-2009"]
    md = report(*src, "--format", "md")
    assert "<script>" not in md and "<img" not in md
    assert "[x](javascript:" not in md  # brackets escaped: no live link
    tables = md_tables(md)
    assert any("Evil" in line for t in tables for line in t)
    for t in tables:  # every row of every table has its header's number of cells
        assert all(unescaped_pipes(line) == unescaped_pipes(t[0]) for line in t), t[0]
    html_file = tmp_path / "r.html"
    report(*src, "--format", "html", "-o", str(html_file))
    html = html_file.read_text(encoding="utf-8")
    elements = html_elements(html)
    assert "script" not in {tag for tag, _ in elements}
    assert not [a for _, attrs in elements for a in attrs if a.startswith("on")]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    data = json.loads(report(*src, "--format", "json"))
    answers = data["partners"][0]["answers"]
    assert answers["barriers"] == HOSTILE["barriers"]  # stored verbatim
    xlsx = tmp_path / "r.xlsx"
    report(*src, "--format", "xlsx", "-o", str(xlsx))
    for ws in openpyxl.load_workbook(xlsx):
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    assert cell.data_type == "s", (ws.title, cell.coordinate)


@covers("coding-reference")
def test_coding_example_with_no_answer_is_reported(tmp_path: Path) -> None:
    survey = tmp_path / "survey"
    shutil.copytree(MILE_EXAMPLE, survey)
    coding = survey / "coding.yaml"
    text = coding.read_text(encoding="utf-8")
    text = text.replace(
        "examples:",
        "examples:\n      - {partner: Rotterdam, source: managing_authority,"
        " question: ma_relation}",
        1,
    )
    coding.write_text(text, encoding="utf-8")
    data = json.loads(report(str(survey), "--format", "json"))
    (issue,) = [i for i in data["issues"] if i["code"] == "coding-reference"]
    assert issue["file"] == "coding.yaml"
    assert "Rotterdam has no managing_authority answer to 'ma_relation'" in issue["message"]

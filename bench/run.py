"""Benchmark urbsurvey on a corpus of returned MILE workbooks.

    python bench/run.py                  # 1,000 workbooks
    python bench/run.py --n 10000        # the large run
    python bench/run.py --n 20 --out /tmp/b --skip-naive --repeat 3

Generates (once, cached under OUT/corpus-N/) a survey folder of N returned
workbooks of the bundled MILE questionnaire, then times, each as a separate
process on the same files: `urbsurvey report`, `validate`, `ingest` (new store,
nothing changed, 1% changed), the naive pandas loop a user would write, the
floor (zip members read, nothing parsed), interpreter start, `--help`, `validate`
of one file (read before, and as a return just arrived) and `template --partners`.
Prints a table and writes OUT/results-N.json. See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
QUESTIONNAIRE = "mile-followup-2009"
#: Bump when the corpus changes shape: cached corpora of another version are rebuilt.
CORPUS_VERSION = 4
SEED = 2009
FIXED_ZIP_TIME = (2009, 11, 20, 12, 0, 0)
MB = 1024 * 1024

# --------------------------------------------------------------------------- partners

#: (city, ISO country, workbook language, currency the city writes amounts in)
CITIES: list[tuple[str, str, str, str]] = [
    ("Venice", "IT", "en", "EUR"),
    ("Torino", "IT", "en", "EUR"),
    ("Bologna", "IT", "en", "EUR"),
    ("Napoli", "IT", "en", "EUR"),
    ("Amadora", "PT", "en", "EUR"),
    ("Porto", "PT", "en", "EUR"),
    ("Komotini", "GR", "en", "EUR"),
    ("Nea Alikarnassos", "GR", "en", "EUR"),
    ("Thessaloniki", "GR", "en", "EUR"),
    ("Rotterdam", "NL", "en", "EUR"),
    ("Utrecht", "NL", "en", "EUR"),
    ("Sevilla", "ES", "fr", "EUR"),
    ("Valencia", "ES", "en", "EUR"),
    ("Bilbao", "ES", "en", "EUR"),
    ("Timisoara", "RO", "en", "RON"),
    ("Cluj-Napoca", "RO", "en", "RON"),
    ("Iasi", "RO", "fr", "RON"),
    ("Vantaa", "FI", "fr", "EUR"),
    ("Tampere", "FI", "en", "EUR"),
    ("Glasgow", "GB", "en", "GBP"),
    ("Leeds", "GB", "en", "GBP"),
    ("Bristol", "GB", "en", "GBP"),
    ("Lyon", "FR", "fr", "EUR"),
    ("Lille", "FR", "fr", "EUR"),
    ("Nantes", "FR", "fr", "EUR"),
    ("Liège", "BE", "fr", "EUR"),
    ("Leipzig", "DE", "en", "EUR"),
    ("Dortmund", "DE", "en", "EUR"),
    ("Gdańsk", "PL", "en", "EUR"),
    ("Łódź", "PL", "en", "EUR"),
]

FIRST = ["Giulia", "Ana", "Eleni", "Pieter", "Carmen", "Andrei", "Marco", "Liisa", "Claire",
         "Jonas", "Sophie", "Tomasz", "Ioana", "Rui", "Manolis", "Fiona", "Hélène",
         "Nikos"]  # fmt: skip
LAST = ["Marin", "Rodrigues", "Papadopoulou", "de Vries", "Ruiz Ortega", "Popescu", "Ferrero",
        "Virtanen", "Dubois", "Weber", "Martin", "Nowak", "Radu", "Santos", "Stavrakakis",
        "MacLeod", "Lefèvre", "Georgiou"]  # fmt: skip

SENTENCES = {
    "en": [
        "The LSG meets every two months at the City's integration service.",
        "Its members (trade associations, the Chamber of Commerce, migrant associations and a "
        "bank foundation) bring their own contacts into the action plan.",
        "The councillor for social policies chairs one meeting a year, which keeps the group "
        "visible at political level.",
        "Working across departments was hard: each service has its own priorities.",
        "The timetable of the regional calls did not match the plan.",
        "We focused the plan on three concrete actions, each written as a project proposal for "
        "an identified funding source.",
        "About 60 entrepreneurs used the start-up desk in its first four months.",
        "Two awareness events were held in the neighbourhoods with the migrant associations.",
        "The managing authority attended the LSG once as an observer.",
        "A formal protocol between the partners was signed in September 2009.",
        "Small town: the members see each other in other committees every week.",
        "The borough reorganisation changed the core group.",
    ],
    "fr": [
        "Le groupe se réunit tous les deux mois au service d'intégration de la ville.",
        "Ses membres (chambre de commerce, associations de migrants, fondation bancaire) "
        "apportent leurs propres contacts au plan d'action.",
        "L'élu aux affaires sociales préside une réunion par an.",
        "Travailler entre services a été difficile : chacun a ses priorités.",
        "Le calendrier des appels régionaux ne correspondait pas au plan.",
        "Nous avons concentré le plan sur trois actions concrètes, chacune rédigée comme un "
        "projet pour un financement identifié.",
        "Environ 60 entrepreneurs ont utilisé le guichet au cours des quatre premiers mois.",
        "Deux événements de sensibilisation ont eu lieu dans les quartiers.",
        "L'autorité de gestion a assisté une fois au groupe en observatrice.",
        "Un protocole formel a été signé entre les partenaires en septembre 2009.",
    ],
}
NOTES = {
    "en": [
        "Indicated by the managing authority; the ESF call is expected in early 2010.",
        "Figure confirmed by the finance department.",
        "See the attached minutes.",
        "Answer agreed with the LSG coordinator.",
    ],
    "fr": [
        "Indiqué par l'autorité de gestion ; l'appel FSE est attendu début 2010.",
        "Chiffre confirmé par le service financier.",
        "Voir le compte rendu joint.",
    ],
}
YES_NO = {"en": (["Yes", "yes", "YES"], ["No", "no"]), "fr": (["Oui", "oui"], ["Non", "non"])}
#: Yes/no as partners of other countries type it, in an English workbook.
YES_NO_LOCAL = {"IT": ("Sì", "No"), "DE": ("Ja", "Nein"), "NL": ("Ja", "Nee"),
                "PT": ("Sim", "Não"), "ES": ("Sí", "No"), "FI": ("Kyllä", "Ei")}  # fmt: skip

ISSUE_KINDS = ("invalid-choice", "not-a-number", "missing-required")


# --------------------------------------------------------------------------- answers


@dataclass(slots=True)
class Partner:
    index: int
    name: str
    country: str
    lang: str
    currency: str
    fmt: str = "xlsx"  # xlsx, xls or ods
    issue: str | None = None  # one of ISSUE_KINDS, "corrupt-file" or None

    @property
    def stem(self) -> str:
        ascii_name = re.sub(r"[^A-Za-z0-9]+", "-", self.name.encode("ascii", "ignore").decode())
        return f"{self.index + 1:05d}-{ascii_name.strip('-').lower()}-city"


def make_partners(n: int, converted: bool) -> list[Partner]:
    """N partners: ~5% xls and ~5% ods (when LibreOffice exists), ~2% with issues."""
    partners = []
    for i in range(n):
        city, country, lang, currency = CITIES[i % len(CITIES)]
        partners.append(Partner(i, f"{city} {i + 1:05d}", country, lang, currency))
    if converted:
        for p in partners:
            if p.index % 20 == 3:
                p.fmt = "xls"
            elif p.index % 20 == 13:
                p.fmt = "ods"
    # ~2% of the files carry an issue: one corrupt file, the others cycle through the kinds.
    xlsx = [p for p in partners if p.fmt == "xlsx"]
    count = min(len(xlsx), max(len(ISSUE_KINDS) + 1, round(0.02 * n)))
    step = len(xlsx) / count
    for k in range(count):
        p = xlsx[int(k * step + step / 2)]
        p.issue = "corrupt-file" if k == 0 else ISSUE_KINDS[(k - 1) % len(ISSUE_KINDS)]
    return partners


def changed_partners(partners: Sequence[Partner]) -> list[Partner]:
    """The 1% (at least one) of clean xlsx files rewritten for the re-ingest measurement."""
    clean = [p for p in partners if p.fmt == "xlsx" and p.issue is None]
    count = max(1, len(partners) // 100)
    step = len(clean) / count
    return [clean[int(k * step)] for k in range(count)]


def _money(rng: random.Random, p: Partner) -> object:
    amount = rng.choice([50, 80, 120, 150, 240, 350, 400, 500, 750, 1000, 1400, 2500]) * 1000
    if p.currency == "RON":
        dotted = f"{amount:,}".replace(",", ".")
        return rng.choice([f"RON {dotted}", f"{dotted} lei"])
    if p.currency == "GBP":
        return rng.choice([f"£{amount:,}", f"GBP {amount:,}"])
    euro = f"{amount:,}".replace(",", ".")
    forms: list[object] = [
        f"{euro} €",
        f"€ {euro},00",
        f"EUR {amount // 1000}k",
        f"{euro},50 €",
        f"{amount:,} €".replace(",", " "),
    ]
    if amount >= 1_000_000:
        forms.append(f"€{amount / 1_000_000:g}m")
    # No numeric cells here: a bare amount is read in the partner's currency with a
    # `currency-assumed` warning, and the corpus has no warnings but the planted ones.
    return rng.choice(forms)


def _labels(q: Any, qid: str, lang: str) -> dict[str, str]:
    from urbsurvey.definition import text

    question = next(x for x in q.questions() if x.id == qid)
    return {c.code: text(c.label, lang) for c in question.choices}


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _choice(rng: random.Random, labels: dict[str, str], code: str) -> str:
    """A single choice as partners type it: the label, sometimes the code or in lower case."""
    roll = rng.random()
    if roll < 0.08:
        return code
    if roll < 0.14:
        return labels[code].lower()
    return labels[code]


def _many(rng: random.Random, labels: dict[str, str], codes: list[str]) -> str:
    sep = rng.choice(["; ", "; ", "\n", ";"])
    return sep.join(labels[c] for c in codes)


def _text(rng: random.Random, lang: str, low: int, high: int) -> str:
    pool = SENTENCES[lang]
    return " ".join(rng.sample(pool, rng.randint(low, min(high, len(pool)))))


def make_answers(
    q: Any, p: Partner, variant: int, cell_numbers: bool
) -> tuple[dict[str, object], dict[str, str]]:
    """Answers and notes by question id: every question type of the MILE questionnaire."""
    rng = random.Random(SEED * 1_000_003 + p.index * 101 + variant)
    lang = p.lang
    first, last = rng.choice(FIRST), rng.choice(LAST)
    city = p.name.rsplit(" ", 1)[0]
    day = dt.date(2009, 10, 1) + dt.timedelta(days=rng.randint(0, 50))
    date_forms: list[object] = [day.strftime("%d/%m/%Y"), day.isoformat()]
    if cell_numbers:
        date_forms += [day, day]
    a: dict[str, object] = {
        "respondent.organisation": rng.choice(
            [f"City of {city}", f"Comune di {city}", f"Ville de {city}", f"{city} City Council"]
        ),
        "respondent.name": f"{first} {last}",
        "respondent.email": f"{first}.{last}@{city}.example".lower().replace(" ", ""),
        "respondent.date": rng.choice(date_forms),
    }
    functioning = _pick(rng, {"formal": 45, "informal": 30, "no": 25})
    a["ulsg_functioning"] = _choice(rng, _labels(q, "ulsg_functioning", lang), functioning)
    if functioning != "no":
        a["ulsg_sustaining"] = _text(rng, lang, 1, 4)
    stage = _pick(
        rng,
        {"implementing_part": 45, "implementing_full": 20, "adopted": 15, "in_preparation": 10,
         "discontinued": 10},
    )  # fmt: skip
    a["lap_stage"] = _choice(rng, _labels(q, "lap_stage", lang), stage)
    if stage.startswith("implementing"):
        actions = rng.randint(1, 12)
        as_cell = cell_numbers and rng.random() < 0.7
        a["lap_actions_implemented"] = actions if as_cell else str(actions)
    if rng.random() < 0.6:
        a["lap_unplanned"] = _text(rng, lang, 1, 3)
    if rng.random() < 0.85:
        core = _pick(rng, {"yes": 60, "partly": 25, "no": 15})
        a["core_group_active"] = _choice(rng, _labels(q, "core_group_active", lang), core)
    shared = _labels(q, "experience_shared", lang)
    if rng.random() < 0.1:
        a["experience_shared"] = shared["not_shared"]
    else:
        a["experience_shared"] = _many(
            rng, shared, rng.sample(["own_departments", "other_cities", "other_organisations"], 2)
        )
    impact = _labels(q, "local_impact", lang)
    if rng.random() < 0.1:
        a["local_impact"] = impact["none"]
    else:
        codes = [c for c in impact if c != "none"]
        a["local_impact"] = _many(rng, impact, rng.sample(codes, rng.randint(1, 4)))
        a["local_impact_details"] = _text(rng, lang, 1, 4)
    a["ma_relation"] = _text(rng, lang, 1, 3)
    yes, no = YES_NO[lang]
    local = YES_NO_LOCAL.get(p.country) if lang == "en" else None
    for qid in ("ma_separate_meetings", "ma_in_lsg", "ma_funding_indication"):
        if rng.random() < 0.9:
            answer_yes = rng.random() < 0.6
            if local and rng.random() < 0.15:
                a[qid] = local[0] if answer_yes else local[1]
            else:
                a[qid] = rng.choice(yes if answer_yes else no)
    funded = rng.random() < 0.6
    if funded:
        a["funding_secured"] = _money(rng, p)
        if rng.random() < 0.5:
            a["funding_provisional"] = _money(rng, p)
        sources = _labels(q, "funding_sources", lang)
        a["funding_sources"] = _many(
            rng, sources, rng.sample(["erdf", "esf", "national", "other_eu", "regional_local"], 2)
        )
    if rng.random() < 0.8:
        a["barriers"] = _text(rng, lang, 1, 3)
    if rng.random() < 0.6:
        a["barriers_overcome"] = _text(rng, lang, 1, 3)
    notes: dict[str, str] = {}
    for qid in ("funding_provisional", "lap_stage", "ulsg_sustaining", "ma_in_lsg"):
        if qid in a and rng.random() < 0.15:
            notes[qid] = rng.choice(NOTES[lang])
    if variant:
        update = _text(rng, lang, 1, 2)
        a["barriers_overcome"] = f"Updated answer (version {variant + 1}): {update}"
    if p.issue == "invalid-choice":
        a["ulsg_functioning"] = "Maybe next year"
    elif p.issue == "not-a-number":
        a["funding_secured"] = "to be confirmed by the region"
    elif p.issue == "missing-required":
        a.pop("lap_stage")
        a.pop("lap_actions_implemented", None)
    return a, notes


# --------------------------------------------------------------------------- workbooks

PARTNER_MARKER = "§P§"
_XLSX_SLOT = re.compile(
    r'<c r="(?P<ref>[A-Z]+[0-9]+)"(?: s="(?P<s>[0-9]+)")? t="inlineStr">'
    r"<is><t>§(?P<kind>[AN])§(?P<qid>[a-z_.]+)§</t></is></c>"
)
_ODS_SLOT = re.compile(
    r'<table:table-cell(?P<attrs>(?: table:[a-z-]+="[^"]*")*) office:value-type="string"'
    r' calcext:value-type="string"><text:p>§(?P<kind>[AN])§(?P<qid>[a-z_.]+)§</text:p>'
    r"</table:table-cell>"
)
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def marker_workbook(q: Any, lang: str) -> Any:
    """The `urbsurvey template` workbook with a marker in every answer and notes cell."""
    from urbsurvey.definition import Role
    from urbsurvey.workbook.cells import put
    from urbsurvey.workbook.partners import WorkbookSpec
    from urbsurvey.workbook.template import build_workbook
    from urbsurvey.workbook.words import header_words

    wb = build_workbook(q, WorkbookSpec(PARTNER_MARKER, Role.CITY, lang))
    ws = wb.worksheets[0]  # the answers sheet, named in the workbook's language
    header = next(r for r in range(1, 51) if ws.cell(r, 1).value == "ID")
    words = header_words()
    cols = {words.get(str(ws.cell(header, c).value).lower()): c for c in range(1, 6)}
    for row in range(header + 1, ws.max_row + 1):
        qid = ws.cell(row, cols["id"]).value
        if not qid or qid in ("respondent.partner", "respondent.role"):
            continue
        put(ws, row, cols["answer"], f"§A§{qid}§")
        put(ws, row, cols["notes"], f"§N§{qid}§")
        if qid == "respondent.date":
            ws.cell(row, cols["answer"]).number_format = "DD/MM/YYYY"  # as Excel sets it
    return wb


class Slotted:
    """An XML part split at its marker cells, re-joined with each partner's cells."""

    def __init__(self, xml: str, pattern: re.Pattern[str]) -> None:
        self.literals: list[str] = []
        self.slots: list[dict[str, str]] = []
        pos = 0
        for m in pattern.finditer(xml):
            self.literals.append(xml[pos : m.start()])
            self.slots.append({k: v or "" for k, v in m.groupdict().items()})
            pos = m.end()
        self.literals.append(xml[pos:])
        if not self.slots:
            raise SystemExit("bench: no marker cells found in the template")

    def render(self, cell: Callable[[dict[str, str], object], str], a: dict[str, object],
               notes: dict[str, str]) -> str:  # fmt: skip
        out = [self.literals[0]]
        for slot, literal in zip(self.slots, self.literals[1:], strict=True):
            value = a.get(slot["qid"]) if slot["kind"] == "A" else notes.get(slot["qid"])
            out.append(cell(slot, value))
            out.append(literal)
        return "".join(out)


def _xlsx_cell(slot: dict[str, str], value: object) -> str:
    ref, style = slot["ref"], f' s="{slot["s"]}"' if slot["s"] else ""
    if value is None or value == "":
        return f'<c r="{ref}"{style} />' if slot["kind"] == "A" else ""
    if isinstance(value, dt.date):
        value = (value - _EXCEL_EPOCH).days
    if isinstance(value, int | float):
        return f'<c r="{ref}"{style} t="n"><v>{value}</v></c>'
    space = ' xml:space="preserve"' if str(value) != str(value).strip() else ""
    return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{escape(str(value))}</t></is></c>'


def _ods_cell(slot: dict[str, str], value: object) -> str:
    attrs = slot["attrs"]
    if value is None or value == "":
        return f"<table:table-cell{attrs}/>"
    if isinstance(value, int | float):
        return (
            f'<table:table-cell{attrs} office:value-type="float" office:value="{value}"'
            f' calcext:value-type="float"><text:p>{value}</text:p></table:table-cell>'
        )
    paras = "".join(f"<text:p>{escape(line)}</text:p>" for line in str(value).split("\n"))
    return (
        f'<table:table-cell{attrs} office:value-type="string" calcext:value-type="string">'
        f"{paras}</table:table-cell>"
    )


@dataclass
class Package:
    """A template package (xlsx or ods): its members, with the marker parts slotted."""

    infos: list[zipfile.ZipInfo]
    data: dict[str, bytes]
    slotted: dict[str, Slotted] = field(default_factory=dict)
    partner_parts: set[str] = field(default_factory=set)  # parts holding only the name marker

    @classmethod
    def load(cls, blob: bytes, pattern: re.Pattern[str], parts: Sequence[str]) -> Package:
        with zipfile.ZipFile(io.BytesIO(blob)) as z:
            infos = z.infolist()
            data = {i.filename: z.read(i) for i in infos}
        # openpyxl with lxml writes the markers' § as a character reference
        data = {k: v.replace(b"&#167;", "§".encode()) if k in parts else v for k, v in data.items()}
        pkg = cls(infos, data)
        for name in parts:
            text = data[name].decode("utf-8")
            if "§A§" in text:
                pkg.slotted[name] = Slotted(text, pattern)
            elif PARTNER_MARKER in text:
                pkg.partner_parts.add(name)
        return pkg

    def write(self, path: Path, partner: str, cell: Callable[[dict[str, str], object], str],
              a: dict[str, object], notes: dict[str, str]) -> None:  # fmt: skip
        name = escape(partner)
        with zipfile.ZipFile(path, "w") as z:
            for info in self.infos:
                member = zipfile.ZipInfo(info.filename, FIXED_ZIP_TIME)
                member.compress_type = info.compress_type
                member.external_attr = info.external_attr
                if info.filename in self.slotted:
                    text = self.slotted[info.filename].render(cell, a, notes)
                    body = text.replace(PARTNER_MARKER, name).encode("utf-8")
                elif info.filename in self.partner_parts:
                    body = self.data[info.filename].decode().replace(PARTNER_MARKER, name).encode()
                else:
                    body = self.data[info.filename]
                z.writestr(member, body)


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _soffice_profile(k: int) -> Path:
    """A LibreOffice profile of our own (no thumbnails in .ods: they cost time)."""
    profile = Path(tempfile.gettempdir()) / f"lo-bench-{k}"
    xcu = profile / "user" / "registrymodifications.xcu"
    if not xcu.exists():
        xcu.parent.mkdir(parents=True, exist_ok=True)
        xcu.write_text(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
            'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
            '<item oor:path="/org.openoffice.Office.Common/Save/Document">'
            '<prop oor:name="GenerateThumbnail" oor:op="fuse"><value>false</value></prop></item>\n'
            "</oor:items>\n",
            encoding="utf-8",
        )
    return profile


#: Files per soffice call. With ~250, LibreOffice 7 quietly skipped the last few inputs.
SOFFICE_BATCH = 100


def convert(files: Sequence[Path], fmt: str, outdir: Path, jobs: int = 1) -> None:
    """Convert with LibreOffice: many files per soffice call, `jobs` calls at once.

    Files LibreOffice did not write are tried once more; callers check what exists.
    """
    soffice = soffice_path()
    if soffice is None:
        return
    outdir.mkdir(parents=True, exist_ok=True)
    todo = list(files)
    for _attempt in range(2):
        batches = [todo[i : i + SOFFICE_BATCH] for i in range(0, len(todo), SOFFICE_BATCH)]
        running: list[subprocess.Popen[bytes]] = []
        for k, batch in enumerate(batches):
            if len(running) >= max(1, jobs):
                running.pop(0).wait(timeout=1800)
            profile = _soffice_profile(k % max(1, jobs)).as_uri()
            cmd = [soffice, "--headless", f"-env:UserInstallation={profile}",
                   "--convert-to", fmt, "--outdir", str(outdir), *map(str, batch)]  # fmt: skip
            running.append(
                subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            )
        for proc in running:
            proc.wait(timeout=1800)
        todo = [f for f in todo if not (outdir / f"{f.stem}.{fmt}").is_file()]
        if not todo:
            return


class Generator:
    """Makes the partners' returned workbooks from one template per language."""

    def __init__(self) -> None:
        from urbsurvey.resources import load_questionnaire

        self.q = load_questionnaire(QUESTIONNAIRE)
        self._xlsx: dict[str, Package] = {}
        self._ods: dict[str, Package] = {}

    def _marker_bytes(self, lang: str) -> bytes:
        buf = io.BytesIO()
        marker_workbook(self.q, lang).save(buf)
        return buf.getvalue()

    def xlsx_package(self, lang: str) -> Package:
        if lang not in self._xlsx:
            blob = self._marker_bytes(lang)
            with zipfile.ZipFile(io.BytesIO(blob)) as z:
                parts = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
            self._xlsx[lang] = Package.load(blob, _XLSX_SLOT, parts)
        return self._xlsx[lang]

    def prepare_ods(self, langs: Sequence[str], tmp: Path) -> None:
        """Each language's marker template saved as .ods by LibreOffice, once."""
        todo = [lang for lang in langs if lang not in self._ods]
        sources = []
        for lang in todo:
            src = tmp / f"template-{lang}.xlsx"
            src.write_bytes(self._marker_bytes(lang))
            sources.append(src)
        convert(sources, "ods", tmp)
        for lang in todo:
            made = tmp / f"template-{lang}.ods"
            if not made.is_file():
                raise SystemExit(f"bench: LibreOffice did not write {made}")
            self._ods[lang] = Package.load(made.read_bytes(), _ODS_SLOT, ["content.xml"])

    def write(self, p: Partner, path: Path, variant: int = 0) -> None:
        """The partner's workbook as .xlsx (or .ods from the LibreOffice template)."""
        ods = path.suffix == ".ods"
        a, notes = make_answers(self.q, p, variant, cell_numbers=not ods)
        if ods:
            self._ods[p.lang].write(path, p.name, _ods_cell, a, notes)
        else:
            self.xlsx_package(p.lang).write(path, p.name, _xlsx_cell, a, notes)


def _survey_yaml(partners: Sequence[Partner]) -> str:
    lines = [
        f"# urbsurvey benchmark corpus: {len(partners)} partners (bench/run.py)",
        "title: MILE follow-up survey, benchmark corpus",
        f"questionnaire: {QUESTIONNAIRE}",
        "language: en",
        "currency: EUR",
        "exchange_rates: {RON: 0.2, GBP: 1.1}",
        "expected_roles: [city]",
        "returns: returns",
        "coding: null",
        "partners:",
    ]
    lines += [f"  - {{name: {json.dumps(p.name)}, country: {p.country}}}" for p in partners]
    return "\n".join(lines) + "\n"


def generate(corpus: Path, n: int) -> dict[str, Any]:
    """Write the survey folder: survey.yaml, partners.csv and returns/."""
    started = time.perf_counter()
    if corpus.exists():
        shutil.rmtree(corpus)
    returns = corpus / "returns"
    returns.mkdir(parents=True)
    can_convert = soffice_path() is not None
    partners = make_partners(n, can_convert)
    gen = Generator()
    timings: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="urbsurvey-bench-") as tmp_name:
        tmp = Path(tmp_name)
        t = time.perf_counter()
        if can_convert:
            gen.prepare_ods(sorted({p.lang for p in partners if p.fmt == "ods"}), tmp)
        timings["ods_templates_s"] = time.perf_counter() - t
        t = time.perf_counter()
        to_xls: list[Path] = []
        for k, p in enumerate(partners):
            if p.fmt == "xls":
                path = tmp / "xls-src" / f"{p.stem}.xlsx"
                path.parent.mkdir(exist_ok=True)
                to_xls.append(path)
            else:
                path = returns / f"{p.stem}.{p.fmt}"
            gen.write(p, path)
            if p.issue == "corrupt-file":
                blob = path.read_bytes()
                path.write_bytes(blob[: len(blob) // 2])  # cut short, as a failed upload
            if (k + 1) % 2000 == 0:
                print(f"  {k + 1}/{n} workbooks written", file=sys.stderr)
        timings["xlsx_ods_s"] = time.perf_counter() - t
        t = time.perf_counter()
        if to_xls:
            print(f"  converting {len(to_xls)} workbooks to .xls with LibreOffice", file=sys.stderr)
            convert(to_xls, "xls", returns, jobs=min(2, os.cpu_count() or 1))
            for src in to_xls:
                if not (returns / f"{src.stem}.xls").is_file():  # keep it, as .xlsx
                    print(f"  LibreOffice did not convert {src.name}", file=sys.stderr)
                    shutil.move(src, returns / src.name)
                    next(p for p in partners if p.stem == src.stem).fmt = "xlsx"
        timings["xls_s"] = time.perf_counter() - t
    (corpus / "survey.yaml").write_text(_survey_yaml(partners), encoding="utf-8")
    timings["total_s"] = time.perf_counter() - started
    formats = {f: sum(p.fmt == f for p in partners) for f in ("xlsx", "xls", "ods")}
    issues = {k: sum(p.issue == k for p in partners) for k in (*ISSUE_KINDS, "corrupt-file")}
    manifest = {
        "corpus_version": CORPUS_VERSION,
        "n": n,
        "formats": formats,
        "issues": issues,
        "partners": [[p.name, p.country, p.lang, p.currency, p.fmt, p.issue] for p in partners],
        "generation": {k: round(v, 3) for k, v in timings.items()},
        "pending_changes": [],
    }
    _write_manifest(corpus, manifest)
    return manifest


def _write_manifest(corpus: Path, manifest: dict[str, Any]) -> None:
    tmp = corpus / "manifest.json.tmp"
    tmp.write_text(json.dumps(manifest), encoding="utf-8")
    tmp.replace(corpus / "manifest.json")


def load_corpus(corpus: Path, n: int) -> dict[str, Any] | None:
    try:
        manifest: dict[str, Any] = json.loads((corpus / "manifest.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if manifest.get("corpus_version") != CORPUS_VERSION or manifest.get("n") != n:
        return None
    return manifest


def partners_of(manifest: dict[str, Any]) -> list[Partner]:
    return [
        Partner(i, name, country, lang, currency, fmt, issue)
        for i, (name, country, lang, currency, fmt, issue) in enumerate(manifest["partners"])
    ]


def rewrite(corpus: Path, manifest: dict[str, Any], gen: Generator, variant: int) -> int:
    """Rewrite the 1% with other answers (variant > 0), or restore them (variant 0)."""
    chosen = changed_partners(partners_of(manifest))
    manifest["pending_changes"] = [] if variant == 0 else [p.index for p in chosen]
    if variant:
        _write_manifest(corpus, manifest)
    for p in chosen:
        path = corpus / "returns" / f"{p.stem}.xlsx"
        gen.write(p, path, variant)
        os.utime(path)  # a new modification time, whatever the clock's resolution
    if not variant:
        _write_manifest(corpus, manifest)
    return len(chosen)


# --------------------------------------------------------------------------- measuring

NAIVE = r"""
import json, re, sys, time
from pathlib import Path
import pandas as pd

engines = {}
for mod, ext in (("openpyxl", ".xlsx"), ("xlrd", ".xls"), ("odf", ".ods")):
    try:
        __import__(mod)
        engines[ext] = mod
    except ImportError:
        pass
FORMAL = {"yes, it continues and meets regularly", "oui, il continue et se réunit régulièrement"}
INFORMAL = {"informally: members still meet in other local groupings",
            "de façon informelle : les membres se retrouvent dans d'autres groupes locaux"}
IMPLEMENTING = {"being implemented in part", "being implemented in full",
                "en partie mis en œuvre", "entièrement mis en œuvre"}
NO_IMPACT = {"no impact yet", "pas encore d'impact"}

def money(v):
    if isinstance(v, (int, float)):
        return 0.0 if v != v else float(v)
    digits = re.sub(r"[^0-9,.]", "", str(v)).replace(".", "").replace(",", ".")
    try:
        return float(digits)
    except ValueError:
        return 0.0

files = sorted(p for p in Path(sys.argv[1]).rglob("*") if p.suffix in (".xlsx", ".xls", ".ods"))
counts = {"formal": 0, "informal": 0, "lap_implementing": 0, "local_impact": 0}
funding, read, failed, skipped = 0.0, 0, 0, 0
for path in files:
    if path.suffix not in engines:
        skipped += 1
        continue
    try:
        sheets = pd.read_excel(path, sheet_name=None, header=None)
    except Exception:
        failed += 1
        continue
    read += 1
    answers = {}
    for df in sheets.values():
        rows = df.values.tolist()
        for i, row in enumerate(rows[:50]):
            if "ID" in row and "Answer" in row:
                id_col, answer_col = row.index("ID"), row.index("Answer")
                for r in rows[i + 1:]:
                    if isinstance(r[id_col], str) and r[answer_col] == r[answer_col]:
                        answers[r[id_col].strip()] = r[answer_col]
                break
        if answers:
            break
    functioning = str(answers.get("ulsg_functioning", "")).strip().lower()
    counts["formal"] += functioning in FORMAL
    counts["informal"] += functioning in INFORMAL
    counts["lap_implementing"] += str(answers.get("lap_stage", "")).strip().lower() in IMPLEMENTING
    impact = str(answers.get("local_impact", "")).strip().lower()
    counts["local_impact"] += bool(impact) and impact not in NO_IMPACT
    for qid in ("funding_secured", "funding_provisional"):
        if qid in answers:
            funding += money(answers[qid])
print(json.dumps({"files": len(files), "read": read, "failed": failed, "skipped": skipped,
                  "engines": engines, "counts": counts, "funding": funding}))
"""

FLOOR = r"""
import json, sys, zipfile
from pathlib import Path

files = sorted(p for p in Path(sys.argv[1]).rglob("*") if p.suffix in (".xlsx", ".xls", ".ods"))
total = failed = 0
for path in files:
    if path.suffix == ".xlsx":
        try:
            with zipfile.ZipFile(path) as z:
                for name in z.namelist():
                    if name.startswith("xl/worksheets/") or name == "xl/sharedStrings.xml":
                        total += len(z.read(name))
        except (zipfile.BadZipFile, OSError):
            failed += 1
    else:
        total += len(path.read_bytes())
print(json.dumps({"files": len(files), "bytes": total, "failed": failed}))
"""


@dataclass
class Run:
    wall_s: float
    peak_mb: float  # largest single process of the tree (ru_maxrss)
    tree_mb: float  # sampled peak of the summed PSS of every process of the tree
    returncode: int
    stdout: str


#: GNU time (Debian package `time`): its %M is the command's own ru_maxrss.
TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None
#: Without GNU time: a small process that runs the command and reports its ru_maxrss.
WRAPPER = r"""
import resource, subprocess, sys
code = subprocess.call(sys.argv[2:])
with open(sys.argv[1], "w") as fh:
    fh.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(code)
"""


def _tree(root: int) -> list[int]:
    """The descendants of `root` (not itself)."""
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as fh:
                    children = [int(c) for c in fh.read().split()]
                pids.extend(children)
                todo.extend(children)
        except OSError:
            pass
    return pids


def _pss_kb(pid: int) -> int:
    """The process's proportional set size: its resident pages, each page it shares with
    other processes (a forked worker shares its parent's until either writes them) counted
    as its share. Summed over a tree, a shared page counts once, where summed RSS would
    count it in every process (on a kernel without smaps_rollup: RSS)."""
    for name, key in (("smaps_rollup", "Pss:"), ("status", "VmRSS:")):
        try:
            with open(f"/proc/{pid}/{name}") as fh:
                for line in fh:
                    if line.startswith(key):
                        return int(line.split()[1])
        except OSError:
            continue
    return 0


def run_once(cmd: Sequence[str], log: Path) -> Run:
    """Run `cmd` as a process: wall time, peak RSS of its largest process, of the whole tree.

    Measured from outside by GNU time (or a small wrapper): this script's own
    ru_maxrss, or the RUSAGE_CHILDREN maximum over all children so far, would leak
    into the figure. The tree (a command and its worker processes) is sampled
    every 10 ms from /proc.
    """
    rss_file = log.with_suffix(".rss")
    if TIME:
        wrapped = [TIME, "-f", "%M", "-o", str(rss_file), *cmd]
    else:
        wrapped = [sys.executable, "-c", WRAPPER, str(rss_file), *cmd]
    peak_tree = [0]
    done = threading.Event()
    with open(log, "w") as out, open(log.with_suffix(".err"), "w") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(wrapped, stdout=out, stderr=err)

        def sample() -> None:
            while not done.wait(0.01):
                peak_tree[0] = max(peak_tree[0], sum(_pss_kb(p) for p in _tree(proc.pid)))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        proc.wait()
        wall = time.perf_counter() - started
        done.set()
        sampler.join()
    lines = rss_file.read_text().split()
    peak = int(lines[-1]) / 1024 if lines else 0.0  # KB on Linux
    return Run(wall, peak, max(peak, peak_tree[0] / 1024), proc.returncode, log.read_text())


def best_of(
    repeat: int, cmd: Sequence[str], log: Path, ok: Sequence[int] = (0,),
    before: Callable[[], None] | None = None,
) -> Run:  # fmt: skip
    runs = []
    for _ in range(repeat):
        if before:
            before()
        run = run_once(cmd, log)
        if run.returncode not in ok:
            err = log.with_suffix(".err").read_text()[-2000:]
            raise SystemExit(f"bench: {' '.join(cmd)} exited {run.returncode}\n{err}")
        runs.append(run)
    return best_run(runs)


def best_run(runs: Sequence[Run]) -> Run:
    """The fastest of `runs`, with the worst peak memory of them all."""
    best = min(runs, key=lambda r: r.wall_s)
    best.peak_mb = max(r.peak_mb for r in runs)
    best.tree_mb = max(r.tree_mb for r in runs)
    return best


def compile_bytecode() -> None:
    """Measure urbsurvey as installed: its modules compiled, as pip compiles a wheel's.

    With PYTHONDONTWRITEBYTECODE set (as on some CI machines) an editable install is
    otherwise compiled from source at every run, which costs more than a short command.
    """
    import compileall

    import urbsurvey

    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    sys.dont_write_bytecode = False
    compileall.compile_dir(Path(urbsurvey.__file__).parent, quiet=1)


def urbsurvey_exe() -> str:
    beside = Path(sys.executable).parent / "urbsurvey"
    if beside.is_file():
        return str(beside)
    found = shutil.which("urbsurvey")
    if found is None:
        raise SystemExit("bench: no `urbsurvey` command (pip install -e . first)")
    return found


def engines() -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    for module in ("pandas", "openpyxl", "xlrd", "odf", "python_calamine"):
        try:
            mod = __import__(module)
            found[module] = str(getattr(mod, "__version__", "installed"))
        except ImportError:
            found[module] = None
    return found


def load_average() -> tuple[float, float, float] | None:
    return os.getloadavg() if hasattr(os, "getloadavg") else None


def machine(load_at_start: tuple[float, float, float] | None) -> dict[str, Any]:
    info: dict[str, Any] = {
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "executable": sys.executable,
        "loadavg_at_start": load_at_start,
        "loadavg_at_end": load_average(),
        "engines": engines(),
        "soffice": soffice_path(),
    }
    try:
        with open("/proc/cpuinfo") as fh:
            models = (line.split(":", 1)[1].strip() for line in fh if line.startswith("model name"))
            info["cpu"] = next(models, None)
    except OSError:
        pass
    return info


def measure(args: argparse.Namespace) -> dict[str, Any]:
    load_at_start = load_average()  # other work on the machine skews every figure: say how much
    out: Path = args.out
    n: int = args.n
    corpus = out / f"corpus-{n}"
    logs = out / f"logs-{n}"
    out.mkdir(parents=True, exist_ok=True)
    logs.mkdir(exist_ok=True)
    gen = Generator()

    manifest = None if args.regenerate else load_corpus(corpus, n)
    generated = manifest is None
    if manifest is None:
        print(f"Generating {n} workbooks in {corpus} ...", file=sys.stderr)
        manifest = generate(corpus, n)
        print(f"  done in {manifest['generation']['total_s']:.1f} s", file=sys.stderr)
    elif manifest["pending_changes"]:
        rewrite(corpus, manifest, gen, 0)  # an interrupted run left the 1% changed
    returns = corpus / "returns"
    exe = urbsurvey_exe()
    py = sys.executable
    results: dict[str, dict[str, Any]] = {}

    def record(name: str, run: Run, files: int | None, **extra: Any) -> None:
        results[name] = {
            "wall_s": round(run.wall_s, 4),
            "files": files,
            "files_per_s": round(files / run.wall_s, 1) if files else None,
            "peak_mb": round(run.peak_mb, 1),
            "tree_mb": round(run.tree_mb, 1),
            "exit": run.returncode,
            **extra,
        }
        print(f"  {name:<17} {run.wall_s:8.3f} s", file=sys.stderr)

    print("Measuring ...", file=sys.stderr)
    r = args.repeat
    cache = out / f"cache-{n}"
    os.environ["URBSURVEY_CACHE"] = str(cache)  # the runs' read cache, never the user's
    compile_bytecode()

    def cold() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    report_path = out / f"report-{n}.json"
    report_cmd = [exe, "report", str(corpus), "--format", "json", "-o", str(report_path)]
    run = best_of(r, report_cmd, logs / "report.log", before=cold)
    report = json.loads(report_path.read_text("utf-8"))
    record("report", run, len(report["inputs"]), partners=len(report["partners"]),
           returned=len(report["respondents"]["returned"]))  # fmt: skip

    # Cold reads: no workbook read before (the read cache empty), but the definition and
    # survey.yaml already checked by an earlier run (`urbsurvey template` makes that run
    # before any return arrives): what a first report of a batch of returns costs.
    def no_reads() -> None:
        for stale in cache.glob("reads.sqlite*"):
            stale.unlink()

    run = best_of(r, report_cmd, logs / "report_cold_reads.log", before=no_reads)
    record("report_cold_reads", run, len(json.loads(report_path.read_text("utf-8"))["inputs"]))

    # warm: every file read once (the cold run above), then 1% of them changed
    warm_runs: list[Run] = []
    try:
        for k in range(r):
            run_once(report_cmd, logs / "report_warmup.log")
            changed = rewrite(corpus, manifest, gen, variant=k + 1)
            warm_runs.append(best_of(1, report_cmd, logs / "report_warm.log"))
    finally:
        rewrite(corpus, manifest, gen, variant=0)
    record("report_warm", best_run(warm_runs), len(report["inputs"]), changed_files=changed)

    run = best_of(r, [exe, "validate", str(corpus), "--format", "json"], logs / "validate.log",
                  ok=(0, 1), before=cold)  # fmt: skip
    summary = json.loads(run.stdout)["summary"]
    record("validate", run, summary["files"], summary=summary)

    store = out / f"store-{n}.sqlite"
    ingest = [exe, "ingest", str(corpus), "--store", str(store), "--format", "json"]

    def fresh_store() -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{store}{suffix}").unlink(missing_ok=True)

    changed_count = 0
    runs: dict[str, list[Run]] = {"ingest_new": [], "ingest_unchanged": [], "ingest_changed": []}
    counted: dict[str, int] = {}
    try:
        for k in range(r):
            fresh_store()
            for name in runs:
                if name == "ingest_changed":
                    changed_count = rewrite(corpus, manifest, gen, variant=k + 1)
                one = best_of(1, ingest, logs / f"{name}.log", ok=(0, 1))
                data = json.loads(one.stdout)
                runs[name].append(one)
                counted[name] = len(data["added"]) + data["unchanged"]
                counted[name + "_added"] = len(data["added"])
    finally:
        rewrite(corpus, manifest, gen, variant=0)
    for name, tries in runs.items():
        extra: dict[str, Any] = {"added": counted[name + "_added"]}
        if name == "ingest_changed":
            extra["changed_files"] = changed_count
        record(name, best_run(tries), counted[name], **extra)

    if args.skip_naive:
        print("  naive            skipped (--skip-naive)", file=sys.stderr)
    else:
        run = best_of(r, [py, "-c", NAIVE, str(returns)], logs / "naive.log")
        naive = json.loads(run.stdout)
        record("naive", run, naive["files"], **{k: v for k, v in naive.items() if k != "files"})

    run = best_of(r, [py, "-c", FLOOR, str(returns)], logs / "floor.log")
    floor = json.loads(run.stdout)
    record("floor", run, floor["files"], bytes=floor["bytes"])

    record("python_start", best_of(r, [py, "-c", "pass"], logs / "python.log"), None)
    record("import_cli", best_of(r, [py, "-c", "import urbsurvey.cli"], logs / "import.log"), None)
    record("help", best_of(r, [exe, "--help"], logs / "help.log"), None)
    one_file = next(
        returns / f"{p.stem}.xlsx" for p in partners_of(manifest) if p.fmt == "xlsx" and not p.issue
    )
    # One file read before: a warm-up run reads it (and the definition) into the read cache,
    # so every timed run is served from the cache, whatever --repeat is.
    run_once([exe, "validate", str(one_file)], logs / "validate_one_warmup.log")
    run = best_of(r, [exe, "validate", str(one_file)], logs / "validate_one.log")
    record("validate_one", run, 1)

    # The same file as a return that just arrived: before each run, copied anew (a new
    # file: a new inode, change and modification time), so the read cache has no fresh
    # entry for it; the definition caches are warm from the runs above.
    arrived = out / "validate-one-new" / one_file.name

    def arrive() -> None:
        arrived.unlink(missing_ok=True)
        arrived.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(one_file, arrived)

    try:
        run = best_of(r, [exe, "validate", str(arrived)], logs / "validate_one_new.log",
                      before=arrive)  # fmt: skip
    finally:
        shutil.rmtree(arrived.parent, ignore_errors=True)
    record("validate_one_new", run, 1)

    # `urbsurvey template --partners` for (up to) 1,000 partners.
    count = min(n, 1000)
    csv = out / f"partners-{count}.csv"
    rows = [f'"{p.name}",city,{p.lang}' for p in partners_of(manifest)[:count]]
    csv.write_text("partner,role,lang\n" + "\n".join(rows) + "\n", encoding="utf-8")
    tdir = out / f"templates-{count}"

    def clean_templates() -> None:
        shutil.rmtree(tdir, ignore_errors=True)
        tdir.mkdir()

    run = best_of(r, [exe, "template", QUESTIONNAIRE, "--partners", str(csv), "-o", str(tdir)],
                  logs / "template.log", before=clean_templates)  # fmt: skip
    record("template", run, sum(1 for _ in tdir.glob("*.xlsx")), partners=count)
    shutil.rmtree(tdir, ignore_errors=True)

    return {
        "n": n,
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "repeat": r,
        "urbsurvey": exe,
        "machine": machine(load_at_start),
        "corpus": {
            "path": str(corpus),
            "generated_this_run": generated,
            "formats": manifest["formats"],
            "issues": manifest["issues"],
            "generation": manifest["generation"],
        },
        "measurements": results,
    }


#: Measurements of one file, of the template or of a few changed files: no ratio to the
#: naive loop or the floor, which read the whole corpus.
NOT_OVER_THE_CORPUS = ("validate_one", "validate_one_new", "template", "report_warm")


def add_ratios(data: dict[str, Any]) -> None:
    m = data["measurements"]
    naive = m.get("naive", {}).get("wall_s")
    floor = m["floor"]["wall_s"]
    for name, row in m.items():
        if row["files"] and name not in NOT_OVER_THE_CORPUS:
            row["speedup_vs_naive"] = round(naive / row["wall_s"], 2) if naive else None
            row["x_floor"] = round(row["wall_s"] / floor, 2)
    changed = m["ingest_changed"]
    per_file_new = m["ingest_new"]["wall_s"] / max(1, m["ingest_new"]["files"])
    extra = changed["wall_s"] - m["ingest_unchanged"]["wall_s"]
    changed["extra_s_per_changed_file"] = round(extra / max(1, changed["changed_files"]), 4)
    changed["new_s_per_file"] = round(per_file_new, 4)
    n = data["n"]
    peak = max(m[k]["tree_mb"] for k in ("report", "validate", "ingest_new"))
    targets = {
        "report_20x_faster_than_naive": (
            None if not naive else m["report"]["speedup_vs_naive"] >= 20
        ),
        "report_within_3x_floor": m["report"]["x_floor"] <= 3,
        "report_cold_reads_20x_faster_than_naive": (
            None if not naive else m["report_cold_reads"]["speedup_vs_naive"] >= 20
        ),
        "report_cold_reads_within_3x_floor": m["report_cold_reads"]["x_floor"] <= 3,
        "report_warm_under_0.3s": m["report_warm"]["wall_s"] < 0.3,
        "reingest_unchanged_under_0.5s": m["ingest_unchanged"]["wall_s"] < 0.5,
        "help_under_0.1s": m["help"]["wall_s"] < 0.1,
        "validate_one_under_0.15s": m["validate_one"]["wall_s"] < 0.15,
        "validate_one_new_under_0.15s": m["validate_one_new"]["wall_s"] < 0.15,
        "template_1000_under_10s": (
            m["template"]["wall_s"] < 10 if m["template"]["partners"] >= 1000 else None
        ),
        "peak_under_150mb": peak < 150,
    }
    data["targets"] = {"n": n, **targets, "peak_tree_mb": peak}


def print_table(data: dict[str, Any]) -> None:
    m = data["measurements"]
    n = data["n"]
    corpus = data["corpus"]
    print(f"\nurbsurvey benchmark: {n} workbooks {corpus['formats']}, issues {corpus['issues']}")
    info = data["machine"]
    load = f"load {info['loadavg_at_start']} at the start, {info['loadavg_at_end']} at the end"
    print(f"{info['cpu_count']} CPUs, Python {info['python']}, {load}")
    if corpus["generated_this_run"]:
        print(f"corpus generated in {corpus['generation']['total_s']:.1f} s {corpus['generation']}")
    head = f"{'measurement':<17}{'time s':>9}{'files':>7}{'files/s':>10}{'peak MB':>9}"
    print(head + f"{'tree MB':>9}{'vs naive':>10}{'x floor':>9}")
    for name, row in m.items():
        fps = f"{row['files_per_s']:.0f}" if row.get("files_per_s") else ""
        vs = f"{row['speedup_vs_naive']:.1f}x" if row.get("speedup_vs_naive") else ""
        xf = f"{row['x_floor']:.2f}" if row.get("x_floor") else ""
        files = "" if row["files"] is None else str(row["files"])
        print(
            f"{name:<17}{row['wall_s']:>9.3f}{files:>7}{fps:>10}{row['peak_mb']:>9.1f}"
            f"{row['tree_mb']:>9.1f}{vs:>10}{xf:>9}"
        )
    c = m["ingest_changed"]
    print(
        f"ingest, 1% changed ({c['changed_files']} files): "
        f"{c['extra_s_per_changed_file'] * 1000:.1f} ms per changed file over the unchanged run "
        f"(a new store: {c['new_s_per_file'] * 1000:.1f} ms per file)"
    )
    print(
        "report: nothing cached (definitions, survey.yaml, workbooks); report_cold_reads: "
        "no workbook read before, the definitions checked by an earlier run"
    )
    w = m["report_warm"]
    print(f"report, warm: {w['changed_files']} of {w['files']} files changed since the last run")
    print(
        "validate_one: one file read before (from the read cache); validate_one_new: the same "
        "file at a new path, as a return that just arrived (definitions cached)"
    )
    if "naive" in m:
        naive = m["naive"]
        print(
            f"naive loop: read {naive['read']} of {naive['files']} files "
            f"({naive['skipped']} skipped, {naive['failed']} failed; engines: {naive['engines']})"
        )
    print("targets: " + ", ".join(f"{k}={v}" for k, v in data["targets"].items()))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="workbooks in the corpus (1000)")
    parser.add_argument("--regenerate", action="store_true", help="rebuild the cached corpus")
    parser.add_argument("--skip-naive", action="store_true", help="skip the pandas loop")
    parser.add_argument("--out", type=Path, default=HERE / "out", help="output folder")
    parser.add_argument("--repeat", type=int, default=1, help="best of K runs per timing (1)")
    args = parser.parse_args(argv)
    if args.n < 1 or args.repeat < 1:
        parser.error("--n and --repeat must be at least 1")
    args.out = args.out.resolve()
    if not args.skip_naive and engines()["pandas"] is None:
        print("pandas is not installed: skipping the naive loop", file=sys.stderr)
        args.skip_naive = True
    data = measure(args)
    add_ratios(data)
    path = args.out / f"results-{args.n}.json"
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print_table(data)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The read cache: a re-run reads only new or changed returns, and never serves a stale answer.

On a survey that is not MILE: the toy bike-lanes questionnaire, three Polish and
Czech cities answering in zloty and koruna.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.conftest import TOY
from tests.support.workbooks import filled, survey_folder
from urbsurvey import pipeline
from urbsurvey.cli import app
from urbsurvey.intake.answers import MoneyValue

runner = CliRunner()
CITIES = {"Gdańsk": "PLN 1000", "Brno": "CZK 5000", "Łódź": "PLN 3000"}


def stored(path: Path) -> None:
    """Rewrite the xlsx uncompressed, so two answers of the same length give files of one size."""
    with zipfile.ZipFile(path) as zf:
        members = [(info, zf.read(info)) for info in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for info, data in members:
            info.compress_type = zipfile.ZIP_STORED
            zf.writestr(info, data)


@pytest.fixture
def survey(tmp_path: Path) -> Path:
    return bike_survey(tmp_path)


def bike_survey(tmp_path: Path) -> Path:
    """Three returns in three currencies, written uncompressed (see `stored`)."""
    root = survey_folder(
        tmp_path / "bikes", list(CITIES), questionnaire=TOY, currency="EUR",
        rates={"PLN": 0.23, "CZK": 0.04},
    )  # fmt: skip
    for city, budget in CITIES.items():
        path = filled(root / "returns", {"km_built": "12", "kept": "yes", "budget": budget},
                      questionnaire=TOY, partner=city, name=f"{city}.xlsx")  # fmt: skip
        stored(path)
    return root


def run(survey: Path, cache: bool = True) -> tuple[pipeline.Validation, int]:
    """Validate, and count the files actually read (not taken from the cache)."""
    read = 0

    def progress(n: int) -> None:
        nonlocal read
        read += n

    return pipeline.validate([survey], progress=progress, cache=cache), read


def km(v: pipeline.Validation, city: str) -> object:
    (sub,) = [s for s in v.batch.submissions if s.partner == city]
    return sub.answers["km_built"].value


def test_a_rerun_reads_nothing_and_gives_the_same_answers(survey: Path) -> None:
    first, read = run(survey)
    assert read == 3
    again, read = run(survey)
    assert read == 0
    assert [s.answers for s in again.batch.submissions] == [
        s.answers for s in first.batch.submissions
    ]
    assert again.to_json() == first.to_json()


def test_entries_written_a_few_at_a_time_are_all_kept(
    survey: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first read of many files writes its entries in batches (`_BATCH`); none is lost."""
    monkeypatch.setattr("urbsurvey.intake.cache._BATCH", 2)
    first, read = run(survey)
    assert read == 3
    again, read = run(survey)
    assert read == 0
    assert again.to_json() == first.to_json()


def test_only_the_new_return_is_read(survey: Path) -> None:
    run(survey)
    filled(survey / "returns", {"km_built": "7", "kept": "no"},
           questionnaire=TOY, partner="Gdańsk", name="late/gdansk-v2.xlsx")  # fmt: skip
    v, read = run(survey)
    assert read == 1
    assert len(v.batch.submissions) == 4


def test_a_changed_return_is_read_in_a_worker_and_this_process_imports_no_reader(
    survey: Path,
) -> None:
    """The one worker makes the reading context itself, after its fork, while the command
    unpacks the other returns from the cache: the command's own process never imports the
    reader (a warm report of 1,000 returns with 10 new ones starts 0.05 s sooner)."""
    run(survey)
    path = survey / "returns" / "Brno.xlsx"
    shutil.copy2(path, survey / "copy.xlsx")
    os.replace(survey / "copy.xlsx", path)  # the same bytes, a new file: read again
    script = (
        "import sys; from pathlib import Path; from urbsurvey import pipeline;"
        "read = []; v = pipeline.validate([Path(sys.argv[1])], progress=read.append);"
        "print(len(read), v.to_json()['summary']['ok'],"
        " sorted(m for m in sys.modules if m.startswith(('urbsurvey.reader', 'python_calamine',"
        " 'urbsurvey.intake.submission'))))"
    )
    assert in_new_process(script, survey).split(maxsplit=2) == ["1", "3", "[]\n"]


def test_a_cached_report_imports_no_parsing_of_cells(survey: Path) -> None:
    """Every return cached: the report is made from what was read before, and neither the
    reading of answers nor the parsing of cells is imported (7 ms of a warm report)."""
    run(survey)
    script = (
        "import sys; from pathlib import Path; from urbsurvey import pipeline;"
        "r = pipeline.report(Path(sys.argv[1]));"
        "print(sorted(m for m in sys.modules if m.startswith(('urbsurvey.parsing',"
        " 'urbsurvey.intake.answers', 'urbsurvey.intake.submission', 'urbsurvey.reader'))))"
    )
    assert in_new_process(script, survey) == "[]\n"


def test_a_report_from_a_store_imports_no_parsing_of_cells(survey: Path, tmp_path: Path) -> None:
    """A store holds answers already read: the report decodes them (`intake.record`) and
    imports neither the reading of answers nor the parsing of cells."""
    store = tmp_path / "survey.sqlite"
    pipeline.ingest([survey], store)
    script = (
        "import sys; from pathlib import Path; from urbsurvey import pipeline;"
        "r = pipeline.report(Path(sys.argv[1]));"
        "print(len(r.partners), sorted(m for m in sys.modules if m.startswith(("
        "'urbsurvey.parsing', 'urbsurvey.intake.answers', 'urbsurvey.reader'))))"
    )
    assert in_new_process(script, store) == "3 []\n"


def in_new_process(script: str, survey: Path) -> str:
    """What `script` prints, run by a new interpreter with the survey folder as argv[1]."""
    done = subprocess.run(
        [sys.executable, "-c", script, str(survey)], capture_output=True, text=True, check=True
    )
    return done.stdout


def forge_edit(path: Path, work: Path) -> None:
    """Brno's return edited (13 km, not 12), its size and modification time set back."""
    before = path.stat()
    edited = filled(work, {"km_built": "13", "kept": "yes", "budget": "CZK 5000"},
                    questionnaire=TOY, partner="Brno", name="Brno.xlsx")  # fmt: skip
    stored(edited)
    assert edited.stat().st_size == before.st_size  # the forgery needs the same size
    shutil.copyfile(edited, path)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)


def test_an_edit_with_size_and_time_forged_back_is_read_again(survey: Path) -> None:
    path = survey / "returns" / "Brno.xlsx"
    run(survey)
    forge_edit(path, survey / "edit")
    v, read = run(survey)
    assert read == 1
    assert km(v, "Brno") == Decimal(13)


def test_a_new_exchange_rate_in_survey_yaml_rereads_everything(survey: Path) -> None:
    run(survey)
    yaml_path = survey / "survey.yaml"
    yaml_path.write_text(yaml_path.read_text("utf-8").replace("0.23", "0.25"), "utf-8")
    v, read = run(survey)
    assert read == 3
    (gdansk,) = [s for s in v.batch.submissions if s.partner == "Gdańsk"]
    money = gdansk.answers["budget"].value
    assert isinstance(money, MoneyValue) and money.converted == Decimal(250)


def test_a_changed_definition_rereads_everything(survey: Path, tmp_path: Path) -> None:
    run(survey)
    definition = tmp_path / "toy-v3.yaml"
    definition.write_text(TOY.read_text("utf-8").replace("max: 500", "max: 10"), "utf-8")
    yaml_path = survey / "survey.yaml"
    yaml_path.write_text(yaml_path.read_text("utf-8").replace(str(TOY), str(definition)), "utf-8")
    v, read = run(survey)
    assert read == 3
    assert "out-of-range" in {i.code for i in v.batch.all_issues()}  # 12 km is now over 10


def test_no_cache_reads_everything(survey: Path) -> None:
    run(survey)
    _, read = run(survey, cache=False)
    assert read == 3
    done = runner.invoke(app, ["validate", str(survey), "--no-cache", "--format", "json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["summary"]["ok"] == 3


def test_an_unusable_cache_folder_only_means_reading_again(
    survey: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("URBSURVEY_CACHE", str(blocker))
    first, read = run(survey)
    again, read_again = run(survey)
    assert (read, read_again) == (3, 3)
    assert again.to_json() == first.to_json()


def test_the_report_is_the_same_from_the_cache(survey: Path) -> None:
    cold = runner.invoke(app, ["report", str(survey), "--format", "json"])
    warm = runner.invoke(app, ["report", str(survey), "--format", "json"])
    assert cold.exit_code == warm.exit_code == 0
    cold_data, warm_data = json.loads(cold.stdout), json.loads(warm.stdout)
    assert warm_data["indicators"] == cold_data["indicators"]
    budget = next(i for i in warm_data["indicators"] if i["id"] == "budget_total")
    assert budget["value"] == pytest.approx(1000 * 0.23 + 5000 * 0.04 + 3000 * 0.23)

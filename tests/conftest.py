from __future__ import annotations

import gc
import itertools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from urbsurvey.definition import Questionnaire

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent
TOY = FIXTURES / "toy-bike-lanes.yaml"
MILE_EXAMPLE = REPO / "examples" / "mile-2009"


# The package is imported by the fixtures, not here: the xdist controller loads this file
# too, and runs no test.


@pytest.fixture(scope="session")
def mile() -> Questionnaire:
    from urbsurvey.resources import load_questionnaire

    return load_questionnaire("mile-followup-2009")


@pytest.fixture(scope="session")
def toy() -> Questionnaire:
    from urbsurvey.resources import load_questionnaire

    return load_questionnaire(TOY)


# --- Groups of end-to-end tests, left out of `make test-fast` -----------------------------

#: Whole test modules that drive real programs end to end: marker → modules. (A single
#: test of the kind carries its marker itself: `scale`, the thousand-partner report.)
MODULE_GROUPS = {
    "browser": {"test_render_browser"},
    "durability": {"test_durability", "test_store_and_outputs"},
    "hostile": {
        "test_hostile",
        "test_reader_hostile",
        "test_isolation",
        "test_hostile_xls",
        "test_many_issues",
    },
    "console": {"test_values", "test_entry"},
    "bench": {"test_bench"},
    "install": {"test_install"},
}


def _needs_libreoffice(item: pytest.Item) -> bool:
    """Tests skipped without LibreOffice (`requires_soffice` and the like) need it."""
    return any(
        "LibreOffice" in str(m.kwargs.get("reason", "")) for m in item.iter_markers("skipif")
    )


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """`HYPOTHESIS_PROFILE=fast` (set by `make test-fast`): 20 examples a property, not 100.

    An environment variable rather than `--hypothesis-profile`, which makes every pytest
    process import hypothesis, the xdist controller included: it runs no test, and the
    workers start only once it is configured.
    """
    profile = os.environ.get("HYPOTHESIS_PROFILE")
    if profile and not _xdist_controller(config):
        from hypothesis import settings

        settings.register_profile("fast", max_examples=20)
        settings.load_profile(profile)


def pytest_collection_finish(session: pytest.Session) -> None:
    """What collection made (modules, test items, fixtures) lives until the end: frozen,
    the garbage collector no longer walks it at every full collection while tests run."""
    gc.collect()
    gc.freeze()


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """What is left once pytest is done is never collected: the interpreter's exit then skips
    walking every object the tests made (most of a second for an xdist worker, whose exit
    the controller waits for)."""
    gc.freeze()


def _xdist_controller(config: pytest.Config) -> bool:
    """This process hands the tests to pytest-xdist workers (`-n`) and runs none itself."""
    return getattr(config.option, "dist", "no") != "no" and not hasattr(config, "workerinput")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the end-to-end groups, so `pytest -m "not (browser or …)"` runs the rest fast."""
    for item in items:
        module = item.path.stem
        for marker, modules in MODULE_GROUPS.items():
            if module in modules:
                item.add_marker(marker)
        if _needs_libreoffice(item):
            item.add_marker("libreoffice")


@pytest.fixture(scope="session", autouse=True)
def _read_cache_for_the_session(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The read cache of the runs made by the tests (module fixtures included), never the user's."""
    os.environ["URBSURVEY_CACHE"] = str(tmp_path_factory.mktemp("cache"))


#: Numbers the tests' read caches (in each pytest process: each has its own base temp).
_CACHES = itertools.count()


@pytest.fixture(autouse=True)
def _read_cache_per_test(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each test starts with an empty read cache (inherited by the console scripts it runs).

    The folder is made by the first command that writes to it: most tests write none, and
    made empty it would only be one more to delete when the temporary folders are cleaned.
    """
    folder = tmp_path_factory.getbasetemp() / "caches" / str(next(_CACHES))
    monkeypatch.setenv("URBSURVEY_CACHE", str(folder))


#: Test modules that read their files in forked workers even under `make test-fast`: the
#: supervisor, two workers at once, results across the process boundary, the read cache
#: and the store behind it.
FORKED_READS = {"test_wire", "test_read_once", "test_cache", "test_ingest"}


@pytest.fixture(autouse=True)
def _reads_in_process(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """With TESTS_READ_IN_PROCESS=1 (set by `make test-fast`), the other tests read their
    workbooks in the test's process, as urbsurvey does where it cannot fork (Windows): the
    same reader and the same packing of results, without a fork of the pytest process for
    each read (about a seventh of test-fast's CPU, most of its system time). `make test`
    forks for every read."""
    if os.environ.get("TESTS_READ_IN_PROCESS") == "1" and request.path.stem not in FORKED_READS:
        from urbsurvey.intake import workers

        monkeypatch.setattr(workers, "can_isolate", lambda: False)


@pytest.fixture(scope="session", autouse=True)
def _cli_command_built_once() -> Iterator[None]:
    """`CliRunner().invoke(app, …)` builds the click command from the Typer app once.

    typer's runner rebuilds it at every call (~60 ms, some 140 calls); the command is
    the same each time, since no test changes the app.
    """
    import typer.main
    import typer.testing

    built: dict[int, Any] = {}
    build = typer.main.get_command  # what typer.testing calls `_get_command`

    def once(app: Any) -> Any:
        if id(app) not in built:
            built[id(app)] = (app, build(app))  # the app is kept, so its id is not reused
        return built[id(app)][1]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(typer.testing, "_get_command", once)
        yield

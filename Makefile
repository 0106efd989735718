# Two entry points for a fresh machine (Python 3.11, pip, make):
#   make report   set up, then write report.html and report.md from the bundled MILE example
#   make test     set up, then run ruff, mypy and the tests
#   make test-fast  the tests without the end-to-end groups (browser, LibreOffice, durability,
#                   hostile inputs, bench, install, console: the console script run as a
#                   process, scale: the thousand-partner report), with 20 examples per
#                   property instead of 100, for running often
# Both run the tests in parallel, one pytest worker per core (pytest-xdist).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: report test test-fast lint bench clean

# The tests' bytecode (the package's, and the test modules' as pytest rewrites their asserts)
# is kept in .venv/pycache, even where PYTHONDONTWRITEBYTECODE is set: compiling it again
# costs every pytest worker some 4 s of its start.
PYTEST := PYTHONDONTWRITEBYTECODE= PYTHONPYCACHEPREFIX=$(abspath $(VENV))/pycache $(BIN)/pytest

$(BIN)/urbsurvey: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

report: $(BIN)/urbsurvey
	$(BIN)/urbsurvey report examples/mile-2009 --format html -o report.html
	$(BIN)/urbsurvey report examples/mile-2009 --format md -o report.md
	@echo "Wrote report.html and report.md"

lint: $(BIN)/urbsurvey
	$(BIN)/ruff check urbsurvey tests bench examples
	$(BIN)/ruff format --check urbsurvey tests bench examples
	$(BIN)/mypy

test: lint
	$(PYTEST) -q -n auto

FAST := not (browser or libreoffice or durability or hostile or bench or install or console \
	or scale)
# test-fast keeps its temporary files in memory where the system has /dev/shm (Linux): its
# stores sync to disk some 1,400 times, and deleting the last runs' files is as many waits
# on a busy disk. A passing test's files are deleted at once, so little memory is held.
# `--dist worksteal` hands each worker half the tests in file order, then lets an idle worker
# take from the other's queue: the tests of a module mostly run in one worker, which then
# alone imports what only they need (pyxform, python-docx, frictionless) and compiles their
# report templates.
# TESTS_READ_IN_PROCESS=1: most tests read their workbooks in their own process, not in a
# worker forked from it (tests/conftest.py, FORKED_READS lists the modules that still fork).
FAST_TMP := $(shell test -d /dev/shm -a -w /dev/shm && echo TMPDIR=/dev/shm)
test-fast: $(BIN)/urbsurvey
	$(FAST_TMP) HYPOTHESIS_PROFILE=fast TESTS_READ_IN_PROCESS=1 $(PYTEST) -q -n auto \
		--dist worksteal -m "$(FAST)" -o tmp_path_retention_policy=failed

bench: $(BIN)/urbsurvey
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) report.html report.md build dist

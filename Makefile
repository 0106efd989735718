# Two entry points for a fresh machine (Python 3.11, pip, make):
#   make report   set up, then write report.html and report.md from the bundled MILE example
#   make test     set up, then run ruff, mypy and the tests
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: report test lint bench clean

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
	$(BIN)/ruff check urbsurvey tests bench
	$(BIN)/ruff format --check urbsurvey tests bench
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -q

bench: $(BIN)/urbsurvey
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) report.html report.md build dist

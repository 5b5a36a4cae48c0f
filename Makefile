# The two commands of the quick start: `make run` and `make test`. Both install what is missing.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTHON ?= python3

.PHONY: run test lint tour deps clean

run: deps
	$(BIN)/kiosk run

test: deps lint
	$(BIN)/pytest

lint: deps
	$(BIN)/ruff check kiosk drivers screens tests bench main.py
	$(BIN)/ruff format --check kiosk drivers screens tests bench main.py
	$(BIN)/mypy
	$(BIN)/lint-imports

tour: deps
	$(BIN)/kiosk tour --out docs/screens/landscape --size 1920x1080
	$(BIN)/kiosk tour --out docs/screens/portrait --size 1080x1920

deps: system-packages $(STAMP)

.PHONY: system-packages
system-packages:
	@scripts/install-deps

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache

# The commands of the quick start: `make run`, `make console` and `make test`. Each installs what is missing.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTHON ?= python3

.PHONY: run console test lint tour deps clean

# A developer's run prints on a local CUPS queue named "kiosk" when there is one, else to PDFs in
# the data directory (the "auto" printer driver); an exported KIOSK__DEVICES__PRINTER__DRIVER wins.
# Voice guidance speaks through espeak-ng; on a machine without a sound card it logs why and stays silent.
# `make run PLATFORM=sim`: the same, with the platform simulator (`kiosk sim platform`) serving on its
# demo port and the kiosk's [platform] settings pointed at it; stopped when the kiosk exits.
run: deps
	KIOSK__DEVICES__PRINTER__DRIVER=$${KIOSK__DEVICES__PRINTER__DRIVER:-auto} \
	KIOSK__DEVICES__SPEAKER__DRIVER=$${KIOSK__DEVICES__SPEAKER__DRIVER:-espeak} $(strip $(WITH_PLATFORM) $(BIN)/kiosk) run

ifeq ($(PLATFORM),)
WITH_PLATFORM :=
else ifeq ($(PLATFORM),sim)
WITH_PLATFORM := scripts/with-platform-sim
else
$(error PLATFORM=$(PLATFORM): the only platform `make run` knows is PLATFORM=sim)
endif

# The administrators' console with a living demo fleet (kiosk-console demo): a secured private broker,
# a fleet repository with the demo guides, 24 simulated kiosks and the console on
# http://127.0.0.1:8080 with an administrator whose new password it prints. Ctrl-C stops it all.
# `make console DEMO_ARGS="--port 8090 --kiosks 100"`: its options (kiosk-console demo --help).
console: deps
	$(BIN)/kiosk-console demo $(DEMO_ARGS)

test: deps lint
	$(BIN)/pytest

lint: deps
	$(BIN)/ruff check kiosk drivers screens console tests bench main.py
	$(BIN)/ruff format --check kiosk drivers screens console tests bench main.py
	$(BIN)/mypy
	$(BIN)/lint-imports

# Every screen in zh, en and elder mode, landscape and portrait, in /tmp/kiosk-tour/<variant>/<orientation>/;
# docs/screens/ holds a curated few of them (README, "A first visit, by touch alone").
tour: deps
	$(BIN)/kiosk tour --out /tmp/kiosk-tour

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

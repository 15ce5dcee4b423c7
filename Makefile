# omniloom — two commands on a fresh machine with Python 3.11+:
#   make run    install, seed the demo store into SQLite, serve it on 127.0.0.1:8000
#   make test   install the dev tools, then ruff check, ruff format --check, mypy and pytest

PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
DB     ?= var/omniloom.db
PORT   ?= 8000

.PHONY: run serve seed test lint bench install install-dev clean loadtest

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements.lock pyproject.toml
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.lock
	$(BIN)/pip install --quiet -r requirements-dev.lock
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

seed: install
	OMNILOOM_DATABASE_URL=sqlite:///$(DB) $(BIN)/omniloom seed

run: seed
	OMNILOOM_DATABASE_URL=sqlite:///$(DB) $(BIN)/omniloom serve --port $(PORT)

serve: install
	OMNILOOM_DATABASE_URL=sqlite:///$(DB) $(BIN)/omniloom serve --port $(PORT)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

bench: install-dev
	$(BIN)/python benchmarks/bench_api.py

# A bounded load (LOAD_TIME, default 60s; LOAD_SHAPE) on a freshly seeded store, then the verdict.
loadtest: install-dev
	BIN=$(BIN) loadtests/run-local.sh

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache

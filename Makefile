# Kesu 客诉 — the two commands a person needs are `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo serve test test-postgres lint bench-intake bench-analysis train clean

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c requirements.lock -e '.[dev]'
	$(BIN)/kesu build-encoder
	touch $(STAMP)

install: $(STAMP)

## demo: virtualenv, install, migrate SQLite, load demo data, serve on http://127.0.0.1:$(PORT)
## (another port: make demo PORT=8300)
PORT ?= 8000
demo: install
	$(BIN)/kesu demo --bind 127.0.0.1:$(PORT)

serve: install
	$(BIN)/kesu serve

## test: the whole suite on the configured database (SQLite unless DATABASE_URL is set)
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-postgres: install
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/test $(BIN)/python -m pytest $(PYTEST_ARGS)

## lint: ruff; no migration missing; the layer contracts (pyproject's [tool.importlinter]) and the
## house rules an import graph cannot see (tests/test_architecture.py); mypy over the core
lint: install
	$(BIN)/ruff check kesu tests benchmarks training
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q -p no:django -p no:cacheprovider -W ignore::pytest.PytestConfigWarning tests/test_architecture.py
	$(BIN)/mypy

bench-intake: install
	$(BIN)/python benchmarks/intake.py

## train: rebuild the analysis models from ../shared/data (or KESU_DATA_DIR); about a minute
train: install
	$(BIN)/python -m training.train_models

## bench-analysis: the analysis engine's accuracy and speed, beside snownlp and cnsenti (installed here)
bench-analysis: install
	$(BIN)/pip install -q -c requirements.lock -e '.[bench]'
	$(BIN)/python benchmarks/analysis_accuracy.py
	$(BIN)/python benchmarks/analysis_speed.py

clean:
	rm -rf $(VENV) var/ .pytest_cache

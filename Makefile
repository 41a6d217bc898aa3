# Named recipes. `make test` is the README's test command and what CI runs.
PYTHON ?= python3
PG_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: install dev demo test test-sqlite test-postgres lint bench

install:
	$(PYTHON) -m pip install -q -e .

dev:
	$(PYTHON) -m pip install -q -e '.[dev]'

demo: install
	labelwise demo

lint:
	ruff check src tests bench
	lint-imports

test-sqlite:
	$(PYTHON) -m pytest -q

test-postgres:
	LABELWISE_TEST_DB=$(PG_URL) $(PYTHON) -m pytest -q

# Install the dev dependencies, lint, then the whole suite on SQLite and on PostgreSQL.
test: dev lint test-sqlite test-postgres

bench: install
	$(PYTHON) bench/bench_core.py

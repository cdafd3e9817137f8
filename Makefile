# The project's entry points. Each target installs what it needs into .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install run prod test test-cluster lint format bench clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

## run: the whole site on embedded defaults (SQLite, embedded Redis, LinkedIn sandbox)
run: install
	$(BIN)/python -m config.run

## prod: as run, but production-like: DEBUG off, static files collected, gunicorn (deploy/gunicorn.conf.py)
prod: install
	DEBUG=false $(BIN)/python -m config.run

## test: the whole pytest suite (DATABASE_URL / REDIS_URL when set, else SQLite and embedded Redis)
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## test-cluster: three hosts (network namespaces, root) on one PostgreSQL and Redis, a host killed mid-sync
test-cluster: install
	$(BIN)/python -m tests.cluster

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_SETTINGS_MODULE=tests.settings $(BIN)/python manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## bench: sync and page benchmarks against the sandbox (BENCH_ARGS="sync --notes 1000000" for one, bigger)
bench: install
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache .hypothesis

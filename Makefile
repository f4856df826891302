# Linju: set-up, demo and tests on a machine that has only python3.
#   make demo   install, migrate, load the demo community once, serve on http://127.0.0.1:8000
#   make test   install the test dependencies and run the whole suite
# Run `make help` for the rest.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
PIP := PIP_DISABLE_PIP_VERSION_CHECK=1 $(BIN)/python -m pip
BASE_STAMP := $(VENV)/.linju-base.stamp
DEV_STAMP := $(VENV)/.linju-dev.stamp
BENCH_STAMP := $(VENV)/.linju-bench.stamp

# The demo and `make serve` talk plain HTTP on the loopback: no HTTPS redirect, no secure-only
# cookies, no HSTS. Production keeps the safe defaults of linju/settings.py.
LOCAL_HTTP := LINJU_SSL_REDIRECT=0 LINJU_SECURE_COOKIES=0 LINJU_HSTS_SECONDS=0
PG_URL ?= postgres://postgres@127.0.0.1:5432/linju
# pytest-xdist: one worker per core. PYTEST_ARGS adds to it, e.g. PYTEST_ARGS="-k demo -n0".
PYTEST := $(BIN)/pytest -n auto $(PYTEST_ARGS)

.DEFAULT_GOAL := help
.PHONY: help install install-dev install-bench demo serve worker migrate static test test-pg \
	lint fmt messages bench backup clean

help:
	@echo "make demo      install, migrate, load the demo community, serve on http://127.0.0.1:8000"
	@echo "make test      run the whole test suite on SQLite (browser tests need /usr/bin/chromium)"
	@echo "make test-pg   the same suite on PostgreSQL (PG_URL=$(PG_URL))"
	@echo "make lint      ruff check and ruff format --check"
	@echo "make fmt       ruff format and ruff check --fix"
	@echo "make serve     migrate and serve with gunicorn (no demo data)"
	@echo "make worker    run the background task worker (django-tasks database backend)"
	@echo "make backup    write a backup of the database and media into BACKUP_DIR=$(BACKUP_DIR)"
	@echo "make bench     generate the small city in PostgreSQL and load-test it (BENCH_PRESET=city)"
	@echo "make messages  update and compile the zh_Hans translations (needs GNU gettext)"
	@echo "make clean     remove the virtual environment, collected static files and caches"

$(PY):
	$(PYTHON) -m venv $(VENV)

# Stamps: reinstall only when a lock file or pyproject.toml changed since the last install.
$(BASE_STAMP): requirements/base.lock pyproject.toml | $(PY)
	$(PIP) install -q -r requirements/base.lock
	$(PIP) install -q --no-deps -e .
	touch $@

$(DEV_STAMP): requirements/dev.lock $(BASE_STAMP)
	$(PIP) install -q -r requirements/dev.lock
	touch $@

$(BENCH_STAMP): requirements/bench.lock $(DEV_STAMP)
	$(PIP) install -q -r requirements/bench.lock
	touch $@

install: $(BASE_STAMP)
install-dev: $(DEV_STAMP)
install-bench: $(BENCH_STAMP)

migrate: $(BASE_STAMP)
	$(LOCAL_HTTP) $(PY) manage.py migrate --noinput

# Translations ship as compiled .mo files, so no gettext is needed here.
static: $(BASE_STAMP)
	$(LOCAL_HTTP) $(PY) manage.py collectstatic --noinput -v0

demo: migrate static
	$(LOCAL_HTTP) $(PY) manage.py load_demo
	@echo "Serving Linju on http://127.0.0.1:8000 (Ctrl-C stops it); logins above."
	exec env $(LOCAL_HTTP) $(BIN)/gunicorn -c linju/gunicorn.conf.py

serve: migrate static
	exec env $(LOCAL_HTTP) $(BIN)/gunicorn -c linju/gunicorn.conf.py

worker: migrate
	exec env $(LOCAL_HTTP) $(PY) manage.py run_worker --queue-name '*'

test: $(DEV_STAMP)
	$(PYTEST)

test-pg: $(DEV_STAMP)
	DATABASE_URL=$(PG_URL) $(PYTEST) --create-db

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: $(DEV_STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# One archive of the database and media (docs/operations.md#backups-and-restore).
BACKUP_DIR ?= var/backups
backup: $(BASE_STAMP)
	$(PY) manage.py backup $(BACKUP_DIR)

# Benchmarks need PostgreSQL (BENCH_DB_URL); figures go to var/bench/ and docs/performance.md.
BENCH_PRESET ?= small
BENCH_DB_URL ?= postgres://postgres@127.0.0.1:5432/linju_bench_$(BENCH_PRESET)
bench: $(BENCH_STAMP)
	$(PY) -m bench.generate --preset $(BENCH_PRESET) --database-url $(BENCH_DB_URL)
	$(PY) -m bench.load --preset $(BENCH_PRESET) --database-url $(BENCH_DB_URL)

# For developers who change user-facing strings; `make demo` never needs gettext.
messages: $(BASE_STAMP)
	cd linju && ../$(PY) ../manage.py makemessages -l zh_Hans --ignore 'tests/*' --no-obsolete
	msgfmt --check -o linju/locale/zh_Hans/LC_MESSAGES/django.mo \
		linju/locale/zh_Hans/LC_MESSAGES/django.po

clean:
	rm -rf $(VENV) staticfiles build *.egg-info .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

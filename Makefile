# Bina Sehat: `make run` serves the demo on SQLite; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.9
HOST ?= 127.0.0.1
PORT ?= 8000
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))
# These targets are for developers: Django's debug mode is on unless DEBUG is set (production runs gunicorn
# with DEBUG unset or 0; see the README).
DEBUG ?= 1
export DEBUG

.PHONY: run test install migrate demo serve test-browser-deps compile-translations messages clean bench

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)

$(BIN)/uv: | $(BIN)/python
	$(BIN)/python -m pip install --quiet "uv==$(UV_VERSION)"

install: $(BIN)/uv
	$(BIN)/uv sync --frozen --inexact --quiet
	$(MAKE) --no-print-directory compile-translations

compile-translations:
	$(BIN)/pybabel -q compile -d binasehat/locale -D django

# Refresh the English catalog after changing user-visible text (needs GNU gettext), then translate the new entries.
messages: install
	$(BIN)/python manage.py makemessages -l en --ignore=.venv --ignore=tests --ignore=bench --no-obsolete

migrate: install
	$(BIN)/python manage.py migrate --noinput -v0

demo: migrate
	$(BIN)/python manage.py demo

serve:
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

run: demo
	@echo "Bina Sehat: http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	@echo "DEBUG=$(DEBUG): development mode (Django's debug pages on); never serve users this way"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# Browser tests drive Debian's Chromium and PDF tests read text with poppler's pdftotext; install them when we
# may (root or passwordless sudo).
test-browser-deps:
	@missing=""; command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v pdftotext >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  elif sudo -n true 2>/dev/null; then sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "$$missing not installed and cannot be installed here: browser and PDF-text tests will be skipped"; fi; fi

test: install test-browser-deps
	DJANGO_ALLOW_ASYNC_UNSAFE=true IMPORTS_RUN_INLINE=true $(BIN)/python -m pytest $(PYTEST_ARGS)

# Every benchmark with its PASS/FAIL lines and a summary (long: the goals' sizes). BENCH_ARGS="--quick" for small
# sizes, "--only zscores_command,iks_command", "--database-url postgres://..." to add PostgreSQL.
bench: install
	$(BIN)/python bench/run_all.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache

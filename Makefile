# Tiantou: `make run` sets everything up and serves the demo; `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
export DJANGO_ALLOW_ASYNC_UNSAFE := true

.PHONY: run setup test runtime-deps lint typecheck checks messages-check test-sqlite test-postgres system-deps demo clean

$(VENV)/.stamp: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

node_modules/.stamp: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

locale/zh_Hans/LC_MESSAGES/django.mo: locale/zh_Hans/LC_MESSAGES/django.po $(VENV)/.stamp
	$(MANAGE) compilemessages --ignore=.venv --ignore=node_modules -v 0

setup: runtime-deps $(VENV)/.stamp node_modules/.stamp locale/zh_Hans/LC_MESSAGES/django.mo

# Migrate the SQLite database under var/, load the official division codes, build the
# demo county (idempotent), then serve at http://127.0.0.1:8000.
run: setup
	$(MANAGE) migrate --noinput -v 0
	$(MANAGE) load_regions
	$(MANAGE) seed_demo
	$(MANAGE) collectstatic --noinput -v 0
	$(VENV)/bin/gunicorn config.wsgi --bind 127.0.0.1:8000 --workers 2 --access-logfile -

demo: setup
	$(MANAGE) migrate --noinput -v 0
	$(MANAGE) load_regions
	$(MANAGE) seed_demo

# What the site needs of Debian: gettext (to compile the catalogue), pango and a CJK font
# (PDF reports through WeasyPrint). Installed when missing and root; otherwise named.
runtime-deps:
	@if ! command -v msgfmt >/dev/null || ! fc-list 2>/dev/null | grep -qi 'wenquanyi\|noto sans cjk' \
	    || ! compgen -G '/usr/lib/*/libpangoft2-1.0.so.0' >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext fonts-wqy-microhei libpango-1.0-0 libpangoft2-1.0-0 >/dev/null; \
	  else \
	    echo "Tiantou needs: sudo apt-get install gettext fonts-wqy-microhei libpango-1.0-0 libpangoft2-1.0-0"; exit 1; \
	  fi; \
	fi

# Debian's chromium for the browser tests and postgresql-client (pg_dump, pg_restore) for
# the backup tests, installed when missing and root.
system-deps: runtime-deps
	@if ! command -v chromium >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "The browser tests need Debian's chromium: sudo apt-get install chromium"; exit 1; \
	  fi; \
	fi
	@if ! command -v pg_dump >/dev/null || ! command -v pg_restore >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-client >/dev/null; \
	  else \
	    echo "Backups of PostgreSQL need pg_dump: sudo apt-get install postgresql-client"; exit 1; \
	  fi; \
	fi

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: setup
	$(VENV)/bin/mypy tiantou config

checks: setup
	env -u TIANTOU_TEST_DATABASE_URL DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) check --fail-level WARNING
	env -u TIANTOU_TEST_DATABASE_URL DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) makemigrations --check --dry-run
	@# The production settings with test values of what they require from the environment
	@# (without the async switch this Makefile sets for the browser tests).
	env -u TIANTOU_TEST_DATABASE_URL -u DJANGO_ALLOW_ASYNC_UNSAFE DJANGO_SETTINGS_MODULE=config.settings.prod \
	  DJANGO_SECRET_KEY=check-deploy-only-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz \
	  TIANTOU_FIELD_KEY=check-deploy-only-field-key DATABASE_URL=sqlite:///:memory: \
	  DJANGO_ALLOWED_HOSTS=tiantou.example.cn $(MANAGE) check --deploy --fail-level WARNING

# The Chinese catalogue must cover every message in the code, with nothing fuzzy.
messages-check: setup
	$(MANAGE) makemessages -l zh_Hans --no-location --no-obsolete --ignore=.venv --ignore=node_modules --ignore=var -v 0
	@untranslated=$$(msgattrib --untranslated --no-obsolete locale/zh_Hans/LC_MESSAGES/django.po | grep -c '^msgid' || true); \
	fuzzy=$$(msgattrib --only-fuzzy --no-obsolete locale/zh_Hans/LC_MESSAGES/django.po | grep -c '^msgid' || true); \
	if [ "$$untranslated" -gt 0 ] || [ "$$fuzzy" -gt 0 ]; then \
	  echo "Chinese catalogue: $$untranslated untranslated, $$fuzzy fuzzy messages in locale/zh_Hans/LC_MESSAGES/django.po"; \
	  msgattrib --untranslated --only-fuzzy locale/zh_Hans/LC_MESSAGES/django.po | head -40; exit 1; fi
	$(MANAGE) compilemessages --ignore=.venv --ignore=node_modules -v 0

test-sqlite: setup system-deps
	env -u TIANTOU_TEST_DATABASE_URL $(VENV)/bin/pytest -q

test-postgres: setup system-deps
	@if [ -n "$$TIANTOU_TEST_DATABASE_URL" ]; then \
	  echo "== again on PostgreSQL"; $(VENV)/bin/pytest -q; \
	else echo "TIANTOU_TEST_DATABASE_URL is not set: the PostgreSQL run is skipped."; fi

test: setup system-deps lint typecheck checks messages-check test-sqlite test-postgres

clean:
	rm -rf $(VENV) node_modules var/static

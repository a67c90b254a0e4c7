# MEDI@4SEC Community Portal. `make run` serves the portal; `make test` runs the whole suite.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

# The environment `check --deploy` is run in: production-like, nothing secret.
DEPLOY_ENV := DEBUG=false ALLOWED_HOSTS=portal.example.eu SITE_URL=https://portal.example.eu \
	SECRET_KEY=deploy-check-$$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9') \
	EMAIL_URL=smtp+tls://mailer.example.eu:587

.PHONY: run test lint checks pytest browser-deps serve worker outbox beat totp clean bench

$(STAMP): pyproject.toml
	@python_bin=$$(./.ci/find-python) || exit 1; \
	if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then \
		echo "Creating $(VENV) with $$python_bin"; rm -rf $(VENV); "$$python_bin" -m venv $(VENV); \
	fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

## run: set up, migrate, load demo content and serve on the embedded default
run: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	$(PY) manage.py seed_demo
	@echo "Serving the portal at http://$(HOST):$(PORT)/ (emails are written to var/mail/)"
	$(PY) manage.py runserver $(HOST):$(PORT)

## test: lint, checks and the whole pytest suite (browser tests included)
test: lint checks pytest

# Templates: djLint's rules, and its formatting (`djlint $(TEMPLATE_DIRS) --reformat` applies it).
TEMPLATE_DIRS := templates tests/bench/templates
lint: $(STAMP)
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/djlint $(TEMPLATE_DIRS) --lint
	$(VENV)/bin/djlint $(TEMPLATE_DIRS) --check
	PYTHONPATH=. $(VENV)/bin/lint-imports

checks: $(STAMP)
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run
	env $(DEPLOY_ENV) $(PY) manage.py check --deploy --fail-level WARNING
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.compose-spec docker-compose.yml

# Tests that flush the database between tests (browser, reliability) run in a session of their
# own: after ordinary database tests in the same session they met an empty database.
SLOW_MARKS ?= browser or reliability
pytest: $(STAMP) browser-deps
	$(VENV)/bin/pytest -m "not browser and not reliability" $(PYTEST_ARGS)
	$(VENV)/bin/pytest -m "$(SLOW_MARKS)" $(PYTEST_ARGS)

# Browser tests drive Debian's Chromium; Playwright cannot download its own browser here. The HTML
# checker (vnu, tests/browser/test_valid_html.py) is npm's vnu-jar, pinned in package-lock.json, run
# on Java 17 or later; its install script (which would fetch a Java of its own) is not run.
browser-deps: node_modules/.package-lock.json
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "Installing Debian's chromium for the browser tests"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else \
			echo "ERROR: browser tests need /usr/bin/chromium: run 'sudo apt-get install -y chromium'"; exit 1; \
		fi; \
	fi

node_modules/.package-lock.json: package.json package-lock.json
	@if ! command -v npm >/dev/null || ! command -v java >/dev/null; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "Installing npm and a Java runtime for the HTML checker"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm default-jre-headless >/dev/null; \
		else \
			echo "ERROR: the HTML checker needs npm and java: run 'sudo apt-get install -y npm default-jre-headless'"; exit 1; \
		fi; \
	fi
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

## serve: gunicorn as in production (set DEBUG=false, SECRET_KEY, ALLOWED_HOSTS first)
serve: $(STAMP)
	$(PY) manage.py collectstatic --noinput
	GUNICORN_BIND=$(HOST):$(PORT) $(VENV)/bin/gunicorn medi4sec.wsgi --config gunicorn.conf.py

worker: $(STAMP)
	$(VENV)/bin/celery -A medi4sec worker --loglevel INFO --concurrency 2

outbox: $(STAMP)
	$(PY) manage.py outbox_dispatch --loop

beat: $(STAMP)
	$(VENV)/bin/celery -A medi4sec beat --loglevel INFO --schedule var/celerybeat-schedule

## totp: print the current two-factor code of a demo editor or moderator (who=elena|tomas)
totp: $(STAMP)
	@$(PY) manage.py demo_totp $(who)

clean:
	rm -rf $(VENV) db.sqlite3 var staticfiles node_modules

## bench: seed PostgreSQL (medi4sec_bench) with 100,000 posts, serve with gunicorn, measure forum pages
## next to a bare Django reference (tests/bench/bare, same gunicorn config, same run; ratios printed),
## then 50 members browsing and posting for 60 s (wrk + tests/bench/load.lua), then the digest.
## Knobs: BENCH_DURATION, BENCH_CONNECTIONS, BENCH_PAGES=hello,thread, BENCH_REUSE=1, BENCH_DB, BENCH_PORT
bench: $(STAMP)
	@command -v wrk >/dev/null || { \
		echo "Installing wrk for the benchmark"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(PY) tests/bench/bench_forums.py
	BENCH_REUSE=1 $(PY) tests/bench/bench_load.py
	$(PY) tests/bench/bench_search.py
	$(PY) tests/bench/bench_digest.py

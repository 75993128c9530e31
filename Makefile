# KidsVoice — the two commands a newcomer needs are `make run` and `make test`.
# Everything else here is a helper they call.  `make help` lists the targets.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
HOST   ?= 127.0.0.1
# Two workers: the browser tests wait on Chromium much of the time, so two cores do double.
PYTEST_ARGS ?= -n 2

# The demo always runs in development mode on a local SQLite database.
export KIDSVOICE_INSTANCE_DIR ?= $(CURDIR)/instance

.DEFAULT_GOAL := help
.PHONY: help run test test-sqlite lint fmt static translations i18n-extract i18n-update \
        i18n-compile i18n-check bench clean chromium

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  %-14s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[postgres,demo]'
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[dev,postgres,demo]'
	touch $(VENV)/.installed-run $@

node_modules/htmx.org/dist/htmx.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static: kidsvoice/static/vendor/htmx.min.js kidsvoice/static/img/icons.svg ## Copy htmx from npm; build the icon sprite

kidsvoice/static/img/icons.svg: $(wildcard kidsvoice/static/img/faces/*.svg kidsvoice/static/img/cards/*.svg) kidsvoice/static/img/guide.svg kidsvoice/static/img/speaker.svg kidsvoice/icons.py $(VENV)/.installed-run
	$(BIN)/python -m kidsvoice.icons

kidsvoice/static/vendor/htmx.min.js: node_modules/htmx.org/dist/htmx.min.js
	mkdir -p kidsvoice/static/vendor
	cp $< $@

# --- translations -----------------------------------------------------------------------
CATALOGS := $(wildcard translations/*/LC_MESSAGES/*.po)
MO_FILES := $(CATALOGS:.po=.mo)

translations: i18n-compile ## Compile the message catalogs (.mo, never committed)

i18n-compile: $(MO_FILES)

translations/%.mo: translations/%.po | $(BIN)/python
	@$(MAKE) --no-print-directory $(VENV)/.installed-run
	$(BIN)/pybabel compile -i $< -o $@ -l $(word 2,$(subst /, ,$<))

i18n-extract: $(VENV)/.installed-run ## Extract strings into translations/messages.pot and questionnaire.pot
	$(BIN)/python -m kidsvoice.i18n_tools extract translations

i18n-update: i18n-extract ## Merge new strings into every language's catalog
	$(BIN)/pybabel update -i translations/messages.pot -d translations -D messages --no-wrap --ignore-obsolete --no-fuzzy-matching
	$(BIN)/pybabel update -i translations/questionnaire.pot -d translations -D questionnaire --no-wrap --ignore-obsolete --no-fuzzy-matching
	$(BIN)/python -m kidsvoice.i18n_tools fill-english translations

i18n-check: $(VENV)/.installed-run ## Fail if the committed .pot files are stale
	$(BIN)/python -m kidsvoice.i18n_tools check translations

# --- running ----------------------------------------------------------------------------
run: $(VENV)/.installed-run static i18n-compile ## Set up, migrate, load demo data and serve on http://$(HOST):$(PORT)
	BIN=$(BIN) HOST=$(HOST) PORT=$(PORT) bash scripts/run-dev.sh

# --- testing ----------------------------------------------------------------------------
chromium: ## Install Debian's Chromium for the browser tests if it is missing
	@bash scripts/ensure-chromium.sh

test: $(VENV)/.installed-dev static i18n-compile chromium ## Install what tests need and run every test
	$(BIN)/python -m kidsvoice.i18n_tools check translations
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev ## Ruff
	$(BIN)/ruff check kidsvoice tests bench

fmt: $(VENV)/.installed-dev ## Ruff format + fixes
	$(BIN)/ruff check --fix kidsvoice tests bench

# Timings live here, never in tests.  SQLite always; PostgreSQL too when
# KIDSVOICE_TEST_DATABASE_URL names a server (as .ci/run sets it).  The last line printed is
# bench/load.py's JSON.  The README's "Performance" section says what each one measures.
bench: $(VENV)/.installed-dev static i18n-compile chromium ## Benchmarks: login, page weight, scale, bulk invite, load
	$(BIN)/python bench/login_time.py
	$(BIN)/python bench/page_weight.py
	KIDSVOICE_TEST_DATABASE_URL= $(BIN)/python bench/scale.py
	@if [ -n "$$KIDSVOICE_TEST_DATABASE_URL" ]; then $(BIN)/python bench/scale.py; fi
	$(BIN)/python bench/bulk_invite.py
	$(BIN)/python bench/load.py

clean: ## Remove the venv, node_modules and built files
	rm -rf $(VENV) node_modules kidsvoice/static/vendor kidsvoice/static/img/icons.svg translations/*/LC_MESSAGES/*.mo

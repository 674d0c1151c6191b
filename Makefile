# Virage — the two commands of the README, and a few helpers.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi

.PHONY: demo test install translations screenshots lint audit constraints

## make demo: install, migrate, seed demo data and serve on http://127.0.0.1:5000
demo: install translations
	$(FLASK) db upgrade
	$(FLASK) crm seed-demo
	$(FLASK) run --host 127.0.0.1 --port 5000

## make test: the whole suite on SQLite, then on PostgreSQL where it is reachable
test: install translations
	bash tools/run_tests.sh

install: $(VENV)/.installed

# Versions are pinned by requirements/constraints.txt (exact versions, checked by make audit).
$(VENV)/.installed: setup.cfg pyproject.toml requirements/constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements/constraints.txt -e ".[dev,postgres,redis]"
	touch $@

## make constraints: re-pin every installed package after a change to setup.cfg
constraints: install
	$(BIN)/python -m pip install --quiet -e ".[dev,postgres,redis]"
	{ sed -n '1,2p' requirements/constraints.txt; $(BIN)/python -m pip freeze --exclude-editable; } > requirements/constraints.new
	mv requirements/constraints.new requirements/constraints.txt

## make audit: known vulnerabilities in the pinned versions (fails when the service is unreachable)
audit: install
	bash tools/audit.sh

translations: install
	$(FLASK) translate compile >/dev/null

lint: install
	$(BIN)/ruff check .

## make screenshots: main pages at 1280 and 390 px, in French and English, into screenshots/
screenshots: install translations
	$(BIN)/python tools/screenshots.py

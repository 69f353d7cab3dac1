# Two commands: `make run` serves the platform with demo data; `make test` runs the suite.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test setup deps browser pdf bench clean screens deploy-check

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

deps: $(VENV)/.installed node_modules/.installed

setup: deps pdf
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py setup_demo --demo

run: setup
	HOST=$(HOST) PORT=$(PORT) BIN=$(BIN) scripts/serve

browser:
	scripts/ensure-browser

# Fonts and LibreOffice for the bulletin's PDF export (installed when root; DOCX works without).
pdf:
	scripts/ensure-pdf

test: deps browser pdf
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Screenshots of the main pages into docs/screens/ (needs `make run` serving on $(PORT)).
screens: deps browser
	$(BIN)/python scripts/screens.py http://$(HOST):$(PORT)

# The production layout on this machine (nginx, two gunicorn servers, RQ
# workers, PostgreSQL, Redis), smoke-tested through nginx, then torn down.
deploy-check: deps
	BIN=$(BIN) scripts/deploy-check

clean:
	rm -rf $(VENV) node_modules var staticfiles

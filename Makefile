# narrascope: `make demo` (install + analyse the examples) and `make test`.
# Idempotent: the install steps run again only when pyproject.toml changes.

VENV    ?= .venv
PYTHON  ?= python3
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.narrascope-installed
TSTAMP  := $(VENV)/.narrascope-test-installed

.PHONY: demo test install schema clean help postgres chromium

help:
	@echo "make demo    install into $(VENV) and analyse examples/ into out/"
	@echo "make test    install the test extras, run ruff and pytest"
	@echo "make schema  regenerate docs/schema/article.schema.json"
	@echo "make postgres  start a local PostgreSQL for the store (prints its URL)"
	@echo "make chromium  install Debian's chromium and playwright (dashboard browser tests)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install torch==2.13.0
	$(BIN)/pip install -e .
	@touch $@

$(TSTAMP): $(STAMP)
	$(BIN)/pip install -e '.[test]'
	@touch $@

install: $(STAMP)

demo: $(STAMP)
	@mkdir -p out
	$(BIN)/narrascope analyze examples -o out/examples.jsonl
	@if grep -q 'error in component' out/examples.jsonl; then \
	  echo "make demo: a component failed on an example (see the warnings above)" >&2; exit 1; fi
	$(BIN)/narrascope report out/examples.jsonl -o out/report.html
	$(BIN)/narrascope analyze out/examples.jsonl --format table
	$(BIN)/narrascope ingest out/examples.jsonl --db out/narrascope.db --outlets examples/outlets.yaml --quiet
	$(BIN)/narrascope db stats --db sqlite:///out/narrascope.db
	$(BIN)/narrascope corpus copies --db out/narrascope.db
	$(BIN)/narrascope corpus clusters --db out/narrascope.db --top 5
	$(BIN)/narrascope corpus trends --db out/narrascope.db --by all --period month --plot out/trends.png
	@echo "make demo: serve the demo corpus with: $(BIN)/narrascope serve --db out/narrascope.db"

test: $(TSTAMP)
	@VENV=$(VENV) scripts/chromium.sh >/dev/null || true  # browser tests: Chromium + playwright (idempotent)
	$(BIN)/ruff check src tests
	$(BIN)/pytest -q

postgres:
	@scripts/postgres.sh

chromium:
	@VENV=$(VENV) scripts/chromium.sh

schema: $(STAMP)
	$(BIN)/narrascope schema > docs/schema/article.schema.json

clean:
	rm -rf out .pytest_cache

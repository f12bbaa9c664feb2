# Cabinet: `make run` starts the app, `make test` runs the whole test suite.
# Both create .venv and install what they need on a fresh clone.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
RUN_STAMP  := $(VENV)/.run-installed
TEST_STAMP := $(VENV)/.test-installed

.PHONY: run demo test lint bench sandbox clean install-desktop bundle

$(PY):
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Cabinet needs Python 3.11 or newer" or 0)'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(RUN_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[test]'
	touch $@ $(RUN_STAMP)

run: $(RUN_STAMP)
	$(PY) -m app $(ARGS)

demo: $(RUN_STAMP)
	$(PY) -m app --demo

sandbox: $(RUN_STAMP)
	$(PY) -m app sandbox $(ARGS)

test: $(TEST_STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(ARGS)

lint: $(TEST_STAMP)
	$(PY) -m ruff check app tests

bench: $(TEST_STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m tests.benchmarks

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache

install-desktop: $(RUN_STAMP)
	packaging/install-desktop.sh

bundle:
	packaging/build.sh

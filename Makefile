# Cabinet: `make run` starts the app, `make test` runs the whole test suite.
# Both create .venv and install what they need on a fresh clone.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
RUN_STAMP  := $(VENV)/.run-installed
TEST_STAMP := $(VENV)/.test-installed

.PHONY: run demo test test-packaging test-lowest lint bench sandbox clean install-desktop uninstall-desktop bundle wheel constraints

$(PY):
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Cabinet needs Python 3.11 or newer" or 0)'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

# Installs use the exact versions in constraints.txt (pyproject.toml has the ranges).
$(RUN_STAMP): pyproject.toml constraints.txt | $(PY)
	$(PY) -m pip install -q -c constraints.txt -e .
	touch $@

$(TEST_STAMP): pyproject.toml constraints.txt | $(PY)
	$(PY) -m pip install -q -c constraints.txt -e '.[test]'
	touch $@ $(RUN_STAMP)

run: $(RUN_STAMP)
	$(PY) -m app $(ARGS)

demo: $(RUN_STAMP)
	$(PY) -m app --demo

sandbox: $(RUN_STAMP)
	$(PY) -m app sandbox $(ARGS)

test: $(TEST_STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(ARGS)

# Builds the bundle and a wheel and tries them (several minutes): CI runs it after `make test`.
test-packaging: $(TEST_STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -m packaging tests/packaging $(ARGS)

# The unit and contract tests on the lowest versions pyproject.toml allows (in .venv-lowest).
test-lowest: $(PY)
	mkdir -p build
	$(PY) scripts/lowest_constraints.py > build/lowest-constraints.txt
	rm -rf .venv-lowest
	$(PYTHON) -m venv .venv-lowest
	.venv-lowest/bin/python -m pip install -q -c build/lowest-constraints.txt -e '.[test]'
	.venv-lowest/bin/python -m pip list 2>/dev/null | grep -iE '^(pyside6[-_]essentials|httpx|qasync|keyring|platformdirs|starlette|uvicorn|tenacity|charset[-_]normalizer) '
	QT_QPA_PLATFORM=offscreen .venv-lowest/bin/python -m pytest -q tests/unit tests/contract $(ARGS)

lint: $(TEST_STAMP)
	$(PY) -m ruff check app tests

bench: $(TEST_STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) -m tests.benchmarks

clean:
	rm -rf $(VENV) .venv-lowest build dist *.egg-info .pytest_cache .ruff_cache

# The applications-menu entry, icons and AppStream metainfo for the current user (no root).
install-desktop: $(RUN_STAMP)
	packaging/install-desktop.sh install

uninstall-desktop:
	packaging/install-desktop.sh uninstall

# dist/Cabinet/ (one folder) and dist/Cabinet-<version>-x86_64.run (one file): docs/packaging.md.
bundle:
	packaging/build.sh

# dist/cabinet-<version>.tar.gz (sdist) and dist/cabinet-<version>-py3-none-any.whl built from it.
wheel: $(TEST_STAMP)
	rm -f dist/cabinet-*.whl dist/cabinet-*.tar.gz
	$(PY) -m build --outdir dist .

# Re-pin constraints.txt to what the test virtualenv holds now (after a deliberate upgrade).
constraints: $(TEST_STAMP)
	{ sed -n '1,3p' constraints.txt; $(PY) -m pip freeze --exclude-editable | grep -vi '^setuptools\|^pip==' | sort -f; } > constraints.txt.new
	mv constraints.txt.new constraints.txt

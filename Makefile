# Every target does its own set-up: a fresh machine needs only Python 3 and make.
# gategrad is installed as a built package (not an editable one), so what the tests import is what
# a user's `pip install` gives; any change to its sources reinstalls it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --quiet --disable-pip-version-check
SOURCES := pyproject.toml $(shell find src engine nn -type f -not -path '*/__pycache__/*')

.PHONY: demo test lint bench notebook site clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip

# The dependencies of each extra, once (they change only with pyproject.toml).
$(VENV)/.deps: pyproject.toml | $(BIN)/python
	$(PIP) install .
	touch $@
$(VENV)/.deps-test: pyproject.toml | $(BIN)/python
	$(PIP) install '.[test]'
	touch $@ $(VENV)/.deps
$(VENV)/.deps-notebook: pyproject.toml | $(BIN)/python
	$(PIP) install '.[notebook]'
	touch $@
$(VENV)/.deps-bench: pyproject.toml | $(BIN)/python
	$(PIP) install '.[bench]'
	touch $@ $(VENV)/.deps

# gategrad itself, whenever a source file changed.
$(VENV)/.installed: $(SOURCES) $(VENV)/.deps
	$(PIP) install --no-deps --force-reinstall .
	touch $@

demo: $(VENV)/.installed
	$(BIN)/gategrad example sigmoid-gate --digits 2 --svg sigmoid-gate.svg --png sigmoid-gate.png

lint: $(VENV)/.deps-test
	$(BIN)/ruff check src engine nn tests benchmarks notebooks

# A site built before (make site) is brought up to date first, so tests/test_site.py never opens
# an old one; without one, those tests skip and say so.
test: lint $(VENV)/.installed $(if $(wildcard site/.built),site/.built)
	$(BIN)/python -m pytest -p no:cacheprovider tests -q

# PyTorch and JAX come from the bench extra (JAX where it installs), so every row prints.
bench: $(VENV)/.deps-bench $(VENV)/.installed
	$(BIN)/python -m benchmarks --json benchmarks/results.json

notebook: $(VENV)/.deps-notebook $(VENV)/.installed
	$(BIN)/jupyter lab notebooks

# The in-browser site (JupyterLite, Pyodide, gategrad, the lessons): static files in site/, built in
# an environment of its own so that no extension of the development one lands in it. The build
# fetches its pinned npm and PyPI files once, into build/site-cache; the site needs no network.
SITE_VENV := build/site-venv
SITE_INPUTS := $(SOURCES) $(shell find notebooks docs/site -type f -not -path '*/.ipynb_checkpoints/*' -not -path '*/__pycache__/*')

$(SITE_VENV)/.deps: docs/site/requirements.txt
	$(PYTHON) -m venv $(SITE_VENV)
	$(SITE_VENV)/bin/python -m pip --quiet --disable-pip-version-check install -r docs/site/requirements.txt
	touch $@

site/.built: $(SITE_VENV)/.deps $(SITE_INPUTS)
	$(SITE_VENV)/bin/python docs/site/build.py --out site
	touch $@

site: site/.built

clean:
	rm -rf $(VENV) build site *.egg-info src/*.egg-info .pytest_cache .hypothesis .ruff_cache \
		sigmoid-gate.svg sigmoid-gate.png

# Every target does its own set-up: a fresh machine needs only Python 3 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench notebook clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

$(VENV)/.installed-notebook: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[notebook]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/gategrad example sigmoid-gate --digits 2 --svg sigmoid-gate.svg --png sigmoid-gate.png

lint: $(VENV)/.installed-test
	$(BIN)/ruff check engine nn tests benchmarks notebooks

test: lint
	$(BIN)/python -m pytest tests --nbmake notebooks --doctest-modules engine nn -q

bench: $(VENV)/.installed-test
	$(BIN)/python -m benchmarks --json benchmarks/results.json

notebook: $(VENV)/.installed-notebook
	$(BIN)/jupyter lab notebooks

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis .ruff_cache sigmoid-gate.svg sigmoid-gate.png

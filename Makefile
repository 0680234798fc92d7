# Everything a newcomer needs: `make demo` and `make test` set up a virtualenv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: demo test setup bench clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@echo 'Installing casebook and its dependencies into $(VENV)/ (a minute or two)...'
	@# -qq: errors only, not the build backend's notices
	$(BIN)/python -m pip install -qq -e '.[test]'
	touch $(INSTALLED)

setup: $(INSTALLED)

demo: $(INSTALLED)
	$(BIN)/casebook

test: $(INSTALLED)
	@echo 'Linting (ruff) and type checking (mypy, strict)...'
	$(BIN)/python -m ruff check --quiet .
	$(BIN)/python -m mypy
	$(BIN)/python -m pytest -n auto -q

bench: $(INSTALLED)
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/pdf_libraries.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis

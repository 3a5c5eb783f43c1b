# Everything runs from a project-local virtualenv that these targets create on first use.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STACK ?= dev
STAMP := $(VENV)/.installed

.PHONY: preview test lint typecheck pytest snapshots graph bench clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

## Offline preview of a stack (default dev): the real program under Pulumi's mock runtime.
preview: $(STAMP)
	$(PY) -m tools preview $(STACK)

## Lint, type-check and run the whole test suite.
test: lint typecheck pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy

pytest: $(STAMP)
	$(PY) -m pytest

## Rewrite the committed graph snapshots after an intended change (review the diff!).
snapshots: $(STAMP)
	$(PY) -m pytest tests/stacks --snapshot-update

## Mermaid picture of a stack's graph.
graph: $(STAMP)
	$(PY) -m tools preview $(STACK) --mermaid docs/graph-$(STACK).mmd

bench: $(STAMP)
	$(PY) -m tools bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis

# Everything runs from a project-local virtualenv that these targets create on first use.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STACK ?= dev
STAMP := $(VENV)/.installed
# Checkov gets its own virtualenv: its `packaging<24` pin cannot share one with pulumi's `packaging>=26`.
CHECKOV_VENV ?= .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed

.PHONY: preview test lint typecheck pytest snapshots graph bench clean

$(STAMP): requirements.txt requirements-dev.txt policies/requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

$(CHECKOV_STAMP): requirements-checkov.txt
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
	touch $(CHECKOV_STAMP)

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

pytest: $(STAMP) $(CHECKOV_STAMP)
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
	rm -rf $(VENV) $(CHECKOV_VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis

## Mutation testing of the decision modules (tests/mutation/scope.py), outside `make test`:
## prints the kill rate and every survivor (docs/mutation.md explains them); fails under 90%.
## cosmic-ray gets its own virtualenv; the tests it runs use $(VENV). MUTATION_ARGS: e.g. --only policies-gke
MUTATION_VENV ?= .venv-mutation
MUTATION_STAMP := $(MUTATION_VENV)/.installed
MUTATION_ARGS ?=

$(MUTATION_STAMP): requirements-mutation.txt
	test -x $(MUTATION_VENV)/bin/python || $(PYTHON) -m venv $(MUTATION_VENV)
	$(MUTATION_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-mutation.txt
	touch $(MUTATION_STAMP)

.PHONY: mutation
mutation: $(STAMP) $(MUTATION_STAMP)
	$(PY) -m tests.mutation.run $(MUTATION_ARGS)

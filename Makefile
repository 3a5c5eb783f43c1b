# Everything runs from project-local virtualenvs that these targets create on first use.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STACK ?= dev
# The pinned uv (requirements-uv.txt, in its own small virtualenv) creates and fills the others: it
# installs in seconds what pip takes minutes for. uv reads no pip configuration; UV_* variables steer it.
UV_VENV := .venv-uv
UV := $(UV_VENV)/bin/uv
UV_STAMP := $(UV_VENV)/.installed
# `make preview` installs only what the preview imports; the test toolchain comes on top of it.
PREVIEW_STAMP := $(VENV)/.installed-preview
STAMP := $(VENV)/.installed
# Checkov gets its own virtualenv: its `packaging<24` pin cannot share one with pulumi's `packaging>=26`.
CHECKOV_VENV ?= .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed
UV_INSTALL = $(UV) pip install --quiet --python
# uv installs without compiling bytecode; Python then caches it for the modules a run imports. An
# environment that forbids writing it (PYTHONDONTWRITEBYTECODE) would have every process, Checkov's
# included, compile the SDKs again from source: these targets let it write (__pycache__ is ignored).
unexport PYTHONDONTWRITEBYTECODE

.PHONY: preview test lint typecheck pytest snapshots graph bench clean

$(UV_STAMP): requirements-uv.txt
	test -x $(UV_VENV)/bin/python || $(PYTHON) -m venv $(UV_VENV)
	$(UV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-uv.txt
	touch $@

# --seed puts pip in .venv too: Pulumi.yaml's `toolchain: pip` installs requirements.txt with it.
$(PREVIEW_STAMP): $(UV_STAMP) requirements.txt requirements-tools.txt
	test -x $(PY) || $(UV) venv --quiet --seed --python $(PYTHON) $(VENV)
	$(UV_INSTALL) $(PY) -r requirements-tools.txt
	touch $@

$(STAMP): $(PREVIEW_STAMP) requirements-dev.txt policies/requirements.txt
	$(UV_INSTALL) $(PY) -r requirements-dev.txt
	touch $@

$(CHECKOV_STAMP): $(UV_STAMP) requirements-checkov.txt
	test -x $(CHECKOV_VENV)/bin/python || $(UV) venv --quiet --python $(PYTHON) $(CHECKOV_VENV)
	$(UV_INSTALL) $(CHECKOV_VENV)/bin/python -r requirements-checkov.txt
	touch $@

## Offline preview of a stack (default dev): the real program under Pulumi's mock runtime.
preview: $(PREVIEW_STAMP)
	$(PY) -m tools preview $(STACK)

## Lint, type-check and run the whole test suite: the two virtualenvs install side by side, then
## ruff, mypy and pytest run side by side (each one's output is printed whole when it ends).
test:
	@$(MAKE) --no-print-directory -j3 --output-sync=target lint typecheck pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy

# One worker per core; an idle worker takes tests from a busy one (measured: 190 s against 230 s
# when each module stays on one worker).
PYTEST_ARGS ?= -n auto --dist worksteal
pytest: $(STAMP) $(CHECKOV_STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

## Rewrite the committed graph snapshots after an intended change (review the diff!).
snapshots: $(STAMP)
	$(PY) -m pytest tests/stacks --snapshot-update

## Mermaid picture of a stack's graph.
graph: $(PREVIEW_STAMP)
	$(PY) -m tools preview $(STACK) --mermaid docs/graph-$(STACK).mmd

bench: $(PREVIEW_STAMP)
	$(PY) -m tools bench

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) $(UV_VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis $(MUTATION_VENV) .mutation

## Mutation testing of the decision modules (tests/mutation/scope.py), outside `make test`:
## prints the kill rate and every survivor (docs/mutation.md explains them); fails under 90%.
## cosmic-ray gets its own virtualenv; the tests it runs use $(VENV) (and Checkov's, which a pack test reads). MUTATION_ARGS: e.g. --only policies-gke
MUTATION_VENV ?= .venv-mutation
MUTATION_STAMP := $(MUTATION_VENV)/.installed
MUTATION_ARGS ?=

$(MUTATION_STAMP): $(UV_STAMP) requirements-mutation.txt
	test -x $(MUTATION_VENV)/bin/python || $(UV) venv --quiet --python $(PYTHON) $(MUTATION_VENV)
	$(UV_INSTALL) $(MUTATION_VENV)/bin/python -r requirements-mutation.txt
	touch $@

.PHONY: mutation
mutation: $(STAMP) $(CHECKOV_STAMP) $(MUTATION_STAMP)
	$(PY) -m tests.mutation.run $(MUTATION_ARGS)

"""The pytest plugin of mutation runs (`-p tests.mutation.plugin`, loaded by `tests/mutation/run.py`).

- Hypothesis runs derandomized and without deadlines, so a mutant is killed by an assertion, never
  by chance or by a loaded machine.
- Stack graphs are evaluated once, then read back from disk, for mutants of modules that take no
  part in evaluating the program (the policy pack, the policy runner): their graphs are the
  unmutated program's, so each mutant's test process reads the pickles the first run wrote instead
  of evaluating every stack again. `MUTATION_GRAPH_CACHE` names the folder (unset: no cache);
  `MUTATION_GRAPH_CACHE_WRITE=1` lets a run fill it. Programs the tests record themselves (the
  policy cases' edge program) are cached the same way, keyed by where the program is written and
  what it closes over. The plugin patches `tools.graph.evaluate` and `tools.graph.record` when
  pytest imports it, before any conftest binds the names.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from hypothesis import settings

import tools.graph
from tools.mocks import ReservationAnswer

_evaluate = tools.graph.evaluate
_record = tools.graph.record
TESTS = Path(__file__).resolve().parents[1]


def _key(stack: str, config: Mapping[str, str] | None) -> str:
    text = json.dumps([stack, dict(config) if config is not None else None], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def cached_evaluate(
    stack: str,
    root: Path = tools.graph.PROJECT_ROOT,
    config: dict[str, str] | None = None,
    preview: bool = False,
    secret_seed: str = "",
    reservations: Mapping[str, ReservationAnswer] | None = None,
) -> tools.graph.StackGraph:
    if root != tools.graph.PROJECT_ROOT or preview or secret_seed or reservations:  # only the plain form is cached
        return _evaluate(stack, root, config, preview, secret_seed, reservations)
    folder = Path(os.environ["MUTATION_GRAPH_CACHE"])
    path = folder / f"{stack}-{_key(stack, config)}.pickle"
    return _cached(path, lambda: _evaluate(stack, config=config))


def cached_record(program: Callable[[], object], *, stack: str, project: str, **options: Any) -> tools.graph.StackGraph:
    code = program.__code__
    if options or not Path(code.co_filename).resolve().is_relative_to(TESTS):  # only a test's own program
        return _record(program, stack=stack, project=project, **options)
    where = f"{code.co_filename}:{code.co_firstlineno}"
    captured = repr([code.co_consts, *(cell.cell_contents for cell in program.__closure__ or ())])
    key = _key(stack, {"program": where, "project": project, "captured": captured})
    return _cached(
        Path(os.environ["MUTATION_GRAPH_CACHE"]) / f"recorded-{key}.pickle",
        lambda: _record(program, stack=stack, project=project),
    )


def _cached(path: Path, compute: Callable[[], tools.graph.StackGraph]) -> tools.graph.StackGraph:
    if path.exists():
        graph: tools.graph.StackGraph = pickle.loads(path.read_bytes())
        return graph
    graph = compute()
    if os.environ.get("MUTATION_GRAPH_CACHE_WRITE") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.partial")
        partial.write_bytes(pickle.dumps(graph))
        partial.replace(path)  # parallel jobs may fill the same entry
    return graph


if os.environ.get("MUTATION_GRAPH_CACHE"):
    tools.graph.evaluate = cached_evaluate
    tools.graph.record = cached_record


settings.register_profile("mutation", deadline=None, derandomize=True, print_blob=False)
settings.load_profile("mutation")

"""Shared fixtures: each stack graph is evaluated once per test session."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings

from tools.graph import StackGraph, evaluate, record
from tools.stack_config import PROJECT_ROOT, load_stack_config

STACKS = ("dev", "staging", "prod", "legacy")

# Properties are judged by their assertions, not by how fast one example ran on a busy CI machine.
settings.register_profile("suite", deadline=None)
settings.load_profile("suite")


@pytest.fixture(scope="session")
def graphs() -> dict[str, StackGraph]:
    return {stack: evaluate(stack) for stack in STACKS}


@pytest.fixture(scope="session")
def dev(graphs: dict[str, StackGraph]) -> StackGraph:
    return graphs["dev"]


@pytest.fixture(scope="session")
def prod(graphs: dict[str, StackGraph]) -> StackGraph:
    return graphs["prod"]


@pytest.fixture(scope="session")
def stack_configs() -> dict[str, dict[str, str]]:
    return {stack: load_stack_config(stack) for stack in STACKS}


@pytest.fixture
def cli_reads_session_graphs(graphs: dict[str, StackGraph], monkeypatch: pytest.MonkeyPatch) -> None:
    """`tools` commands run in-process take a committed stack's graph from the session, not a new evaluation."""
    import tools.graph

    evaluate_again = tools.graph.evaluate

    def evaluate_once(
        stack: str, root: Path = PROJECT_ROOT, config: dict[str, str] | None = None, preview: bool = False
    ) -> StackGraph:
        if root == PROJECT_ROOT and config is None and not preview and stack in graphs:
            return graphs[stack]
        return evaluate_again(stack, root, config, preview)

    monkeypatch.setattr(tools.graph, "evaluate", evaluate_once)


RunComponent = Callable[[Callable[[], object]], StackGraph]


@pytest.fixture
def run_component() -> RunComponent:
    """Register whatever `build()` creates under the mock runtime and return the graph."""

    def run(build: Callable[[], object]) -> StackGraph:
        return record(build, stack="test", project="llm-platform")

    return run

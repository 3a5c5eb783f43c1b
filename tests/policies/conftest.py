"""The real policy pack, started once per session as the engine starts it, and the graphs it judges.

Every policy has a compliant and a violating case (`Case`), both driven through the Analyzer
protocol: the compliant baseline is a recorded graph (dev / prod, or the edge program for resource
types the stacks do not have yet), the violating one changes one field of one resource.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import pytest

from tests.policies.edge_program import edge_program
from tools.graph import Registration, StackGraph, record
from tools.policy import PolicyPackProcess, PolicyReport, run_policies
from tools.stack_config import load_stack_config

PROJECT = "llm-platform"


@pytest.fixture(scope="session")
def pack() -> Iterator[PolicyPackProcess]:
    process = PolicyPackProcess(env={"PULUMI_PROJECT": PROJECT, "PULUMI_DRY_RUN": "true"})
    yield process
    process.close()


@pytest.fixture(scope="session")
def policy_graphs(graphs: dict[str, StackGraph]) -> dict[str, StackGraph]:
    """dev, prod, and the edge program recorded as a prod and as a dev stack."""
    return {
        **graphs,
        "edge": record(lambda: edge_program("prod"), stack="prod", project=PROJECT),
        "edge-dev": record(lambda: edge_program("dev"), stack="dev", project=PROJECT),
    }


def set_path(inputs: dict[str, Any], path: str, value: Any) -> None:
    """Set (or with DELETE remove) `a.b.0.c` in nested inputs."""
    *steps, last = path.split(".")
    node: Any = inputs
    for step in steps:
        node = node[int(step)] if isinstance(node, list) else node.setdefault(step, {})
    if isinstance(node, list):
        node[int(last)] = value
    elif value is DELETE:
        node.pop(last, None)
    else:
        node[last] = value


DELETE = object()


def changed(resource: Registration, changes: dict[str, Any] | None = None, **options: Any) -> Registration:
    """`resource` with inputs at the given paths replaced (DELETE removes) and options replaced."""
    inputs = copy.deepcopy(resource.inputs)
    for path, value in (changes or {}).items():
        set_path(inputs, path, value)
    return replace(resource, inputs=inputs, **options)


def swapped(graph: StackGraph, old: Registration, new: Registration) -> StackGraph:
    return StackGraph(graph.stack, [new if r.urn == old.urn else r for r in graph.resources], graph.outputs)


@dataclass(frozen=True)
class Case:
    """One policy's compliant baseline and a one-field change that violates it."""

    policy: str
    graph: str  # key of `policy_graphs`
    target: tuple[str, str]  # (type, name) of the resource to change
    change: Callable[[Registration], Registration]
    stack: bool = False  # a stack policy: analyze the whole graph
    expect: str = ""  # text the violation message must contain
    id: str = field(default="")

    def __str__(self) -> str:
        return self.id or self.policy


def find(graph: StackGraph, target: tuple[str, str]) -> Registration:
    type_, name = target
    (found,) = [r for r in graph.resources if r.type == type_ and r.name == name]
    return found


def judge(
    pack: PolicyPackProcess, graph: StackGraph, resource: Registration, stack: bool, policies: tuple[str, ...]
) -> PolicyReport:
    """Run `policies` alone, as the engine runs a pack configured so (`test_runner.py` runs them all)."""
    config = load_stack_config(graph.stack) if graph.stack in ("dev", "prod") else {}
    only = pack.only(*policies)
    if stack:  # a stack policy reads the whole graph through AnalyzeStack alone
        return run_policies(
            pack, graph, project=PROJECT, config=only, stack_config=config, resources=[], analyze_stack=True
        )
    return run_policies(pack, graph, project=PROJECT, config=only, stack_config=config, resources=[resource])


# A recorded graph's verdict on one resource does not change within a session: judged once.
_COMPLIANT: dict[tuple[int, tuple[str, str], bool, str], PolicyReport] = {}


def check_case(pack: PolicyPackProcess, graphs: dict[str, StackGraph], case: Case) -> None:
    graph = graphs[case.graph]
    baseline = find(graph, case.target)
    key = (id(graph), case.target, case.stack, case.policy)
    if key not in _COMPLIANT:
        _COMPLIANT[key] = judge(pack, graph, baseline, case.stack, (case.policy,))
    compliant = _COMPLIANT[key]
    assert not compliant.by_policy(case.policy), compliant.by_policy(case.policy)
    assert not compliant.not_run

    violating = case.change(baseline)
    report = judge(pack, swapped(graph, baseline, violating), violating, case.stack, (case.policy,))
    found = report.by_policy(case.policy)
    assert found, f"{case.policy} did not fire; violations: {[v.policy for v in report.violations]}"
    assert all(v.urn in (violating.urn, "") for v in found) or case.stack
    assert case.expect in "\n".join(v.message for v in found)

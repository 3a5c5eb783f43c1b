"""policies/rules/stack.py through the runner."""

from __future__ import annotations

import dataclasses

import pytest

from tests.policies.conftest import DELETE, Case, changed, check_case
from tools.graph import StackGraph
from tools.policy import run_policies

BUDGET = ("gcp:billing/budget:Budget", "edge-budget")
BUCKET = ("gcp:storage/bucket:Bucket", "models-bucket")
POOL = ("gcp:container/nodePool:NodePool", "tier-medium-pool")
SUBNET = ("gcp:compute/subnetwork:Subnetwork", "network-subnet")

CASES = [
    Case(
        "stack-budget-exists",
        "edge",
        BUDGET,
        lambda r: changed(r, {"budgetFilter": DELETE}),
        stack=True,
        expect="not scoped",
    ),
    Case("stack-labels", "prod", BUCKET, lambda r: changed(r, {"labels.env": DELETE}), stack=True, expect="env"),
    Case(
        "stack-labels",
        "prod",
        POOL,
        lambda r: changed(r, {"nodeConfig.resourceLabels": DELETE}),
        stack=True,
        id="node-pool-without-labels",
    ),
    Case("stack-prod-stateful-protected", "prod", BUCKET, lambda r: changed(r, protect=False), stack=True),
    Case(
        "stack-resources-in-components",
        "dev",
        SUBNET,
        lambda r: changed(r, parent="urn:pulumi:dev::llm-platform::pulumi:pulumi:Stack::llm-platform-dev"),
        stack=True,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy(pack, policy_graphs, case: Case) -> None:
    check_case(pack, policy_graphs, case)


def without_budget(graph: StackGraph) -> StackGraph:
    """The graph of a stack whose `llm-platform:budget` was removed."""
    return dataclasses.replace(graph, resources=[r for r in graph.resources if r.type != BUDGET[0]])


def test_a_stack_without_a_budget_is_stopped(pack, graphs) -> None:
    (violation,) = run_policies(pack, without_budget(graphs["dev"])).by_policy("stack-budget-exists")
    assert violation.level == "mandatory" and "no billing budget" in violation.message

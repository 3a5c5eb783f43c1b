"""policies/rules/stack.py through the runner."""

from __future__ import annotations

import dataclasses

import pytest

from tests.policies.conftest import DELETE, Case, changed, check_case, find, swapped
from tools.graph import StackGraph
from tools.policy import run_policies

BUDGET = ("gcp:billing/budget:Budget", "edge-budget")
BUCKET = ("gcp:storage/bucket:Bucket", "models-bucket")
POOL = ("gcp:container/nodePool:NodePool", "tier-medium-pool")
SUBNET = ("gcp:compute/subnetwork:Subnetwork", "network-subnet")
CLUSTER = ("gcp:container/cluster:Cluster", "gke-cluster")
REDIS = ("gcp:redis/instance:Instance", "cache-redis")
LUSTRE = ("gcp:lustre/instance:Instance", "model-store-instance")
RETIRING = {"labels.retiring": "true"}

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
    Case(
        "stack-prod-stateful-protected",
        "prod",
        BUCKET,
        lambda r: changed(r, protect=False),
        stack=True,
        expect="a prod Bucket is not protected.",
    ),
    Case(
        "stack-prod-stateful-protected",
        "prod",
        BUCKET,
        lambda r: changed(r, {"labels.retiring": "false"}, protect=False),
        stack=True,
        id="retiring-label-not-true",
    ),
    Case(
        "stack-retiring-unblocked",
        "prod",
        CLUSTER,
        lambda r: changed(r, {"resourceLabels.retiring": "true"}, protect=False),
        expect="deletionProtection: True",
        id="cluster-deletion-protection",
    ),
    Case(
        "stack-retiring-unblocked",
        "prod",
        REDIS,
        lambda r: changed(r, {**RETIRING, "deletionProtection": False}),
        expect="`protect` option",
        id="redis-protect",
    ),
    Case(
        "stack-retiring-unblocked",
        "prod",
        REDIS,
        lambda r: changed(r, {**RETIRING, "deletionProtection": True}, protect=False),
        expect="deletionProtection: True",
        id="redis-deletion-protection",
    ),
    Case(
        "stack-retiring-unblocked",
        "prod",
        LUSTRE,
        lambda r: changed(r, RETIRING, protect=False),
        expect="deletionPolicy: PREVENT",
        id="lustre-prevent",
    ),
    Case(
        "stack-retiring-unblocked",
        "prod",
        BUCKET,
        lambda r: changed(r, RETIRING),
        expect="`protect` option",
        id="bucket-protect",
    ),
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
    only = pack.only("stack-budget-exists")
    (violation,) = run_policies(pack, without_budget(graphs["dev"]), config=only).by_policy("stack-budget-exists")
    assert violation.level == "mandatory" and "no billing budget" in violation.message


def test_a_retiring_resource_is_not_held_to_prod_protection(pack, graphs) -> None:
    """The exemptions: a prod stateful resource labelled retiring may drop its guards, and only then."""
    prod = graphs["prod"]
    graph = prod
    for target, labels in ((BUCKET, "labels"), (CLUSTER, "resourceLabels"), (REDIS, "labels")):
        resource = find(graph, target)
        retired = changed(resource, {f"{labels}.retiring": "true", "deletionProtection": False}, protect=False)
        graph = swapped(graph, resource, retired)
    bucket = find(graph, BUCKET)
    graph = swapped(graph, bucket, changed(bucket, {"forceDestroy": True}))
    report = run_policies(pack, graph, analyze_stack=True)
    for policy in ("stack-prod-stateful-protected", "gke-deletion-protection-prod", "bucket-prod-no-force-destroy"):
        assert report.by_policy(policy) == [], policy
    assert report.by_policy("stack-retiring-unblocked") == []

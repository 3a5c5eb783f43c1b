"""Gaps mutation testing found in policies/rules/tpu.py: the slice arithmetic, literally, and a
multi-host pool judged after a single-host one."""

from __future__ import annotations

import pytest

from policies.rules.tpu import multi_host_problem, topology_chips
from tests.policies.conftest import DELETE, changed, find, judge
from tools.graph import StackGraph

LARGE = ("gcp:container/nodePool:NodePool", "tier-large-pool")
SMALL = ("gcp:container/nodePool:NodePool", "tier-small-pool")


@pytest.mark.parametrize("topology", ["2x2x2", "2x2x4", "2x4x4", "4x4x4", "4x4x8", "8x8x16", "16x24x24"])
def test_real_multi_host_slices_pass(topology: str) -> None:
    assert multi_host_problem(topology) is None


@pytest.mark.parametrize(
    ("topology", "problem"),
    [
        ("2x2", "topology '2x2' is not AxBxC"),
        ("4x2x2", "topology 4x2x2 is not in canonical order (A <= B <= C)"),
        ("2x4x2", "topology 2x4x2 is not in canonical order (A <= B <= C)"),
        ("2x2x8", "topology 2x2x8: beyond 2x4x4 every dimension is a multiple of 4"),
        ("4x6x8", "topology 4x6x8: beyond 2x4x4 every dimension is a multiple of 4"),
        ("4x4x6", "topology 4x4x6: beyond 2x4x4 every dimension is a multiple of 4"),
        ("16x24x28", "topology 16x24x28 has 10752 chips; a TPU7x pod has 9216"),
    ],
)
def test_other_topologies_are_refused_with_their_reason(topology: str, problem: str) -> None:
    assert multi_host_problem(topology) == problem


@pytest.mark.parametrize(("topology", "chips"), [("2x2x2", 8), ("2x4x4", 32), ("4x8x16", 512), ("bad", 0)])
def test_a_topology_counts_its_chips(topology: str, chips: int) -> None:
    assert topology_chips(topology) == chips


def test_every_multi_host_pool_is_judged_whatever_comes_before_it(pack, policy_graphs) -> None:
    """A single-host pool first, then two multi-host pools without a policy name: both are reported."""
    graph: StackGraph = policy_graphs["prod"]
    small, large = find(graph, SMALL), find(graph, LARGE)
    nameless = changed(large, {"placementPolicy.policyName": DELETE})
    twin = changed(nameless, name="tier-twin-pool", urn=nameless.urn.replace("tier-large-pool", "tier-twin-pool"))
    rest = [r for r in graph.resources if r.urn not in (small.urn, large.urn)]
    ordered = StackGraph(graph.stack, [small, *rest, nameless, twin], graph.outputs)
    found = judge(pack, ordered, nameless, stack=True, policies=("tpu-multihost-workload-policy",))
    assert sorted(v.urn for v in found.by_policy("tpu-multihost-workload-policy")) == sorted([nameless.urn, twin.urn])

"""policies/rules/capacity.py through the runner: prod chains, the class's pools, named reservations."""

from __future__ import annotations

import pytest

from tests.policies.conftest import DELETE, Case, changed, check_case, find, judge, swapped

CLASS = ("kubernetes:cloud.google.com/v1:ComputeClass", "tier-large-compute-class")
FLEX = ("gcp:container/nodePool:NodePool", "tier-large-pool-flex-start")
ON_DEMAND = ("gcp:container/nodePool:NodePool", "tier-large-pool-on-demand")
RESERVATION = ("gcp:container/nodePool:NodePool", "tier-large-pool")
SMALL = ("gcp:container/nodePool:NodePool", "tier-small-pool")

CASES = [
    Case(
        "tpu-prod-chain-not-on-spot-alone",
        "prod",
        FLEX,
        lambda r: changed(r, {"nodeConfig.flexStart": DELETE, "nodeConfig.spot": True}),
        stack=True,
        expect="ends on spot",
        id="prod-chain-ends-on-spot",
    ),
    Case(
        "tpu-prod-chain-not-on-spot-alone",
        "prod",
        SMALL,
        lambda r: changed(r, {"nodeConfig.spot": True}),
        stack=True,
        expect="runs on spot alone",
        id="prod-tier-on-spot-alone",
    ),
    Case(
        "tpu-compute-class-pools",
        "prod",
        CLASS,
        lambda r: changed(r, {"spec.priorities": [{"nodepools": ["llm-prod-tpu-elsewhere"]}]}),
        stack=True,
        expect="which the stack does not create",
        id="class-names-a-missing-pool",
    ),
    Case(
        "tpu-compute-class-pools",
        "prod",
        ON_DEMAND,
        lambda r: changed(r, {"nodeConfig.taints": r.inputs["nodeConfig"]["taints"][:1]}),
        stack=True,
        expect="NO_SCHEDULE taint",
        id="pool-without-the-class-taint",
    ),
    Case(
        "tpu-reservation-named",
        "prod",
        RESERVATION,
        lambda r: changed(r, {"nodeConfig.reservationAffinity.values": []}),
        expect="must name its reservation",
        id="specific-reservation-without-a-name",
    ),
    Case(
        "tpu-reservation-in-stack-zone",
        "prod",
        RESERVATION,
        lambda r: changed(
            r,
            {
                "nodeLocations": DELETE,
                "nodeConfig.reservationAffinity.values": ["projects/acme-capacity/zones/us-central1-c/reservations/r"],
            },
        ),
        expect="but its nodes run in every zone of us-central1",
        id="regional-pool-on-a-zonal-reservation",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy(pack, policy_graphs, case: Case) -> None:
    check_case(pack, policy_graphs, case)


def test_a_reservation_named_with_the_pool_zone_is_compliant(pack, policy_graphs) -> None:
    graph = policy_graphs["prod"]
    pool = find(graph, RESERVATION)
    same = changed(
        pool, {"nodeConfig.reservationAffinity.values": ["projects/acme/zones/us-central1-c/reservations/r"]}
    )
    report = judge(pack, swapped(graph, pool, same), same, False, ("tpu-reservation-in-stack-zone",))
    assert not report.by_policy("tpu-reservation-in-stack-zone")
    assert not report.not_run

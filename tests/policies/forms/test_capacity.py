"""policies/rules/capacity.py: every policy on an absent field and on each other wrong form."""

from __future__ import annotations

import pytest

from tests.policies.forms import absent, check_form, shape

CLASS = ("kubernetes:cloud.google.com/v1:ComputeClass", "tier-large-compute-class")
FLEX = ("gcp:container/nodePool:NodePool", "tier-large-pool-flex-start")
ON_DEMAND = ("gcp:container/nodePool:NodePool", "tier-large-pool-on-demand")
RESERVATION = ("gcp:container/nodePool:NodePool", "tier-large-pool")

FORMS = [
    # Without `spot` a pool is not spot (the API's default): a chain ending there is fine.
    absent("tpu-prod-chain-not-on-spot-alone", "prod", FLEX, "nodeConfig.spot", stack=True, fires=False),
    shape("tpu-prod-chain-not-on-spot-alone", "false", "prod", FLEX, "nodeConfig.spot", False, stack=True, fires=False),
    absent("tpu-compute-class-pools", "prod", CLASS, "spec.priorities", stack=True, expect="names no node pools"),
    shape("tpu-compute-class-pools", "empty", "prod", CLASS, "spec.priorities", [], stack=True),
    absent("tpu-compute-class-pools", "prod", ON_DEMAND, "nodeConfig.labels", stack=True, expect="node label"),
    shape(
        "tpu-compute-class-pools",
        "wrong",
        "prod",
        ON_DEMAND,
        "nodeConfig.labels",
        {"cloud.google.com/compute-class": "another-class"},
        stack=True,
    ),
    absent("tpu-reservation-named", "prod", RESERVATION, "nodeConfig.reservationAffinity.values"),
    shape("tpu-reservation-named", "empty", "prod", RESERVATION, "nodeConfig.reservationAffinity.values", []),
    shape("tpu-reservation-named", "wrong", "prod", RESERVATION, "nodeConfig.reservationAffinity.key", "zone"),
    # The program names reservations without a zone (GKE reads them in the pool's): nothing to compare.
    absent("tpu-reservation-in-stack-zone", "prod", RESERVATION, "nodeConfig.reservationAffinity.values", fires=False),
    absent("tpu-reservation-in-stack-zone", "prod", RESERVATION, "nodeLocations", fires=False),
    shape(
        "tpu-reservation-in-stack-zone",
        "wrong",
        "prod",
        RESERVATION,
        "nodeConfig.reservationAffinity.values",
        ["projects/acme-capacity/zones/us-central1-a/reservations/ironwood"],
        expect="in zone us-central1-a, but its nodes run in us-central1-c",
    ),
    shape(
        "tpu-reservation-in-stack-zone",
        "empty",
        "prod",
        RESERVATION,
        "nodeConfig.reservationAffinity.values",
        [],
        fires=False,
    ),
    # Without a consume type the pool consumes no specific reservation: nothing to name.
    absent(
        "tpu-reservation-named",
        "prod",
        RESERVATION,
        "nodeConfig.reservationAffinity.consumeReservationType",
        fires=False,
    ),
]


@pytest.mark.parametrize("form", FORMS, ids=str)
def test_form(pack, policy_graphs, form) -> None:
    check_form(pack, policy_graphs, form)

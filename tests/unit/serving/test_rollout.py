"""Surge or replace: every row of the decision, and no rollout that needs a node its pool cannot create."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, reject
from hypothesis import strategies as st

from components.gke.pool_sizing import pool_sizing
from components.serving.config import TierConfig
from components.serving.rollout import rollout
from tests.helpers import LLAMA_8B, LLAMA_70B, tier

SLICE = {"machineType": "tpu7x-standard-4t", "topology": "2x2x2", "model": LLAMA_70B}


def _tier(**fields: Any) -> TierConfig:
    return TierConfig.model_validate(tier(**fields))


@pytest.mark.parametrize(
    ("config", "kind", "reason"),
    [
        (TierConfig.model_validate(SLICE), "replace", "a 2x2x2 slice is one group on a one-slice pool"),
        (_tier(capacity={"type": "flex-start"}, minReplicas=0), "replace", "flex-start nodes come when DWS"),
        (_tier(capacity={"type": "spot"}), "replace", "spot capacity may be gone"),
        (
            _tier(capacity={"type": "reservation", "reservation": "r"}, maxReplicas=2),
            "replace",
            "the reservation holds an unknown number of VMs and a surge at maxReplicas 2 needs 3",
        ),
        (
            _tier(capacity={"type": "reservation", "reservation": "r", "reservedVms": 2}, maxReplicas=2),
            "replace",
            "the reservation holds 2 VMs and a surge at maxReplicas 2 needs 3",
        ),
        (
            _tier(capacity={"type": "reservation", "reservation": "r", "reservedVms": 3}, maxReplicas=2),
            "surge",
            "the reservation holds 3 VMs, one more than maxReplicas needs",
        ),
        (_tier(capacity={"type": "on-demand"}, maxReplicas=4), "surge", "on-demand: the pool may grow one node"),
    ],
    ids=[
        "multi-host",
        "flex-start",
        "spot",
        "reservation-unsized",
        "reservation-full",
        "reservation-room",
        "on-demand",
    ],
)
def test_each_capacity_rolls_the_way_it_can(config: TierConfig, kind: str, reason: str) -> None:
    plan = rollout(config)
    assert plan.kind == kind
    assert plan.reason.startswith(reason)
    assert (plan.max_surge, plan.max_unavailable, plan.surge_nodes) == ((1, 0, 1) if kind == "surge" else (0, 1, 0))


def test_the_output_says_when_a_rollout_goes_below_the_minimum() -> None:
    assert rollout(_tier(capacity={"type": "spot"}, minReplicas=2, maxReplicas=2)).as_output(
        _tier(capacity={"type": "spot"}, minReplicas=2, maxReplicas=2)
    ) == {
        "strategy": "replace",
        "maxSurge": 0,
        "maxUnavailable": 1,
        "belowMinimumDuringRollout": True,
        "reason": "spot capacity may be gone when the surge replica asks for a node",
    }
    parked = _tier(capacity={"type": "flex-start"}, minReplicas=0)
    assert rollout(parked).below_minimum(parked) is False  # a parked tier has no minimum to fall below
    on_demand = _tier(minReplicas=1, maxReplicas=2)
    assert rollout(on_demand).below_minimum(on_demand) is False


CAPACITIES = st.one_of(
    st.just({"type": "on-demand"}),
    st.just({"type": "spot"}),
    st.just({"type": "flex-start"}),
    st.builds(
        lambda vms: {"type": "reservation", "reservation": "tpu-r", **({"reservedVms": vms} if vms else {})},
        st.integers(min_value=0, max_value=40),
    ),
)
SHAPES = st.sampled_from(
    [
        {"machineType": "tpu7x-standard-1t", "topology": "1x1x1", "model": LLAMA_8B},
        {"machineType": "tpu7x-standard-4t", "topology": "2x2x1", "model": LLAMA_70B},
        SLICE,
        {"machineType": "tpu7x-standard-4t", "topology": "2x2x4", "model": LLAMA_70B},
    ]
)


@st.composite
def tiers(draw: st.DrawFn) -> TierConfig:
    shape, capacity = draw(SHAPES), draw(CAPACITIES)
    multi_host = shape["topology"] not in ("1x1x1", "2x2x1")
    maximum = 1 if multi_host else draw(st.integers(min_value=1, max_value=12))
    minimum = 0 if capacity["type"] == "flex-start" else draw(st.integers(min_value=0, max_value=maximum))
    data = {**shape, "capacity": capacity, "minReplicas": minimum, "maxReplicas": maximum}
    try:
        return TierConfig.model_validate(data)
    except ValueError:  # a reservation too small for minReplicas: the config rules refuse it (tested there)
        reject()


@given(tiers())
def test_no_rollout_needs_a_node_the_pool_cannot_create(config: TierConfig) -> None:
    plan = rollout(config)
    shape, capacity = config.shape, config.capacity
    ceiling = pool_sizing(shape, capacity, config.min_replicas, config.max_replicas, plan.surge_nodes).most_nodes
    # At maxReplicas a rollout runs maxReplicas + maxSurge replicas at once, each on its own VMs.
    needed = (config.max_replicas + plan.max_surge) * shape.vms
    assert needed <= ceiling
    if plan.kind == "surge":
        assert capacity.type in ("on-demand", "reservation") and not shape.multi_host
        if capacity.type == "reservation":
            assert capacity.reserved_vms is not None and needed <= capacity.reserved_vms
    else:
        assert plan.max_unavailable == 1  # replacing frees the node its successor takes

"""Node counts and reservation paths of TPU pools: pure decisions."""

from __future__ import annotations

import pytest

from components.config.checks import most_nodes
from components.gke.config import CapacityConfig
from components.gke.pool_sizing import PoolSizing, pool_sizing, reservation_value
from components.gke.tpu import SliceShape, slice_shape
from tests.helpers import config


def test_pool_sizing_per_capacity_mode() -> None:
    on_demand = CapacityConfig(type="on-demand")
    single, slice_ = slice_shape("2x2x1", "tpu7x-standard-4t"), slice_shape("4x4x4", "tpu7x-standard-4t")
    assert pool_sizing(single, on_demand, 1, 4) == PoolSizing(None, 1, 4, 1, "BALANCED")
    assert pool_sizing(single, CapacityConfig(type="spot"), 0, 2) == PoolSizing(None, 0, 2, 0, "ANY")
    assert pool_sizing(single, CapacityConfig(type="flex-start"), 0, 3) == PoolSizing(None, 0, 3, 0, "ANY")
    assert pool_sizing(slice_, on_demand, 1, 1) == PoolSizing(16, None, None, None, None)
    assert pool_sizing(slice_, on_demand, 0, 1) == PoolSizing(None, 0, 16, 0, "ANY")
    assert pool_sizing(slice_, CapacityConfig(type="flex-start"), 0, 1) == PoolSizing(None, 0, 16, 0, "ANY")


def test_surge_room_raises_the_pool_ceiling_only() -> None:
    single = slice_shape("1x1x1", "tpu7x-standard-1t")
    assert pool_sizing(single, CapacityConfig(type="on-demand"), 1, 4, rollout_surge=1) == PoolSizing(
        None, 1, 5, 1, "BALANCED"
    )
    reservation = CapacityConfig(type="reservation", reservation="r", reserved_vms=5)
    assert pool_sizing(single, reservation, 2, 4, rollout_surge=1) == PoolSizing(None, 2, 5, 2, "ANY")


@pytest.mark.parametrize(
    ("shape", "capacity"),
    [
        (slice_shape("1x1x1", "tpu7x-standard-1t"), CapacityConfig(type="flex-start")),
        (slice_shape("2x2x2", "tpu7x-standard-4t"), CapacityConfig(type="on-demand")),
    ],
)
def test_pools_without_surge_room_refuse_it(shape: SliceShape, capacity: CapacityConfig) -> None:
    with pytest.raises(ValueError, match="has no surge room"):
        pool_sizing(shape, capacity, 0, 1, rollout_surge=1)


def test_reservation_value() -> None:
    assert reservation_value("acme-llm", "tpu-res") == "tpu-res"
    assert reservation_value("acme-llm", "projects/acme-llm/reservations/tpu-res") == "tpu-res"
    assert reservation_value("acme-llm", "projects/shared/reservations/r") == "projects/shared/reservations/r"


def test_a_regional_clusters_system_pool_counts_three_zones() -> None:
    # A node pool of a regional cluster without node locations spans three zones: its per-zone
    # count three times over is what the node subnet and pod range must hold.
    regional = most_nodes(config({"llm-platform:cluster": {"regional": True}}))
    zonal = most_nodes(config({"llm-platform:cluster": {"regional": False}}))
    assert regional[0] == ("in the system pool (3 per zone x 3)", 9)
    assert zonal[0] == ("in the system pool (3 per zone x 1)", 3)

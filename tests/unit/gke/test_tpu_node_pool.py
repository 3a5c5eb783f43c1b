"""A TPU pool's pure decisions: its name, bounds, placement, reservation affinity and node config."""

from __future__ import annotations

import pytest

from components.gke.config import CapacityConfig
from components.gke.pool_sizing import PoolSizing
from components.gke.tpu import slice_shape
from components.gke.tpu_node_pool import (
    autoscaling,
    ignored_changes,
    placement_policy,
    pool_name,
    reservation_affinity,
    tpu_node_config,
)
from components.naming import Naming
from tests.unit.sdk_args import plain

NAMING = Naming(stack="prod", environment="prod")
SINGLE_HOST = slice_shape("2x2x1", "tpu7x-standard-4t")
SLICE = slice_shape("2x2x2", "tpu7x-standard-4t")


def test_pool_names_fit_gke_s_forty_characters_without_a_trailing_hyphen() -> None:
    assert pool_name(NAMING, "small") == "llm-prod-tpu-small"
    long = pool_name(NAMING, "a-very-long-tier-name-for-the-reasoning-model")
    assert long == "llm-prod-tpu-a-very-long-tier-name-for-t"
    assert len(long) == 40
    assert pool_name(NAMING, "x" * 26 + "-tail") == "llm-prod-tpu-" + "x" * 26  # the 40th character was "-"


def test_a_fixed_slice_has_no_autoscaling_and_a_scaling_pool_its_bounds() -> None:
    assert autoscaling(PoolSizing(8, None, None, None, None)) is None
    assert plain(autoscaling(PoolSizing(None, 1, 4, 1, "BALANCED"))) == {
        "min_node_count": 1,
        "max_node_count": 4,
        "location_policy": "BALANCED",
    }


def test_a_slice_is_compact_on_its_workload_policy() -> None:
    assert plain(placement_policy(SLICE, "llm-prod-large-2x2x2")) == {
        "type": "COMPACT",
        "policy_name": "llm-prod-large-2x2x2",
        "tpu_topology": "2x2x2",
    }


@pytest.mark.parametrize(
    ("capacity", "affinity"),
    [
        (CapacityConfig(), {"consume_reservation_type": "NO_RESERVATION"}),
        (CapacityConfig(type="spot"), {"consume_reservation_type": "NO_RESERVATION"}),
        (
            CapacityConfig(type="reservation", reservation="projects/acme-prod/reservations/tpu-res"),
            {
                "consume_reservation_type": "SPECIFIC_RESERVATION",
                "key": "compute.googleapis.com/reservation-name",
                "values": ["tpu-res"],
            },
        ),
        (
            CapacityConfig(type="reservation", reservation="projects/shared-host/reservations/tpu-res"),
            {
                "consume_reservation_type": "SPECIFIC_RESERVATION",
                "key": "compute.googleapis.com/reservation-name",
                "values": ["projects/shared-host/reservations/tpu-res"],
            },
        ),
    ],
)
def test_only_a_reservation_tier_consumes_a_reservation(capacity: CapacityConfig, affinity: dict[str, object]) -> None:
    assert plain(reservation_affinity("acme-prod", capacity)) == affinity


def test_a_slice_ignores_the_placement_type_gke_drops_on_read() -> None:
    assert ignored_changes(multi_host=False) == ["initialNodeCount"]
    assert ignored_changes(multi_host=True) == ["initialNodeCount", "placementPolicy.type"]


def test_tpu_nodes_are_tainted_labelled_and_tagged_for_their_tier() -> None:
    node = plain(tpu_node_config("acme", "small", SINGLE_HOST, CapacityConfig(), NAMING, "nodes@acme.iam"))
    assert node["machine_type"] == "tpu7x-standard-4t"
    assert node["taints"] == [{"key": "google.com/tpu", "value": "present", "effect": "NO_SCHEDULE"}]
    assert node["labels"] == {"llm-platform/tier": "small"}
    assert node["resource_labels"]["tier"] == "small"
    assert node["tags"] == ["llm-prod-serving-node"]
    assert node["service_account"] == "nodes@acme.iam"
    assert (node["spot"], "flex_start" in node) == (False, False)


def test_capacity_mode_sets_spot_or_flex_start() -> None:
    spot = plain(tpu_node_config("acme", "s", SINGLE_HOST, CapacityConfig(type="spot"), NAMING, "n"))
    flex = plain(tpu_node_config("acme", "s", SINGLE_HOST, CapacityConfig(type="flex-start"), NAMING, "n"))
    assert (spot["spot"], "flex_start" in spot) == (True, False)
    assert (flex["spot"], flex["flex_start"]) == (False, True)

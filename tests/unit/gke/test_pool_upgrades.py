"""TPU pool upgrade settings: what GKE gets per shape and capacity, and what the config refuses."""

from __future__ import annotations

from typing import Any

import pytest

from components.config.fields import FieldError
from components.gke.config import CapacityConfig
from components.gke.pool_upgrades import pool_problems, upgrade_nodes, upgrade_settings
from components.gke.tpu import slice_shape
from tests.unit.sdk_args import plain

SINGLE = slice_shape("1x1x1", "tpu7x-standard-1t")
SLICE = slice_shape("2x2x2", "tpu7x-standard-4t")


def _capacity(**fields: Any) -> CapacityConfig:
    return CapacityConfig.model_validate(fields)


def test_default_settings_drain_in_place() -> None:
    assert plain(upgrade_settings(SINGLE, _capacity())) == {"strategy": "SURGE", "max_surge": 0, "max_unavailable": 1}
    # A slice goes down whole, once, instead of once per VM.
    assert plain(upgrade_settings(SLICE, _capacity())) == {"strategy": "SURGE", "max_surge": 0, "max_unavailable": 2}


def test_flex_start_sends_no_settings() -> None:
    assert upgrade_settings(SINGLE, _capacity(type="flex-start")) is None
    assert upgrade_nodes(SINGLE, _capacity(type="flex-start"), 4) == 0


def test_configured_surge_and_blue_green() -> None:
    surge = _capacity(upgrade={"maxSurge": 1, "maxUnavailable": 0})
    assert plain(upgrade_settings(SINGLE, surge)) == {"strategy": "SURGE", "max_surge": 1, "max_unavailable": 0}
    assert upgrade_nodes(SINGLE, surge, 4) == 1
    blue_green = _capacity(upgrade={"strategy": "BLUE_GREEN", "blueGreen": {"nodePoolSoakSeconds": 600}})
    assert plain(upgrade_settings(SINGLE, blue_green)) == {
        "strategy": "BLUE_GREEN",
        "blue_green_settings": {
            "node_pool_soak_duration": "600s",
            "standard_rollout_policy": {"batch_node_count": 1, "batch_soak_duration": "0s"},
        },
    }
    assert upgrade_nodes(SINGLE, blue_green, 4) == 4  # a green pool as large as the blue one


def _keys(problems: list[FieldError]) -> list[str]:
    return [p.field for p in problems]


@pytest.mark.parametrize(
    ("shape", "capacity", "key"),
    [
        (SINGLE, {"type": "flex-start", "upgrade": {"maxUnavailable": 2}}, "capacity.upgrade.maxUnavailable"),
        (
            SINGLE,
            {"type": "flex-start", "upgrade": {"strategy": "BLUE_GREEN", "blueGreen": {"batchNodeCount": 2}}},
            "capacity.upgrade.strategy",
        ),
        (SLICE, {"upgrade": {"strategy": "BLUE_GREEN"}}, "capacity.upgrade.strategy"),
        (SLICE, {"upgrade": {"maxSurge": 2}}, "capacity.upgrade.maxSurge"),
        (SINGLE, {"type": "reservation", "reservation": "r", "upgrade": {"maxSurge": 1}}, "capacity.upgrade.maxSurge"),
        (
            SINGLE,
            {"type": "reservation", "reservation": "r", "reservedVms": 7, "upgrade": {"strategy": "BLUE_GREEN"}},
            "capacity.upgrade.strategy",
        ),
        (SLICE, {"type": "reservation", "reservation": "r", "reservedVms": 1}, "capacity.reservedVms"),
    ],
    ids=[
        "flex-start",
        "flex-start-nested",
        "slice-blue-green",
        "slice-surge",
        "reservation-unsized",
        "reservation-blue-green",
        "reservation-below-minimum",
    ],
)
def test_settings_the_capacity_cannot_carry(shape: Any, capacity: dict[str, Any], key: str) -> None:
    assert _keys(
        pool_problems(shape, _capacity(**capacity), min_replicas=1, max_replicas=4 if shape is SINGLE else 1)
    ) == [key]


@pytest.mark.parametrize(
    "capacity",
    [
        {},
        {"upgrade": {"maxSurge": 1}},  # on-demand: quota permitting
        {"type": "spot", "upgrade": {"strategy": "BLUE_GREEN"}},
        {"type": "reservation", "reservation": "r", "reservedVms": 5, "upgrade": {"maxSurge": 1}},
        {"type": "reservation", "reservation": "r", "reservedVms": 8, "upgrade": {"strategy": "BLUE_GREEN"}},
        {"type": "flex-start"},
    ],
)
def test_settings_the_capacity_can_carry(capacity: dict[str, Any]) -> None:
    assert pool_problems(SINGLE, _capacity(**capacity), min_replicas=0, max_replicas=4) == []


def test_a_slice_may_take_one_vm_at_a_time() -> None:
    assert pool_problems(SLICE, _capacity(upgrade={"maxUnavailable": 1}), min_replicas=1, max_replicas=1) == []

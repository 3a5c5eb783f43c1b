"""A tier's cost in the `tiers` output: priced from `llm-platform:pricing`, or "not priced" with the key to set."""

from __future__ import annotations

import pytest

from components.cost import tier_cost
from components.cost.config import PricingConfig
from tests.helpers import config
from tools.render import cost_cells

PRICED = {"llm-platform:pricing": {"tpuChipHour": {"onDemand": 10.0, "spot": 4.0}, "utilization": 0.5}}


def test_pricing_is_optional_and_every_mode_starts_unpriced() -> None:
    pricing = config().pricing
    assert [pricing.tpu_chip_hour.price(m) for m in ("on-demand", "spot", "reservation", "flex-start")] == [None] * 4
    assert pricing.utilization == 0.5


def test_a_priced_tier_shows_replica_hour_and_tokens() -> None:
    pricing = config(PRICED).pricing
    cost = tier_cost(pricing, ["on-demand"], chips=4, decode_tokens_per_s=1000)
    assert cost["replicaHourUsd"] == {"min": 40.0, "max": 40.0}
    # $40/hour over 3.6M tokens/hour at the ceiling, 1.8M at half of it
    assert cost["perMillionOutputTokensUsd"]["atCeiling"] == {"min": 11.1111, "max": 11.1111}
    assert cost["perMillionOutputTokensUsd"]["atUtilization"] == {"min": 22.2222, "max": 22.2222}
    assert cost_cells({"cost": cost}) == ["on-demand", "$40.00", "$11.111", "$22.222"]


def test_a_chain_of_modes_gives_a_range() -> None:
    cost = tier_cost(config(PRICED).pricing, ["spot", "on-demand"], chips=1, decode_tokens_per_s=3600)
    assert cost["replicaHourUsd"] == {"min": 4.0, "max": 10.0}
    assert cost["chipHourUsd"] == {"spot": 4.0, "on-demand": 10.0}


@pytest.mark.parametrize("mode", ["reservation", "flex-start"])
def test_an_unpriced_mode_is_not_priced_and_names_its_key(mode: str) -> None:
    cost = tier_cost(config(PRICED).pricing, [mode], chips=8, decode_tokens_per_s=1745)  # type: ignore[list-item]
    assert cost["replicaHourUsd"] is None and cost["perMillionOutputTokensUsd"] is None
    key = {"reservation": "reservation", "flex-start": "flexStart"}[mode]
    assert cost["note"] == f"TPU: not priced (set llm-platform:pricing.tpuChipHour.{key})"
    assert cost_cells({"cost": cost})[1:] == ["not priced"] * 3


def test_discounted_modes_at_the_on_demand_price_are_allowed() -> None:
    pricing = PricingConfig.model_validate(
        {"tpuChipHour": {"onDemand": 5, "spot": 5, "reservation": 5, "flexStart": 5}}
    )
    assert pricing.tpu_chip_hour.price("flex-start") == 5

"""Per tier: what a replica costs an hour and what a million output tokens cost (pure).

The figures go into the `tiers` stack output beside the sizing estimates, so `pulumi stack output
tiers`, the offline preview and `python -m tools cost` all show the same numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from components.cost.arithmetic import chip_hour_range, per_million_tokens
from components.cost.config import PricingConfig
from components.gke.config import CapacityType

NOT_PRICED = "not priced"


def missing_prices(pricing: PricingConfig, modes: Sequence[CapacityType]) -> list[str]:
    """The `pricing.tpuChipHour.*` keys a tier's modes need and the config does not set."""
    prices = pricing.tpu_chip_hour
    return [f"llm-platform:pricing.tpuChipHour.{prices.key(m)}" for m in modes if prices.price(m) is None]


def tier_cost(
    pricing: PricingConfig, modes: Sequence[CapacityType], chips: int, decode_tokens_per_s: float
) -> dict[str, Any]:
    """The `cost` entry of one tier's output; every USD figure is a min/max over the tier's modes."""
    prices = pricing.tpu_chip_hour
    chip_hour = chip_hour_range(modes, prices.price)
    output: dict[str, Any] = {
        "capacityModes": list(modes),
        "chipHourUsd": {m: prices.price(m) for m in modes if prices.price(m) is not None},
        "utilization": pricing.utilization,
    }
    if chip_hour is None:
        missing = ", ".join(missing_prices(pricing, modes))
        note = f"TPU: {NOT_PRICED} (set {missing})"
        return {**output, "replicaHourUsd": None, "perMillionOutputTokensUsd": None, "note": note}
    replica_hour = chip_hour.scaled(chips)
    return {
        **output,
        "replicaHourUsd": replica_hour.rounded(2),
        "perMillionOutputTokensUsd": {
            "atCeiling": per_million_tokens(replica_hour, decode_tokens_per_s, 1.0).rounded(4),
            "atUtilization": per_million_tokens(replica_hour, decode_tokens_per_s, pricing.utilization).rounded(4),
        },
        "note": "ESTIMATE: configured chip-hour prices over the decode ceiling (an upper bound on throughput)",
    }

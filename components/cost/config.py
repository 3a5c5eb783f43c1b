"""Config keys of the cost estimate: `llm-platform:pricing.*`.

TPU7x has no public list price, so the chip-hour price per capacity mode comes from the stack
config (your contract, quote or the SKU your billing account shows); a mode without a price is
reported as not priced, never guessed. Every other price is in `tools/cost/prices.py`.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from components.config.fields import FieldError, StrictModel, raise_all
from components.gke.config import CapacityType

# A sanity bound that catches a monthly or per-slice figure typed as a chip-hour price.
MAX_CHIP_HOUR_USD = 200.0
# Capacity modes that are discounts on on-demand capacity, with their config keys.
DISCOUNTED_MODES: dict[CapacityType, str] = {"spot": "spot", "reservation": "reservation", "flex-start": "flexStart"}


def _chip_hour(description: str) -> Any:
    return Field(default=None, gt=0, le=MAX_CHIP_HOUR_USD, description=description)


class TpuChipHourConfig(StrictModel):
    """USD per TPU7x chip-hour for each capacity mode a tier can use (`tiers.<name>.capacity.type`)."""

    on_demand: float | None = _chip_hour("On-demand capacity.")
    spot: float | None = _chip_hour("Spot capacity.")
    reservation: float | None = _chip_hour("A reservation's effective rate (committed use discount included).")
    flex_start: float | None = _chip_hour("Flex-start (Dynamic Workload Scheduler) capacity.")

    @model_validator(mode="after")
    def _discounts_below_on_demand(self) -> TpuChipHourConfig:
        if self.on_demand is None:
            return self
        problems = []
        for mode, key in DISCOUNTED_MODES.items():
            price = self.price(mode)
            if price is not None and price > self.on_demand:
                problems.append(
                    FieldError(
                        key,
                        f"{price:g} is above onDemand {self.on_demand:g} (allowed: at most the on-demand price; "
                        f"{mode} capacity is a discount on it)",
                    )
                )
        raise_all(problems)
        return self

    def price(self, mode: CapacityType) -> float | None:
        """The configured price of one capacity mode, or None when it has none."""
        return {
            "on-demand": self.on_demand,
            "spot": self.spot,
            "reservation": self.reservation,
            "flex-start": self.flex_start,
        }[mode]

    def key(self, mode: CapacityType) -> str:
        """The config key that prices `mode`, for messages that say what to set."""
        return "onDemand" if mode == "on-demand" else DISCOUNTED_MODES[mode]


class PricingConfig(StrictModel):
    """What the estimate cannot look up: TPU chip-hour prices and the utilisation to cost tokens at."""

    tpu_chip_hour: TpuChipHourConfig = Field(default_factory=TpuChipHourConfig)
    utilization: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="Share of a tier's decode ceiling it sustains on average, for its cost per million output tokens.",
    )

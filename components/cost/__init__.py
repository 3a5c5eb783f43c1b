"""Cost: what a stack costs a month and what its tiers' tokens cost, from prices and the graph.

Creates: no cloud resource. The estimate is computed offline: `arithmetic.py` (ranges over
replica bounds and capacity modes, pure) and `tiers.py` (a tier's replica-hour and per-million-
output-token cost, in the `tiers` stack output); `python -m tools cost` prices every component
of a recorded graph with the dated table in `tools/cost/prices.py`.
Config keys: `llm-platform:pricing.*` (`PricingConfig`: TPU7x chip-hour price per capacity mode,
the utilisation to cost tokens at).
APIs: none.
Outputs: per tier, `tiers.<name>.cost` (capacity modes, chip-hour prices, replica-hour range,
cost per million output tokens at the decode ceiling and at the configured utilisation, or
"TPU: not priced" with the keys to set).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from components.cost.arithmetic import HOURS_PER_MONTH, Delta, Range, chip_hour_range, per_million_tokens, tpu_monthly
from components.cost.tiers import NOT_PRICED, missing_prices, tier_cost

if TYPE_CHECKING:
    from components.config.platform import PlatformConfig

__all__ = [
    "HOURS_PER_MONTH",
    "NOT_PRICED",
    "Delta",
    "Range",
    "chip_hour_range",
    "missing_prices",
    "per_million_tokens",
    "required_services",
    "tier_cost",
    "tpu_monthly",
]


def required_services(config: PlatformConfig) -> set[str]:
    return set()

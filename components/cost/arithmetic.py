"""The estimate's arithmetic: ranges of money over replica bounds and capacity modes (pure).

A figure is a `Range` (low, high): low at a tier's minimum replicas and its cheapest capacity
mode, high at its maximum replicas and its dearest. A tier's capacity is a list of modes (today
one, `tiers.<name>.capacity.type`; a ComputeClass fallback chain is a longer list), and every
function here takes the list, so a chain needs no other arithmetic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

Mode = TypeVar("Mode")

HOURS_PER_MONTH = 730.0  # Google Cloud's pricing pages and calculator use 730 hours a month
SECONDS_PER_HOUR = 3600.0


@dataclass(frozen=True)
class Range:
    """A closed interval of non-negative figures."""

    low: float
    high: float

    def __post_init__(self) -> None:
        if not 0 <= self.low <= self.high:
            raise ValueError(f"not a range of non-negative figures: {self.low} .. {self.high}")

    @staticmethod
    def exactly(value: float) -> Range:
        return Range(value, value)

    @staticmethod
    def spanning(values: Iterable[float]) -> Range:
        found = list(values)
        return Range(min(found), max(found))

    def __add__(self, other: Range) -> Range:
        return Range(self.low + other.low, self.high + other.high)

    def __sub__(self, other: Range) -> Delta:
        return Delta(self.low - other.low, self.high - other.high)

    def times(self, other: Range) -> Range:
        """The product of two non-negative ranges (quantity x price)."""
        return Range(self.low * other.low, self.high * other.high)

    def scaled(self, factor: float) -> Range:
        if factor < 0:
            raise ValueError(f"negative factor {factor}")
        return Range(self.low * factor, self.high * factor)

    def rounded(self, digits: int = 2) -> dict[str, float]:
        return {"min": round(self.low, digits), "max": round(self.high, digits)}


@dataclass(frozen=True)
class Delta:
    """A change between two ranges: at the low end and at the high end (either may be negative)."""

    low: float
    high: float

    def rounded(self, digits: int = 2) -> dict[str, float]:
        return {"min": round(self.low, digits), "max": round(self.high, digits)}


ZERO = Range(0.0, 0.0)


def total(ranges: Iterable[Range]) -> Range:
    found = ZERO
    for item in ranges:
        found = found + item
    return found


def chip_hour_range(modes: Sequence[Mode], price: Callable[[Mode], float | None]) -> Range | None:
    """The chip-hour price over a tier's capacity modes (cheapest to dearest), or None when a mode has no price."""
    if not modes:
        raise ValueError("a tier has at least one capacity mode")
    prices = [price(mode) for mode in modes]
    if any(p is None for p in prices):
        return None
    return Range.spanning(p for p in prices if p is not None)


def tpu_monthly(chips_per_node: int, nodes: Range, chip_hour: Range, hours: float = HOURS_PER_MONTH) -> Range:
    """A TPU pool's month: nodes x chips per node x chip-hour price x hours (zero at zero nodes)."""
    if chips_per_node < 1 or hours < 0:
        raise ValueError(f"chips per node {chips_per_node}, hours {hours}")
    return nodes.scaled(chips_per_node * hours).times(chip_hour)


def per_million_tokens(replica_hour: Range, tokens_per_second: float, utilization: float) -> Range:
    """USD per million output tokens for a replica that sustains `utilization` of its decode ceiling.

    Cost and throughput both scale with replicas, so the replica count cancels out; the range is
    over capacity modes only.
    """
    if tokens_per_second <= 0 or not 0 < utilization <= 1:
        raise ValueError(f"tokens/s {tokens_per_second}, utilization {utilization}")
    tokens_per_hour = tokens_per_second * utilization * SECONDS_PER_HOUR
    return replica_hour.scaled(1e6 / tokens_per_hour)

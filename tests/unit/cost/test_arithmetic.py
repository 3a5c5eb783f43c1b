"""The estimate's arithmetic: monotone in replicas and capacity, zero for a tier parked at zero."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.cost.arithmetic import Range, chip_hour_range, per_million_tokens, tpu_monthly
from tools.cost.estimate import price_item
from tools.cost.inventory import Item

prices = st.floats(min_value=0.01, max_value=200, allow_nan=False)
counts = st.integers(min_value=0, max_value=1000)
chips = st.sampled_from([1, 4])


@st.composite
def ranges(draw: st.DrawFn, values: st.SearchStrategy[float] = prices) -> Range:
    low, high = sorted((draw(values), draw(values)))
    return Range(low, high)


@given(chips, counts, counts, ranges())
def test_tpu_cost_grows_with_replicas(per_node: int, fewer: int, more: int, price: Range) -> None:
    fewer, more = sorted((fewer, more))
    small = tpu_monthly(per_node, Range.exactly(fewer), price)
    large = tpu_monthly(per_node, Range.exactly(more), price)
    assert small.low <= large.low and small.high <= large.high


@given(counts, ranges())
def test_more_chips_per_node_cost_more(nodes: int, price: Range) -> None:
    one, four = (tpu_monthly(c, Range.exactly(nodes), price) for c in (1, 4))
    assert one.high <= four.high and four.high == pytest.approx(4 * one.high)


@given(chips, ranges())
def test_a_tier_parked_at_zero_replicas_costs_nothing(per_node: int, price: Range) -> None:
    assert tpu_monthly(per_node, Range(0, 0), price) == Range(0, 0)


@given(chips, counts, counts, ranges())
def test_min_replicas_bound_the_low_end_and_max_the_high(per_node: int, a: int, b: int, price: Range) -> None:
    low, high = sorted((a, b))
    cost = tpu_monthly(per_node, Range(low, high), price)
    assert cost.low == pytest.approx(low * per_node * 730 * price.low)
    assert cost.high == pytest.approx(high * per_node * 730 * price.high)


@given(st.lists(st.sampled_from(["on-demand", "spot", "reservation", "flex-start"]), min_size=1, max_size=4))
def test_a_chain_of_modes_spans_its_cheapest_to_its_dearest(chain: list[str]) -> None:
    table = {"on-demand": 10.0, "spot": 3.0, "reservation": 6.0, "flex-start": 5.0}
    found = chip_hour_range(chain, table.get)
    assert found == Range(min(table[m] for m in chain), max(table[m] for m in chain))


def test_a_chain_with_an_unpriced_mode_is_not_priced() -> None:
    assert chip_hour_range(["spot", "on-demand"], {"spot": 3.0}.get) is None
    with pytest.raises(ValueError):
        chip_hour_range([], {}.get)


@given(ranges(), st.floats(min_value=1, max_value=1e5), st.floats(min_value=0.05, max_value=1))
def test_tokens_cost_more_at_lower_utilization(replica_hour: Range, tokens_per_s: float, utilization: float) -> None:
    at_ceiling = per_million_tokens(replica_hour, tokens_per_s, 1.0)
    at_share = per_million_tokens(replica_hour, tokens_per_s, utilization)
    assert at_ceiling.high <= at_share.high * (1 + 1e-9)


def test_per_million_tokens_by_hand() -> None:
    # 4 chips at $10/chip-hour = $40/hour; 1,000 tokens/s at half the ceiling = 1.8M tokens/hour.
    assert per_million_tokens(Range.exactly(40.0), 1000, 0.5).high == pytest.approx(40 / 1.8)


@given(ranges(st.floats(min_value=0, max_value=1e6)), st.floats(min_value=1, max_value=10))
def test_every_priced_line_grows_with_its_quantity(quantity: Range, factor: float) -> None:
    """Capacity: a bigger Lustre instance, cache, disk or bucket never costs less."""
    for key, location in (("lustre.125", "us-central1"), ("storage.standard", "us-central1"), ("nat.vm", "x")):
        small = price_item(Item("c", "w", key, quantity, "u", location))
        large = price_item(Item("c", "w", key, quantity.scaled(factor), "u", location))
        assert small.monthly is not None and large.monthly is not None
        assert small.monthly.low <= large.monthly.low and small.monthly.high <= large.monthly.high


def test_an_unknown_location_is_not_priced() -> None:
    line = price_item(Item("storage", "bucket", "storage.standard", Range(1, 1), "GB-month", "northamerica-northeast1"))
    assert line.monthly is None and not line.priced


def test_ranges_reject_what_is_not_a_range() -> None:
    with pytest.raises(ValueError):
        Range(2, 1)
    with pytest.raises(ValueError):
        Range(-1, 1)

"""The price table: every line dated, sourced and with a unit; values only where a source gave one."""

from __future__ import annotations

from datetime import date

import pytest

from tools.cost.prices import GLOBAL, PRICES, Price

TABLE = sorted(PRICES.items())


@pytest.mark.parametrize(("key", "line"), TABLE, ids=[k for k, _ in TABLE])
def test_every_line_has_a_date_a_source_and_a_unit(key: str, line: Price) -> None:
    read = date.fromisoformat(line.read)
    assert date(2025, 1, 1) <= read <= date.today(), f"{key}: read {line.read}"
    assert line.source.startswith("https://"), key
    assert line.unit and line.what, key


@pytest.mark.parametrize(("key", "line"), TABLE, ids=[k for k, _ in TABLE])
def test_a_line_without_a_value_says_why(key: str, line: Price) -> None:
    if not line.usd:
        assert line.note, f"{key} has no price and no reason"
    for location, value in line.usd.items():
        assert 0 < value < 1000, (key, location)
        assert location == GLOBAL or location == location.lower(), (key, location)


def test_known_values_as_read() -> None:
    """Spot checks against the sources on the day they were read (a changed value needs a new read date)."""
    assert PRICES["gke.cluster"].at("us-central1") == 0.10
    assert PRICES["compute.e2-standard-4"].at("us-central1") == 0.13402284
    assert PRICES["storage.standard"].at("US-CENTRAL1") == 0.020
    assert PRICES["nat.data"].at("europe-west4") == 0.045
    assert PRICES["lb.forwarding-rule"].at("anywhere") == 0.025


def test_prices_differ_by_region_where_the_source_says_so() -> None:
    e2 = PRICES["compute.e2-standard-4"]
    assert e2.at("us-central1") != e2.at("europe-west4")
    assert e2.at("asia-east1") is None  # not read: not priced, never borrowed from another region

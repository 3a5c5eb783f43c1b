"""The price table: every line dated, sourced and with a unit; values only where a source gave one."""

from __future__ import annotations

from datetime import date

import pytest

from tools.cost.prices import GLOBAL, PRICES, Price, redis_tier

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


@pytest.mark.parametrize(
    ("key", "location", "usd"),
    [
        ("compute.c3-standard-44", "us-central1", 2.217688),
        ("compute.c3-standard-44", "us-east1", 2.217688),
        ("compute.c3-standard-44", "europe-west4", 2.3285724),
        ("disk.hyperdisk-balanced", "us-central1", 0.08),
        ("disk.hyperdisk-balanced.iops", "us-central1", 0.005),
        ("disk.hyperdisk-balanced.throughput", "us-central1", 0.04),
        ("disk.hyperdisk-ml", "us-central1", 0.08),
        ("disk.hyperdisk-ml.throughput", "us-central1", 0.12),
        ("storage.standard", "NAM4", 0.044),
        ("storage.standard", "US", 0.026),
        ("storage.standard", "asia1", 0.0506),
        ("storage.nearline", "nam4", 0.022),
        ("storage.nearline", "us", 0.015),
        ("storage.coldline", "nam4", 0.0088),
        ("storage.coldline", "asia", 0.00875),
        ("storage.archive", "nam4", 0.0028),
        ("storage.archive", "eu", 0.0024),
        ("armor.policy", "anywhere", 5.0),
        ("armor.rule", "anywhere", 1.0),
        ("armor.requests", "anywhere", 0.75),
        ("artifactregistry.storage", "anywhere", 0.10),
        ("monitoring.samples", "anywhere", 0.06),
        ("bigquery.storage", "us-central1", 0.023),
        ("bigquery.storage", "US", 0.02),
        ("redis.basic.m1", "us-central1", 0.049),
    ],
)
def test_added_values_as_read(key: str, location: str, usd: float) -> None:
    """Each price added from its source on 2026-12-02 (a changed value needs a new read date)."""
    assert PRICES[key].at(location) == usd
    assert PRICES[key].read == "2026-12-02"


@pytest.mark.parametrize(
    ("key", "location"),
    [
        ("disk.hyperdisk-balanced", "europe-west4"),  # read for us-central1 only: not borrowed
        ("disk.hyperdisk-ml", "us-east1"),
        ("redis.basic.m1", "europe-west4"),
        ("bigquery.storage", "eu"),
        ("redis.basic.m2", "us-central1"),
        ("redis.standard.m1", "us-central1"),
        ("redis.standard-node.m2", "us-central1"),
        ("lustre.250", "us-central1"),
        ("lustre.500", "us-central1"),
        ("lustre.1000", "us-central1"),
        ("parallelstore", "us-central1"),
        ("bigquery.storage.long-term", "us-central1"),
    ],
)
def test_what_no_source_gave_stays_not_priced(key: str, location: str) -> None:
    assert PRICES[key].at(location) is None


def test_secondary_lines_are_marked_and_say_what_they_read() -> None:
    secondary = {key for key, line in PRICES.items() if line.secondary}
    assert secondary == {
        "lustre.125",
        "redis.basic.m1",
        "armor.policy",
        "armor.rule",
        "armor.requests",
        "monitoring.samples",
        "bigquery.storage",
    }
    for key, line in PRICES.items():
        assert line.note.startswith("secondary:") == line.secondary, key
        assert not line.secondary or line.usd, key  # a secondary line exists for the value it carries


@pytest.mark.parametrize(
    ("memory_gb", "tier"),
    [
        (1, "m1"),
        (4, "m1"),
        (5, "m2"),
        (10, "m2"),
        (11, "m3"),
        (35, "m3"),
        (36, "m4"),
        (100, "m4"),
        (101, "m5"),
        (300, "m5"),
    ],
)
def test_memorystore_capacity_tiers(memory_gb: float, tier: str) -> None:
    assert redis_tier(memory_gb) == tier


def test_memorystore_lines_cover_every_tier_and_mode() -> None:
    redis = sorted(key for key in PRICES if key.startswith("redis."))
    assert redis == sorted(
        [f"redis.basic.m{n}" for n in range(1, 6)]
        + [f"redis.standard.m{n}" for n in range(1, 6)]
        + [f"redis.standard-node.m{n}" for n in range(2, 6)]  # read replicas need 5 GB or more
    )

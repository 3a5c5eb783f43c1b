"""`llm-platform:network.*`."""

from __future__ import annotations

import pytest

from tests.helpers import assert_rejected, values

BAD_CONFIGS = [
    pytest.param(
        values({"llm-platform:network": {"subnetCidr": "10.0.0.0/20", "mtu": 1460}}),
        "llm-platform:network.mtu: unknown key",
        id="unknown-nested-key",
    ),
    pytest.param(
        values({"llm-platform:network": {"privateServicesCidrPrefix": 26}}),
        "llm-platform:network.privateServicesCidrPrefix: 26 is out of range (allowed: 8 <= value <= 24)",
        id="psa-range-too-small",
    ),
    pytest.param(
        values({"llm-platform:network": {"subnetCidr": "10.0.0.1/20"}}),
        "llm-platform:network.subnetCidr: '10.0.0.1/20' is not an IPv4 CIDR block",
        id="cidr-host-bits",
    ),
    pytest.param(
        values({"llm-platform:network": {"podsCidr": "8.8.0.0/14"}}),
        "llm-platform:network.podsCidr: '8.8.0.0/14' is not a private range",
        id="public-cidr",
    ),
    pytest.param(
        values({"llm-platform:network": {"subnetCidr": "10.16.0.0/20"}}),
        "llm-platform:network.subnetCidr: 10.16.0.0/20 overlaps podsCidr 10.16.0.0/14",
        id="overlapping-ranges",
    ),
]


@pytest.mark.parametrize(("bad", "expected"), BAD_CONFIGS)
def test_bad_config_names_its_key(bad: dict[str, str], expected: str) -> None:
    assert_rejected(bad, expected)

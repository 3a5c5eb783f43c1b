"""`llm-platform:cluster.*` and each tier's `capacity.*`."""

from __future__ import annotations

import pytest

from tests.helpers import assert_rejected, tier, values

BAD_CONFIGS = [
    pytest.param(
        values({"llm-platform:cluster": {"minMasterVersion": "1.33.5-gke.1000000"}}),
        "llm-platform:cluster.minMasterVersion: 1.33.5-gke.1000000 predates TPU7x support "
        "(allowed: 1.34.0-gke.2201000 or later)",
        id="gke-too-old",
    ),
    pytest.param(
        values({"llm-platform:cluster": {"masterIpv4Cidr": "172.16.0.0/24"}}),
        "llm-platform:cluster.masterIpv4Cidr: 172.16.0.0/24 is not a /28",
        id="master-range-size",
    ),
    pytest.param(
        values({"llm-platform:cluster": {"releaseChannel": "EXTENDED"}}),
        "llm-platform:cluster.releaseChannel: Input should be 'RAPID', 'REGULAR' or 'STABLE'",
        id="release-channel",
    ),
    pytest.param(
        values({"llm-platform:cluster": {"masterAuthorizedNetworks": [{"cidr": "10.0.0.1/8", "name": "x"}]}}),
        "llm-platform:cluster.masterAuthorizedNetworks.0.cidr: '10.0.0.1/8' is not an IPv4 CIDR block (10.0.0.1/8 has "
        "host bits set; allowed: e.g. 203.0.113.0/24)",
        id="authorized-network-cidr",
    ),
    pytest.param(
        values({"llm-platform:cluster": {"systemPool": {"minNodes": 3, "maxNodes": 2}}}),
        "llm-platform:cluster.systemPool.minNodes: 3 is above maxNodes 2",
        id="system-pool-bounds",
    ),
    pytest.param(
        values({"llm-platform:cluster": {"maintenance": {"endTime": "2025-01-04T02:00:00Z"}}}),
        "llm-platform:cluster.maintenance.endTime: 2025-01-04T02:00:00Z is not after startTime",
        id="maintenance-window-order",
    ),
    pytest.param(
        values({"llm-platform:tiers": {"small": tier(capacity={"type": "reservation"})}}),
        "llm-platform:tiers.small.capacity.reservation: is required when type is reservation",
        id="reservation-without-name",
    ),
    pytest.param(
        values({"llm-platform:tiers": {"small": tier(capacity={"type": "spot", "queuedProvisioning": True})}}),
        "llm-platform:tiers.small.capacity.queuedProvisioning: needs type flex-start, not spot",
        id="queued-without-flex-start",
    ),
    pytest.param(
        values({"llm-platform:tiers": {"small": tier(capacity={"type": "preemptible"})}}),
        "llm-platform:tiers.small.capacity.type: Input should be 'on-demand', 'reservation', 'flex-start' or 'spot'",
        id="unknown-capacity-type",
    ),
]


@pytest.mark.parametrize(("bad", "expected"), BAD_CONFIGS)
def test_bad_config_names_its_key(bad: dict[str, str], expected: str) -> None:
    assert_rejected(bad, expected)

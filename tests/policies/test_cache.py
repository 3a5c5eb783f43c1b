"""policies/rules/cache.py through the runner, on the edge program's Redis (issue 12 adds it to the stacks)."""

from __future__ import annotations

import pytest

from tests.policies.conftest import DELETE, Case, changed, check_case, find, judge

REDIS = ("gcp:redis/instance:Instance", "edge-cache")

CASES = [
    Case("redis-auth", "edge", REDIS, lambda r: changed(r, {"authEnabled": False})),
    Case("redis-tls", "edge-dev", REDIS, lambda r: changed(r, {"transitEncryptionMode": "DISABLED"})),
    Case("redis-ha-prod", "edge", REDIS, lambda r: changed(r, {"tier": "BASIC"})),
    Case("redis-private-service-access", "edge", REDIS, lambda r: changed(r, {"connectMode": "DIRECT_PEERING"})),
    Case("redis-persistence-prod", "edge", REDIS, lambda r: changed(r, {"persistenceConfig": DELETE})),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy(pack, policy_graphs, case: Case) -> None:
    check_case(pack, policy_graphs, case)


def test_basic_tier_is_fine_outside_prod(pack, policy_graphs) -> None:

    redis = find(policy_graphs["edge-dev"], REDIS)
    assert redis.inputs["tier"] == "BASIC"
    report = judge(
        pack, policy_graphs["edge-dev"], redis, stack=False, policies=("redis-ha-prod", "redis-persistence-prod")
    )
    assert not report.by_policy("redis-ha-prod") and not report.by_policy("redis-persistence-prod")

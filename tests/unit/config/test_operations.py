"""`llm-platform:cache.*`, `llm-platform:observability.*`, `llm-platform:budget.*` and their cross-checks."""

from __future__ import annotations

import pytest

from components.config import platform
from components.operations import checks
from tests.helpers import assert_rejected, config, tier, values

ACCOUNT = "01ABCD-23EF45-6789AB"

BAD_CONFIGS = [
    pytest.param(
        values({"llm-platform:budget": {"billingAccount": "0123-4567"}}),
        "llm-platform:budget.billingAccount: '0123-4567' is not a billing account id (allowed: XXXXXX-XXXXXX-XXXXXX",
        id="billing-account-shape",
    ),
    pytest.param(
        values({"llm-platform:budget": {"billingAccount": ACCOUNT.lower()}}),
        "is not a billing account id",
        id="billing-account-lowercase",
    ),
    pytest.param(
        values({"llm-platform:budget": {"enabled": True}}),
        "llm-platform:budget.billingAccount: is required when the budget is enabled",
        id="budget-without-account",
    ),
    pytest.param(
        values({"llm-platform:budget": {"billingAccount": ACCOUNT, "currency": "usd"}}),
        "llm-platform:budget.currency: 'usd' is not an ISO 4217 currency code",
        id="currency",
    ),
    pytest.param(
        values(
            {"llm-platform:budget": {"billingAccount": ACCOUNT, "thresholds": [{"percent": 0.5}, {"percent": 0.5}]}}
        ),
        "llm-platform:budget.thresholds: 0.5 CURRENT_SPEND is listed twice",
        id="duplicate-threshold",
    ),
    pytest.param(
        values({"llm-platform:budget": {"billingAccount": ACCOUNT, "thresholds": [{"percent": 1, "basis": "SPEND"}]}}),
        "llm-platform:budget.thresholds.0.basis:",
        id="threshold-basis",
    ),
    pytest.param(
        values({"llm-platform:cache": {"tier": "BASIC", "readReplicas": 2}}),
        "llm-platform:cache.readReplicas: 2 but tier is BASIC, which has no replicas (allowed: 0, or tier STANDARD_HA)",
        id="basic-with-replicas",
    ),
    pytest.param(
        values({"llm-platform:cache": {"readReplicas": 6}}),
        "llm-platform:cache.readReplicas: 6 is out of range (allowed: 0 <= value <= 5)",
        id="too-many-replicas",
    ),
    pytest.param(
        values({"llm-platform:cache": {"redisVersion": "REDIS_5_0"}}),
        "llm-platform:cache.redisVersion:",
        id="old-redis",
    ),
    pytest.param(
        values({"llm-platform:observability": {"notificationEmails": ["not-an-address"]}}),
        "llm-platform:observability.notificationEmails.0: 'not-an-address' is not an e-mail address",
        id="email",
    ),
    pytest.param(
        values(
            {
                "llm-platform:observability": {"notificationEmails": [f"a{i}@example.com" for i in range(6)]},
                "llm-platform:budget": {"billingAccount": ACCOUNT},
            }
        ),
        "llm-platform:observability.notificationEmails: 6 notification channels but a budget takes at most 5",
        id="too-many-budget-channels",
    ),
    pytest.param(
        values({"llm-platform:observability": {"slo": {"latencyThresholdMsByTier": {"huge": 1000}}}}),
        "llm-platform:observability.slo.latencyThresholdMsByTier.huge: names no tier (allowed: small)",
        id="slo-unknown-tier",
    ),
    pytest.param(
        values({"llm-platform:observability": {"slo": {"availability": 1.0}}}),
        "llm-platform:observability.slo.availability: 1.0 is out of range (allowed: 0.9 < value < 1.0)",
        id="slo-target-100",
    ),
    pytest.param(
        values({"llm-platform:observability": {"alerts": {"notReadyForMinutes": 20}}}),
        "llm-platform:observability.alerts.notReadyForMinutes: 20 is out of range (allowed: 31 <= value <= 1440)",
        id="not-ready-shorter-than-startup",
    ),
    pytest.param(
        values({"llm-platform:tiers": {"a-very-long-tier-name": tier()}}),
        "llm-platform:tiers.a-very-long-tier-name: the Gateway's backend service for vllm-a-very-long-tier-name",
        id="tier-name-truncated-by-gateway",
    ),
    pytest.param(
        values({"llm-platform:observability": {"dashboards": 1}}),
        "llm-platform:observability.dashboards: unknown key",
        id="unknown-key",
    ),
]


@pytest.mark.parametrize(("bad", "expected"), BAD_CONFIGS)
def test_bad_config_names_its_key(bad: dict[str, str], expected: str) -> None:
    assert_rejected(bad, expected)


def test_private_services_range_too_small_for_its_users_names_the_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    # A Managed Lustre instance (a /23) joins the cache in a /24: the sum is checked, not each block.
    real = platform.private_services_demands
    monkeypatch.setattr(platform, "private_services_demands", lambda cfg: [*real(cfg), ("Managed Lustre", 23)])
    assert_rejected(
        values({"llm-platform:network": {"privateServicesCidrPrefix": 24}}),
        "llm-platform:network.privateServicesCidrPrefix: /24 holds 256 addresses but Memorystore cache /29, "
        "Managed Lustre /23 reserve 520 (allowed: /22 or a shorter prefix)",
    )


def test_environment_defaults() -> None:
    dev = config()
    assert dev.cache.enabled and not dev.budget.active
    assert not checks.request_analytics_enabled(dev)
    prod = config({"llm-platform:environment": "prod"})
    assert checks.request_analytics_enabled(prod)
    assert checks.private_services_demands(prod) == [("Memorystore cache", 28)]  # STANDARD_HA + a read replica
    assert checks.private_services_demands(dev) == [("Memorystore cache", 29)]
    assert checks.private_services_demands(config({"llm-platform:cache": {"enabled": False}})) == []
    assert config({"llm-platform:budget": {"billingAccount": ACCOUNT}}).budget.active
    assert not config({"llm-platform:budget": {"billingAccount": ACCOUNT, "enabled": False}}).budget.active

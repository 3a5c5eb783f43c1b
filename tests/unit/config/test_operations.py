"""`llm-platform:cache.*`, `llm-platform:observability.*`, `llm-platform:budget.*` and their cross-checks."""

from __future__ import annotations

from components.operations import checks
from tests.helpers import assert_rejected, config, values

ACCOUNT = "01ABCD-23EF45-6789AB"


def test_private_services_range_too_small_for_its_users_names_the_range() -> None:
    # A Managed Lustre instance (a /23) joins the cache in a /24: the sum is checked, not each block.
    assert_rejected(
        values(
            {
                "llm-platform:network": {"privateServicesCidr": "10.24.0.0/24"},
                "llm-platform:modelStore": {"type": "lustre"},
            }
        ),
        "llm-platform:network.privateServicesCidr: 10.24.0.0/24 holds 256 addresses but Memorystore cache /29, "
        "Managed Lustre /23 reserve 520 (allowed: /22 or a shorter prefix)",
    )


def test_environment_defaults() -> None:
    dev = config()
    assert dev.cache.enabled and not dev.budget.active
    assert not checks.request_analytics_enabled(dev)
    prod = config({"llm-platform:environment": "prod", "llm-platform:gateway": {"domain": "llm.example.com"}})
    assert checks.request_analytics_enabled(prod)
    assert checks.private_services_demand(prod) == [("Memorystore cache", 28)]  # STANDARD_HA + a read replica
    assert checks.private_services_demand(dev) == [("Memorystore cache", 29)]
    assert checks.private_services_demand(config({"llm-platform:cache": {"enabled": False}})) == []
    assert config({"llm-platform:budget": {"billingAccount": ACCOUNT}}).budget.active
    assert not config({"llm-platform:budget": {"billingAccount": ACCOUNT, "enabled": False}}).budget.active

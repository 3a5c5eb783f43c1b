"""policies/rules/cache.py: every policy on an absent field and on each other wrong form."""

from __future__ import annotations

import pytest

from tests.policies.forms import Form, absent, check_form, shape

REDIS = ("gcp:redis/instance:Instance", "edge-cache")

FORMS = [
    absent("redis-auth", "edge", REDIS, "authEnabled"),
    absent("redis-tls", "edge", REDIS, "transitEncryptionMode"),
    shape("redis-tls", "wrong", "edge", REDIS, "transitEncryptionMode", "TRANSIT_ENCRYPTION_MODE_UNSPECIFIED"),
    # Memorystore's default tier is BASIC and its default connect mode DIRECT_PEERING.
    absent("redis-ha-prod", "edge", REDIS, "tier"),
    shape("redis-ha-prod", "wrong", "edge", REDIS, "tier", "TIER_UNSPECIFIED"),
    absent("redis-private-service-access", "edge", REDIS, "connectMode"),
    shape("redis-private-service-access", "wrong", "edge", REDIS, "connectMode", "CONNECT_MODE_UNSPECIFIED"),
    absent("redis-persistence-prod", "edge", REDIS, "persistenceConfig.persistenceMode"),
    shape("redis-persistence-prod", "false", "edge", REDIS, "persistenceConfig.persistenceMode", "DISABLED"),
    # Outside prod neither HA nor persistence is required.
    absent("redis-persistence-prod", "edge-dev", REDIS, "persistenceConfig", fires=False),
    absent("redis-ha-prod", "edge-dev", REDIS, "tier", fires=False),
    absent("redis-ha-prod", "edge", REDIS, "labels.env", fires=False),
]


@pytest.mark.parametrize("form", FORMS, ids=str)
def test_form(pack, policy_graphs, form: Form) -> None:
    check_form(pack, policy_graphs, form)

"""`llm-platform:modelBucket.*` and `llm-platform:modelStore.*`."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.config.errors import ConfigError
from components.config.platform import parse_platform_config
from tests.helpers import assert_rejected, values

BAD_CONFIGS = [
    pytest.param(
        values({"llm-platform:modelBucket": {"name": "Has.Upper"}}),
        "llm-platform:modelBucket.name: 'Has.Upper' is not a valid bucket name",
        id="bad-bucket-name",
    ),
    pytest.param(
        values({"llm-platform:modelBucket": {"noncurrentVersionRetentionDays": 0}}),
        "llm-platform:modelBucket.noncurrentVersionRetentionDays: 0 is out of range (allowed: 1 <= value <= 3650)",
        id="retention-zero",
    ),
    pytest.param(
        values({"llm-platform:modelBucket": {"location": "us central"}}),
        "llm-platform:modelBucket.location: 'us central' is not a Cloud Storage location",
        id="bad-bucket-location",
    ),
    pytest.param(
        values({"llm-platform:modelStore": {"parallelstore": {"capacityGib": 10000}}}),
        "llm-platform:modelStore.parallelstore.capacityGib: 10000 GiB is not a Parallelstore capacity "
        "(allowed: 12000 to 100000 in steps of 4000",
        id="parallelstore-too-small",
    ),
    pytest.param(
        values({"llm-platform:modelStore": {"parallelstore": {"capacityGib": 14000}}}),
        "llm-platform:modelStore.parallelstore.capacityGib: 14000 GiB is not a Parallelstore capacity",
        id="parallelstore-off-step",
    ),
    pytest.param(
        values({"llm-platform:modelStore": {"parallelstore": {"capacityGib": 104000}}}),
        "llm-platform:modelStore.parallelstore.capacityGib: 104000 GiB is not a Parallelstore capacity",
        id="parallelstore-too-large",
    ),
    pytest.param(
        values({"llm-platform:modelStore": {"type": "filestore"}}),
        "llm-platform:modelStore.type: Input should be 'parallelstore' or 'gcsfuse'",
        id="unknown-store",
    ),
    pytest.param(
        values({"llm-platform:modelStore": {"prefix": "/models"}}),
        "llm-platform:modelStore.prefix: '/models' is not a bucket folder",
        id="bad-prefix",
    ),
    pytest.param(
        values({"llm-platform:modelStore": {"mountPath": "models"}}),
        "llm-platform:modelStore.mountPath: 'models' is not a usable mount path",
        id="relative-mount-path",
    ),
    pytest.param(
        values({"llm-platform:modelStore": {"parallelstore": {"fileStripeLevel": "maximum"}}}),
        "llm-platform:modelStore.parallelstore.fileStripeLevel: Input should be 'min', 'balanced' or 'max'",
        id="stripe-level",
    ),
    pytest.param(
        values({"llm-platform:modelStore": {"parallelstore": {"instanceId": "x"}}}),
        "llm-platform:modelStore.parallelstore.instanceId: unknown key (allowed: capacityGib, directoryStripeLevel, "
        "fileStripeLevel, mountLocality)",
        id="parallelstore-unknown-key",
    ),
]


@pytest.mark.parametrize(("bad", "expected"), BAD_CONFIGS)
def test_bad_config_names_its_key(bad: dict[str, str], expected: str) -> None:
    assert_rejected(bad, expected)


@given(st.integers(min_value=0, max_value=200_000))
def test_parallelstore_capacity_rule(capacity: int) -> None:
    valid = 12000 <= capacity <= 100000 and capacity % 4000 == 0
    overrides = {"llm-platform:modelStore": {"parallelstore": {"capacityGib": capacity}}}
    if valid:
        assert parse_platform_config(values(overrides)).model_store.parallelstore.capacity_gib == capacity
    else:
        with pytest.raises(ConfigError, match="is not a Parallelstore capacity"):
            parse_platform_config(values(overrides))

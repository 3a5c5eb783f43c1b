"""The typed stack config: valid stacks parse, every bad input names its key."""

from __future__ import annotations

import pytest

from components.config import ConfigError, parse_platform_config
from tests.helpers import BASE_CONFIG, values
from tools.graph import ProgramError, evaluate


def test_committed_stacks_are_valid(stack_configs: dict[str, dict[str, str]]) -> None:
    dev = parse_platform_config(stack_configs["dev"])
    prod = parse_platform_config(stack_configs["prod"])
    assert (dev.environment, dev.protect) == ("dev", False)
    assert (prod.environment, prod.protect) == ("prod", True)


def test_defaults_fill_everything_optional() -> None:
    parsed = parse_platform_config(BASE_CONFIG)
    assert parsed.network.private_services_cidr_prefix == 20
    assert parsed.serving.namespace == "llm-serving"
    assert parsed.model_bucket.name is None


BAD_CONFIGS = [
    pytest.param(values({"llm-platform:bogus": "1"}), "llm-platform:bogus: unknown key", id="unknown-top-level-key"),
    pytest.param(
        values({"llm-platform:network": {"subnetCidr": "10.0.0.0/20", "mtu": 1460}}),
        "llm-platform:network.mtu: unknown key",
        id="unknown-nested-key",
    ),
    pytest.param(values(drop=("gcp:project",)), "gcp:project: required", id="missing-project"),
    pytest.param(
        values(drop=("llm-platform:environment",)), "llm-platform:environment: required", id="missing-environment"
    ),
    pytest.param(
        values({"gcp:project": "Bad_Project"}),
        "gcp:project: 'Bad_Project' is not a Google Cloud project id",
        id="bad-project-id",
    ),
    pytest.param(values({"gcp:region": "central"}), "gcp:region:", id="bad-region"),
    pytest.param(
        values({"gcp:zone": "us-east1-b"}),
        "gcp:zone: us-east1-b is not in region us-central1",
        id="zone-outside-region",
    ),
    pytest.param(
        values({"llm-platform:environment": "test"}),
        "llm-platform:environment: Input should be 'dev', 'staging' or 'prod'",
        id="bad-environment",
    ),
    pytest.param(
        values({"llm-platform:environment": "prod", "llm-platform:deletionProtection": "false"}),
        "llm-platform:deletionProtection: false is not allowed when environment is prod",
        id="prod-without-protection",
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
        "llm-platform:network: subnetCidr 10.16.0.0/20 overlaps podsCidr 10.16.0.0/14",
        id="overlapping-ranges",
    ),
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
        values({"llm-platform:serving": {"namespace": "Serving_NS"}}),
        "llm-platform:serving.namespace: 'Serving_NS' is not a Kubernetes name",
        id="bad-namespace",
    ),
    pytest.param(
        values({"llm-platform:serving": {"port": 80}}),
        "llm-platform:serving.port: 80 is out of range (allowed: 1024 <= value <= 65535)",
        id="privileged-port",
    ),
    pytest.param(
        values({"llm-platform:labels": {"Team": "x"}}),
        "llm-platform:labels: label key 'Team' is invalid",
        id="bad-label-key",
    ),
    pytest.param(
        values({"llm-platform:project": "other-project"}),
        "llm-platform:project: unknown key (set gcp:project instead)",
        id="project-in-own-namespace",
    ),
]


@pytest.mark.parametrize(("bad", "expected"), BAD_CONFIGS)
def test_bad_config_names_its_key(bad: dict[str, str], expected: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_platform_config(bad)
    assert expected in str(raised.value)
    assert "Traceback" not in str(raised.value)


def test_every_problem_is_listed_at_once() -> None:
    bad = values({"llm-platform:bogus": "1", "gcp:project": "x", "llm-platform:serving": {"port": 1}})
    with pytest.raises(ConfigError) as raised:
        parse_platform_config(bad)
    lines = str(raised.value).splitlines()[1:]
    assert [line.split(":")[0:2] for line in lines] == [
        ["  gcp", "project"],
        ["  llm-platform", "bogus"],
        ["  llm-platform", "serving.port"],
    ]


def test_bad_config_stops_the_program_before_any_resource() -> None:
    with pytest.raises(ProgramError) as raised:
        evaluate("dev", config=values({"gcp:zone": "europe-west4-a"}))
    assert "gcp:zone: europe-west4-a is not in region us-central1" in str(raised.value)
    assert raised.value.registered == 0

"""Platform-wide keys, cross-concern checks and the error format."""

from __future__ import annotations

import pytest

from components.config.errors import ConfigError
from components.config.platform import parse_platform_config
from tests.helpers import BASE_CONFIG, assert_rejected, tier, values
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
        values({"gcp:zone": "us-central1-a"}),
        "gcp:zone: us-central1-a has no TPU7x capacity (allowed: us-central1-c, us-central1-ai1a)",
        id="zone-without-tpu7x",
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
        values({"llm-platform:labels": {"Team": "x"}}),
        "llm-platform:labels: label key 'Team' is invalid",
        id="bad-label-key",
    ),
    pytest.param(
        values({"llm-platform:project": "other-project"}),
        "llm-platform:project: unknown key (set gcp:project instead)",
        id="project-in-own-namespace",
    ),
    pytest.param(
        values({"llm-platform:tiers": {}}),
        "llm-platform:tiers: is empty (allowed: at least 1 entry)",
        id="no-tiers",
    ),
    pytest.param(
        values({"llm-platform:tiers": {"interactive-low-latency": tier()}}),
        "llm-platform:tiers.interactive-low-latency: name is 23 characters (allowed: at most 20",
        id="tier-name-too-long",
    ),
]


@pytest.mark.parametrize(("bad", "expected"), BAD_CONFIGS)
def test_bad_config_names_its_key(bad: dict[str, str], expected: str) -> None:
    assert_rejected(bad, expected)


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


def test_cross_field_problems_of_one_model_are_listed_together() -> None:
    bad = values({"llm-platform:tiers": {"small": tier(capacity={"type": "flex-start"}, minReplicas=3, maxReplicas=2)}})
    with pytest.raises(ConfigError) as raised:
        parse_platform_config(bad)
    lines = [line.strip() for line in str(raised.value).splitlines()[1:]]
    assert lines == [
        "llm-platform:tiers.small.minReplicas: 3 is above maxReplicas 2 (allowed: min <= max)",
        "llm-platform:tiers.small.minReplicas: 3: flex-start capacity has no static node count (allowed: 0)",
    ]


def test_bad_config_stops_the_program_before_any_resource() -> None:
    with pytest.raises(ProgramError) as raised:
        evaluate("dev", config=values({"gcp:zone": "europe-west4-a"}))
    assert "gcp:zone: europe-west4-a is not in region us-central1" in str(raised.value)
    assert raised.value.registered == 0


def test_model_store_defaults_follow_the_environment() -> None:
    prod = {"llm-platform:environment": "prod", "llm-platform:gateway": {"domain": "llm.example.com"}}
    assert parse_platform_config(values()).model_store_type == "gcsfuse"
    assert parse_platform_config(values(prod)).model_store_type == "parallelstore"
    chosen = {**prod, "llm-platform:modelStore": {"type": "gcsfuse"}}
    assert parse_platform_config(values(chosen)).model_store_type == "gcsfuse"

"""Platform-wide keys, cross-concern checks and the error format."""

from __future__ import annotations

import pytest

from components.concerns import parse_config
from components.config.checks import most_nodes
from components.config.errors import ConfigError
from tests.helpers import BASE_CONFIG, LLAMA_8B, config, tier, values
from tools.graph import ProgramError, evaluate


def test_committed_stacks_are_valid(stack_configs: dict[str, dict[str, str]]) -> None:
    dev = parse_config(stack_configs["dev"])
    prod = parse_config(stack_configs["prod"])
    assert (dev.environment, dev.protect) == ("dev", False)
    assert (prod.environment, prod.protect) == ("prod", True)


def test_defaults_fill_everything_optional() -> None:
    parsed = parse_config(BASE_CONFIG)
    assert parsed.network.private_services_cidr == "10.24.0.0/20"
    assert parsed.serving.namespace == "llm-serving"
    assert parsed.model_bucket.name is None


def test_every_problem_is_listed_at_once() -> None:
    bad = values({"llm-platform:bogus": "1", "gcp:project": "x", "llm-platform:serving": {"port": 1}})
    with pytest.raises(ConfigError) as raised:
        parse_config(bad)
    lines = str(raised.value).splitlines()[1:]
    assert [line.split(":")[0:2] for line in lines] == [
        ["  gcp", "project"],
        ["  llm-platform", "bogus"],
        ["  llm-platform", "serving.port"],
    ]


def test_cross_field_problems_of_one_model_are_listed_together() -> None:
    bad = values({"llm-platform:tiers": {"small": tier(capacity={"type": "flex-start"}, minReplicas=3, maxReplicas=2)}})
    with pytest.raises(ConfigError) as raised:
        parse_config(bad)
    lines = [line.strip() for line in str(raised.value).splitlines()[1:]]
    assert lines == [
        "llm-platform:tiers.small.minReplicas: 3 is above maxReplicas 2 (allowed: min <= max)",
        "llm-platform:tiers.small.minReplicas: 3: flex-start capacity has no static node count (allowed: 0, or a "
        "capacity.fallback chain, whose pools all scale from zero)",
    ]


def test_bad_config_stops_the_program_before_any_resource() -> None:
    with pytest.raises(ProgramError) as raised:
        evaluate("dev", config=values({"gcp:zone": "europe-west4-a"}))
    assert "gcp:zone: europe-west4-a is not in region us-central1" in str(raised.value)
    assert raised.value.registered == 0


def test_model_store_defaults_follow_the_environment() -> None:
    prod = {"llm-platform:environment": "prod", "llm-platform:gateway": {"domain": "llm.example.com"}}
    assert parse_config(values()).model_store_type == "gcsfuse"
    assert parse_config(values(prod)).model_store_type == "lustre"
    chosen = {**prod, "llm-platform:modelStore": {"type": "gcsfuse"}}
    assert parse_config(values(chosen)).model_store_type == "gcsfuse"


def test_node_ceilings_count_surge_rollouts_and_node_upgrades() -> None:
    tiers = {
        "surge": tier(
            model={**LLAMA_8B, "name": "surge"}, minReplicas=1, maxReplicas=4
        ),  # on-demand: one node of rollout room
        "replace": tier(
            model={**LLAMA_8B, "name": "replace"}, capacity={"type": "spot"}, maxReplicas=3
        ),  # no room: replaced in place
        "upgraded": tier(
            model={**LLAMA_8B, "name": "upgraded"}, maxReplicas=2, capacity={"upgrade": {"maxSurge": 2}}
        ),  # 1 rollout + 2 upgrade nodes
        "bluegreen": tier(maxReplicas=2, capacity={"upgrade": {"strategy": "BLUE_GREEN"}}),  # doubled
    }
    found = dict(most_nodes(config({"llm-platform:tiers": tiers})))
    assert found["in tier surge"] == 5
    assert found["in tier replace"] == 3
    assert found["in tier upgraded"] == 5
    assert found["in tier bluegreen"] == 6

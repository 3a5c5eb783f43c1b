"""The committed stack files' placeholders: accepted offline, refused by a real preview or update."""

from __future__ import annotations

import json
import re

import pytest

import components.config.loader as loader
from components.concerns import parse_config
from components.config.placeholders import placeholder_problems
from tests.conftest import STACKS
from tools.graph import ProgramError, evaluate
from tools.stack_config import load_stack_config

KEY = re.compile(r"^(?P<key>[a-z-]+:[^:]+): (?P<value>'[^']*') is a placeholder")


@pytest.fixture
def real_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """As under `pulumi preview` / `pulumi up`: the program does not run on the mock monitor."""
    monkeypatch.setattr(loader, "offline", lambda: False)


def _real_values(stack: str) -> dict[str, str]:
    """The stack file with every placeholder replaced by a value a user would set."""
    values = load_stack_config(stack)
    values["gcp:project"] = f"acme-llm-{stack}"
    replacements: dict[str, dict[str, object]] = {
        "llm-platform:budget": {"billingAccount": "01A2B3-C4D5E6-F7A8B9"},
        "llm-platform:observability": {"notificationEmails": ["llm-oncall@acme.io"]},
        "llm-platform:gateway": {"domain": f"{stack}.llm.acme.io"},
    }
    for key, replace in replacements.items():
        if key in values:
            section = json.loads(values[key])
            section.update({k: v for k, v in replace.items() if k in section})
            values[key] = json.dumps(section)
    tiers = json.loads(values["llm-platform:tiers"])
    for tier in tiers.values():
        if tier.get("capacity", {}).get("reservation"):
            tier["capacity"]["reservation"] = "tpu7x-ironwood-1"
    values["llm-platform:tiers"] = json.dumps(tiers)
    store = json.loads(values.get("llm-platform:modelStore", "{}"))
    if "fetch" in store:
        store["fetch"]["tokenSecretVersion"] = f"projects/acme-llm-{stack}/secrets/huggingface-token/versions/latest"
        values["llm-platform:modelStore"] = json.dumps(store)
    return values


@pytest.mark.parametrize("stack", STACKS)
def test_each_placeholder_names_its_key_and_how_to_set_it(stack: str) -> None:
    values = load_stack_config(stack)
    problems = placeholder_problems(parse_config(values, stack))
    keys = [KEY.match(line)["key"] for line in problems]  # type: ignore[index]
    assert "gcp:project" in keys and "llm-platform:budget.billingAccount" in keys
    for line, key in zip(problems, keys, strict=True):
        assert key.split(".", 1)[0].split("[", 1)[0] in values, line  # a key of the stack file
        assert "pulumi config set" in line and key in line


@pytest.mark.parametrize("stack", STACKS)
def test_a_real_run_with_placeholders_stops_before_registering_anything(stack: str, real_engine: None) -> None:
    with pytest.raises(ProgramError) as raised:
        evaluate(stack)
    assert raised.value.registered == 0
    lines = str(raised.value).splitlines()
    assert lines[0] == "stack configuration still holds placeholders:"
    assert lines[1:] == [f"  {line}" for line in placeholder_problems(parse_config(load_stack_config(stack), stack))]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_a_real_run_with_every_placeholder_replaced_goes_through(stack: str, real_engine: None) -> None:
    values = _real_values(stack)
    assert placeholder_problems(parse_config(values, stack)) == []
    graph = evaluate(stack, config=values)
    assert graph.one("gcp:container/cluster:Cluster").inputs["project"] == f"acme-llm-{stack}"


@pytest.mark.parametrize(
    ("key", "change", "problem"),
    [
        ("gcp:project", "replace-me-project", "gcp:project"),
        (
            "llm-platform:cluster",
            {"masterAuthorizedNetworks": [{"name": "vpn", "cidr": "203.0.113.0/24"}]},
            "llm-platform:cluster.masterAuthorizedNetworks[0].cidr",
        ),
        ("llm-platform:gateway", {"domain": "api.example.org"}, "llm-platform:gateway.domain"),
        (
            "llm-platform:observability",
            {"notificationEmails": ["team@oncall.test"]},
            "llm-platform:observability.notificationEmails[0]",
        ),
        (
            "llm-platform:modelStore",
            {"fetch": {"tokenSecretVersion": "projects/replace-me-llm-dev/secrets/hf/versions/1"}},
            "llm-platform:modelStore.fetch.tokenSecretVersion",
        ),
    ],
)
def test_each_kind_of_placeholder_is_recognised(key: str, change: object, problem: str) -> None:
    values = _real_values("dev")
    if isinstance(change, dict):
        values[key] = json.dumps({**json.loads(values.get(key, "{}")), **change})
    else:
        values[key] = str(change)
    (found,) = placeholder_problems(parse_config(values, "dev"))
    assert found.startswith(f"{problem}: ")

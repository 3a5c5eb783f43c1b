"""components/config/placeholders.py: each kind of placeholder, and the literal lines the committed stacks give.

Expected lines are written out here, never computed with `placeholder_problems()`: dropping a kind
(the TPU reservation, say) must fail a test, not move the expectation with it.
"""

from __future__ import annotations

import json

import pytest

from components.concerns import parse_config
from components.config.placeholders import placeholder_problems
from tests.stacks.test_placeholders import _real_values
from tools.stack_config import load_stack_config


def _set(key: str) -> str:
    path = key.split(":", 1)[1]
    return f"pulumi config set --path '{key}' VALUE" if "." in path or "[" in path else f"pulumi config set {key} VALUE"


def line(key: str, value: str, allowed: str) -> str:
    return (
        f"{key}: {value!r} is a placeholder of the committed stack file (allowed: {allowed}; set it with `{_set(key)}`)"
    )


PROJECT = "your project id"
RESERVATION = "your TPU7x reservation's name"
DOMAIN = "a domain you control"
EMAIL = "an address your on-call reads"
BILLING = "your billing account (`gcloud billing accounts list`)"
TOKEN = "the Secret Manager version of your Hugging Face token"
TOKEN_KEY = "llm-platform:modelStore.fetch.tokenSecretVersion"


def token(stack: str) -> str:
    return line(TOKEN_KEY, f"projects/replace-me-llm-{stack}/secrets/huggingface-token/versions/latest", TOKEN)


EXPECTED = {
    "dev": [
        line("gcp:project", "replace-me-llm-dev", PROJECT),
        token("dev"),
        line("llm-platform:observability.notificationEmails[0]", "llm-dev-oncall@example.com", EMAIL),
        line("llm-platform:budget.billingAccount", "000000-000000-000000", BILLING),
    ],
    "staging": [
        line("gcp:project", "replace-me-llm-staging", PROJECT),
        token("staging"),
        line("llm-platform:budget.billingAccount", "000000-000000-000000", BILLING),
    ],
    "prod": [
        line("gcp:project", "replace-me-llm-prod", PROJECT),
        line("llm-platform:tiers.large.capacity.reservation", "replace-me-tpu7x-reservation", RESERVATION),
        token("prod"),
        line("llm-platform:gateway.domain", "llm.example.com", DOMAIN),
        line("llm-platform:observability.notificationEmails[0]", "llm-oncall@example.com", EMAIL),
        line("llm-platform:budget.billingAccount", "000000-000000-000000", BILLING),
    ],
    "legacy": [
        line("gcp:project", "replace-me-llm-legacy", PROJECT),
        line("llm-platform:tiers.large.capacity.reservation", "replace-me-tpu7x-reservation", RESERVATION),
        token("legacy"),
        line("llm-platform:gateway.domain", "legacy.llm.example.com", DOMAIN),
        line("llm-platform:observability.notificationEmails[0]", "llm-oncall@example.com", EMAIL),
        line("llm-platform:budget.billingAccount", "000000-000000-000000", BILLING),
    ],
}


@pytest.mark.parametrize("stack", sorted(EXPECTED))
def test_the_committed_stacks_hold_exactly_these_placeholders(stack: str) -> None:
    assert placeholder_problems(parse_config(load_stack_config(stack), stack)) == EXPECTED[stack]


def _tiers_with_reservation(values: dict[str, str], reservation: str) -> dict[str, str]:
    tiers = json.loads(values["llm-platform:tiers"])
    tiers["small"]["capacity"] = {"type": "reservation", "reservation": reservation}
    return {**values, "llm-platform:tiers": json.dumps(tiers)}


@pytest.mark.parametrize(
    ("key", "change", "expected"),
    [
        ("gcp:project", "replace-me-acme", line("gcp:project", "replace-me-acme", PROJECT)),
        (
            "llm-platform:tiers",
            "replace-me-tpu7x-reservation",
            line("llm-platform:tiers.small.capacity.reservation", "replace-me-tpu7x-reservation", RESERVATION),
        ),
        (
            "llm-platform:tiers",
            "projects/acme-shared/reservations/replace-me-ironwood",
            line(
                "llm-platform:tiers.small.capacity.reservation",
                "projects/acme-shared/reservations/replace-me-ironwood",
                RESERVATION,
            ),
        ),
        (
            "llm-platform:cluster",
            {"masterAuthorizedNetworks": [{"name": "ci", "cidr": "198.51.100.64/26"}]},
            line(
                "llm-platform:cluster.masterAuthorizedNetworks[0].cidr",
                "198.51.100.64/26",
                "your CI or VPN egress range (a documentation range reaches nobody)",
            ),
        ),
        (
            "llm-platform:cluster",
            {"masterAuthorizedNetworks": [{"name": "ci", "cidr": "192.0.2.7/32"}]},
            line(
                "llm-platform:cluster.masterAuthorizedNetworks[0].cidr",
                "192.0.2.7/32",
                "your CI or VPN egress range (a documentation range reaches nobody)",
            ),
        ),
        (
            "llm-platform:gateway",
            {"domain": "llm.example.net"},
            line("llm-platform:gateway.domain", "llm.example.net", DOMAIN),
        ),
        ("llm-platform:gateway", {"domain": "example.org"}, line("llm-platform:gateway.domain", "example.org", DOMAIN)),
        (
            "llm-platform:gateway",
            {"domain": "api.acme.invalid"},
            line("llm-platform:gateway.domain", "api.acme.invalid", DOMAIN),
        ),
        (
            "llm-platform:observability",
            {"notificationEmails": ["oncall@acme.io", "ops@acme.localhost"]},
            line("llm-platform:observability.notificationEmails[1]", "ops@acme.localhost", EMAIL),
        ),
        (
            "llm-platform:budget",
            {"billingAccount": "000000-000000-000000"},
            line("llm-platform:budget.billingAccount", "000000-000000-000000", BILLING),
        ),
        (
            "llm-platform:modelStore",
            {"fetch": {"tokenSecretVersion": "projects/replace-me-acme/secrets/hf/versions/2"}},
            line(TOKEN_KEY, "projects/replace-me-acme/secrets/hf/versions/2", TOKEN),
        ),
    ],
)
def test_each_kind_of_placeholder_gives_its_line(key: str, change: object, expected: str) -> None:
    values = _real_values("dev")
    if key == "llm-platform:tiers":
        values = _tiers_with_reservation(values, str(change))
    elif isinstance(change, dict):
        values[key] = json.dumps({**json.loads(values.get(key, "{}")), **change})
    else:
        values[key] = str(change)
    assert placeholder_problems(parse_config(values, "dev")) == [expected]


@pytest.mark.parametrize(
    ("key", "change"),
    [
        ("llm-platform:tiers", "tpu7x-ironwood-1"),
        ("llm-platform:cluster", {"masterAuthorizedNetworks": [{"name": "vpn", "cidr": "203.0.114.0/24"}]}),
        ("llm-platform:cluster", {"masterAuthorizedNetworks": [{"name": "vpn", "cidr": "198.51.0.0/16"}]}),
        ("llm-platform:gateway", {"domain": "example.com.acme.io"}),
        ("llm-platform:gateway", {"domain": "myexample.com"}),
        ("llm-platform:observability", {"notificationEmails": ["oncall@example.com.acme.io"]}),
        ("llm-platform:budget", {"billingAccount": "01A2B3-C4D5E6-F7A8B9"}),
        ("llm-platform:modelStore", {"fetch": {"tokenSecretVersion": "projects/acme/secrets/replace-me/versions/1"}}),
    ],
)
def test_real_values_that_look_alike_are_not_placeholders(key: str, change: object) -> None:
    values = _real_values("dev")
    if key == "llm-platform:tiers":
        values = _tiers_with_reservation(values, str(change))
    else:
        values[key] = json.dumps({**json.loads(values.get(key, "{}")), **change})  # type: ignore[dict-item]
    assert placeholder_problems(parse_config(values, "dev")) == []

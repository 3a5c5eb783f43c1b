"""`llm-platform:gateway.*`: authentication never off in prod, HTTPS in prod, routes to real tiers."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.config.errors import ConfigError
from components.gateway.tenants import TENANT_NAME, key_prefix
from components.serving.workload import tenant_key_env
from tests.helpers import LLAMA_70B, assert_rejected, config, tier, values

PROD = {"llm-platform:environment": "prod"}
DOMAIN = {"domain": "llm.example.com"}
IAP = {"clientId": "123-abc.apps.googleusercontent.com", "clientSecret": "s3cret", "members": ["group:ml@example.com"]}


# The same weights on a second tier need a name of their own: served names are unique across the stack.
LARGE_70B = {**LLAMA_70B, "name": "llama-3.3-70b-large", "path": LLAMA_70B["name"]}


def test_routes_adapt_to_the_tiers_a_stack_has() -> None:
    one = config()
    routes, default = one.gateway.resolve_routes(one.tiers, one.smallest_tier)
    assert ([(r.path_prefix, r.tier) for r in routes], default) == ([("/simple", "small")], "small")
    three = config(
        {
            "llm-platform:tiers": {
                "small": tier(),
                "medium": tier(machineType="tpu7x-standard-4t", topology="2x2x1", model=LLAMA_70B),
                "large": tier(machineType="tpu7x-standard-4t", topology="2x2x2", model=LARGE_70B),
            }
        }
    )
    routes, default = three.gateway.resolve_routes(three.tiers, three.smallest_tier)
    assert [(r.path_prefix, r.tier) for r in routes] == [("/simple", "small"), ("/complex", "large")]
    assert default == "medium"
    two = config(
        {
            "llm-platform:tiers": {
                "small": tier(),
                "large": tier(machineType="tpu7x-standard-4t", topology="2x2x2", model=LARGE_70B),
            }
        }
    )
    routes, default = two.gateway.resolve_routes(two.tiers, two.smallest_tier)
    assert (len(routes), default) == (2, "small")  # no medium: /v1 goes to the smallest tier


def test_prod_accepts_api_key_or_iap_over_https() -> None:
    assert config({**PROD, "llm-platform:gateway": DOMAIN}).gateway.auth.mode == "apiKey"
    iap = config({**PROD, "llm-platform:gateway": {**DOMAIN, "auth": {"mode": "iap", "iap": IAP}}})
    assert iap.gateway.auth.iap is not None and iap.gateway.auth.iap.members == ["group:ml@example.com"]


TENANTS = {
    "search": {"rateLimit": {"count": 300, "intervalSec": 60}},
    "support": {"rateLimit": {"count": 60}, "tiers": ["small"]},
    "batch": {"apiKey": "an-old-shared-key-0123456789abcdef"},  # migrated: no prefix, so no own limit
}
TWO_TIERS = {
    "small": tier(),
    "medium": tier(machineType="tpu7x-standard-4t", topology="2x2x1", model=LLAMA_70B),
}


def _tenants(tenants: object, **auth: object) -> dict[str, str]:
    return values({"llm-platform:gateway": {"auth": {**auth, "tenants": tenants}}})


def test_tenants_parse_with_their_limits_keys_and_allow_lists() -> None:
    parsed = config({"llm-platform:gateway": {"auth": {"tenants": TENANTS}}}).gateway
    tenants = parsed.auth.tenants or {}
    assert sorted(tenants) == ["batch", "search", "support"]
    assert tenants["support"].rate_limit is not None and tenants["support"].rate_limit.interval_sec == 60
    assert tenants["search"].tiers is None and tenants["support"].tiers == ["small"]
    assert parsed.auth.api_key is None and parsed.tenant_tier_problems(["small"]) == []


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        (_tenants({"Search": {}}), "llm-platform:gateway.auth.tenants.Search: 'Search' is not a tenant name"),
        (_tenants({"a" * 25: {}}), f"llm-platform:gateway.auth.tenants.{'a' * 25}: '{'a' * 25}' is not a tenant"),
        (_tenants({}), "llm-platform:gateway.auth.tenants: is empty"),
        (
            _tenants({"a": {}}, apiKey="0123456789abcdef0123456789abcdef"),
            "llm-platform:gateway.auth.apiKey: is set together with tenants (allowed: one of them; to keep this key, "
            "move it into a tenant entry",
        ),
        (_tenants({"a": {}}, mode="none"), "llm-platform:gateway.auth.tenants: is set but mode is none"),
        (
            _tenants({"a": {"apiKey": "0123456789abcdef0123456789abcdef", "rateLimit": {"count": 5}}}),
            "llm-platform:gateway.auth.tenants.a.apiKey: does not start with sk-a-",
        ),
        (
            _tenants({"a": {"apiKey": "sk-b-0123456789abcdef0123456789abcdef"}, "b": {}}),
            "llm-platform:gateway.auth.tenants.a.apiKey: starts with sk-b-, tenant b's prefix",
        ),
        (_tenants({"a": {"apiKey": "short"}}), "llm-platform:gateway.auth.tenants.a.apiKey: is 5 characters"),
        (_tenants({"team": {}, "team-b": {}}), "llm-platform:gateway.auth.tenants.team-b: starts with tenant team's"),
        (_tenants({"a": {"tiers": ["xlarge"]}}), "llm-platform:gateway.auth.tenants.a.tiers[0]: 'xlarge' is not a"),
        (
            values(
                {
                    "llm-platform:tiers": TWO_TIERS,
                    "llm-platform:gateway": {"auth": {"tenants": {"a": {"tiers": ["small"]}}}},
                }
            ),
            "llm-platform:gateway.auth.tenants: no tenant may call tier medium",
        ),
    ],
)
def test_bad_tenants_are_rejected_by_key(bad: dict[str, str], expected: str) -> None:
    assert_rejected(bad, expected)


def test_a_rejected_supplied_key_is_never_repeated() -> None:
    key = "not-prefixed-key-0123456789abcdef0123"
    with pytest.raises(ConfigError) as raised:
        config({"llm-platform:gateway": {"auth": {"tenants": {"a": {"apiKey": key, "rateLimit": {"count": 5}}}}}})
    assert key not in str(raised.value)


@given(st.sets(st.from_regex(TENANT_NAME, fullmatch=True), min_size=1, max_size=8))
def test_accepted_tenant_names_give_distinct_variables_and_disjoint_prefixes(names: set[str]) -> None:
    accepted = [n for n in names if not any(n.startswith(f"{o}-") for o in names)]
    envs = [tenant_key_env(n) for n in accepted]
    assert len(set(envs)) == len(envs)
    assert all(re.fullmatch(r"VLLM_API_KEY_[A-Z][A-Z0-9_]*", env) for env in envs)
    for name in accepted:  # a generated key of one tenant never matches another's Cloud Armor prefix
        key = key_prefix(name) + "A1b2" * 12
        assert [o for o in accepted if key.startswith(key_prefix(o))] == [name]

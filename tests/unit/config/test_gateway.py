"""`llm-platform:gateway.*`: authentication never off in prod, HTTPS in prod, routes to real tiers."""

from __future__ import annotations

import pytest

from tests.helpers import LLAMA_70B, assert_rejected, config, tier, values

PROD = {"llm-platform:environment": "prod"}
DOMAIN = {"domain": "llm.example.com"}
IAP = {"clientId": "123-abc.apps.googleusercontent.com", "clientSecret": "s3cret", "members": ["group:ml@example.com"]}

BAD_CONFIGS = [
    pytest.param(
        values({**PROD, "llm-platform:gateway": {**DOMAIN, "auth": {"mode": "none"}}}),
        "llm-platform:gateway.auth.mode: none is not allowed when environment is prod (allowed: apiKey, iap)",
        id="prod-auth-off",
    ),
    pytest.param(
        values(PROD),
        "llm-platform:gateway.domain: is required when environment is prod",
        id="prod-without-https",
    ),
    pytest.param(
        values({"llm-platform:gateway": {"routes": [{"pathPrefix": "/complex", "tier": "xlarge"}]}}),
        "llm-platform:gateway.routes.0.tier: 'xlarge' is not a configured tier (allowed: small)",
        id="route-to-unknown-tier",
    ),
    pytest.param(
        values({"llm-platform:gateway": {"defaultTier": "medium"}}),
        "llm-platform:gateway.defaultTier: 'medium' is not a configured tier (allowed: small)",
        id="default-to-unknown-tier",
    ),
    pytest.param(
        values({"llm-platform:gateway": {"routes": [{"pathPrefix": "/v1", "tier": "small"}]}}),
        "llm-platform:gateway.routes.0.pathPrefix: '/v1' is not a tier prefix",
        id="prefix-shadows-v1",
    ),
    pytest.param(
        values(
            {
                "llm-platform:gateway": {
                    "routes": [{"pathPrefix": "/a", "tier": "small"}, {"pathPrefix": "/a", "tier": "small"}]
                }
            }
        ),
        "llm-platform:gateway.routes.1.pathPrefix: /a is routed twice",
        id="prefix-twice",
    ),
    pytest.param(
        values({"llm-platform:gateway": {"auth": {"mode": "iap"}}}),
        "llm-platform:gateway.auth.iap.clientId: is required when mode is iap",
        id="iap-without-client",
    ),
    pytest.param(
        values({"llm-platform:gateway": {"auth": {"mode": "iap", "iap": IAP}}}),
        "llm-platform:gateway.domain: is required with auth mode iap: IAP works on HTTPS only",
        id="iap-without-https",
    ),
    pytest.param(
        values({"llm-platform:gateway": {**DOMAIN, "auth": {"mode": "iap", "iap": {**IAP, "members": ["bob"]}}}}),
        "llm-platform:gateway.auth.iap.members.0: 'bob' is not an IAM member",
        id="iap-member",
    ),
    pytest.param(
        values({"llm-platform:gateway": {"auth": {"mode": "none", "apiKey": "k"}}}),
        "llm-platform:gateway.auth.apiKey: is set but mode is none",
        id="api-key-without-mode",
    ),
    pytest.param(
        values({"llm-platform:gateway": {"domain": "*.example.com"}}),
        "llm-platform:gateway.domain: '*.example.com' is not a fully qualified domain name",
        id="wildcard-domain",
    ),
    pytest.param(
        values({"llm-platform:gateway": {"className": "gke-l7-rilb"}}),
        "llm-platform:gateway.className: Input should be 'gke-l7-global-external-managed'",
        id="regional-class",
    ),
    pytest.param(
        values({"llm-platform:gateway": {"rateLimit": {"intervalSec": 45}}}),
        "llm-platform:gateway.rateLimit.intervalSec: Input should be 10, 30, 60",
        id="rate-interval",
    ),
    pytest.param(
        values({"llm-platform:gateway": {"auth": {"mode": "none"}, "rateLimit": {"key": "apiKey"}}}),
        "llm-platform:gateway.rateLimit.key: apiKey needs auth mode apiKey",
        id="rate-key-without-api-key",
    ),
    pytest.param(
        values({"llm-platform:gateway": {"waf": {"rules": ["sqli-v99-stable"]}}}),
        "llm-platform:gateway.waf.rules.0: Input should be",
        id="unknown-waf-rule",
    ),
    pytest.param(
        values({"llm-platform:modelStore": {"prefix": "compile-cache/"}}),
        "llm-platform:modelStore.prefix: compile-cache/ overlaps the compile caches under compile-cache/",
        id="weights-in-cache-folder",
    ),
]


@pytest.mark.parametrize(("bad", "expected"), BAD_CONFIGS)
def test_bad_config_names_its_key(bad: dict[str, str], expected: str) -> None:
    assert_rejected(bad, expected)


def test_routes_adapt_to_the_tiers_a_stack_has() -> None:
    one = config()
    routes, default = one.gateway.resolve_routes(one.tiers, one.smallest_tier)
    assert ([(r.path_prefix, r.tier) for r in routes], default) == ([("/simple", "small")], "small")
    three = config(
        {
            "llm-platform:tiers": {
                "small": tier(),
                "medium": tier(machineType="tpu7x-standard-4t", topology="2x2x1", model=LLAMA_70B),
                "large": tier(machineType="tpu7x-standard-4t", topology="2x2x2", model=LLAMA_70B),
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
                "large": tier(machineType="tpu7x-standard-4t", topology="2x2x2", model=LLAMA_70B),
            }
        }
    )
    routes, default = two.gateway.resolve_routes(two.tiers, two.smallest_tier)
    assert (len(routes), default) == (2, "small")  # no medium: /v1 goes to the smallest tier


def test_prod_accepts_api_key_or_iap_over_https() -> None:
    assert config({**PROD, "llm-platform:gateway": DOMAIN}).gateway.auth.mode == "apiKey"
    iap = config({**PROD, "llm-platform:gateway": {**DOMAIN, "auth": {"mode": "iap", "iap": IAP}}})
    assert iap.gateway.auth.iap is not None and iap.gateway.auth.iap.members == ["group:ml@example.com"]

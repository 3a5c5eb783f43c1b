"""`llm-platform:gateway.*`: authentication never off in prod, HTTPS in prod, routes to real tiers."""

from __future__ import annotations

from tests.helpers import LLAMA_70B, config, tier

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

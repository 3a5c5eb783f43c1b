"""HTTPRoute rules of the Inference Gateway: each rule ends at a tier's InferencePool. Pure.

Routing by model: per tier one rule whose matches are `/v1` plus an exact `X-Gateway-Model-Name` for
each name the tier serves. Nothing else is routed, so a request naming a model no tier serves (or
none) matches no rule, and Gateway API requires a 404 then ("When no rules matching a request have
been successfully attached to the parent a request is coming from, a HTTP 404 status code MUST be
returned", HTTPRoute v1 `spec.rules`, gateway-api v1.6.1). A route to a missing backend would give
500 instead, and a catch-all to a tier would hide the mistake. Routing by path keeps the global
edge's prefixes, ending at pools instead of Services.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from components.gateway.body_routing import MODEL_HEADER
from components.gateway.config import RouteConfig
from components.gateway.epp_manifests import POOL_GROUP
from components.gateway.gateway import API_PREFIX, tier_path


def pool_backend(pool: str) -> list[dict[str, Any]]:
    """An InferencePool backend: no port (the pool's targetPorts say where its pods listen)."""
    return [{"group": POOL_GROUP, "kind": "InferencePool", "name": pool}]


def model_route_rules(names: Mapping[str, Sequence[str]], pools: Mapping[str, str]) -> list[dict[str, Any]]:
    """tier -> served names, tier -> pool: one rule per tier, one match per name."""
    return [
        {
            "matches": [
                {
                    "path": {"type": "PathPrefix", "value": API_PREFIX},
                    "headers": [{"type": "Exact", "name": MODEL_HEADER, "value": name}],
                }
                for name in names[tier]
            ],
            "backendRefs": pool_backend(pools[tier]),
        }
        for tier in sorted(names)
    ]


def path_route_rules(
    routes: Sequence[RouteConfig], default_tier: str, pools: Mapping[str, str]
) -> list[dict[str, Any]]:
    """`/<prefix>/v1` to a tier's pool with the prefix rewritten to `/v1`; `/v1` to the default tier."""
    rewrite = {
        "type": "URLRewrite",
        "urlRewrite": {"path": {"type": "ReplacePrefixMatch", "replacePrefixMatch": API_PREFIX}},
    }
    rules: list[dict[str, Any]] = [
        {
            "matches": [{"path": {"type": "PathPrefix", "value": tier_path(route.path_prefix)}}],
            "filters": [rewrite],
            "backendRefs": pool_backend(pools[route.tier]),
        }
        for route in routes
    ]
    rules.append(
        {
            "matches": [{"path": {"type": "PathPrefix", "value": API_PREFIX}}],
            "backendRefs": pool_backend(pools[default_tier]),
        }
    )
    return rules

"""The Inference Gateway's pure decisions: served names, route rules, the picker's objects, the edge's keys."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from components.config.errors import ConfigError
from components.gateway import epp_manifests as epp
from components.gateway.body_routing import MODEL_PLUGIN, router_args, routing_extension_spec
from components.gateway.config import GatewayConfig, RouteConfig
from components.gateway.inference_routes import model_route_rules, path_route_rules
from components.gateway.models import model_name_problems
from tests.helpers import LLAMA_8B, LLAMA_70B, config, tier

SMALL_MODEL: dict[str, object] = dict(LLAMA_8B)


def test_the_edge_chooses_the_class_and_the_routing() -> None:
    assert (GatewayConfig().class_name, GatewayConfig().resolved_routing) == (
        "gke-l7-regional-external-managed",
        "model",
    )
    legacy = GatewayConfig(edge="global")
    assert (legacy.class_name, legacy.resolved_routing) == ("gke-l7-global-external-managed", "path")
    assert GatewayConfig(routing="path").resolved_routing == "path"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"edge": "global", "routing": "model"}, "model needs edge regional-inference"),
        ({"adaptiveProtection": True}, "true needs edge global"),
    ],
)
def test_combinations_the_cloud_refuses_are_config_errors(fields: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        GatewayConfig.model_validate(fields)


def test_adaptive_protection_is_allowed_on_the_global_edge() -> None:
    assert GatewayConfig.model_validate({"edge": "global", "adaptiveProtection": True}).adaptive_protection


def test_a_name_two_tiers_serve_is_named_at_its_second_occurrence() -> None:
    with pytest.raises(ConfigError) as error:
        config(
            {
                "llm-platform:tiers": {
                    "small": tier(model={**SMALL_MODEL, "aliases": ["shared"]}),
                    "large": tier(
                        machineType="tpu7x-standard-4t", topology="2x2x2", model={**LLAMA_70B, "aliases": ["shared"]}
                    ),
                }
            }
        )
    assert "llm-platform:tiers.small.model.aliases[0]: 'shared' is already served by tier large" in str(error.value)


def test_distinct_names_and_a_repeated_alias_within_a_tier() -> None:
    one = config({"llm-platform:tiers": {"small": tier(model={**SMALL_MODEL, "aliases": ["a", "b"]})}})
    assert model_name_problems(one.tiers) == []
    with pytest.raises(ConfigError, match=r"tiers.small.model.aliases\[1\]: 'a' is already served by this tier"):
        config({"llm-platform:tiers": {"small": tier(model={**SMALL_MODEL, "aliases": ["a", "a"]})}})


def test_model_rules_match_every_name_of_a_tier_and_end_at_its_pool() -> None:
    rules = model_route_rules({"small": ("m", "alias")}, {"small": "vllm-small"})
    assert rules == [
        {
            "matches": [
                {
                    "path": {"type": "PathPrefix", "value": "/v1"},
                    "headers": [{"type": "Exact", "name": "X-Gateway-Model-Name", "value": "m"}],
                },
                {
                    "path": {"type": "PathPrefix", "value": "/v1"},
                    "headers": [{"type": "Exact", "name": "X-Gateway-Model-Name", "value": "alias"}],
                },
            ],
            "backendRefs": [{"group": "inference.networking.k8s.io", "kind": "InferencePool", "name": "vllm-small"}],
        }
    ]


def test_path_rules_rewrite_the_prefix_and_end_at_pools() -> None:
    rules = path_route_rules([RouteConfig(path_prefix="/simple", tier="small")], "small", {"small": "vllm-small"})
    assert [r["matches"][0]["path"]["value"] for r in rules] == ["/simple/v1", "/v1"]
    assert rules[0]["filters"][0]["urlRewrite"]["path"] == {"type": "ReplacePrefixMatch", "replacePrefixMatch": "/v1"}
    assert all("port" not in ref for r in rules for ref in r["backendRefs"])


def test_the_picker_is_the_pinned_release_with_the_charts_scorers() -> None:
    assert epp.EPP_IMAGE == "ghcr.io/llm-d/llm-d-router-endpoint-picker:v0.10.0"
    assert "- type: queue-scorer" in epp.PLUGINS and "weight: 3" in epp.PLUGINS
    assert epp.pool_health_check_spec("vllm-small", 8000, "/health")["default"]["config"]["httpHealthCheck"] == {
        "portSpecification": "USE_FIXED_PORT",
        "port": 8000,
        "requestPath": "/health",
    }
    assert epp._twice("4Gi") == "8Gi" and epp._twice("512Mi") == "1024Mi"


def test_the_router_copies_model_into_the_header_the_routes_match() -> None:
    assert (
        MODEL_PLUGIN == 'body-field-to-header:model-extractor:{"fieldName":"model","headerName":"X-Gateway-Model-Name"}'
    )
    assert router_args() == ["--streaming", "--v", "3", "--plugin", MODEL_PLUGIN, "--tracing=false"]
    extension = routing_extension_spec("llm-gateway")["extensionChains"][0]["extensions"][0]
    assert extension["requestBodySendMode"] == "FullDuplexStreamed"
    assert extension["supportedEvents"] == ["RequestHeaders", "RequestBody", "RequestTrailers"]

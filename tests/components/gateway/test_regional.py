"""RegionalInferenceGateway, EndpointPicker and BodyBasedRouter under mocks (issue 18)."""

from __future__ import annotations

import pulumi_gcp as gcp
import pulumi_kubernetes as k8s
import pytest

from components.gateway import (
    GatewayAuth,
    GatewayAuthArgs,
    PoolTier,
    RegionalInferenceGateway,
    RegionalInferenceGatewayArgs,
)
from components.gateway.config import GatewayConfig
from tests.components.gateway.test_tenants import TENANTS, assert_tenant_throttles
from tests.helpers import naming
from tests.schemas import built_in_objects, built_in_problems, cel_report, custom_resources, problems
from tools.graph import StackGraph, record

POOL = "kubernetes:inference.networking.k8s.io/v1:InferencePool"
ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute"
GATEWAY = "kubernetes:gateway.networking.k8s.io/v1:Gateway"
BACKEND_POLICY = "kubernetes:networking.gke.io/v1:GCPBackendPolicy"
LEADERS = {"app.kubernetes.io/name": "vllm", "llm-platform/tier": "large", "llm-platform/role": "leader"}
IAP = {"clientId": "123-abc.apps.googleusercontent.com", "clientSecret": "s", "members": ["group:a@b.c"]}


def _program(gateway: dict[str, object]) -> StackGraph:
    config = GatewayConfig.model_validate(gateway)

    def build() -> None:
        provider = k8s.Provider("cluster", kubeconfig="apiVersion: v1\nkind: Config\n")
        auth = GatewayAuth(
            "auth", GatewayAuthArgs(project="p", config=config.auth, namespace="llm-serving", provider=provider)
        )
        subnet = gcp.compute.Subnetwork("proxy-only", network="n", ip_cidr_range="10.100.0.0/23", region="us-central1")
        tiers = {
            "small": PoolTier(
                "vllm-small", 8000, {"app.kubernetes.io/name": "vllm", "llm-platform/tier": "small"}, ("m-8b",), []
            ),
            "large": PoolTier("vllm-large", 8000, LEADERS, ("m-405b", "big"), []),
        }
        routes, default = config.resolve_routes(tiers, "small")
        RegionalInferenceGateway(
            "gateway",
            RegionalInferenceGatewayArgs(
                project="p",
                region="us-central1",
                naming=naming(),
                config=config,
                namespace="llm-serving",
                tiers=tiers,
                routes=routes,
                default_tier=default,
                draining_timeout_sec=45,
                node_selector={"llm-platform/pool": "system"},
                provider=provider,
                proxy_only_subnet=subnet,
                iap=auth.iap,
            ),
        )

    return record(build, stack="test", project="llm-platform")


@pytest.fixture(scope="module")
def https() -> StackGraph:
    return _program({"domain": "llm.example.com"})


def test_every_object_passes_its_schema_and_cel_rules(https: StackGraph) -> None:
    for resource in custom_resources(https.resources):
        assert problems(resource) == [], resource.urn
        report = cel_report(resource)
        assert (report.violations, report.unevaluated) == ((), ()), resource.urn
    for resource in built_in_objects(https.resources):
        assert built_in_problems(resource) == [], resource.urn


def test_pools_select_the_serving_pods_and_name_their_picker(https: StackGraph) -> None:
    pools = {r.inputs["metadata"]["name"]: r.inputs["spec"] for r in https.by_type(POOL)}
    assert pools["vllm-large"] == {
        "targetPorts": [{"number": 8000}],
        "appProtocol": "http",
        "selector": {"matchLabels": LEADERS},
        "endpointPickerRef": {"name": "vllm-large-epp", "port": {"number": 9002}, "failureMode": "FailOpen"},
    }


def test_routes_match_each_served_name_and_nothing_else(https: StackGraph) -> None:
    (route,) = [r for r in https.by_type(ROUTE) if r.inputs["metadata"]["name"] == "llm-api"]
    rules = route.inputs["spec"]["rules"]
    assert [[m["headers"][0]["value"] for m in rule["matches"]] for rule in rules] == [["m-405b", "big"], ["m-8b"]]
    assert all(m["path"] == {"type": "PathPrefix", "value": "/v1"} for rule in rules for m in rule["matches"])
    assert rules[0]["backendRefs"] == [
        {"group": "inference.networking.k8s.io", "kind": "InferencePool", "name": "vllm-large"}
    ]
    assert route.inputs["spec"]["parentRefs"] == [{"name": "llm-gateway", "sectionName": "https"}]


def test_the_gateway_is_regional_with_its_certificate_in_the_listener(https: StackGraph) -> None:
    gateway = https.one(GATEWAY)
    assert gateway.inputs["spec"]["gatewayClassName"] == "gke-l7-regional-external-managed"
    https_listener = gateway.inputs["spec"]["listeners"][1]
    assert https_listener["tls"] == {
        "mode": "Terminate",
        "options": {"networking.gke.io/cert-manager-certs": "llm-test-gateway"},
    }
    assert "annotations" not in gateway.inputs["metadata"] or not gateway.inputs["metadata"]["annotations"]
    certificate = https.one("gcp:certificatemanager/certificate:Certificate")
    assert certificate.inputs["location"] == "us-central1"
    assert https.one("gcp:certificatemanager/dnsAuthorization:DnsAuthorization").inputs["type"] == "PER_PROJECT_RECORD"
    assert https.one("gcp:compute/address:Address").inputs["region"] == "us-central1"


def test_pool_backend_policies_carry_the_draining_the_caller_gave(https: StackGraph) -> None:
    for policy in https.by_type(BACKEND_POLICY):
        spec = policy.inputs["spec"]
        assert spec["targetRef"]["kind"] == "InferencePool"
        assert spec["default"]["connectionDraining"] == {"drainingTimeoutSec": 45}
        assert spec["default"]["securityPolicy"] == "llm-test-gateway"
        assert "iap" not in spec["default"]


def test_each_rate_limited_tenant_has_its_own_throttle_on_the_regional_policy() -> None:
    graph = _program({"auth": {"tenants": TENANTS}, "rateLimit": {"key": "apiKey"}})
    assert_tenant_throttles(graph.one("gcp:compute/regionSecurityPolicy:RegionSecurityPolicy").inputs["rules"])


def test_iap_reaches_every_pool() -> None:
    graph = _program({"domain": "llm.example.com", "auth": {"mode": "iap", "iap": IAP}})
    for policy in graph.by_type(BACKEND_POLICY):
        assert policy.inputs["spec"]["default"]["iap"]["enabled"] is True


def test_path_routing_keeps_the_prefixes_and_drops_the_body_router() -> None:
    graph = _program({"routing": "path"})
    assert graph.by_type("kubernetes:networking.gke.io/v1:GCPRoutingExtension") == []
    (route,) = graph.by_type(ROUTE)
    paths = [rule["matches"][0]["path"]["value"] for rule in route.inputs["spec"]["rules"]]
    assert paths == ["/simple/v1", "/complex/v1", "/v1"]


def test_the_pickers_run_pinned_and_restricted(https: StackGraph) -> None:
    (picker,) = [
        d for d in https.by_type("kubernetes:apps/v1:Deployment") if d.inputs["metadata"]["name"] == "vllm-small-epp"
    ]
    (container,) = picker.inputs["spec"]["template"]["spec"]["containers"]
    assert container["image"] == "ghcr.io/llm-d/llm-d-router-endpoint-picker:v0.10.0"
    assert container["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["resources"] == {"requests": {"cpu": "2", "memory": "4Gi"}, "limits": {"memory": "8Gi"}}
    assert picker.inputs["spec"]["template"]["spec"]["nodeSelector"] == {"llm-platform/pool": "system"}
    assert container["args"][:6] == [
        "--pool-name",
        "vllm-small",
        "--pool-namespace",
        "llm-serving",
        "--pool-group",
        "inference.networking.k8s.io",
    ]


def test_http_only_gateway_has_no_certificate() -> None:
    graph = _program({})
    assert graph.by_type("gcp:certificatemanager/certificate:Certificate") == []
    assert [listener["name"] for listener in graph.one(GATEWAY).inputs["spec"]["listeners"]] == ["http"]

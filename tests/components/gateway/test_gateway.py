"""InferenceGateway and GatewayAuth under mocks: HTTPS + API key, HTTP-only dev, IAP."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s
import pytest

from components.gateway import GatewayAuth, GatewayAuthArgs, InferenceGateway, InferenceGatewayArgs, TierBackend
from components.gateway.cloud_armor import DEFAULT_PRIORITY, RATE_LIMIT_PRIORITY
from components.gateway.config import GatewayConfig
from tests.components.gateway.test_tenants import TENANTS, assert_tenant_throttles
from tests.helpers import naming
from tests.schemas import built_in_objects, built_in_problems, custom_resources, problems
from tools.graph import StackGraph, record
from tools.mocks import MOCK_SECRET_MARKER

ROUTE = "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute"
GATEWAY = "kubernetes:gateway.networking.k8s.io/v1:Gateway"
IAP = {
    "clientId": "123-abc.apps.googleusercontent.com",
    "clientSecret": "iap-client-secret",
    "members": ["group:a@b.c"],
}


def _program(gateway: dict[str, object], tiers: tuple[str, ...] = ("small", "medium", "large")) -> StackGraph:
    config = GatewayConfig.model_validate({"edge": "global", **gateway})  # this component is the global edge

    def build() -> None:
        provider = k8s.Provider("cluster", kubeconfig="apiVersion: v1\nkind: Config\n")
        auth = GatewayAuth(
            "auth", GatewayAuthArgs(project="p", config=config.auth, namespace="llm-serving", provider=provider)
        )
        backends = {
            tier: TierBackend(
                service_name=f"vllm-{tier}",
                port=8000,
                service=k8s.core.v1.Service(f"svc-{tier}", metadata=k8s.meta.v1.ObjectMetaArgs(name=f"vllm-{tier}")),
                draining_timeout_sec=config.backend.draining_timeout_sec,
            )
            for tier in tiers
        }
        routes, default = config.resolve_routes(tiers, tiers[0])
        gateway = InferenceGateway(
            "gateway",
            InferenceGatewayArgs(
                project="p",
                naming=naming(),
                config=config,
                namespace="llm-serving",
                backends=backends,
                routes=routes,
                default_tier=default,
                provider=provider,
                iap=auth.iap,
            ),
        )
        pulumi.export("url", gateway.url)
        if auth.api_key is not None:
            pulumi.export("apiKey", auth.api_key)

    return record(build, stack="test", project="llm-platform")


@pytest.fixture(scope="module")
def https() -> StackGraph:
    return _program({"domain": "llm.example.com"})


def test_gateway_binds_the_static_ip_and_the_certificate_map(https: StackGraph) -> None:
    gateway = https.one(GATEWAY)
    address = https.one("gcp:compute/globalAddress:GlobalAddress")
    certificate_map = https.one("gcp:certificatemanager/certificateMap:CertificateMap")
    assert gateway.inputs["spec"]["gatewayClassName"] == "gke-l7-global-external-managed"
    assert gateway.inputs["spec"]["addresses"] == [{"type": "NamedAddress", "value": address.inputs["name"]}]
    assert gateway.inputs["metadata"]["annotations"] == {"networking.gke.io/certmap": certificate_map.inputs["name"]}
    listeners = {listener["name"]: listener for listener in gateway.inputs["spec"]["listeners"]}
    assert listeners["https"] == {"name": "https", "port": 443, "protocol": "HTTPS"}  # no tls block
    assert listeners["http"]["port"] == 80
    certificate = https.one("gcp:certificatemanager/certificate:Certificate")
    assert certificate.inputs["managed"] == {"domains": ["llm.example.com"]}
    assert certificate.inputs["scope"] == "DEFAULT"
    entry = https.one("gcp:certificatemanager/certificateMapEntry:CertificateMapEntry")
    assert entry.inputs["hostname"] == "llm.example.com"
    policy = https.one("gcp:compute/securityPolicy:SecurityPolicy")
    # Created after its IP, certificate map entry and Cloud Armor policy; deleted before them.
    assert {address.urn, entry.urn, policy.urn} <= set(gateway.dependencies)
    assert https.outputs["url"] == "https://llm.example.com"


def test_one_route_with_three_rules_and_a_redirect(https: StackGraph) -> None:
    routes = {r.inputs["metadata"]["name"]: r for r in https.by_type(ROUTE)}
    api, redirect = routes["llm-api"].inputs["spec"], routes["llm-api-https-redirect"].inputs["spec"]
    assert api["parentRefs"] == [{"name": "llm-gateway", "sectionName": "https"}]
    rules = [(r["matches"][0]["path"]["value"], r["backendRefs"][0]["name"]) for r in api["rules"]]
    assert rules == [("/simple/v1", "vllm-small"), ("/complex/v1", "vllm-large"), ("/v1", "vllm-medium")]
    assert api["rules"][0]["filters"] == [
        {"type": "URLRewrite", "urlRewrite": {"path": {"type": "ReplacePrefixMatch", "replacePrefixMatch": "/v1"}}}
    ]
    assert redirect["parentRefs"] == [{"name": "llm-gateway", "sectionName": "http"}]
    assert redirect["rules"] == [
        {"filters": [{"requestRedirect": {"scheme": "https", "statusCode": 301}, "type": "RequestRedirect"}]}
    ]


def test_every_tier_gets_a_health_check_and_a_backend_policy(https: StackGraph) -> None:
    checks = https.by_type("kubernetes:networking.gke.io/v1:HealthCheckPolicy")
    backends = https.by_type("kubernetes:networking.gke.io/v1:GCPBackendPolicy")
    assert sorted(c.inputs["spec"]["targetRef"]["name"] for c in checks) == ["vllm-large", "vllm-medium", "vllm-small"]
    for check in checks:
        http = check.inputs["spec"]["default"]["config"]["httpHealthCheck"]
        assert http == {"port": 8000, "portSpecification": "USE_FIXED_PORT", "requestPath": "/health"}
    policy = https.one("gcp:compute/securityPolicy:SecurityPolicy")
    for backend in backends:
        default = backend.inputs["spec"]["default"]
        assert default["timeoutSec"] == 1800
        assert default["logging"] == {"enabled": True, "sampleRate": 1000000}
        assert default["connectionDraining"] == {"drainingTimeoutSec": 120}
        assert default["securityPolicy"] == policy.inputs["name"]
        assert "iap" not in default
    assert "cdn" not in https.to_json().lower()
    assert "LoadBalancer" not in https.to_json()


def test_cloud_armor_throttles_per_client_after_the_waf(https: StackGraph) -> None:
    policy = https.one("gcp:compute/securityPolicy:SecurityPolicy").inputs
    assert policy["type"] == "CLOUD_ARMOR"
    assert policy["advancedOptionsConfig"]["jsonParsing"] == "STANDARD"
    rules = sorted(policy["rules"], key=lambda r: r["priority"])
    waf = [r for r in rules if "evaluatePreconfiguredWaf" in r["match"].get("expr", {}).get("expression", "")]
    throttle = next(r for r in rules if r["action"] == "throttle")
    assert waf and all(r["preview"] is True and r["action"] == "deny(403)" for r in waf)
    assert max(r["priority"] for r in waf) < throttle["priority"] == RATE_LIMIT_PRIORITY
    assert throttle["rateLimitOptions"] == {
        "conformAction": "allow",
        "enforceOnKey": "IP",
        "exceedAction": "deny(429)",
        "rateLimitThreshold": {"count": 600, "intervalSec": 60},
    }
    assert rules[-1]["priority"] == DEFAULT_PRIORITY and rules[-1]["action"] == "allow"
    assert all(len(r.get("description", "")) <= 64 for r in rules)


def test_each_rate_limited_tenant_has_its_own_throttle_on_the_global_policy() -> None:
    graph = _program({"auth": {"tenants": TENANTS}, "rateLimit": {"key": "apiKey"}})
    assert_tenant_throttles(graph.one("gcp:compute/securityPolicy:SecurityPolicy").inputs["rules"])
    assert "apiKey" not in graph.outputs


def test_the_generated_api_key_is_masked_everywhere(https: StackGraph) -> None:
    secret = https.one("kubernetes:core/v1:Secret")
    assert secret.inputs["metadata"]["name"] == "vllm-api-key"
    assert secret.inputs["stringData"] == "[secret]"
    assert https.outputs["apiKey"] == "[secret]"
    assert MOCK_SECRET_MARKER not in https.to_json()
    password = https.one("random:index/randomPassword:RandomPassword")
    assert (password.inputs["length"], password.inputs["special"]) == (48, False)


def test_a_configured_api_key_stays_secret() -> None:
    graph = _program({"domain": "llm.example.com", "auth": {"apiKey": "from-config-key-value-0123456789abcdef"}})
    assert "from-config-key-value-0123456789abcdef" not in graph.to_json()
    assert graph.by_type("random:index/randomPassword:RandomPassword") == []


def test_dev_is_http_only_without_certificates_or_redirect() -> None:
    graph = _program({"rateLimit": {"key": "apiKey"}}, tiers=("small",))
    gateway = graph.one(GATEWAY)
    assert [listener["name"] for listener in gateway.inputs["spec"]["listeners"]] == ["http"]
    assert "annotations" not in gateway.inputs["metadata"]
    assert graph.by_type("gcp:certificatemanager/certificate:Certificate") == []
    (route,) = graph.by_type(ROUTE)
    assert [r["backendRefs"][0]["name"] for r in route.inputs["spec"]["rules"]] == ["vllm-small", "vllm-small"]
    throttle = next(
        r for r in graph.one("gcp:compute/securityPolicy:SecurityPolicy").inputs["rules"] if r["action"] == "throttle"
    )
    assert throttle["rateLimitOptions"]["enforceOnKey"] == "HTTP_HEADER"
    assert throttle["rateLimitOptions"]["enforceOnKeyName"] == "Authorization"
    assert graph.outputs["url"] == "http://203.0.113.10"


def test_iap_mode_uses_the_given_client_and_grants_members() -> None:
    graph = _program({"domain": "llm.example.com", "auth": {"mode": "iap", "iap": IAP}})
    secret = graph.one("kubernetes:core/v1:Secret")
    assert secret.inputs["metadata"]["name"] == "iap-oauth-client"
    assert "iap-client-secret" not in graph.to_json()
    for backend in graph.by_type("kubernetes:networking.gke.io/v1:GCPBackendPolicy"):
        assert backend.inputs["spec"]["default"]["iap"] == {
            "enabled": True,
            "clientID": IAP["clientId"],
            "oauth2ClientSecret": {"name": "iap-oauth-client"},
        }
    (grant,) = graph.by_type("gcp:projects/iAMMember:IAMMember")
    assert (grant.inputs["role"], grant.inputs["member"]) == ("roles/iap.httpsResourceAccessor", "group:a@b.c")
    assert not [r for r in graph.resources if r.type.startswith("gcp:iap/")]  # no brands, no clients
    assert "apiKey" not in graph.outputs


@pytest.mark.parametrize("variant", ["https", "dev"])
def test_every_object_validates(variant: str, https: StackGraph) -> None:
    graph = https if variant == "https" else _program({}, tiers=("small",))
    for resource in custom_resources(graph.resources):
        assert problems(resource) == [], resource.urn
    for resource in built_in_objects(graph.resources):
        assert built_in_problems(resource) == [], resource.urn

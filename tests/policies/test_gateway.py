"""policies/rules/gateway.py through the runner, on the edge program's Gateway (issue 11 adds it)."""

from __future__ import annotations

import pytest

from tests.policies.conftest import DELETE, Case, changed, check_case, find, judge, swapped
from tools.policy import run_policies

BACKEND = ("gcp:compute/backendService:BackendService", "edge-backend")
ARMOR = ("gcp:compute/securityPolicy:SecurityPolicy", "edge-armor")
SMALL_POLICY = ("kubernetes:networking.gke.io/v1:GCPBackendPolicy", "edge-small-backend-policy")
GATEWAY = ("kubernetes:gateway.networking.k8s.io/v1:Gateway", "edge-gateway")
ROUTES = ("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", "edge-routes")
REDIRECT = ("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", "edge-redirect")
SMALL = ("kubernetes:apps/v1:Deployment", "edge-small")

CASES = [
    Case("lb-no-cdn-on-inference", "edge", BACKEND, lambda r: changed(r, {"enableCdn": True})),
    Case(
        "lb-no-cdn-on-inference",
        "edge",
        SMALL_POLICY,
        lambda r: changed(
            r,
            {"apiVersion": "cloud.google.com/v1", "kind": "BackendConfig", "spec": {"cdn": {"enabled": True}}},
            type="kubernetes:cloud.google.com/v1:BackendConfig",
        ),
        id="backend-config-cdn",
    ),
    Case(
        "lb-cloud-armor-attached",
        "edge",
        SMALL_POLICY,
        lambda r: changed(r, {"spec.default.securityPolicy": DELETE}),
        id="gcp-backend-policy",
    ),
    Case(
        "lb-cloud-armor-attached",
        "edge",
        BACKEND,
        lambda r: changed(r, {"securityPolicy": DELETE}),
        id="backend-service",
    ),
    Case(
        "lb-cloud-armor-rate-limit",
        "edge",
        ARMOR,
        lambda r: changed(r, {"rules.0.action": "allow", "rules.0.rateLimitOptions": DELETE}),
    ),
    Case("lb-backend-timeout", "edge", SMALL_POLICY, lambda r: changed(r, {"spec.default.timeoutSec": DELETE})),
    Case("lb-access-logging", "edge", SMALL_POLICY, lambda r: changed(r, {"spec.default.logging.enabled": False})),
    Case(
        "lb-https-in-prod",
        "edge",
        GATEWAY,
        lambda r: changed(r, {"spec.listeners.0.protocol": "HTTP", "spec.listeners.0.port": 8080}),
        stack=True,
        expect="no HTTPS listener",
        id="no-https-listener",
    ),
    Case(
        "lb-https-in-prod",
        "edge",
        ROUTES,
        lambda r: changed(r, {"spec.parentRefs.0.sectionName": DELETE}),
        stack=True,
        expect="plain-HTTP",
        id="route-on-every-listener",
    ),
    Case(
        "lb-https-in-prod",
        "edge",
        REDIRECT,
        lambda r: changed(r, {"spec.rules.0.filters.0.requestRedirect.scheme": "http"}),
        stack=True,
        id="redirect-not-to-https",
    ),
    Case(
        "lb-authenticated-routes",
        "edge",
        SMALL,
        lambda r: changed(r, {"spec.template.spec.containers.0.env": DELETE}),
        stack=True,
        expect="small",
        id="server-without-api-key",
    ),
    Case(
        "lb-api-key-by-reference",
        "edge",
        SMALL,
        lambda r: changed(r, {"spec.template.spec.containers.0.args": ["vllm", "serve", "--api-key", "sk-x", "sk-y"]}),
        expect="literal value",
        id="literal-key-on-the-command-line",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy(pack, policy_graphs, case: Case) -> None:
    check_case(pack, policy_graphs, case)


def test_iap_covers_a_backend_without_api_key(pack, policy_graphs) -> None:
    graph = policy_graphs["edge"]
    small, policy = find(graph, SMALL), find(graph, SMALL_POLICY)
    no_key = changed(small, {"spec.template.spec.containers.0.env": DELETE})
    with_iap = changed(
        policy, {"spec.default.iap": {"enabled": True, "clientID": "x", "oauth2ClientSecret": {"name": "s"}}}
    )
    report = judge(
        pack,
        swapped(swapped(graph, small, no_key), policy, with_iap),
        no_key,
        stack=True,
        policies=("lb-authenticated-routes",),
    )
    assert not report.by_policy("lb-authenticated-routes")


def test_edge_rules_relax_outside_prod(pack, policy_graphs) -> None:
    graph = policy_graphs["edge-dev"]
    small, gateway = find(graph, SMALL), find(graph, GATEWAY)
    open_dev = swapped(
        swapped(graph, small, changed(small, {"spec.template.spec.containers.0.env": DELETE})),
        gateway,
        changed(gateway, {"spec.listeners": [{"name": "http", "protocol": "HTTP", "port": 80}]}),
    )
    report = judge(pack, open_dev, small, stack=True, policies=("lb-authenticated-routes", "lb-https-in-prod"))
    assert not report.by_policy("lb-authenticated-routes") and not report.by_policy("lb-https-in-prod")


def test_timeout_threshold_comes_from_the_policy_config(pack, policy_graphs) -> None:

    graph = policy_graphs["edge"]
    policy = find(graph, SMALL_POLICY)  # timeoutSec 900
    config = {"lb-backend-timeout": {"enforcementLevel": "mandatory", "minTimeoutSec": 1800}}
    (violation,) = run_policies(pack, graph, config=config, resources=[policy]).by_policy("lb-backend-timeout")
    assert violation.level == "mandatory" and "at least 1800" in violation.message

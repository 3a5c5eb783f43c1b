"""policies/rules/gateway.py: every policy on an absent field and on each other wrong form."""

from __future__ import annotations

import pytest

from tests.policies.conftest import DELETE, changed
from tests.policies.forms import Form, absent, check_form, shape

BACKEND = ("gcp:compute/backendService:BackendService", "edge-backend")
ARMOR = ("gcp:compute/securityPolicy:SecurityPolicy", "edge-armor")
SMALL_POLICY = ("kubernetes:networking.gke.io/v1:GCPBackendPolicy", "edge-small-backend-policy")
GATEWAY = ("kubernetes:gateway.networking.k8s.io/v1:Gateway", "edge-gateway")
ROUTES = ("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", "edge-routes")
REDIRECT = ("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", "edge-redirect")
SMALL = ("kubernetes:apps/v1:Deployment", "edge-small")
SMALL_SERVICE = ("kubernetes:core/v1:Service", "edge-small-service")
BACKEND_CONFIG = "kubernetes:cloud.google.com/v1:BackendConfig"
CONTAINER = "spec.template.spec.containers.0"

FORMS = [
    absent("lb-no-cdn-on-inference", "edge", BACKEND, "enableCdn", fires=False),
    # Only a BackendConfig's own cdn block counts: one with CDN off, or without the block, passes.
    Form(
        "lb-no-cdn-on-inference",
        "false",
        "edge",
        SMALL_POLICY,
        lambda r: changed(
            r,
            {"apiVersion": "cloud.google.com/v1", "kind": "BackendConfig", "spec": {"cdn": {"enabled": False}}},
            type=BACKEND_CONFIG,
        ),
        "BackendConfig with spec.cdn.enabled=False",
        fires=False,
    ),
    Form(
        "lb-no-cdn-on-inference",
        "absent",
        "edge",
        SMALL_POLICY,
        lambda r: changed(
            r, {"apiVersion": "cloud.google.com/v1", "kind": "BackendConfig", "spec": {}}, type=BACKEND_CONFIG
        ),
        "BackendConfig without spec.cdn",
        fires=False,
    ),
    # A backend service without a scheme is EXTERNAL (the API's default); an internal one needs no Armor.
    Form(
        "lb-cloud-armor-attached",
        "absent",
        "edge",
        BACKEND,
        lambda r: changed(r, {"loadBalancingScheme": DELETE, "securityPolicy": DELETE}),
        "no scheme, no securityPolicy",
    ),
    Form(
        "lb-cloud-armor-attached",
        "wrong",
        "edge",
        BACKEND,
        lambda r: changed(r, {"loadBalancingScheme": "EXTERNAL", "securityPolicy": DELETE}),
        "EXTERNAL without securityPolicy",
    ),
    Form(
        "lb-cloud-armor-attached",
        "wrong",
        "edge",
        BACKEND,
        lambda r: changed(r, {"loadBalancingScheme": "INTERNAL_MANAGED", "securityPolicy": DELETE}),
        "INTERNAL_MANAGED without securityPolicy",
        fires=False,
    ),
    absent("lb-cloud-armor-attached", "edge", SMALL_POLICY, "spec.default"),
    absent("lb-cloud-armor-rate-limit", "edge", ARMOR, "rules"),
    shape("lb-cloud-armor-rate-limit", "empty", "edge", ARMOR, "rules", []),
    Form(
        "lb-cloud-armor-rate-limit",
        "wrong",
        "edge",
        ARMOR,
        lambda r: changed(r, {"rules.0.action": "rate_based_ban"}),
        "rate_based_ban",
        fires=False,
    ),
    shape("lb-cloud-armor-rate-limit", "wrong", "edge", ARMOR, "rules.0.action", "deny(403)"),
    absent("lb-backend-timeout", "edge", SMALL_POLICY, "spec.default", expect="timeoutSec is None"),
    shape("lb-backend-timeout", "wrong", "edge", SMALL_POLICY, "spec.default.timeoutSec", 299, expect="at least 300"),
    shape("lb-backend-timeout", "wrong", "edge", SMALL_POLICY, "spec.default.timeoutSec", 300, fires=False),
    absent("lb-access-logging", "edge", SMALL_POLICY, "spec.default.logging"),
    absent("lb-access-logging", "edge", SMALL_POLICY, "spec.default.logging.enabled"),
    absent("lb-https-in-prod", "edge", GATEWAY, "spec.listeners", stack=True, expect="no HTTPS listener"),
    shape("lb-https-in-prod", "empty", "edge", GATEWAY, "spec.listeners", [], stack=True, expect="no HTTPS listener"),
    shape(
        "lb-https-in-prod",
        "wrong",
        "edge",
        ROUTES,
        "spec.parentRefs.0.sectionName",
        "http",
        stack=True,
        expect="plain-HTTP",
    ),
    # A route bound to another Gateway is not this Gateway's to judge.
    shape("lb-https-in-prod", "wrong", "edge", ROUTES, "spec.parentRefs.0.name", "other", stack=True, fires=False),
    # ... but a second parent that is this Gateway's plain-HTTP listener still is.
    shape(
        "lb-https-in-prod",
        "wrong",
        "edge",
        ROUTES,
        "spec.parentRefs",
        [{"name": "other"}, {"name": "inference", "sectionName": "http"}],
        stack=True,
        expect="plain-HTTP",
    ),
    absent("lb-https-in-prod", "edge", REDIRECT, "spec.rules.0.filters", stack=True, expect="plain-HTTP"),
    shape("lb-https-in-prod", "empty", "edge", REDIRECT, "spec.rules", [], stack=True, expect="plain-HTTP"),
    Form(
        "lb-https-in-prod",
        "wrong",
        "edge",
        REDIRECT,
        lambda r: changed(r, {"spec.rules.0.backendRefs": [{"name": "small", "port": 8000}]}),
        "redirect rule that also forwards",
        stack=True,
        expect="plain-HTTP",
    ),
    shape(
        "lb-authenticated-routes",
        "wrong",
        "edge",
        SMALL,
        f"{CONTAINER}.env.0.name",
        "API_KEY",
        stack=True,
        expect="small",
    ),
    # The server's flag is as good as its environment variable, in either spelling.
    Form(
        "lb-authenticated-routes",
        "wrong",
        "edge",
        SMALL,
        lambda r: changed(r, {f"{CONTAINER}.env": DELETE, f"{CONTAINER}.args": ["vllm", "serve", "--api-key=$(KEY)"]}),
        "--api-key=... instead of VLLM_API_KEY",
        stack=True,
        fires=False,
    ),
    Form(
        "lb-authenticated-routes",
        "wrong",
        "edge",
        SMALL,
        lambda r: changed(r, {f"{CONTAINER}.env": DELETE, f"{CONTAINER}.args": ["vllm", "serve", "--api-key", "k"]}),
        "--api-key k instead of VLLM_API_KEY",
        stack=True,
        fires=False,
    ),
    Form(
        "lb-authenticated-routes",
        "wrong",
        "edge",
        SMALL,
        lambda r: changed(r, {f"{CONTAINER}.env": DELETE, f"{CONTAINER}.args": ["vllm serve --api-key k"]}),
        "--api-key inside a shell line",
        stack=True,
        fires=False,
    ),
    Form(
        "lb-authenticated-routes",
        "wrong",
        "edge",
        SMALL,
        lambda r: changed(r, {f"{CONTAINER}.env": DELETE, f"{CONTAINER}.args": ["vllm", "serve", "--api-keys"]}),
        "--api-keys is another flag",
        stack=True,
        expect="small",
    ),
    # A Service whose selector matches no guarded pod leaves the route unauthenticated.
    shape(
        "lb-authenticated-routes",
        "wrong",
        "edge",
        SMALL_SERVICE,
        "spec.selector",
        {"llm-platform/tier": "other"},
        stack=True,
        expect="small",
    ),
    absent("lb-authenticated-routes", "edge", SMALL_SERVICE, "spec.selector", stack=True, expect="small"),
    # A selector that selects nothing: empty, or not a map of labels at all.
    shape("lb-authenticated-routes", "empty", "edge", SMALL_SERVICE, "spec.selector", {}, stack=True, expect="small"),
    shape(
        "lb-authenticated-routes",
        "wrong",
        "edge",
        SMALL_SERVICE,
        "spec.selector",
        "llm-platform/tier=small",
        stack=True,
        expect="small",
    ),
    # API keys reach vLLM only by reference: an absent env is lb-authenticated-routes' concern.
    absent("lb-api-key-by-reference", "edge", SMALL, f"{CONTAINER}.env", fires=False),
    shape("lb-api-key-by-reference", "wrong", "edge", SMALL, f"{CONTAINER}.env.0.value", "sk-literal-key"),
    shape(
        "lb-api-key-by-reference",
        "wrong",
        "edge",
        SMALL,
        f"{CONTAINER}.env",
        [{"name": "VLLM_API_KEY_TEAM_A", "value": "sk-literal-key"}],  # a tenant's variable, literal
    ),
    shape("lb-api-key-by-reference", "wrong", "edge", SMALL, f"{CONTAINER}.args", ["--api-key", "sk-literal"]),
    shape("lb-api-key-by-reference", "wrong", "edge", SMALL, f"{CONTAINER}.args", ["--api-key=sk-literal"]),
    shape(
        "lb-api-key-by-reference",
        "wrong",
        "edge",
        SMALL,
        f"{CONTAINER}.args",
        ['exec vllm serve --port=8000 --api-key "${VLLM_API_KEY_A}" sk-literal && true'],
    ),
    shape(
        "lb-api-key-by-reference",
        "wrong",
        "edge",
        SMALL,
        f"{CONTAINER}.args",
        ["--port=8000", "--api-key", "$(VLLM_API_KEY_A)", "$(VLLM_API_KEY_B)", "--seed=1"],
        fires=False,
    ),
    shape(
        "lb-api-key-by-reference",
        "wrong",
        "edge",
        SMALL,
        f"{CONTAINER}.args",
        ['bash boot.sh && exec vllm serve --port=8000 --api-key "${VLLM_API_KEY_A}" "${VLLM_API_KEY_B}"'],
        fires=False,
    ),
]


@pytest.mark.parametrize("form", FORMS, ids=str)
def test_form(pack, policy_graphs, form: Form) -> None:
    check_form(pack, policy_graphs, form)

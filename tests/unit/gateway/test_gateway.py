"""The Gateway's pure decisions: listeners, routes, the redirect, health checks and backend defaults."""

from __future__ import annotations

from typing import cast

import pulumi
import pytest

from components.gateway.auth import IapBackend
from components.gateway.config import BackendConfig, RouteConfig
from components.gateway.gateway import (
    TierBackend,
    backend_defaults,
    health_check_spec,
    listeners,
    redirect_spec,
    route_spec,
)

# Routes read only a backend's Service name and port; the Service resource itself plays no part.
NO_SERVICE = cast(pulumi.Resource, None)
BACKENDS = {
    "small": TierBackend(service_name="vllm-small", port=8000, service=NO_SERVICE, draining_timeout_sec=120),
    "large": TierBackend(service_name="vllm-large", port=8000, service=NO_SERVICE, draining_timeout_sec=120),
}
ROUTES = [RouteConfig(path_prefix="/large", tier="large")]
LARGE_RULE = {
    "matches": [{"path": {"type": "PathPrefix", "value": "/large/v1"}}],
    "filters": [
        {"type": "URLRewrite", "urlRewrite": {"path": {"type": "ReplacePrefixMatch", "replacePrefixMatch": "/v1"}}}
    ],
    "backendRefs": [{"name": "vllm-large", "port": 8000}],
}
DEFAULT_RULE = {
    "matches": [{"path": {"type": "PathPrefix", "value": "/v1"}}],
    "backendRefs": [{"name": "vllm-small", "port": 8000}],
}


def test_https_is_listened_for_only_with_a_domain() -> None:
    assert listeners(https=False) == [{"name": "http", "protocol": "HTTP", "port": 80}]
    assert listeners(https=True) == [
        {"name": "http", "protocol": "HTTP", "port": 80},
        {"name": "https", "protocol": "HTTPS", "port": 443},
    ]


def test_with_a_domain_the_api_is_routed_on_https_for_that_host_only() -> None:
    assert route_spec("llm.example.com", ROUTES, "small", BACKENDS) == {
        "parentRefs": [{"name": "llm-gateway", "sectionName": "https"}],
        "hostnames": ["llm.example.com"],
        "rules": [LARGE_RULE, DEFAULT_RULE],
    }


def test_without_a_domain_the_api_is_routed_on_http_for_any_host() -> None:
    assert route_spec(None, ROUTES, "small", BACKENDS) == {
        "parentRefs": [{"name": "llm-gateway", "sectionName": "http"}],
        "rules": [LARGE_RULE, DEFAULT_RULE],
    }


def test_plain_http_for_the_domain_only_redirects_permanently() -> None:
    assert redirect_spec("llm.example.com") == {
        "parentRefs": [{"name": "llm-gateway", "sectionName": "http"}],
        "hostnames": ["llm.example.com"],
        "rules": [
            {"filters": [{"type": "RequestRedirect", "requestRedirect": {"scheme": "https", "statusCode": 301}}]}
        ],
    }


def test_the_health_check_probes_vllm_s_health_path_on_the_serving_port() -> None:
    spec = health_check_spec("vllm-small", 8000)
    assert spec["targetRef"] == {"group": "", "kind": "Service", "name": "vllm-small"}
    assert spec["default"]["config"] == {
        "type": "HTTP",
        "httpHealthCheck": {"portSpecification": "USE_FIXED_PORT", "port": 8000, "requestPath": "/health"},
    }


@pytest.mark.parametrize(
    ("rate", "logging"),
    [
        (1.0, {"enabled": True, "sampleRate": 1_000_000}),
        (0.25, {"enabled": True, "sampleRate": 250_000}),
        (0.0, {"enabled": False}),
    ],
)
def test_access_logs_are_sampled_in_millionths(rate: float, logging: dict[str, object]) -> None:
    defaults = backend_defaults(BackendConfig(log_sample_rate=rate), "llm-dev-gateway", None, 120)
    assert defaults["logging"] == logging


def test_backend_defaults_carry_timeouts_cloud_armor_and_iap_when_on() -> None:
    backend = BackendConfig(timeout_sec=600, draining_timeout_sec=60)
    # The draining written is the tier's own (components/serving/drain.py), passed in.
    assert backend_defaults(backend, "llm-prod-gateway", None, 60) == {
        "timeoutSec": 600,
        "connectionDraining": {"drainingTimeoutSec": 60},
        "logging": {"enabled": True, "sampleRate": 1_000_000},
        "securityPolicy": "llm-prod-gateway",
    }
    iap = IapBackend(client_id="123-abc.apps.googleusercontent.com", secret_name="iap-oauth-client")
    assert backend_defaults(backend, "llm-prod-gateway", iap, 60)["iap"] == {
        "enabled": True,
        "clientID": "123-abc.apps.googleusercontent.com",
        "oauth2ClientSecret": {"name": "iap-oauth-client"},
    }

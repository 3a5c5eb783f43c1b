"""The one entry point: a GKE Gateway on a global external Application Load Balancer.

A reserved global IP (`spec.addresses`, NamedAddress); with a domain, HTTPS from a Google-managed
Certificate Manager certificate (load-balancer authorization: no DNS record beyond the A record to
the IP; global, DEFAULT scope) through a certificate map named in the Gateway's
`networking.gke.io/certmap` annotation, and an HTTP listener that only redirects (301) to HTTPS.
One HTTPRoute sends `/<prefix>/v1/...` to a tier (the prefix is rewritten away) and `/v1/...` to the
default tier; nothing else is routed, so vLLM's unauthenticated `/metrics`, `/docs` and friends stay
inside the cluster. Per tier a HealthCheckPolicy (`/health` on the serving port) and a
GCPBackendPolicy (long timeout, access logs, connection draining, Cloud Armor, IAP when on). No
CDN, no Service of type LoadBalancer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_gcp as gcp
import pulumi_kubernetes as k8s

from components.base import PlatformComponent
from components.gateway.auth import IapBackend
from components.gateway.cloud_armor import adaptive_protection, security_policy_rules
from components.gateway.config import BackendConfig, GatewayConfig, RouteConfig
from components.naming import Naming

GATEWAY_NAME = "llm-gateway"
ROUTE_NAME = "llm-api"
REDIRECT_NAME = "llm-api-https-redirect"
API_PREFIX = "/v1"
HEALTH_PATH = "/health"
CERTMAP_ANNOTATION = "networking.gke.io/certmap"
GATEWAY_API = "gateway.networking.k8s.io/v1"
GKE_POLICY_API = "networking.gke.io/v1"
LABELS = {"app.kubernetes.io/part-of": "llm-platform", "app.kubernetes.io/managed-by": "pulumi"}


@dataclass(frozen=True)
class TierBackend:
    """A tier's ClusterIP Service, as the Gateway routes to it."""

    service_name: str
    port: int
    service: pulumi.Resource
    draining_timeout_sec: int  # the tier's drain (components/serving/drain.py): never longer than vLLM's


def tier_path(prefix: str | None) -> str:
    """The path clients call for a tier: `/simple/v1`, or `/v1` for the default tier."""
    return f"{prefix}{API_PREFIX}" if prefix else API_PREFIX


def route_rules(
    routes: Sequence[RouteConfig], default_tier: str, backends: Mapping[str, TierBackend]
) -> list[dict[str, Any]]:
    """HTTPRoute rules: each prefix to its tier with the prefix rewritten to `/v1`, `/v1` to the default."""

    def backend(tier: str) -> list[dict[str, Any]]:
        return [{"name": backends[tier].service_name, "port": backends[tier].port}]

    rules: list[dict[str, Any]] = [
        {
            "matches": [{"path": {"type": "PathPrefix", "value": tier_path(route.path_prefix)}}],
            "filters": [
                {
                    "type": "URLRewrite",
                    "urlRewrite": {"path": {"type": "ReplacePrefixMatch", "replacePrefixMatch": API_PREFIX}},
                }
            ],
            "backendRefs": backend(route.tier),
        }
        for route in routes
    ]
    rules.append(
        {"matches": [{"path": {"type": "PathPrefix", "value": API_PREFIX}}], "backendRefs": backend(default_tier)}
    )
    return rules


def listeners(https: bool) -> list[dict[str, Any]]:
    """HTTP always (it only redirects once HTTPS exists); HTTPS with a domain. No `tls` block: the
    certificate comes from the map (an empty `tls` defaults to Terminate, which then demands
    certificateRefs)."""
    http = [{"name": "http", "protocol": "HTTP", "port": 80}]
    return [*http, {"name": "https", "protocol": "HTTPS", "port": 443}] if https else http


def route_spec(
    domain: str | None, routes: Sequence[RouteConfig], default_tier: str, backends: Mapping[str, TierBackend]
) -> dict[str, Any]:
    """The API route: on the HTTPS listener for the domain when there is one, else on plain HTTP."""
    return {
        "parentRefs": [{"name": GATEWAY_NAME, "sectionName": "https" if domain else "http"}],
        **({"hostnames": [domain]} if domain else {}),
        "rules": route_rules(routes, default_tier, backends),
    }


def redirect_spec(domain: str) -> dict[str, Any]:
    """Plain HTTP for the domain answers only with a permanent redirect to HTTPS."""
    return {
        "parentRefs": [{"name": GATEWAY_NAME, "sectionName": "http"}],
        "hostnames": [domain],
        "rules": [
            {"filters": [{"type": "RequestRedirect", "requestRedirect": {"scheme": "https", "statusCode": 301}}]}
        ],
    }


def health_check_spec(service_name: str, port: int) -> dict[str, Any]:
    """vLLM's `/health` on the serving port, for the tier's backend service."""
    return {
        "targetRef": policy_target(service_name),
        "default": {
            "checkIntervalSec": 15,
            "timeoutSec": 5,
            "healthyThreshold": 1,
            "unhealthyThreshold": 2,
            "config": {
                "type": "HTTP",
                # A port needs USE_FIXED_PORT (the CRD's CEL rule); the serving port either way.
                "httpHealthCheck": {"portSpecification": "USE_FIXED_PORT", "port": port, "requestPath": HEALTH_PATH},
            },
        },
    }


def backend_defaults(
    backend: BackendConfig, security_policy: pulumi.Input[str], iap: IapBackend | None, draining_timeout_sec: int
) -> dict[str, Any]:
    """Every tier's backend service: timeouts, the tier's draining, sampled access logs (the API's
    sample rate is in millionths), the Cloud Armor policy, and IAP when on."""
    defaults: dict[str, Any] = {
        "timeoutSec": backend.timeout_sec,
        "connectionDraining": {"drainingTimeoutSec": draining_timeout_sec},
        "logging": (
            {"enabled": True, "sampleRate": round(backend.log_sample_rate * 1_000_000)}
            if backend.log_sample_rate > 0
            else {"enabled": False}
        ),
        "securityPolicy": security_policy,
    }
    if iap is not None:
        defaults["iap"] = {"enabled": True, "clientID": iap.client_id, "oauth2ClientSecret": {"name": iap.secret_name}}
    return defaults


def policy_target(service_name: str) -> dict[str, str]:
    """A GKE policy's target: the tier's Service."""
    return {"group": "", "kind": "Service", "name": service_name}


@dataclass(frozen=True)
class InferenceGatewayArgs:
    project: str
    naming: Naming
    config: GatewayConfig
    namespace: pulumi.Input[str]
    backends: Mapping[str, TierBackend]
    routes: Sequence[RouteConfig]
    default_tier: str
    provider: k8s.Provider
    iap: IapBackend | None = None


class InferenceGateway(PlatformComponent):
    def __init__(self, name: str, args: InferenceGatewayArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("gateway:InferenceGateway", name, opts)
        domain = args.config.domain
        self.address = self._address(name, args)
        self.security_policy = self._security_policy(name, args)
        self.certificate_map: gcp.certificatemanager.CertificateMap | None = None
        if domain is not None:
            self.certificate, self.certificate_map, self.certificate_map_entry = self._certificates(name, args, domain)
        self.gateway = self._gateway(name, args)
        self.route = self._route(name, args)
        self.redirect = self._redirect(name, args, domain) if domain is not None else None
        self.health_check_policies: dict[str, k8s.apiextensions.CustomResource] = {}
        self.backend_policies: dict[str, k8s.apiextensions.CustomResource] = {}
        for tier, backend in sorted(args.backends.items()):
            self.health_check_policies[tier] = self._health_check_policy(name, args, tier, backend)
            self.backend_policies[tier] = self._backend_policy(name, args, tier, backend)

        self.ip = self.address.address
        self.url = f"https://{domain}" if domain else self.address.address.apply(lambda ip: f"http://{ip}")
        self.register_outputs({"ip": self.ip, "url": self.url})

    def _address(self, name: str, args: InferenceGatewayArgs) -> gcp.compute.GlobalAddress:
        return gcp.compute.GlobalAddress(
            f"{name}-address",
            name=args.naming.name("gateway"),
            project=args.project,
            address_type="EXTERNAL",
            ip_version="IPV4",
            description="Static IP of the model API gateway",
            labels=args.naming.labels,
            opts=self.child(),
        )

    def _security_policy(self, name: str, args: InferenceGatewayArgs) -> gcp.compute.SecurityPolicy:
        return gcp.compute.SecurityPolicy(
            f"{name}-security-policy",
            name=args.naming.name("gateway"),
            project=args.project,
            type="CLOUD_ARMOR",
            description="Model API edge: preconfigured WAF, per-client rate limit",
            advanced_options_config=gcp.compute.SecurityPolicyAdvancedOptionsConfigArgs(
                json_parsing="STANDARD", log_level="NORMAL"
            ),
            rules=security_policy_rules(args.config.waf, args.config.rate_limit, args.config.auth.tenants),
            adaptive_protection_config=adaptive_protection(args.config.adaptive_protection),
            labels=args.naming.labels,
            opts=self.child(),
        )

    def _certificates(
        self, name: str, args: InferenceGatewayArgs, domain: str
    ) -> tuple[
        gcp.certificatemanager.Certificate,
        gcp.certificatemanager.CertificateMap,
        gcp.certificatemanager.CertificateMapEntry,
    ]:
        """A Google-managed certificate for the domain, in the map the Gateway's annotation names."""
        naming = args.naming
        certificate = gcp.certificatemanager.Certificate(
            f"{name}-certificate",
            name=naming.name("gateway"),
            project=args.project,
            description=f"Google-managed certificate for {domain}",
            scope="DEFAULT",
            managed=gcp.certificatemanager.CertificateManagedArgs(domains=[domain]),
            labels=naming.labels,
            opts=self.child(),
        )
        certificate_map = gcp.certificatemanager.CertificateMap(
            f"{name}-certificate-map",
            name=naming.name("gateway"),
            project=args.project,
            description="Certificates of the model API gateway",
            labels=naming.labels,
            opts=self.child(),
        )
        entry = gcp.certificatemanager.CertificateMapEntry(
            f"{name}-certificate-map-entry",
            name=naming.name("gateway"),
            project=args.project,
            map=certificate_map.name,
            hostname=domain,
            certificates=[certificate.id],
            labels=naming.labels,
            opts=self.child(),
        )
        return certificate, certificate_map, entry

    def _gateway(self, name: str, args: InferenceGatewayArgs) -> k8s.apiextensions.CustomResource:
        """The Gateway waits for its IP, certificate map entry and Cloud Armor policy; on destroy it
        goes first, and GKE's finalizer holds its deletion until the load balancer that uses the IP,
        the map and the policy is gone, so those deletions are never "resource in use"."""
        after: list[pulumi.Resource] = [self.address, self.security_policy]
        annotations: dict[str, pulumi.Input[str]] = {}
        if self.certificate_map is not None:
            annotations[CERTMAP_ANNOTATION] = self.certificate_map.name
            after.append(self.certificate_map_entry)
        return k8s.apiextensions.CustomResource(
            f"{name}-gateway",
            api_version=GATEWAY_API,
            kind="Gateway",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=GATEWAY_NAME, namespace=args.namespace, labels=LABELS, annotations=annotations or None
            ),
            spec={
                "gatewayClassName": args.config.class_name,
                "listeners": listeners(https=args.config.domain is not None),
                "addresses": [{"type": "NamedAddress", "value": self.address.name}],
            },
            opts=self.child(depends_on=after, provider=args.provider),
        )

    def _route(self, name: str, args: InferenceGatewayArgs) -> k8s.apiextensions.CustomResource:
        services = [backend.service for backend in args.backends.values()]
        return k8s.apiextensions.CustomResource(
            f"{name}-route",
            api_version=GATEWAY_API,
            kind="HTTPRoute",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=ROUTE_NAME, namespace=args.namespace, labels=LABELS),
            spec=route_spec(args.config.domain, args.routes, args.default_tier, args.backends),
            opts=self.child(depends_on=[self.gateway, *services], provider=args.provider),
        )

    def _redirect(self, name: str, args: InferenceGatewayArgs, domain: str) -> k8s.apiextensions.CustomResource:
        return k8s.apiextensions.CustomResource(
            f"{name}-https-redirect",
            api_version=GATEWAY_API,
            kind="HTTPRoute",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=REDIRECT_NAME, namespace=args.namespace, labels=LABELS),
            spec=redirect_spec(domain),
            opts=self.child(depends_on=[self.gateway], provider=args.provider),
        )

    def _health_check_policy(
        self, name: str, args: InferenceGatewayArgs, tier: str, backend: TierBackend
    ) -> k8s.apiextensions.CustomResource:
        return k8s.apiextensions.CustomResource(
            f"{name}-{tier}-health-check",
            api_version=GKE_POLICY_API,
            kind="HealthCheckPolicy",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=backend.service_name, namespace=args.namespace, labels=LABELS),
            spec=health_check_spec(backend.service_name, backend.port),
            opts=self.child(depends_on=[backend.service], provider=args.provider),
        )

    def _backend_policy(
        self, name: str, args: InferenceGatewayArgs, tier: str, backend: TierBackend
    ) -> k8s.apiextensions.CustomResource:
        return k8s.apiextensions.CustomResource(
            f"{name}-{tier}-backend-policy",
            api_version=GKE_POLICY_API,
            kind="GCPBackendPolicy",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=backend.service_name, namespace=args.namespace, labels=LABELS),
            spec={
                "targetRef": policy_target(backend.service_name),
                "default": backend_defaults(
                    args.config.backend, self.security_policy.name, args.iap, backend.draining_timeout_sec
                ),
            },
            opts=self.child(depends_on=[backend.service, self.security_policy], provider=args.provider),
        )

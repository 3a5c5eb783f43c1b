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
from components.gateway.cloud_armor import security_policy_rules
from components.gateway.config import GatewayConfig, RouteConfig
from components.naming import Naming

GATEWAY_NAME = "llm-gateway"
ROUTE_NAME = "llm-api"
REDIRECT_NAME = "llm-api-https-redirect"
API_PREFIX = "/v1"
HEALTH_PATH = "/health"
CERTMAP_ANNOTATION = "networking.gke.io/certmap"
GATEWAY_API = "gateway.networking.k8s.io/v1"
GKE_POLICY_API = "networking.gke.io/v1"


@dataclass(frozen=True)
class TierBackend:
    """A tier's ClusterIP Service, as the Gateway routes to it."""

    service_name: str
    port: int
    service: pulumi.Resource


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
        naming, config = args.naming, args.config
        labels = {"app.kubernetes.io/part-of": "llm-platform", "app.kubernetes.io/managed-by": "pulumi"}

        self.address = gcp.compute.GlobalAddress(
            f"{name}-address",
            name=naming.name("gateway"),
            project=args.project,
            address_type="EXTERNAL",
            ip_version="IPV4",
            description="Static IP of the model API gateway",
            labels=naming.labels,
            opts=self.child(),
        )
        self.security_policy = gcp.compute.SecurityPolicy(
            f"{name}-security-policy",
            name=naming.name("gateway"),
            project=args.project,
            type="CLOUD_ARMOR",
            description="Model API edge: preconfigured WAF, per-client rate limit",
            advanced_options_config=gcp.compute.SecurityPolicyAdvancedOptionsConfigArgs(
                json_parsing="STANDARD", log_level="NORMAL"
            ),
            rules=security_policy_rules(config.waf, config.rate_limit),
            labels=naming.labels,
            opts=self.child(),
        )

        annotations: dict[str, pulumi.Input[str]] = {}
        gateway_after: list[pulumi.Resource] = [self.address, self.security_policy]
        self.certificate_map: gcp.certificatemanager.CertificateMap | None = None
        https = config.domain is not None
        if config.domain is not None:
            self.certificate = gcp.certificatemanager.Certificate(
                f"{name}-certificate",
                name=naming.name("gateway"),
                project=args.project,
                description=f"Google-managed certificate for {config.domain}",
                scope="DEFAULT",
                managed=gcp.certificatemanager.CertificateManagedArgs(domains=[config.domain]),
                labels=naming.labels,
                opts=self.child(),
            )
            self.certificate_map = gcp.certificatemanager.CertificateMap(
                f"{name}-certificate-map",
                name=naming.name("gateway"),
                project=args.project,
                description="Certificates of the model API gateway",
                labels=naming.labels,
                opts=self.child(),
            )
            self.certificate_map_entry = gcp.certificatemanager.CertificateMapEntry(
                f"{name}-certificate-map-entry",
                name=naming.name("gateway"),
                project=args.project,
                map=self.certificate_map.name,
                hostname=config.domain,
                certificates=[self.certificate.id],
                labels=naming.labels,
                opts=self.child(),
            )
            annotations[CERTMAP_ANNOTATION] = self.certificate_map.name
            gateway_after.append(self.certificate_map_entry)

        listeners: list[dict[str, Any]] = [{"name": "http", "protocol": "HTTP", "port": 80}]
        if https:
            # No `tls` block: the certificate comes from the map (an empty `tls` defaults to
            # Terminate, which then demands certificateRefs).
            listeners.append({"name": "https", "protocol": "HTTPS", "port": 443})
        # The Gateway waits for its IP, certificate map entry and Cloud Armor policy; on destroy it
        # goes first, and GKE's finalizer holds its deletion until the load balancer that uses the
        # IP, the map and the policy is gone, so those deletions are never "resource in use".
        self.gateway = k8s.apiextensions.CustomResource(
            f"{name}-gateway",
            api_version=GATEWAY_API,
            kind="Gateway",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=GATEWAY_NAME, namespace=args.namespace, labels=labels, annotations=annotations or None
            ),
            spec={
                "gatewayClassName": config.class_name,
                "listeners": listeners,
                "addresses": [{"type": "NamedAddress", "value": self.address.name}],
            },
            opts=self.child(depends_on=gateway_after, provider=args.provider),
        )
        hostnames = [config.domain] if config.domain else None
        services = [backend.service for backend in args.backends.values()]
        self.route = k8s.apiextensions.CustomResource(
            f"{name}-route",
            api_version=GATEWAY_API,
            kind="HTTPRoute",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=ROUTE_NAME, namespace=args.namespace, labels=labels),
            spec={
                "parentRefs": [{"name": GATEWAY_NAME, "sectionName": "https" if https else "http"}],
                **({"hostnames": hostnames} if hostnames else {}),
                "rules": route_rules(args.routes, args.default_tier, args.backends),
            },
            opts=self.child(depends_on=[self.gateway, *services], provider=args.provider),
        )
        self.redirect: k8s.apiextensions.CustomResource | None = None
        if https:
            self.redirect = k8s.apiextensions.CustomResource(
                f"{name}-https-redirect",
                api_version=GATEWAY_API,
                kind="HTTPRoute",
                metadata=k8s.meta.v1.ObjectMetaArgs(name=REDIRECT_NAME, namespace=args.namespace, labels=labels),
                spec={
                    "parentRefs": [{"name": GATEWAY_NAME, "sectionName": "http"}],
                    "hostnames": hostnames,
                    "rules": [
                        {
                            "filters": [
                                {"type": "RequestRedirect", "requestRedirect": {"scheme": "https", "statusCode": 301}}
                            ]
                        }
                    ],
                },
                opts=self.child(depends_on=[self.gateway], provider=args.provider),
            )

        backend_defaults: dict[str, Any] = {
            "timeoutSec": config.backend.timeout_sec,
            "connectionDraining": {"drainingTimeoutSec": config.backend.draining_timeout_sec},
            "logging": (
                {"enabled": True, "sampleRate": round(config.backend.log_sample_rate * 1_000_000)}
                if config.backend.log_sample_rate > 0
                else {"enabled": False}
            ),
            "securityPolicy": self.security_policy.name,
        }
        if args.iap is not None:
            backend_defaults["iap"] = {
                "enabled": True,
                "clientID": args.iap.client_id,
                "oauth2ClientSecret": {"name": args.iap.secret_name},
            }
        self.health_check_policies: dict[str, k8s.apiextensions.CustomResource] = {}
        self.backend_policies: dict[str, k8s.apiextensions.CustomResource] = {}
        for tier, backend in sorted(args.backends.items()):
            target = {"group": "", "kind": "Service", "name": backend.service_name}
            self.health_check_policies[tier] = k8s.apiextensions.CustomResource(
                f"{name}-{tier}-health-check",
                api_version=GKE_POLICY_API,
                kind="HealthCheckPolicy",
                metadata=k8s.meta.v1.ObjectMetaArgs(name=backend.service_name, namespace=args.namespace, labels=labels),
                spec={
                    "targetRef": target,
                    "default": {
                        "checkIntervalSec": 15,
                        "timeoutSec": 5,
                        "healthyThreshold": 1,
                        "unhealthyThreshold": 2,
                        "config": {
                            "type": "HTTP",
                            # A port needs USE_FIXED_PORT (the CRD's CEL rule); the serving port either way.
                            "httpHealthCheck": {
                                "portSpecification": "USE_FIXED_PORT",
                                "port": backend.port,
                                "requestPath": HEALTH_PATH,
                            },
                        },
                    },
                },
                opts=self.child(depends_on=[backend.service], provider=args.provider),
            )
            self.backend_policies[tier] = k8s.apiextensions.CustomResource(
                f"{name}-{tier}-backend-policy",
                api_version=GKE_POLICY_API,
                kind="GCPBackendPolicy",
                metadata=k8s.meta.v1.ObjectMetaArgs(name=backend.service_name, namespace=args.namespace, labels=labels),
                spec={"targetRef": target, "default": backend_defaults},
                opts=self.child(depends_on=[backend.service, self.security_policy], provider=args.provider),
            )

        self.ip = self.address.address
        self.url = (
            f"https://{config.domain}" if config.domain else self.address.address.apply(lambda ip: f"http://{ip}")
        )
        self.register_outputs({"ip": self.ip, "url": self.url})

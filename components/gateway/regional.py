"""The Inference Gateway edge: a GKE Gateway on a regional external Application Load Balancer in front
of one InferencePool and endpoint picker per tier (`llm-platform:gateway:RegionalInferenceGateway`).

Why regional: the single-cluster GKE Inference Gateway runs on `gke-l7-regional-external-managed`
and `gke-l7-rilb` only (facts sheet, "LLM-aware routing"), and so does body-based routing (the
GCPRoutingExtension CRD: "only supported for Regional External Managed and Regional Internal Managed
Load Balancers"). Everything the load balancer uses is regional: a regional static IP (NamedAddress),
a regional Cloud Armor policy, and with a domain a regional Google-managed Certificate Manager
certificate. Regional load balancers take neither certificate maps nor load-balancer authorization
(certificate-manager/docs/overview, docs/certificates: "load balancer authorization ... only in the
global location"), so the certificate is DNS-authorized (a per-project CNAME, output as
`endpoint.dnsAuthorization`) and the HTTPS listener names it in `tls.options`
(`networking.gke.io/cert-manager-certs`). IAP is supported on the regional external ALB (the regional
backend service has `iap`), through the same GCPBackendPolicy. The network concern adds the proxy-only
subnet the load balancer's proxies use; the Gateway waits for it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_gcp as gcp
import pulumi_kubernetes as k8s

from components.base import PlatformComponent
from components.gateway.auth import IapBackend
from components.gateway.body_routing import BodyBasedRouter, BodyBasedRouterArgs
from components.gateway.config import GatewayConfig, RouteConfig
from components.gateway.endpoint_picker import EndpointPicker, EndpointPickerArgs
from components.gateway.gateway import (
    GATEWAY_API,
    GATEWAY_NAME,
    HEALTH_PATH,
    LABELS,
    REDIRECT_NAME,
    ROUTE_NAME,
    redirect_spec,
)
from components.gateway.inference_routes import model_route_rules, path_route_rules
from components.gateway.regional_armor import regional_security_policy_rules
from components.naming import Naming

CERT_MANAGER_CERTS = "networking.gke.io/cert-manager-certs"


@dataclass(frozen=True)
class PoolTier:
    """A tier as the Inference Gateway sees it: the pods its pool selects and the names it serves."""

    pool: str
    port: int
    serving_pods: Mapping[str, str]
    served_names: tuple[str, ...]
    workload: Sequence[pulumi.Resource]


def regional_listeners(certificate: pulumi.Input[str] | None) -> list[dict[str, Any]]:
    """HTTP always (it only redirects once HTTPS exists); HTTPS terminating with the regional certificate."""
    http = {"name": "http", "protocol": "HTTP", "port": 80}
    if certificate is None:
        return [http]
    tls = {"mode": "Terminate", "options": {CERT_MANAGER_CERTS: certificate}}
    return [http, {"name": "https", "protocol": "HTTPS", "port": 443, "tls": tls}]


def pool_backend_defaults(
    config: GatewayConfig, draining_timeout_sec: int, security_policy: pulumi.Input[str], iap: IapBackend | None
) -> dict[str, Any]:
    """A pool's backend service: the generation timeout, the draining the caller chose, sampled logs
    (the API's rate is in millionths), the regional Cloud Armor policy, and IAP when on."""
    backend = config.backend
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


@dataclass(frozen=True)
class RegionalInferenceGatewayArgs:
    project: str
    region: str
    naming: Naming
    config: GatewayConfig
    namespace: str
    tiers: Mapping[str, PoolTier]
    routes: Sequence[RouteConfig]
    default_tier: str
    # GCPBackendPolicy connectionDraining.drainingTimeoutSec of every pool, as the serving rollout needs it.
    draining_timeout_sec: int
    node_selector: Mapping[str, str]
    provider: k8s.Provider
    proxy_only_subnet: pulumi.Resource
    iap: IapBackend | None = None
    extra_depends_on: Sequence[pulumi.Resource] = field(default_factory=list)


class RegionalInferenceGateway(PlatformComponent):
    def __init__(
        self, name: str, args: RegionalInferenceGatewayArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("gateway:RegionalInferenceGateway", name, opts)
        self._name, self._args = name, args
        domain = args.config.domain
        self.address = self._address()
        self.security_policy = self._security_policy()
        self.dns_authorization: gcp.certificatemanager.DnsAuthorization | None = None
        self.certificate: gcp.certificatemanager.Certificate | None = None
        if domain is not None:
            self.dns_authorization, self.certificate = self._certificate(domain)
        self.gateway = self._gateway()
        self.body_router = self._body_router() if args.config.resolved_routing == "model" else None
        self.pickers = {tier: self._picker(tier, pool_tier) for tier, pool_tier in sorted(args.tiers.items())}
        self.route = self._route()
        self.redirect = self._redirect(domain) if domain is not None else None

        self.ip = self.address.address
        self.url = f"https://{domain}" if domain else self.address.address.apply(lambda ip: f"http://{ip}")
        self.dns_record = (
            self.dns_authorization.dns_resource_records.apply(_record) if self.dns_authorization is not None else None
        )
        self.register_outputs({"ip": self.ip, "url": self.url})

    def _address(self) -> gcp.compute.Address:
        args = self._args
        return gcp.compute.Address(
            f"{self._name}-address",
            name=args.naming.name("gateway"),
            project=args.project,
            region=args.region,
            address_type="EXTERNAL",
            network_tier="PREMIUM",
            description="Static IP of the model API gateway (regional external Application Load Balancer)",
            labels=args.naming.labels,
            opts=self.child(),
        )

    def _security_policy(self) -> gcp.compute.RegionSecurityPolicy:
        args = self._args
        return gcp.compute.RegionSecurityPolicy(
            f"{self._name}-security-policy",
            name=args.naming.name("gateway"),
            project=args.project,
            region=args.region,
            type="CLOUD_ARMOR",
            description="Model API edge: preconfigured WAF, per-client rate limit",
            advanced_options_config=gcp.compute.RegionSecurityPolicyAdvancedOptionsConfigArgs(
                json_parsing="STANDARD", log_level="NORMAL"
            ),
            rules=regional_security_policy_rules(args.config.waf, args.config.rate_limit, args.config.auth.tenants),
            opts=self.child(),
        )

    def _certificate(
        self, domain: str
    ) -> tuple[gcp.certificatemanager.DnsAuthorization, gcp.certificatemanager.Certificate]:
        """A regional Google-managed certificate, authorized by a per-project DNS record."""
        args = self._args
        authorization = gcp.certificatemanager.DnsAuthorization(
            f"{self._name}-dns-authorization",
            name=args.naming.name("gateway"),
            project=args.project,
            location=args.region,
            domain=domain,
            type="PER_PROJECT_RECORD",
            description=f"Authorizes the regional certificate for {domain}",
            labels=args.naming.labels,
            opts=self.child(),
        )
        certificate = gcp.certificatemanager.Certificate(
            f"{self._name}-certificate",
            name=args.naming.name("gateway"),
            project=args.project,
            location=args.region,
            description=f"Google-managed certificate for {domain}",
            managed=gcp.certificatemanager.CertificateManagedArgs(
                domains=[domain], dns_authorizations=[authorization.id]
            ),
            labels=args.naming.labels,
            opts=self.child(),
        )
        return authorization, certificate

    def _gateway(self) -> k8s.apiextensions.CustomResource:
        """The Gateway waits for its IP, certificate, Cloud Armor policy and the proxy-only subnet (the
        controller provisions nothing without an ACTIVE one); on destroy it goes first, and GKE's
        finalizer holds it until the load balancer that uses them is gone."""
        args = self._args
        after: list[pulumi.Resource] = [self.address, self.security_policy, args.proxy_only_subnet]
        if self.certificate is not None:
            after.append(self.certificate)
        return k8s.apiextensions.CustomResource(
            f"{self._name}-gateway",
            api_version=GATEWAY_API,
            kind="Gateway",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=GATEWAY_NAME, namespace=args.namespace, labels=LABELS),
            spec={
                "gatewayClassName": args.config.class_name,
                "listeners": regional_listeners(self.certificate.name if self.certificate is not None else None),
                "addresses": [{"type": "NamedAddress", "value": self.address.name}],
            },
            opts=self.child(depends_on=after, provider=args.provider),
        )

    def _body_router(self) -> BodyBasedRouter:
        args = self._args
        router_args = BodyBasedRouterArgs(
            namespace=args.namespace,
            gateway=GATEWAY_NAME,
            node_selector=dict(args.node_selector),
            provider=args.provider,
        )
        return BodyBasedRouter(f"{self._name}-body-router", router_args, self.child(depends_on=[self.gateway]))

    def _picker(self, tier: str, pool_tier: PoolTier) -> EndpointPicker:
        args = self._args
        picker_args = EndpointPickerArgs(
            pool=pool_tier.pool,
            namespace=args.namespace,
            port=pool_tier.port,
            serving_pods=pool_tier.serving_pods,
            config=args.config.endpoint_picker,
            node_selector=args.node_selector,
            health_path=HEALTH_PATH,
            backend_defaults=pool_backend_defaults(
                args.config, args.draining_timeout_sec, self.security_policy.name, args.iap
            ),
            provider=args.provider,
            pool_depends_on=list(pool_tier.workload),
            policy_depends_on=[self.security_policy],
        )
        return EndpointPicker(f"{self._name}-{tier}", picker_args, self.child())

    def _route(self) -> k8s.apiextensions.CustomResource:
        args = self._args
        pools = {tier: pool_tier.pool for tier, pool_tier in args.tiers.items()}
        if args.config.resolved_routing == "model":
            rules = model_route_rules({t: p.served_names for t, p in args.tiers.items()}, pools)
        else:
            rules = path_route_rules(args.routes, args.default_tier, pools)
        domain = args.config.domain
        after: list[pulumi.Resource] = [self.gateway, *(p.pool for p in self.pickers.values())]
        if self.body_router is not None:
            after += self.body_router.ready
        return k8s.apiextensions.CustomResource(
            f"{self._name}-route",
            api_version=GATEWAY_API,
            kind="HTTPRoute",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=ROUTE_NAME, namespace=args.namespace, labels=LABELS),
            spec={
                "parentRefs": [{"name": GATEWAY_NAME, "sectionName": "https" if domain else "http"}],
                **({"hostnames": [domain]} if domain else {}),
                "rules": rules,
            },
            opts=self.child(depends_on=after, provider=args.provider),
        )

    def _redirect(self, domain: str) -> k8s.apiextensions.CustomResource:
        args = self._args
        return k8s.apiextensions.CustomResource(
            f"{self._name}-https-redirect",
            api_version=GATEWAY_API,
            kind="HTTPRoute",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=REDIRECT_NAME, namespace=args.namespace, labels=LABELS),
            spec=redirect_spec(domain),
            opts=self.child(depends_on=[self.gateway], provider=args.provider),
        )


def _record(records: Sequence[Any] | None) -> dict[str, str] | None:
    """The CNAME the domain's zone must hold for the certificate to be issued."""
    if not records:
        return None
    first = records[0]
    return {"name": first.name, "type": first.type, "data": first.data}

"""Config keys of the edge: `llm-platform:gateway.*`."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from components.config.fields import FieldError, StrictModel, raise_all
from components.gateway.tenants import (
    MAX_TENANTS,
    IntervalSec,
    api_key_rule,
    tenant_problems,
    tenant_tier_problems,
)

# regional-inference: the GKE Inference Gateway, which runs on the regional classes only (facts sheet,
# "LLM-aware routing"): a regional external Application Load Balancer with a proxy-only subnet, a
# regional address, Cloud Armor policy and Certificate Manager certificate, an InferencePool and
# endpoint picker per tier. global: the global external Application Load Balancer in front of each
# tier's Service (certificate map, global address and policy).
Edge = Literal["regional-inference", "global"]
EDGE_CLASSES = {"regional-inference": "gke-l7-regional-external-managed", "global": "gke-l7-global-external-managed"}
# model: one endpoint; the request's `model` picks the tier (body-based routing copies it into a header
# the HTTPRoute matches; GCPRoutingExtension exists on the regional classes only). path: /<prefix>/v1.
Routing = Literal["model", "path"]
AuthMode = Literal["apiKey", "iap", "none"]
# Kubernetes quantities for the endpoint picker's requests (a subset: decimal CPUs or millicores, Mi/Gi).
_CPU = re.compile(r"^([1-9][0-9]*|[1-9][0-9]*m|[0-9]+\.[0-9]+)$")
_MEMORY = re.compile(r"^[1-9][0-9]*(Mi|Gi)$")

# Preconfigured WAF rule sets of Cloud Armor (armor/docs/waf-rules): CRS 3.3 and CRS 4.22 names.
WAF_RULES = tuple(
    f"{family}-{version}-stable"
    for version in ("v33", "v422")
    for family in (
        "sqli",
        "xss",
        "lfi",
        "rfi",
        "rce",
        "methodenforcement",
        "scannerdetection",
        "protocolattack",
        "php",
        "sessionfixation",
        "java",
        "nodejs",
    )
)
# What fits a JSON model API: the request-smuggling, scanner, method and injection families; the
# PHP, Java, Node.js and session-fixation sets target application stacks this API does not run.
DEFAULT_WAF_RULES = [
    "methodenforcement-v33-stable",
    "scannerdetection-v33-stable",
    "protocolattack-v33-stable",
    "sqli-v33-stable",
    "xss-v33-stable",
    "lfi-v33-stable",
    "rfi-v33-stable",
    "rce-v33-stable",
]

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_PREFIX = re.compile(r"^(/[A-Za-z0-9._~-]+)+$")
_MEMBER = re.compile(r"^(user|group|serviceAccount|domain|principal|principalSet):.+$")
_IAP_CLIENT_ID = re.compile(r"^[0-9]+-[a-z0-9]+\.apps\.googleusercontent\.com$")


def _domain(value: str) -> str:
    if not _DOMAIN.match(value):
        raise ValueError(
            f"{value!r} is not a fully qualified domain name (allowed: e.g. llm.example.com; no wildcard, which "
            "load-balancer-authorized certificates do not support)"
        )
    return value


def _path_prefix(value: str) -> str:
    if not _PREFIX.match(value) or value == "/v1" or value.startswith("/v1/"):
        raise ValueError(
            f"{value!r} is not a tier prefix (allowed: a path such as /simple, without a trailing '/', not /v1, "
            "which the default tier serves)"
        )
    return value


def _member(value: str) -> str:
    if not _MEMBER.match(value):
        raise ValueError(
            f"{value!r} is not an IAM member (allowed: user:, group:, serviceAccount:, domain:, principal: or "
            "principalSet: followed by the identity)"
        )
    return value


def _iap_client_id(value: str) -> str:
    if not _IAP_CLIENT_ID.match(value):
        raise ValueError(
            f"{value!r} is not an OAuth client id (allowed: NUMBER-ID.apps.googleusercontent.com, made in the "
            "Google Auth Platform console)"
        )
    return value


def _quantity(pattern: re.Pattern[str], allowed: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        if not pattern.match(value):
            raise ValueError(f"{value!r} is not {allowed}")
        return value

    return check


class RouteConfig(StrictModel):
    """Requests under `pathPrefix` + `/v1` go to `tier` (the prefix is stripped before the server)."""

    path_prefix: Annotated[str, AfterValidator(_path_prefix)]
    tier: str


DEFAULT_ROUTES = [RouteConfig(path_prefix="/simple", tier="small"), RouteConfig(path_prefix="/complex", tier="large")]


class IapConfig(StrictModel):
    """IAP on every tier's backend: an OAuth client made by hand (the IAP OAuth Admin API is shut down)."""

    client_id: Annotated[str, AfterValidator(_iap_client_id)]
    client_secret: str = Field(min_length=1, description="Set with `pulumi config set --secret --path`.")
    members: list[Annotated[str, AfterValidator(_member)]] = Field(
        min_length=1, description="Who may call the API (roles/iap.httpsResourceAccessor)."
    )


class TenantRateLimitConfig(StrictModel):
    """A tenant's own Cloud Armor throttle, per key: over `count` requests per `intervalSec`, 429."""

    count: int = Field(ge=1, le=1_000_000)
    interval_sec: IntervalSec = 60


class TenantConfig(StrictModel):
    """One caller of the API: its own key, optionally its own rate limit and the tiers it may call."""

    api_key: Annotated[str, AfterValidator(api_key_rule)] | None = Field(
        default=None,
        description="The tenant's key (--secret, at least 32 characters; with a rateLimit it must start with "
        "sk-<tenant>-). Generated as sk-<tenant>- and 48 letters and digits when unset.",
    )
    rate_limit: TenantRateLimitConfig | None = Field(
        default=None, description="Its own throttle per key; without it the general rateLimit applies."
    )
    tiers: list[str] | None = Field(
        default=None,
        min_length=1,
        description="The tiers it may call (vLLM on other tiers lacks its key); all when unset.",
    )


class AuthConfig(StrictModel):
    mode: AuthMode = "apiKey"
    api_key: Annotated[str, AfterValidator(api_key_rule)] | None = Field(
        default=None,
        description="apiKey mode: the key clients send, at least 32 random characters (its checksum is shown in "
        "the pod templates); set with --secret. Generated when unset.",
    )
    iap: IapConfig | None = None
    tenants: dict[str, TenantConfig] | None = Field(
        default=None,
        max_length=MAX_TENANTS,
        description="apiKey mode: one key per tenant (name -> apiKey?, rateLimit?, tiers?) instead of one shared "
        "key; revoking a tenant is removing its entry.",
    )

    @model_validator(mode="after")
    def _mode_fields(self) -> AuthConfig:
        problems = []
        if self.tenants is not None:
            if self.mode != "apiKey":
                problems.append(
                    FieldError("tenants", f"is set but mode is {self.mode} (allowed: only with mode apiKey)")
                )
            if self.api_key is not None:
                problems.append(
                    FieldError(
                        "apiKey",
                        "is set together with tenants (allowed: one of them; to keep this key, move it into a "
                        "tenant entry: tenants.<name>.apiKey)",
                    )
                )
            problems.extend(tenant_problems(self.tenants))
        if self.mode == "iap" and self.iap is None:
            problems.append(
                FieldError(
                    "iap.clientId",
                    "is required when mode is iap, with iap.clientSecret and iap.members (allowed: the OAuth "
                    "client you made for IAP)",
                )
            )
        if self.mode != "iap" and self.iap is not None:
            problems.append(FieldError("iap", f"is set but mode is {self.mode} (allowed: only with mode iap)"))
        if self.mode != "apiKey" and self.api_key is not None:
            problems.append(FieldError("apiKey", f"is set but mode is {self.mode} (allowed: only with mode apiKey)"))
        raise_all(problems)
        return self


class BackendConfig(StrictModel):
    """Load-balancer settings of every tier's backend service (GCPBackendPolicy)."""

    timeout_sec: int = Field(
        default=1800,
        ge=30,
        le=86400,
        description="The whole response, streamed or not, must finish within it: long enough for long generations.",
    )
    draining_timeout_sec: int = Field(default=120, ge=0, le=3600)
    log_sample_rate: float = Field(default=1.0, ge=0.0, le=1.0, description="Share of requests logged.")


class RateLimitConfig(StrictModel):
    """Cloud Armor `throttle`: over `count` requests per `intervalSec` per client, answer 429."""

    count: int = Field(default=600, ge=1, le=1_000_000)
    interval_sec: IntervalSec = 60
    key: Literal["ip", "apiKey"] = Field(
        default="ip", description="ip: per client address; apiKey: per Authorization header (apiKey mode)."
    )


class WafConfig(StrictModel):
    """Preconfigured WAF rules evaluated on requests (JSON bodies parsed)."""

    rules: list[Literal[WAF_RULES]] = Field(default_factory=lambda: list(DEFAULT_WAF_RULES))  # type: ignore[valid-type]
    preview: bool = Field(
        default=True,
        description="Log matches without blocking: prompts are free text that trips SQLi/XSS signatures.",
    )
    sensitivity: int = Field(default=1, ge=1, le=4)


class EndpointPickerConfig(StrictModel):
    """Each tier's endpoint picker (llm-d router EPP): its requests and what the pool does when it fails."""

    cpu: Annotated[str, AfterValidator(_quantity(_CPU, "a CPU quantity such as 2 or 500m"))] = Field(
        default="2", description="CPU request (the chart's default of 8 does not fit a small system pool)."
    )
    memory: Annotated[str, AfterValidator(_quantity(_MEMORY, "a memory quantity such as 4Gi or 512Mi"))] = Field(
        default="4Gi", description="Memory request; the limit is twice it."
    )
    failure_mode: Literal["FailOpen", "FailClose"] = Field(
        default="FailOpen",
        description="FailOpen: requests still reach a pod when the picker is down (InferencePool endpointPickerRef).",
    )


class GatewayConfig(StrictModel):
    edge: Edge = Field(
        default="regional-inference",
        description="regional-inference: GKE Inference Gateway (regional ALB, InferencePool, endpoint picker); "
        "global: global external ALB to each tier's Service.",
    )
    routing: Routing | None = Field(
        default=None,
        description="model (the request's model field picks the tier) or path; model on regional-inference.",
    )
    adaptive_protection: bool = Field(
        default=False, description="Cloud Armor Adaptive Protection (layer 7 DDoS defense); global edge only."
    )
    endpoint_picker: EndpointPickerConfig = Field(default_factory=EndpointPickerConfig)
    domain: Annotated[str, AfterValidator(_domain)] | None = Field(
        default=None, description="HTTPS with a Google-managed certificate; required in prod."
    )
    routes: list[RouteConfig] | None = Field(
        default=None, description="Defaults to /simple -> small and /complex -> large, for the tiers that exist."
    )
    default_tier: str | None = Field(
        default=None, description="Serves /v1; defaults to medium, else the smallest tier."
    )
    auth: AuthConfig = Field(default_factory=AuthConfig)
    backend: BackendConfig = Field(default_factory=BackendConfig)
    rate_limit: RateLimitConfig = Field(default_factory=RateLimitConfig)
    waf: WafConfig = Field(default_factory=WafConfig)

    @model_validator(mode="after")
    def _combinations(self) -> GatewayConfig:
        problems = []
        if self.auth.mode == "iap" and self.domain is None:
            problems.append(FieldError("domain", "is required with auth mode iap: IAP works on HTTPS only"))
        if self.routing == "model" and self.edge == "global":
            problems.append(
                FieldError(
                    "routing",
                    "model needs edge regional-inference: GKE's body-based routing (GCPRoutingExtension) runs on "
                    "regional load balancers only (allowed: path, or edge regional-inference)",
                )
            )
        if self.adaptive_protection and self.edge != "global":
            problems.append(
                FieldError(
                    "adaptiveProtection",
                    f"true needs edge global: pulumi-gcp's regional Cloud Armor policy (RegionSecurityPolicy) "
                    f"has no Adaptive Protection setting (allowed: false with edge {self.edge})",
                )
            )
        if self.rate_limit.key == "apiKey" and self.auth.mode != "apiKey":
            problems.append(
                FieldError("rateLimit.key", f"apiKey needs auth mode apiKey, not {self.auth.mode} (allowed: ip)")
            )
        prefixes = [route.path_prefix for route in self.routes or []]
        for index, prefix in enumerate(prefixes):
            if prefix in prefixes[:index]:
                problems.append(FieldError(f"routes.{index}.pathPrefix", f"{prefix} is routed twice (allowed: once)"))
        raise_all(problems)
        return self

    @property
    def class_name(self) -> str:
        return EDGE_CLASSES[self.edge]

    @property
    def regional(self) -> bool:
        return self.edge == "regional-inference"

    @property
    def resolved_routing(self) -> Routing:
        if self.routing is not None:
            return self.routing
        return "model" if self.regional else "path"

    def resolve_routes(self, tiers: Iterable[str], smallest: str) -> tuple[list[RouteConfig], str]:
        """The routes and default tier for the tiers a stack has; unset keys adapt to what exists."""
        names = set(tiers)
        routes = self.routes if self.routes is not None else [r for r in DEFAULT_ROUTES if r.tier in names]
        default = self.default_tier or ("medium" if "medium" in names else smallest)
        return routes, default

    def routing_problems(self, tiers: Iterable[str], smallest: str) -> list[FieldError]:
        """Routes that name a tier the stack does not have (fields relative to `gateway`)."""
        names = sorted(tiers)
        allowed = f"(allowed: {', '.join(names)})"
        problems = [
            FieldError(f"routes.{index}.tier", f"{route.tier!r} is not a configured tier {allowed}")
            for index, route in enumerate(self.routes or [])
            if route.tier not in names
        ]
        if self.default_tier is not None and self.default_tier not in names:
            problems.append(FieldError("defaultTier", f"{self.default_tier!r} is not a configured tier {allowed}"))
        return problems

    def tenant_tier_problems(self, tiers: Iterable[str]) -> list[FieldError]:
        """Tenants' allow-lists naming a tier the stack lacks, tiers no tenant may call (relative to `gateway`)."""
        return [FieldError(f"auth.{p.field}", str(p)) for p in tenant_tier_problems(self.auth.tenants or {}, tiers)]

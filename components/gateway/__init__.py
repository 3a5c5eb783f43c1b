"""Gateway: the authenticated, rate-limited entry point to every serving tier.

Creates: with `gateway.edge: regional-inference` (the default), the GKE Inference Gateway
(`llm-platform:gateway:RegionalInferenceGateway`): a Gateway on a regional external Application Load
Balancer (`gke-l7-regional-external-managed`) on a regional static IP, a regional Cloud Armor policy,
with a domain a DNS-authorized regional Certificate Manager certificate, HTTPS and the redirect; per
tier an InferencePool selecting the tier's serving pods and its endpoint picker (llm-d router v0.10.0:
Deployment, Service, ConfigMap, RBAC, metrics reader, PodMonitoring) with the pool's HealthCheckPolicy
and GCPBackendPolicy (`gateway:EndpointPicker`); with routing by model the body-based router and its
GCPRoutingExtension (`gateway:BodyBasedRouter`) and an HTTPRoute that matches each served model name.
With `gateway.edge: global`: a GKE Gateway (`gke-l7-global-external-managed`) on a reserved global IP; with a domain a
Google-managed Certificate Manager certificate, map and map entry, HTTPS and an HTTP->HTTPS
redirect; one HTTPRoute (`/<prefix>/v1` -> a tier, `/v1` -> the default tier); per tier a
HealthCheckPolicy and a GCPBackendPolicy; a Cloud Armor policy (preconfigured WAF, per-client
throttle) (`llm-platform:gateway:InferenceGateway`); the authentication: an API key in a Kubernetes
Secret, or IAP with a hand-made OAuth client and `roles/iap.httpsResourceAccessor` grants
(`gateway:Auth`).
Pure decisions: `cloud_armor.py` / `regional_armor.py` (rule order and expressions), the route rules
in `gateway.py` and `inference_routes.py`, `epp_manifests.py` (the pinned picker's objects), `models.py`
(served model names, unique across the stack).
Config keys: `llm-platform:gateway.*` (`GatewayConfig`).
APIs: compute (address, Cloud Armor); certificatemanager when a domain is set; iap in iap mode;
networkservices with the regional edge (the load balancer's extensions: picker and body router).
Outputs: the endpoint IP and URL, each tier's path or model names, the DNS record of the regional
certificate, the API key (secret).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from components.gateway.auth import GatewayAuth, GatewayAuthArgs, IapBackend
from components.gateway.body_routing import BBR_IMAGE
from components.gateway.epp_manifests import EPP_IMAGE
from components.gateway.gateway import InferenceGateway, InferenceGatewayArgs, TierBackend, tier_path
from components.gateway.models import config_problems, served_names
from components.gateway.regional import PoolTier, RegionalInferenceGateway, RegionalInferenceGatewayArgs

if TYPE_CHECKING:
    from components.config.platform import PlatformConfig

__all__ = [
    "GatewayAuth",
    "GatewayAuthArgs",
    "IapBackend",
    "InferenceGateway",
    "InferenceGatewayArgs",
    "PoolTier",
    "RegionalInferenceGateway",
    "RegionalInferenceGatewayArgs",
    "TierBackend",
    "admitted_images",
    "config_problems",
    "required_services",
    "served_names",
    "tier_path",
]


def admitted_images(config: PlatformConfig) -> list[str]:
    """The regional edge's pinned images, for Binary Authorization: the endpoint picker, and the
    body-based router when the model field routes."""
    if not config.gateway.regional:
        return []
    return [EPP_IMAGE, *([BBR_IMAGE] if config.gateway.resolved_routing == "model" else [])]


def required_services(config: PlatformConfig) -> set[str]:
    services = {"compute.googleapis.com"}
    if config.gateway.domain is not None:
        services.add("certificatemanager.googleapis.com")
    if config.gateway.auth.mode == "iap":
        services.add("iap.googleapis.com")
    if config.gateway.regional:
        # The Inference Gateway's callouts (endpoint picker, body-based router) are Service Extensions
        # (kubernetes-engine/docs/how-to/deploy-gke-inference-gateway: "Network Services API").
        services.add("networkservices.googleapis.com")
    return services

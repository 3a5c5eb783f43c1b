"""Gateway: the authenticated, rate-limited entry point to every serving tier.

Creates: a GKE Gateway (`gke-l7-global-external-managed`) on a reserved global IP; with a domain a
Google-managed Certificate Manager certificate, map and map entry, HTTPS and an HTTP->HTTPS
redirect; one HTTPRoute (`/<prefix>/v1` -> a tier, `/v1` -> the default tier); per tier a
HealthCheckPolicy and a GCPBackendPolicy; a Cloud Armor policy (preconfigured WAF, per-client
throttle) (`llm-platform:gateway:InferenceGateway`); the authentication: an API key in a Kubernetes
Secret, or IAP with a hand-made OAuth client and `roles/iap.httpsResourceAccessor` grants
(`gateway:Auth`).
Pure decisions: `cloud_armor.py` (rule order and expressions), the route rules in `gateway.py`.
Config keys: `llm-platform:gateway.*` (`GatewayConfig`).
APIs: compute (address, Cloud Armor); certificatemanager when a domain is set; iap in iap mode.
Outputs: the endpoint IP and URL, each tier's path, the API key (secret).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from components.gateway.auth import GatewayAuth, GatewayAuthArgs, IapBackend
from components.gateway.gateway import InferenceGateway, InferenceGatewayArgs, TierBackend, tier_path

if TYPE_CHECKING:
    from components.config.platform import PlatformConfig

__all__ = [
    "GatewayAuth",
    "GatewayAuthArgs",
    "IapBackend",
    "InferenceGateway",
    "InferenceGatewayArgs",
    "TierBackend",
    "required_services",
    "tier_path",
]


def required_services(config: PlatformConfig) -> set[str]:
    services = {"compute.googleapis.com"}
    if config.gateway.domain is not None:
        services.add("certificatemanager.googleapis.com")
    if config.gateway.auth.mode == "iap":
        services.add("iap.googleapis.com")
    return services

"""Config checks of operations that span other concerns' keys; each problem names the key to edit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from components.config.fields import FieldError
from components.operations import metrics
from components.operations.budget import MAX_BUDGET_CHANNELS
from components.operations.cache import cache_settings

if TYPE_CHECKING:
    from components.config.platform import PlatformConfig


def request_analytics_enabled(config: PlatformConfig) -> bool:
    enabled = config.observability.request_analytics.enabled
    return config.environment == "prod" if enabled is None else enabled


def private_services_demand(config: PlatformConfig) -> list[tuple[str, int]]:
    """What operations places in the private services range: (user, prefix length)."""
    if not config.cache.enabled:
        return []
    return [("Memorystore cache", cache_settings(config.cache, config.environment).reservation_prefix)]


def config_problems(config: PlatformConfig) -> list[FieldError]:
    """Operations' checks over the whole config (handed to the loader by `components/concerns.py`)."""
    problems: list[FieldError] = []
    cache = config.cache
    if cache.enabled:
        settings = cache_settings(cache, config.environment)
        if settings.tier == "BASIC" and settings.read_replicas:
            problems.append(
                FieldError(
                    "cache.readReplicas",
                    f"{settings.read_replicas} but tier is BASIC, which has no replicas "
                    "(allowed: 0, or tier STANDARD_HA)",
                )
            )

    observability = config.observability
    for tier in observability.slo.latency_threshold_ms_by_tier:
        if tier not in config.tiers:
            problems.append(
                FieldError(
                    f"observability.slo.latencyThresholdMsByTier.{tier}",
                    f"names no tier (allowed: {', '.join(sorted(config.tiers))})",
                )
            )
    namespace, port = config.serving.namespace, config.serving.port
    for tier in config.tiers:
        length = metrics.backend_service_name_length(namespace, tier, port)
        if length > metrics.MAX_BACKEND_SERVICE_NAME:
            problems.append(
                FieldError(
                    f"tiers.{tier}",
                    f"the Gateway's backend service for {metrics.workload_name(tier)} in namespace {namespace} "
                    "would be "
                    f"named with {length} characters, so GKE truncates it and the SLOs and alerts cannot select "
                    f"this tier's traffic (allowed: serving.namespace + tier name + port at most "
                    f"{metrics.MAX_BACKEND_SERVICE_NAME - length + len(namespace) + len(tier) + len(str(port))} "
                    "characters together)",
                )
            )
    channels = len(observability.notification_emails) + int(observability.pubsub_notifications)
    if config.budget.active and channels > MAX_BUDGET_CHANNELS:
        problems.append(
            FieldError(
                "observability.notificationEmails",
                f"{channels} notification channels but a budget takes at most {MAX_BUDGET_CHANNELS} "
                f"(allowed: at most {MAX_BUDGET_CHANNELS - int(observability.pubsub_notifications)} addresses)",
            )
        )
    return problems

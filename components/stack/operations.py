"""Operations off the request path: the cache, observability and the budget."""

from __future__ import annotations

from components.config.platform import PlatformConfig
from components.gke import GkeCluster
from components.naming import Naming
from components.operations import (
    Budget,
    BudgetArgs,
    Cache,
    CacheArgs,
    Observability,
    ObservabilityArgs,
    Scope,
    TierView,
    cache_settings,
    request_analytics_enabled,
)
from components.serving import ServingNamespace
from components.stack.foundation import Foundation


def operations(
    config: PlatformConfig, naming: Naming, base: Foundation, cluster: GkeCluster, serving: ServingNamespace
) -> tuple[Cache | None, Observability, Budget | None]:
    cache = None
    if config.cache.enabled:
        cache_args = CacheArgs(
            project=config.project,
            region=config.region,
            naming=naming,
            settings=cache_settings(config.cache, config.environment),
            maintenance=config.cluster.maintenance,
            network_id=base.network.network_id,
            private_services_connection=base.network.private_services_connection,
            namespace=serving.namespace_name,
            provider=cluster.provider,
            protect=config.protect,
        )
        cache = Cache("cache", cache_args, base.after_apis)
    scope = Scope(
        cluster=naming.name("gke"),  # the cluster's physical name (GkeCluster names it so)
        namespace=config.serving.namespace,
        port=config.serving.port,
        tiers=tuple(
            TierView(name, tier.model.name, tier.topology, tier.shape.multi_host)
            for name, tier in sorted(config.tiers.items())
        ),
        regional_edge=config.gateway.regional,
    )
    observability_args = ObservabilityArgs(
        project=config.project,
        region=config.region,
        naming=naming,
        scope=scope,
        config=config.observability,
        request_analytics=request_analytics_enabled(config),
        project_number=base.project_number,
        protect=config.protect,
        retain_request_logs=config.keep_request_logs,
    )
    observability = Observability("observability", observability_args, base.after_apis)
    budget = None
    if config.budget.active:
        budget_args = BudgetArgs(
            project=config.project,
            project_number=base.project_number,
            naming=naming,
            config=config.budget,
            notification_channels=[channel.name for channel in observability.channels],
        )
        budget = Budget("budget", budget_args, base.after_apis)
    return cache, observability, budget

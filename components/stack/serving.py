"""The serving plane: add-ons, registry, compile caches, auth, the tiers, and the Gateway in front of them."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.config.platform import PlatformConfig
from components.gateway import GatewayAuth, GatewayAuthArgs, InferenceGateway, InferenceGatewayArgs, TierBackend
from components.gke import (
    GkeCluster,
    LeaderWorkerSetController,
    LeaderWorkerSetControllerArgs,
    MetricsAdapter,
    MetricsAdapterArgs,
    TpuNodePool,
)
from components.identity import WorkloadIdentity
from components.naming import Naming
from components.serving import (
    CompileCacheGrant,
    CompileCacheGrantArgs,
    InferenceTier,
    InferenceTierArgs,
    RemoteRegistry,
    RemoteRegistryArgs,
    ServingNamespace,
)
from components.serving.inference_tier import workload_name
from components.stack.foundation import Foundation
from components.storage import ModelBucket, ModelStore


@dataclass(frozen=True)
class ServingPlane:
    """What the tiers run on besides their pools: the add-ons, the registry, the cache grant, the API key."""

    metrics_adapter: MetricsAdapter
    lws_ready: list[pulumi.Resource]
    registry: RemoteRegistry
    cache_grant: CompileCacheGrant
    auth: GatewayAuth


def serving_plane(
    config: PlatformConfig,
    naming: Naming,
    base: Foundation,
    cluster: GkeCluster,
    identity: WorkloadIdentity,
    serving: ServingNamespace,
) -> ServingPlane:
    adapter_args = MetricsAdapterArgs(
        project=config.project,
        project_number=base.project_number,
        workload_pool=cluster.workload_pool,
        provider=cluster.provider,
    )
    lws_ready: list[pulumi.Resource] = []
    if config.multi_host:
        lws = LeaderWorkerSetController("lws", LeaderWorkerSetControllerArgs(provider=cluster.provider))
        lws_ready = [*lws.ready, *([base.network.webhook_firewall] if base.network.webhook_firewall else [])]
    registry_args = RemoteRegistryArgs(
        project=config.project,
        project_number=base.project_number,
        region=config.region,
        naming=naming,
        config=config.serving.registry,
    )
    auth_args = GatewayAuthArgs(
        project=config.project, config=config.gateway.auth, namespace=serving.namespace_name, provider=cluster.provider
    )
    cache_args = CompileCacheGrantArgs(bucket=base.bucket.name, principal=identity.principal)
    return ServingPlane(
        metrics_adapter=MetricsAdapter("metrics-adapter", adapter_args, base.after_apis),
        lws_ready=lws_ready,
        registry=RemoteRegistry("registry", registry_args, base.after_apis),
        cache_grant=CompileCacheGrant("compile-cache", cache_args, base.after_apis),
        auth=GatewayAuth("auth", auth_args, base.after_apis),
    )


def inference_tiers(
    config: PlatformConfig,
    cluster: GkeCluster,
    pools: dict[str, TpuNodePool],
    serving: ServingNamespace,
    store: ModelStore,
    plane: ServingPlane,
    bucket: ModelBucket,
) -> dict[str, InferenceTier]:
    def tier_args(name: str) -> InferenceTierArgs:
        tier = config.tiers[name]
        return InferenceTierArgs(
            tier=name,
            config=tier,
            namespace=serving.namespace_name,
            service_account=serving.service_account_name,
            port=config.serving.port,
            image=plane.registry.image(tier.image or config.serving.image),
            mount=store.mount,
            cache_bucket=bucket.name,
            provider=cluster.provider,
            termination_grace_seconds=config.gateway.backend.draining_timeout_sec + 30,
            api_key=plane.auth.api_key_ref,
            autoscaler_depends_on=plane.metrics_adapter.ready,
            workload_depends_on=[
                pools[name].node_pool,
                serving.service_account,
                *store.mount.ready,
                *store.mount.folder_ready.get(tier.model.folder, []),
                plane.cache_grant.grant,
                plane.registry.repository,
                *plane.auth.secrets,
                *(plane.lws_ready if tier.shape.multi_host else []),
            ],
        )

    return {name: InferenceTier(f"serving-{name}", tier_args(name)) for name in sorted(config.tiers)}


def edge(
    config: PlatformConfig,
    naming: Naming,
    base: Foundation,
    cluster: GkeCluster,
    serving: ServingNamespace,
    tiers: dict[str, InferenceTier],
    auth: GatewayAuth,
) -> InferenceGateway:
    routes, default_tier = config.routes
    gateway_args = InferenceGatewayArgs(
        project=config.project,
        naming=naming,
        config=config.gateway,
        namespace=serving.namespace_name,
        backends={
            name: TierBackend(service_name=workload_name(name), port=config.serving.port, service=tier.service)
            for name, tier in tiers.items()
        },
        routes=routes,
        default_tier=default_tier,
        provider=cluster.provider,
        iap=auth.iap,
    )
    return InferenceGateway("gateway", gateway_args, base.after_apis)

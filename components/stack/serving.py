"""The serving plane: add-ons, registry, compile caches, auth, the tiers, and the Gateway in front of them."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.config.platform import PlatformConfig
from components.gateway import (
    GatewayAuth,
    GatewayAuthArgs,
    InferenceGateway,
    InferenceGatewayArgs,
    PoolTier,
    RegionalInferenceGateway,
    RegionalInferenceGatewayArgs,
    TierBackend,
)
from components.gateway.transport import plain_http_warning
from components.gke import (
    GkeCluster,
    LeaderWorkerSetController,
    LeaderWorkerSetControllerArgs,
    MetricsAdapter,
    MetricsAdapterArgs,
    TpuNodePool,
)
from components.gke.addons import ADAPTER_NAMESPACE, LWS_NAMESPACE
from components.gke.cluster import SYSTEM_POOL_LABELS
from components.identity import WorkloadIdentity
from components.isolation import NamespaceIsolation, NamespaceIsolationArgs, cluster_plans
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
from components.serving.drain import DrainTimings, drain_timings
from components.serving.inference_tier import workload_name
from components.serving.rollout import rollout
from components.stack.foundation import Foundation
from components.storage import ModelBucket, ModelStore


@dataclass(frozen=True)
class ServingPlane:
    """What the tiers run on besides their pools: the add-ons, the registry, the cache grant, the API key."""

    metrics_adapter: MetricsAdapter
    lws: LeaderWorkerSetController | None
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
    lws = None
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
        lws=lws,
        lws_ready=lws_ready,
        registry=RemoteRegistry("registry", registry_args, base.after_apis),
        cache_grant=CompileCacheGrant("compile-cache", cache_args, base.after_apis),
        auth=GatewayAuth("auth", auth_args, base.after_apis),
    )


def isolation(
    config: PlatformConfig, cluster: GkeCluster, serving: ServingNamespace, plane: ServingPlane
) -> dict[str, NamespaceIsolation]:
    """Every owned namespace's NetworkPolicies (components/isolation/flows.py says which flows and why)."""
    namespaces: dict[str, pulumi.Resource] = {
        config.serving.namespace: serving.namespace,
        ADAPTER_NAMESPACE: plane.metrics_adapter.namespace,
        **({LWS_NAMESPACE: plane.lws.namespace} if plane.lws else {}),
    }
    return {
        namespace: NamespaceIsolation(
            f"isolation-{namespace}",
            NamespaceIsolationArgs(
                namespace=namespace, plans=plans, provider=cluster.provider, namespace_resource=namespaces[namespace]
            ),
        )
        for namespace, plans in cluster_plans(config).items()
    }


def tier_drain(config: PlatformConfig, tier: str) -> DrainTimings:
    """A tier's drain timings: what its pods, its server and its backend policy all read."""
    return drain_timings(config.gateway.backend.draining_timeout_sec)


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
        plan = rollout(tier)
        if plan.below_minimum(tier):
            pulumi.log.info(
                f"tier {name} rolls by replacement ({plan.reason}): while a template change rolls out it runs one "
                f"replica below minReplicas {tier.min_replicas} for a drain and a startup"
            )
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
            drain=tier_drain(config, name),
            rollout=plan,
            api_key=plane.auth.api_key_ref,
            tenant_keys=plane.auth.keys_for(name),
            autoscaler_depends_on=plane.metrics_adapter.ready,
            compute_class=pools[name].compute_class_name,
            workload_depends_on=[
                *pools[name].ready,
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
) -> InferenceGateway | RegionalInferenceGateway:
    if warning := plain_http_warning(config):
        pulumi.log.warn(warning)
    if config.gateway.regional:
        return regional_edge(config, naming, base, cluster, serving, tiers, auth)
    routes, default_tier = config.routes
    gateway_args = InferenceGatewayArgs(
        project=config.project,
        naming=naming,
        config=config.gateway,
        namespace=serving.namespace_name,
        backends={
            name: TierBackend(
                service_name=workload_name(name),
                port=config.serving.port,
                service=tier.service,
                draining_timeout_sec=tier_drain(config, name).draining_timeout,
            )
            for name, tier in tiers.items()
        },
        routes=routes,
        default_tier=default_tier,
        provider=cluster.provider,
        iap=auth.iap,
    )
    return InferenceGateway("gateway", gateway_args, base.after_apis)


def regional_edge(
    config: PlatformConfig,
    naming: Naming,
    base: Foundation,
    cluster: GkeCluster,
    serving: ServingNamespace,
    tiers: dict[str, InferenceTier],
    auth: GatewayAuth,
) -> RegionalInferenceGateway:
    """The Inference Gateway: one pool per tier over the tier's serving pods (a LeaderWorkerSet's
    leaders only), its endpoint picker on the system pool."""
    routes, default_tier = config.routes
    proxy_only_subnet = base.network.proxy_only_subnet
    if proxy_only_subnet is None:  # foundation.regional_edge_network asks for it with this edge
        raise RuntimeError("the regional edge needs the network's proxy-only subnet")
    gateway_args = RegionalInferenceGatewayArgs(
        project=config.project,
        region=config.region,
        naming=naming,
        config=config.gateway,
        namespace=config.serving.namespace,
        tiers={
            name: PoolTier(
                pool=workload_name(name),
                port=config.serving.port,
                serving_pods=tier.serving_pods,
                served_names=tier.served_model_names,
                workload=[tier.service],
            )
            for name, tier in tiers.items()
        },
        routes=routes,
        default_tier=default_tier,
        # Every tier drains alike (components/serving/drain.py), so one value serves every pool's policy.
        draining_timeout_sec=max(tier_drain(config, name).draining_timeout for name in tiers),
        node_selector=SYSTEM_POOL_LABELS,
        provider=cluster.provider,
        proxy_only_subnet=proxy_only_subnet,
        iap=auth.iap,
    )
    after = pulumi.ResourceOptions(depends_on=[*base.services.resources, serving.namespace, *auth.secrets])
    return RegionalInferenceGateway("gateway", gateway_args, after)

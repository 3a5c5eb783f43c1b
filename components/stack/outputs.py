"""The stack outputs: what users call and what the estimates behind each tier's size say."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi

from components.config.platform import PlatformConfig
from components.cost import tier_cost
from components.gateway import InferenceGateway, RegionalInferenceGateway, tier_path
from components.gke import GkeCluster, TpuNodePool
from components.gke.capacity_chain import chain_output
from components.identity import WorkloadIdentity
from components.operations import Budget, Cache, Observability
from components.serving import InferenceTier, ServingNamespace, cold_start
from components.serving.inference_tier import workload_name
from components.serving.rollout import rollout
from components.stack.foundation import Foundation
from components.stack.serving import ServingPlane, tier_drain
from components.storage import ModelStore, ModelWeightsJob, weights_read_seconds


@dataclass(frozen=True)
class Platform:
    """Every concern a stack composed, as `__main__.py` built them."""

    config: PlatformConfig
    base: Foundation
    cluster: GkeCluster
    pools: dict[str, TpuNodePool]
    identity: WorkloadIdentity
    serving: ServingNamespace
    weights: dict[str, ModelWeightsJob]
    store: ModelStore
    plane: ServingPlane
    tiers: dict[str, InferenceTier]
    gateway: InferenceGateway | RegionalInferenceGateway
    cache: Cache | None
    observability: Observability
    budget: Budget | None


def tier_outputs(platform: Platform) -> dict[str, Any]:
    """Per tier: its pool, the estimates behind its size, and how clients reach it."""
    config = platform.config
    routes, default_tier = config.routes
    prefixes = {route.tier: route.path_prefix for route in reversed(routes)}
    outputs = {}
    for name, pool in platform.pools.items():
        tier = config.tiers[name]
        estimate = tier.estimate
        read_seconds = weights_read_seconds(estimate.weights_gib, platform.store.read_gib_s)
        by_path = config.gateway.resolved_routing == "path"
        reachable = by_path and (name in prefixes or name == default_tier)
        outputs[name] = {
            "nodePool": pool.node_pool.name,
            # The capacity chain: each step's mode and what it means; with more than one, the pools and
            # the ComputeClass that orders them.
            "capacityChain": chain_output(tier.capacity),
            "computeClass": pool.compute_class_name,
            "nodePools": [p.name for p in pool.pools] if pool.compute_class_name else None,
            "replicas": {"min": tier.min_replicas, "max": tier.max_replicas},
            "topology": pool.shape.topology,
            **estimate.as_output(),
            "estimatedWeightsReadSeconds": read_seconds,
            "workload": workload_name(name),
            "servedModelName": platform.tiers[name].served_model_name,
            # With routing by model, the names a request's `model` may carry to reach this tier.
            "models": None if by_path else list(platform.tiers[name].served_model_names),
            "weights": weights_output(platform, config.tiers[name].model.folder),
            "path": tier_path(prefixes.get(name)) if reachable else None,
            "estimatedColdStart": cold_start.estimate(tier.model.parameters_billion, read_seconds).as_output(),
            "cost": tier_cost(
                config.pricing, tier.capacity.modes, estimate.chips, estimate.decode_tokens_per_s_ceiling
            ),
            "drain": tier_drain(config, name).as_output(),
            "rollout": rollout(tier).as_output(tier),
        }
    return outputs


def weights_output(platform: Platform, folder: str) -> dict[str, Any]:
    """Where a tier's weights come from, where they land, and the Job that puts them there."""
    config, job = platform.config, platform.weights[folder]
    weights = job.weights
    return {
        "source": f"hf://{weights.repo}@{weights.revision}" if weights.repo else "uploaded by hand",
        "bucketFolder": f"gs://{platform.base.bucket.bucket_name}/{weights.object_prefix(config.model_store.prefix)}",
        "modelPath": weights.server_path(config.model_store.mount_path),
        "job": job.job.metadata.name,
    }


def export_outputs(platform: Platform) -> None:
    config, base, store, cache, budget = platform.config, platform.base, platform.store, platform.cache, platform.budget
    pulumi.export("network", base.network.network_name)
    pulumi.export("modelBucket", base.bucket.url)
    pulumi.export("cluster", platform.cluster.name)
    pulumi.export("clusterLocation", platform.cluster.location)
    pulumi.export("clusterDnsEndpoint", platform.cluster.dns_endpoint)
    pulumi.export("servingNamespace", platform.serving.namespace_name)
    pulumi.export("servingServiceAccount", platform.serving.service_account_name)
    pulumi.export("servingPrincipal", platform.identity.principal)
    pulumi.export("tiers", tier_outputs(platform))
    endpoint: dict[str, Any] = {
        "ip": platform.gateway.ip,
        "url": platform.gateway.url,
        "https": config.gateway.domain is not None,
        "auth": config.gateway.auth.mode,
        "defaultTier": config.routes[1] if config.gateway.resolved_routing == "path" else None,
        "edge": config.gateway.edge,
        "routing": config.gateway.resolved_routing,
    }
    if isinstance(platform.gateway, RegionalInferenceGateway) and platform.gateway.dns_record is not None:
        endpoint["dnsAuthorization"] = platform.gateway.dns_record  # the CNAME the certificate waits for
    pulumi.export("endpoint", endpoint)
    pulumi.export("imageRepository", platform.plane.registry.image_prefix)
    if platform.plane.auth.api_key is not None:
        pulumi.export("apiKey", platform.plane.auth.api_key)  # a secret: `pulumi stack output apiKey --show-secrets`
    if platform.plane.auth.tenant_keys:
        # One secret map: `pulumi stack output tenantApiKeys --show-secrets`.
        pulumi.export("tenantApiKeys", pulumi.Output.secret(platform.plane.auth.tenant_keys))
    model_store = {
        "type": store.mount.store,
        "claim": store.claim.metadata.name,
        "mountPath": store.mount.model_root,
        "readGiBPerSecond": None if store.read_gib_s is None else round(store.read_gib_s, 1),
        "source": pulumi.Output.concat("gs://", base.bucket.name, "/", config.model_store.prefix),
    }
    pulumi.export("modelStore", model_store)
    pulumi.export("cache", {"host": cache.host, "port": cache.port, "secret": cache.secret_name} if cache else None)
    pulumi.export("dashboard", platform.observability.dashboard_id)
    pulumi.export("budgetTopic", budget.topic.id if budget else None)

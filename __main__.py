"""The LLM inference platform: composes the components for one stack.

All decisions live in `components/`; this file only wires them together and exports.
"""

import pulumi
import pulumi_gcp as gcp

from components import concerns
from components.gateway import (
    GatewayAuth,
    GatewayAuthArgs,
    InferenceGateway,
    InferenceGatewayArgs,
    TierBackend,
    tier_path,
)
from components.gke import (
    GkeCluster,
    GkeClusterArgs,
    LeaderWorkerSetController,
    LeaderWorkerSetControllerArgs,
    MetricsAdapter,
    MetricsAdapterArgs,
    TpuNodePool,
    TpuNodePoolArgs,
)
from components.gke.addons import LWS_WEBHOOK_PORT
from components.gke.cluster import SYSTEM_POOL_LABELS
from components.identity import WorkloadIdentity, WorkloadIdentityArgs
from components.naming import Naming
from components.network import Network, NetworkArgs
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
from components.project import ProjectServices, ProjectServicesArgs
from components.serving import (
    CompileCacheGrant,
    CompileCacheGrantArgs,
    InferenceTier,
    InferenceTierArgs,
    RemoteRegistry,
    RemoteRegistryArgs,
    ServingNamespace,
    ServingNamespaceArgs,
    cold_start,
)
from components.serving.inference_tier import workload_name
from components.storage import (
    ModelBucket,
    ModelBucketArgs,
    ModelStoreArgs,
    StoreContext,
    create_model_store,
    weights_read_seconds,
)

config = concerns.load_config()
naming = Naming(stack=pulumi.get_stack(), environment=config.environment, extra_labels=config.labels)
multi_host = any(tier.shape.multi_host for tier in config.tiers.values())

services = ProjectServices(
    "services", ProjectServicesArgs(project=config.project, services=concerns.required_services(config))
)
after_apis = pulumi.ResourceOptions(depends_on=services.resources)

project = gcp.organizations.get_project_output(
    project_id=config.project, opts=pulumi.InvokeOutputOptions(depends_on=services.resources)
)
network = Network(
    "network",
    NetworkArgs(
        project=config.project,
        project_number=project.number,
        region=config.region,
        naming=naming,
        config=config.network,
        serving_port=config.serving.port,
        control_plane_cidr=config.cluster.master_ipv4_cidr,
        webhook_ports=(LWS_WEBHOOK_PORT,) if multi_host else (),
    ),
    after_apis,
)
model_bucket = ModelBucket(
    "models",
    ModelBucketArgs(
        project=config.project,
        region=config.region,
        naming=naming,
        config=config.model_bucket,
        protect=config.protect,
    ),
    after_apis,
)
cluster = GkeCluster(
    "gke",
    GkeClusterArgs(
        project=config.project,
        region=config.region,
        zone=config.zone,
        regional=config.regional_cluster,
        naming=naming,
        config=config.cluster,
        network=network.network_id,
        subnetwork=network.subnet_id,
        protect=config.protect,
        model_store=config.model_store_type,
        admitted_images=concerns.declared("admitted_images", config),
    ),
    after_apis,
)
tpu_pools = {
    tier_name: TpuNodePool(
        f"tier-{tier_name}",
        TpuNodePoolArgs(
            project=config.project,
            region=config.region,
            zone=config.zone,
            tier=tier_name,
            shape=tier.shape,
            capacity=tier.capacity,
            min_replicas=tier.min_replicas,
            max_replicas=tier.max_replicas,
            naming=naming,
            cluster_id=cluster.cluster.id,
            cluster_location=cluster.location,
            node_service_account=cluster.node_service_account_email,
        ),
        after_apis,
    )
    for tier_name, tier in sorted(config.tiers.items())
}
identity = WorkloadIdentity(
    "identity",
    WorkloadIdentityArgs(
        project_number=project.number,
        workload_pool=cluster.workload_pool,
        namespace=config.serving.namespace,
        service_account=config.serving.service_account,
        model_bucket=model_bucket.name,
    ),
    after_apis,
)
serving = ServingNamespace(
    "serving",
    ServingNamespaceArgs(
        namespace=identity.namespace,
        service_account=identity.service_account,
        naming=naming,
        provider=cluster.provider,
    ),
)

# The stores read the bucket as the serving KSA or their own identities: grants and namespace first.
model_store = create_model_store(
    "model-store",
    config.model_store_type,
    ModelStoreArgs(
        project=config.project,
        zone=config.zone,
        naming=naming,
        namespace=serving.namespace_name,
        service_account=serving.service_account_name,
        bucket=model_bucket.name,
        prefix=config.model_store.prefix,
        mount_path=config.model_store.mount_path,
        provider=cluster.provider,
        protect=config.protect,
    ),
    config.model_store,
    StoreContext(
        network_id=network.network_id,
        network_name=network.network_name,
        private_services_range=network.private_services_range.name,
        private_services_cidr=config.network.private_services_cidr,
        node_tag=naming.node_tag,
        project_number=project.number,
        workload_pool=cluster.workload_pool,
        cluster_id=cluster.cluster.id,
        cluster_location=cluster.location,
        node_service_account=cluster.node_service_account_email,
        system_node_selector=SYSTEM_POOL_LABELS,
        gcsfuse_cache_gib=config.gcsfuse_cache_gib,
        gcsfuse_serving_profile=config.gcsfuse_serving_profile,
    ),
    pulumi.ResourceOptions(
        depends_on=[
            identity.bucket_reader,
            serving.service_account,
            network.private_services_connection,
            *services.resources,
        ]
    ),
)

# --- Serving tiers behind one gateway (issue 11) ---------------------------------------------
metrics_adapter = MetricsAdapter(
    "metrics-adapter",
    MetricsAdapterArgs(
        project=config.project,
        project_number=project.number,
        workload_pool=cluster.workload_pool,
        provider=cluster.provider,
    ),
    after_apis,
)
lws_ready: list[pulumi.Resource] = []
if multi_host:
    lws = LeaderWorkerSetController("lws", LeaderWorkerSetControllerArgs(provider=cluster.provider))
    lws_ready = [*lws.ready, *([network.webhook_firewall] if network.webhook_firewall else [])]
registry = RemoteRegistry(
    "registry",
    RemoteRegistryArgs(
        project=config.project,
        project_number=project.number,
        region=config.region,
        naming=naming,
        config=config.serving.registry,
    ),
    after_apis,
)
cache_grant = CompileCacheGrant(
    "compile-cache", CompileCacheGrantArgs(bucket=model_bucket.name, principal=identity.principal), after_apis
)
auth = GatewayAuth(
    "auth",
    GatewayAuthArgs(
        project=config.project,
        config=config.gateway.auth,
        namespace=serving.namespace_name,
        provider=cluster.provider,
    ),
    after_apis,
)
inference_tiers = {
    tier_name: InferenceTier(
        f"serving-{tier_name}",
        InferenceTierArgs(
            tier=tier_name,
            config=tier,
            namespace=serving.namespace_name,
            service_account=serving.service_account_name,
            port=config.serving.port,
            image=registry.image(tier.image or config.serving.image),
            mount=model_store.mount,
            cache_bucket=model_bucket.name,
            provider=cluster.provider,
            termination_grace_seconds=config.gateway.backend.draining_timeout_sec + 30,
            api_key=auth.api_key_ref,
            autoscaler_depends_on=metrics_adapter.ready,
            workload_depends_on=[
                tpu_pools[tier_name].node_pool,
                serving.service_account,
                *model_store.mount.ready,
                cache_grant.grant,
                registry.repository,
                *auth.secrets,
                *(lws_ready if tier.shape.multi_host else []),
            ],
        ),
    )
    for tier_name, tier in sorted(config.tiers.items())
}
routes, default_tier = config.gateway.resolve_routes(config.tiers, config.smallest_tier)
gateway = InferenceGateway(
    "gateway",
    InferenceGatewayArgs(
        project=config.project,
        naming=naming,
        config=config.gateway,
        namespace=serving.namespace_name,
        backends={
            name: TierBackend(service_name=workload_name(name), port=config.serving.port, service=tier.service)
            for name, tier in inference_tiers.items()
        },
        routes=routes,
        default_tier=default_tier,
        provider=cluster.provider,
        iap=auth.iap,
    ),
    after_apis,
)
tier_prefixes = {route.tier: route.path_prefix for route in reversed(routes)}
tier_paths = {
    name: tier_path(tier_prefixes.get(name)) if name in tier_prefixes or name == default_tier else None
    for name in config.tiers
}

cache = (
    Cache(
        "cache",
        CacheArgs(
            project=config.project,
            region=config.region,
            naming=naming,
            settings=cache_settings(config.cache, config.environment),
            maintenance=config.cluster.maintenance,
            network_id=network.network_id,
            private_services_connection=network.private_services_connection,
            namespace=serving.namespace_name,
            provider=cluster.provider,
            protect=config.protect,
        ),
        after_apis,
    )
    if config.cache.enabled
    else None
)
observability = Observability(
    "observability",
    ObservabilityArgs(
        project=config.project,
        region=config.region,
        naming=naming,
        scope=Scope(
            cluster=naming.name("gke"),  # the cluster's physical name (GkeCluster names it so)
            namespace=config.serving.namespace,
            port=config.serving.port,
            tiers=tuple(
                TierView(name, tier.model.name, tier.topology, tier.shape.multi_host)
                for name, tier in sorted(config.tiers.items())
            ),
        ),
        config=config.observability,
        request_analytics=request_analytics_enabled(config),
        project_number=project.number,
        protect=config.protect,
    ),
    after_apis,
)
budget = (
    Budget(
        "budget",
        BudgetArgs(
            project=config.project,
            project_number=project.number,
            naming=naming,
            config=config.budget,
            notification_channels=[channel.name for channel in observability.channels],
        ),
        after_apis,
    )
    if config.budget.active
    else None
)

pulumi.export("network", network.network_name)
pulumi.export("modelBucket", model_bucket.url)
pulumi.export("cluster", cluster.name)
pulumi.export("clusterLocation", cluster.location)
pulumi.export("clusterDnsEndpoint", cluster.dns_endpoint)
pulumi.export("servingNamespace", serving.namespace_name)
pulumi.export("servingServiceAccount", serving.service_account_name)
pulumi.export("servingPrincipal", identity.principal)
pulumi.export(
    "tiers",
    {
        name: {
            "nodePool": pool.node_pool.name,
            "topology": pool.shape.topology,
            **config.tiers[name].estimate.as_output(),
            "estimatedWeightsReadSeconds": weights_read_seconds(
                config.tiers[name].estimate.weights_gib, model_store.read_gib_s
            ),
            "workload": workload_name(name),
            "servedModelName": inference_tiers[name].served_model_name,
            "path": tier_paths[name],
            "estimatedColdStart": cold_start.estimate(
                config.tiers[name].model.parameters_billion,
                weights_read_seconds(config.tiers[name].estimate.weights_gib, model_store.read_gib_s),
            ).as_output(),
        }
        for name, pool in tpu_pools.items()
    },
)
pulumi.export(
    "endpoint",
    {
        "ip": gateway.ip,
        "url": gateway.url,
        "https": config.gateway.domain is not None,
        "auth": config.gateway.auth.mode,
        "defaultTier": default_tier,
    },
)
pulumi.export("imageRepository", registry.image_prefix)
if auth.api_key is not None:
    pulumi.export("apiKey", auth.api_key)  # a secret: `pulumi stack output apiKey --show-secrets`
pulumi.export(
    "modelStore",
    {
        "type": model_store.mount.store,
        "claim": model_store.claim.metadata.name,
        "mountPath": model_store.mount.model_root,
        "readGiBPerSecond": None if model_store.read_gib_s is None else round(model_store.read_gib_s, 1),
        "source": pulumi.Output.concat("gs://", model_bucket.name, "/", config.model_store.prefix),
    },
)
pulumi.export(
    "cache",
    {"host": cache.host, "port": cache.port, "secret": cache.secret_name} if cache else None,
)
pulumi.export("dashboard", observability.dashboard_id)
pulumi.export("budgetTopic", budget.topic.id if budget else None)

"""The LLM inference platform: composes the components for one stack.

All decisions live in `components/`; this file only wires them together and exports.
"""

import pulumi
import pulumi_gcp as gcp

from components.config.platform import load_platform_config
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
from components.identity import WorkloadIdentity, WorkloadIdentityArgs
from components.naming import Naming
from components.network import Network, NetworkArgs
from components.project import ProjectServices, ProjectServicesArgs, platform_services
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
    GcsFuseModelStore,
    GcsFuseModelStoreArgs,
    ModelBucket,
    ModelBucketArgs,
    ModelStore,
    ModelStoreArgs,
    ParallelstoreModelStore,
    ParallelstoreModelStoreArgs,
    weights_read_seconds,
)

config = load_platform_config()
naming = Naming(stack=pulumi.get_stack(), environment=config.environment, extra_labels=config.labels)
multi_host = any(tier.shape.multi_host for tier in config.tiers.values())

services = ProjectServices("services", ProjectServicesArgs(project=config.project, services=platform_services(config)))
after_apis = pulumi.ResourceOptions(depends_on=services.resources)

network = Network(
    "network",
    NetworkArgs(
        project=config.project,
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
project = gcp.organizations.get_project_output(
    project_id=config.project, opts=pulumi.InvokeOutputOptions(depends_on=services.resources)
)
identity = WorkloadIdentity(
    "identity",
    WorkloadIdentityArgs(
        project=config.project,
        project_number=project.number,
        namespace=config.serving.namespace,
        service_account=config.serving.service_account,
        model_bucket=model_bucket.name,
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
serving = ServingNamespace(
    "serving",
    ServingNamespaceArgs(
        namespace=identity.namespace,
        service_account=identity.service_account,
        naming=naming,
        provider=cluster.provider,
    ),
)

store_args = ModelStoreArgs(
    zone=config.zone,
    naming=naming,
    namespace=serving.namespace_name,
    service_account=serving.service_account_name,
    bucket=model_bucket.name,
    prefix=config.model_store.prefix,
    mount_path=config.model_store.mount_path,
    provider=cluster.provider,
)
# The transfer and the FUSE mount read the bucket as the serving KSA: grant first.
store_opts = pulumi.ResourceOptions(depends_on=[identity.bucket_reader, serving.service_account])
model_store: ModelStore
if config.model_store_type == "parallelstore":
    model_store = ParallelstoreModelStore(
        "model-store",
        ParallelstoreModelStoreArgs(
            **vars(store_args),
            config=config.model_store.parallelstore,
            network_name=network.network_name,
            private_services_range=network.private_services_range.name,
        ),
        pulumi.ResourceOptions.merge(
            store_opts,
            pulumi.ResourceOptions(depends_on=[network.private_services_connection, *services.resources]),
        ),
    )
else:
    model_store = GcsFuseModelStore(
        "model-store", GcsFuseModelStoreArgs(**vars(store_args), config=config.model_store.gcsfuse), store_opts
    )

# --- Serving tiers behind one gateway (issue 11) ---------------------------------------------
metrics_adapter = MetricsAdapter(
    "metrics-adapter",
    MetricsAdapterArgs(
        project=config.project,
        project_number=project.number,
        workload_pool=cluster.cluster.workload_identity_config.workload_pool,
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

pulumi.export("network", network.network_name)
pulumi.export("modelBucket", model_bucket.url)
pulumi.export("cluster", cluster.name)
pulumi.export("clusterLocation", cluster.location)
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
        "source": pulumi.Output.concat("gs://", model_bucket.name, "/", config.model_store.prefix),
    },
)

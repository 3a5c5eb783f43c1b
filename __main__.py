"""The LLM inference platform: composes the components for one stack.

All decisions live in `components/`; this file only wires them together and exports.
"""

import pulumi
import pulumi_gcp as gcp

from components.config.platform import load_platform_config
from components.gke import GkeCluster, GkeClusterArgs, TpuNodePool, TpuNodePoolArgs
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
from components.project import ProjectServices, ProjectServicesArgs, platform_services
from components.serving import ServingNamespace, ServingNamespaceArgs
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
        }
        for name, pool in tpu_pools.items()
    },
)
pulumi.export(
    "modelStore",
    {
        "type": model_store.mount.store,
        "claim": model_store.claim.metadata.name,
        "mountPath": model_store.mount.model_root,
        "source": pulumi.Output.concat("gs://", model_bucket.name, "/", config.model_store.prefix),
    },
)
pulumi.export(
    "cache",
    {"host": cache.host, "port": cache.port, "secret": cache.secret_name} if cache else None,
)
pulumi.export("dashboard", observability.dashboard_id)
pulumi.export("budgetTopic", budget.topic.id if budget else None)

"""The LLM inference platform: composes the components for one stack.

All decisions live in `components/`; this file only wires them together and exports.
"""

import pulumi
import pulumi_gcp as gcp

from components.config import load_platform_config
from components.gke_cluster import GkeCluster, GkeClusterArgs
from components.model_bucket import ModelBucket, ModelBucketArgs
from components.naming import Naming
from components.network import Network, NetworkArgs
from components.project_services import ProjectServices, ProjectServicesArgs, required_services
from components.serving_namespace import ServingNamespace, ServingNamespaceArgs
from components.tpu_node_pool import TpuNodePool, TpuNodePoolArgs
from components.workload_identity import WorkloadIdentity, WorkloadIdentityArgs

config = load_platform_config()
naming = Naming(stack=pulumi.get_stack(), environment=config.environment, extra_labels=config.labels)

services = ProjectServices("services", ProjectServicesArgs(project=config.project, services=required_services()))
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
            config=tier,
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
        }
        for name, pool in tpu_pools.items()
    },
)

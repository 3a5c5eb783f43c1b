"""The foundation every concern builds on: APIs, network, bucket, cluster and pools, identity, model weights."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_gcp as gcp

from components import concerns
from components.config.platform import PlatformConfig
from components.gateway.body_routing import EXT_PROC_PORT as BBR_EXT_PROC_PORT
from components.gateway.body_routing import HEALTH_PORT as BBR_HEALTH_PORT
from components.gateway.epp_manifests import EXT_PROC_PORT as EPP_EXT_PROC_PORT
from components.gateway.epp_manifests import HEALTH_PORT as EPP_HEALTH_PORT
from components.gke import GkeCluster, GkeClusterArgs, TpuNodePool, TpuNodePoolArgs
from components.gke.addons import LWS_WEBHOOK_PORT
from components.gke.cluster import SYSTEM_POOL_LABELS
from components.identity import WorkloadIdentity, WorkloadIdentityArgs
from components.naming import Naming
from components.network import Network, NetworkArgs
from components.project import ProjectServices, ProjectServicesArgs
from components.serving import ServingNamespace, ServingNamespaceArgs
from components.serving.images import pull_through
from components.serving.registry import repository_id
from components.serving.rollout import rollout
from components.storage import (
    ModelBucket,
    ModelBucketArgs,
    ModelStore,
    ModelStoreArgs,
    ModelWeightsJob,
    StoreContext,
    create_model_store,
)


@dataclass(frozen=True)
class Foundation:
    """The project's APIs, its number, the network and the model bucket: what every concern builds on."""

    services: ProjectServices
    project_number: pulumi.Output[str]
    network: Network
    bucket: ModelBucket

    @property
    def after_apis(self) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(depends_on=self.services.resources)


def build_foundation(config: PlatformConfig, naming: Naming) -> Foundation:
    services = ProjectServices(
        "services", ProjectServicesArgs(project=config.project, services=concerns.required_services(config))
    )
    after_apis = pulumi.ResourceOptions(depends_on=services.resources)
    project = gcp.organizations.get_project_output(
        project_id=config.project, opts=pulumi.InvokeOutputOptions(depends_on=services.resources)
    )
    network_args = NetworkArgs(
        project=config.project,
        project_number=project.number,
        region=config.region,
        naming=naming,
        config=config.network,
        serving_port=config.serving.port,
        control_plane_cidr=config.cluster.master_ipv4_cidr,
        webhook_ports=(LWS_WEBHOOK_PORT,) if config.multi_host else (),
        **regional_edge_network(config),
    )
    bucket_args = ModelBucketArgs(
        project=config.project,
        region=config.region,
        naming=naming,
        config=config.model_bucket,
        protect=config.protect,
        retain_on_delete=config.keep_model_bucket,
    )
    return Foundation(
        services=services,
        project_number=project.number,
        network=Network("network", network_args, after_apis),
        bucket=ModelBucket("models", bucket_args, after_apis),
    )


def regional_edge_network(config: PlatformConfig) -> dict[str, Any]:
    """What the regional edge needs of the network: the proxy-only subnet and the ports its proxies
    and health checkers reach (the serving port, the pickers' and the body router's callouts)."""
    if not config.gateway.regional:
        return {}
    callouts, health = [EPP_EXT_PROC_PORT], [EPP_HEALTH_PORT]
    if config.gateway.resolved_routing == "model":
        callouts.append(BBR_EXT_PROC_PORT)
        health.append(BBR_HEALTH_PORT)
    return {
        "proxy_only_cidr": config.network.proxy_only_cidr,
        "proxy_ports": (config.serving.port, *callouts),
        "extension_health_ports": tuple(health),
    }


def admitted_references(config: PlatformConfig, naming: Naming) -> list[str]:
    """Every image the concerns pin, where nodes pull it from: Docker Hub ones through the stack's remote
    repository, by the same tag or digest (Binary Authorization then admits exactly those references)."""
    repository = repository_id(config.serving.registry, naming)
    return [
        pull_through(reference, region=config.region, project=config.project, repository=repository)
        for reference in concerns.declared("admitted_images", config)
    ]


def cluster_and_pools(
    config: PlatformConfig, naming: Naming, base: Foundation
) -> tuple[GkeCluster, dict[str, TpuNodePool]]:
    cluster_args = GkeClusterArgs(
        project=config.project,
        region=config.region,
        zone=config.zone,
        regional=config.regional_cluster,
        naming=naming,
        config=config.cluster,
        network=base.network.network_id,
        subnetwork=base.network.subnet_id,
        protect=config.protect,
        model_store=config.model_store_type,
        admitted_images=admitted_references(config, naming),
    )
    cluster = GkeCluster("gke", cluster_args, base.after_apis)
    pools = {
        name: TpuNodePool(
            f"tier-{name}",
            TpuNodePoolArgs(
                project=config.project,
                region=config.region,
                zone=config.zone,
                tier=name,
                shape=tier.shape,
                capacity=tier.capacity,
                min_replicas=tier.min_replicas,
                max_replicas=tier.max_replicas,
                naming=naming,
                cluster_id=cluster.cluster.id,
                cluster_location=cluster.location,
                node_service_account=cluster.node_service_account_email,
                rollout_surge_nodes=rollout(tier).surge_nodes,
                provider=cluster.provider,
            ),
            base.after_apis,
        )
        for name, tier in sorted(config.tiers.items())
    }
    return cluster, pools


def serving_identity(
    config: PlatformConfig, naming: Naming, base: Foundation, cluster: GkeCluster
) -> tuple[WorkloadIdentity, ServingNamespace]:
    identity_args = WorkloadIdentityArgs(
        project_number=base.project_number,
        workload_pool=cluster.workload_pool,
        namespace=config.serving.namespace,
        service_account=config.serving.service_account,
        model_bucket=base.bucket.name,
    )
    identity = WorkloadIdentity("identity", identity_args, base.after_apis)
    namespace_args = ServingNamespaceArgs(
        namespace=identity.namespace, service_account=identity.service_account, naming=naming, provider=cluster.provider
    )
    return identity, ServingNamespace("serving", namespace_args)


def model_weights(
    config: PlatformConfig,
    naming: Naming,
    base: Foundation,
    cluster: GkeCluster,
    identity: WorkloadIdentity,
    serving: ServingNamespace,
    weights: dict[str, ModelWeightsJob],
) -> ModelStore:
    store_args = ModelStoreArgs(
        project=config.project,
        zone=config.zone,
        naming=naming,
        namespace=serving.namespace_name,
        service_account=serving.service_account_name,
        bucket=base.bucket.name,
        prefix=config.model_store.prefix,
        mount_path=config.model_store.mount_path,
        provider=cluster.provider,
        protect=config.protect,
        bucket_name=base.bucket.bucket_name,
        weights=tuple(job.weights for job in weights.values()),
        weights_ready={folder: job.job for folder, job in weights.items()},
    )
    context = StoreContext(
        network_id=base.network.network_id,
        network_name=base.network.network_name,
        private_services_range=base.network.private_services_range.name,
        private_services_cidr=config.network.private_services_cidr,
        node_tag=naming.node_tag,
        project_number=base.project_number,
        workload_pool=cluster.workload_pool,
        cluster_id=cluster.cluster.id,
        cluster_location=cluster.location,
        node_service_account=cluster.node_service_account_email,
        system_node_selector=SYSTEM_POOL_LABELS,
        gcsfuse_cache_gib=config.gcsfuse_cache_gib,
        gcsfuse_serving_profile=config.gcsfuse_serving_profile,
    )
    # The stores read the bucket as the serving KSA or their own identities: grants and namespace first.
    after = [
        identity.bucket_reader,
        serving.service_account,
        base.network.private_services_connection,
        *base.services.resources,
    ]
    return create_model_store(
        "model-store",
        config.model_store_type,
        store_args,
        config.model_store,
        context,
        pulumi.ResourceOptions(depends_on=after),
    )

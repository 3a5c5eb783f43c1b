"""A hardened GKE Standard cluster for TPU serving, with its node identity and a Kubernetes provider."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp
import pulumi_kubernetes as k8s

from components.base import PlatformComponent
from components.gke.config import ClusterConfig
from components.identity.workload_identity import workload_pool
from components.naming import Naming
from components.network.network import PODS_RANGE_NAME, SERVICES_RANGE_NAME

# What a node needs and nothing more: write logs and metrics, read metadata for them, pull images
# from Artifact Registry, and (for image streaming on a custom node account) consume services.
NODE_ROLES = (
    "roles/logging.logWriter",
    "roles/monitoring.metricWriter",
    "roles/monitoring.viewer",
    "roles/stackdriver.resourceMetadata.writer",
    "roles/artifactregistry.reader",
    "roles/serviceusage.serviceUsageConsumer",
)
CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"


def kubeconfig(cluster_name: str, endpoint: str, ca_certificate: str) -> str:
    """A kubeconfig that authenticates with gke-gcloud-auth-plugin (the user's gcloud credentials)."""
    return f"""apiVersion: v1
kind: Config
clusters:
- name: {cluster_name}
  cluster:
    server: https://{endpoint}
    certificate-authority-data: {ca_certificate}
contexts:
- name: {cluster_name}
  context:
    cluster: {cluster_name}
    user: {cluster_name}
current-context: {cluster_name}
users:
- name: {cluster_name}
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: gke-gcloud-auth-plugin
      installHint: Install gke-gcloud-auth-plugin (gcloud components install gke-gcloud-auth-plugin)
      provideClusterInfo: true
      interactiveMode: Never
"""


@dataclass(frozen=True)
class GkeClusterArgs:
    project: str
    region: str
    zone: str
    regional: bool
    naming: Naming
    config: ClusterConfig
    network: pulumi.Input[str]
    subnetwork: pulumi.Input[str]
    protect: bool


class GkeCluster(PlatformComponent):
    def __init__(self, name: str, args: GkeClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("gke:Cluster", name, opts)
        naming, config = args.naming, args.config
        self.location = args.region if args.regional else args.zone

        self.node_service_account = gcp.serviceaccount.Account(
            f"{name}-nodes",
            project=args.project,
            account_id=naming.name("gke-nodes")[:30].rstrip("-"),
            display_name=f"GKE nodes of {naming.name('gke')}",
            opts=self.child(),
        )
        self.node_service_account_email = self.node_service_account.email
        node_member = self.node_service_account.email.apply(lambda email: f"serviceAccount:{email}")
        self.node_roles = [
            gcp.projects.IAMMember(
                f"{name}-nodes-{role.split('/')[1].replace('.', '-').lower()}",
                project=args.project,
                role=role,
                member=node_member,
                opts=self.child(),
            )
            for role in NODE_ROLES
        ]

        recurring = config.maintenance
        self.cluster = gcp.container.Cluster(
            f"{name}-cluster",
            name=naming.name("gke"),
            project=args.project,
            location=self.location,
            description="LLM inference on TPU7x",
            network=args.network,
            subnetwork=args.subnetwork,
            networking_mode="VPC_NATIVE",
            ip_allocation_policy=gcp.container.ClusterIpAllocationPolicyArgs(
                cluster_secondary_range_name=PODS_RANGE_NAME,
                services_secondary_range_name=SERVICES_RANGE_NAME,
            ),
            # The default pool is created and deleted at once; give it the node account anyway so the
            # Compute Engine default service account never runs a node.
            remove_default_node_pool=True,
            initial_node_count=1,
            node_config=gcp.container.ClusterNodeConfigArgs(
                service_account=self.node_service_account.email,
                oauth_scopes=[CLOUD_PLATFORM_SCOPE],
                shielded_instance_config=gcp.container.ClusterNodeConfigShieldedInstanceConfigArgs(
                    enable_secure_boot=True, enable_integrity_monitoring=True
                ),
                workload_metadata_config=gcp.container.ClusterNodeConfigWorkloadMetadataConfigArgs(mode="GKE_METADATA"),
            ),
            release_channel=gcp.container.ClusterReleaseChannelArgs(channel=config.release_channel),
            min_master_version=config.min_master_version,
            private_cluster_config=gcp.container.ClusterPrivateClusterConfigArgs(
                enable_private_nodes=True,
                enable_private_endpoint=False,
                master_ipv4_cidr_block=config.master_ipv4_cidr,
                master_global_access_config=gcp.container.ClusterPrivateClusterConfigMasterGlobalAccessConfigArgs(
                    enabled=True
                ),
            ),
            master_authorized_networks_config=gcp.container.ClusterMasterAuthorizedNetworksConfigArgs(
                cidr_blocks=[
                    gcp.container.ClusterMasterAuthorizedNetworksConfigCidrBlockArgs(
                        cidr_block=network.cidr, display_name=network.name
                    )
                    for network in config.master_authorized_networks
                ],
                gcp_public_cidrs_access_enabled=False,
            ),
            master_auth=gcp.container.ClusterMasterAuthArgs(
                client_certificate_config=gcp.container.ClusterMasterAuthClientCertificateConfigArgs(
                    issue_client_certificate=False
                )
            ),
            enable_legacy_abac=False,
            enable_shielded_nodes=True,
            workload_identity_config=gcp.container.ClusterWorkloadIdentityConfigArgs(
                workload_pool=workload_pool(args.project)
            ),
            datapath_provider="ADVANCED_DATAPATH",  # Dataplane V2
            gateway_api_config=gcp.container.ClusterGatewayApiConfigArgs(channel="CHANNEL_STANDARD"),
            addons_config=gcp.container.ClusterAddonsConfigArgs(
                http_load_balancing=gcp.container.ClusterAddonsConfigHttpLoadBalancingArgs(disabled=False),
                horizontal_pod_autoscaling=gcp.container.ClusterAddonsConfigHorizontalPodAutoscalingArgs(
                    disabled=False
                ),
                gce_persistent_disk_csi_driver_config=gcp.container.ClusterAddonsConfigGcePersistentDiskCsiDriverConfigArgs(
                    enabled=True
                ),
                gcs_fuse_csi_driver_config=gcp.container.ClusterAddonsConfigGcsFuseCsiDriverConfigArgs(enabled=True),
                parallelstore_csi_driver_config=gcp.container.ClusterAddonsConfigParallelstoreCsiDriverConfigArgs(
                    enabled=True
                ),
            ),
            monitoring_config=gcp.container.ClusterMonitoringConfigArgs(
                # DEPLOYMENT, STATEFULSET, HPA: kube state metrics the operations alerts read (an
                # explicit list replaces GKE's default package set).
                enable_components=[
                    "SYSTEM_COMPONENTS",
                    "APISERVER",
                    "SCHEDULER",
                    "CONTROLLER_MANAGER",
                    "DEPLOYMENT",
                    "STATEFULSET",
                    "HPA",
                ],
                managed_prometheus=gcp.container.ClusterMonitoringConfigManagedPrometheusArgs(enabled=True),
            ),
            logging_config=gcp.container.ClusterLoggingConfigArgs(enable_components=["SYSTEM_COMPONENTS", "WORKLOADS"]),
            node_pool_defaults=gcp.container.ClusterNodePoolDefaultsArgs(
                node_config_defaults=gcp.container.ClusterNodePoolDefaultsNodeConfigDefaultsArgs(
                    gcfs_config=gcp.container.ClusterNodePoolDefaultsNodeConfigDefaultsGcfsConfigArgs(enabled=True)
                )
            ),
            security_posture_config=gcp.container.ClusterSecurityPostureConfigArgs(
                mode="BASIC", vulnerability_mode="VULNERABILITY_BASIC"
            ),
            maintenance_policy=gcp.container.ClusterMaintenancePolicyArgs(
                recurring_window=gcp.container.ClusterMaintenancePolicyRecurringWindowArgs(
                    start_time=recurring.start_time, end_time=recurring.end_time, recurrence=recurring.recurrence
                )
            ),
            deletion_protection=args.protect,
            resource_labels=naming.labels,
            opts=self.child(
                depends_on=self.node_roles,
                protect=args.protect,
                # node_config only shapes the short-lived default pool; after its removal the API
                # reports no default node config, which must not read as a change.
                ignore_changes=["nodeConfig", "initialNodeCount"],
            ),
        )

        system = config.system_pool
        self.system_pool = gcp.container.NodePool(
            f"{name}-system",
            name="system",
            project=args.project,
            cluster=self.cluster.id,
            location=self.location,
            initial_node_count=system.min_nodes,
            autoscaling=gcp.container.NodePoolAutoscalingArgs(
                min_node_count=system.min_nodes, max_node_count=system.max_nodes
            ),
            management=gcp.container.NodePoolManagementArgs(auto_repair=True, auto_upgrade=True),
            upgrade_settings=gcp.container.NodePoolUpgradeSettingsArgs(
                strategy="SURGE", max_surge=1, max_unavailable=0
            ),
            node_config=gcp.container.NodePoolNodeConfigArgs(
                machine_type=system.machine_type,
                disk_size_gb=system.disk_size_gb,
                disk_type="pd-balanced",
                image_type="COS_CONTAINERD",
                service_account=self.node_service_account.email,
                oauth_scopes=[CLOUD_PLATFORM_SCOPE],
                shielded_instance_config=gcp.container.NodePoolNodeConfigShieldedInstanceConfigArgs(
                    enable_secure_boot=True, enable_integrity_monitoring=True
                ),
                workload_metadata_config=gcp.container.NodePoolNodeConfigWorkloadMetadataConfigArgs(
                    mode="GKE_METADATA"
                ),
                labels={"llm-platform/pool": "system"},
                resource_labels=naming.labels,
            ),
            opts=self.child(ignore_changes=["initialNodeCount"]),
        )

        self.name = self.cluster.name
        self.endpoint = self.cluster.endpoint
        self.kubeconfig = pulumi.Output.all(
            self.cluster.name, self.cluster.endpoint, self.cluster.master_auth.cluster_ca_certificate
        ).apply(lambda parts: kubeconfig(str(parts[0]), str(parts[1]), str(parts[2])))
        self.provider = k8s.Provider(
            f"{name}-k8s",
            kubeconfig=self.kubeconfig,
            enable_server_side_apply=True,
            delete_unreachable=False,
            opts=self.child(depends_on=[self.system_pool]),
        )
        self.register_outputs(
            {
                "name": self.cluster.name,
                "location": self.location,
                "endpoint": self.cluster.endpoint,
                "node_service_account": self.node_service_account.email,
            }
        )

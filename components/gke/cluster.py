"""A hardened GKE Standard cluster for TPU serving, with its node identity and a Kubernetes provider."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp
import pulumi_kubernetes as k8s

from components.base import PlatformComponent
from components.gke.config import ClusterConfig
from components.naming import Naming
from components.network.network import PODS_RANGE_NAME, SERVICES_RANGE_NAME

# What a node needs and nothing more: GKE's own minimum role for node service accounts (logs,
# metrics, metadata: https://docs.cloud.google.com/kubernetes-engine/security/configure-node-service-accounts),
# image pulls from Artifact Registry (not in that role), and, for image streaming on a custom node
# account, serviceusage.services.use (https://docs.cloud.google.com/kubernetes-engine/docs/how-to/image-streaming).
NODE_ROLES = (
    "roles/container.defaultNodeServiceAccount",
    "roles/artifactregistry.reader",
    "roles/serviceusage.serviceUsageConsumer",
)
CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"
# The system pool's node labels: controllers and platform Jobs select it.
SYSTEM_POOL_LABELS = {"llm-platform/pool": "system"}
# GKE's own images (add-on sidecars such as the Cloud Storage FUSE mounter are injected into our pods).
GKE_IMAGES = "gke.gcr.io/**"


def kubeconfig(cluster_name: str, dns_endpoint: str) -> str:
    """A kubeconfig for the DNS-based control-plane endpoint, as `gcloud container clusters
    get-credentials --dns-endpoint` writes it: the endpoint serves a publicly trusted certificate (no
    CA data), and IAM (`container.clusters.connect`) admits the caller, so no source IP is allow-listed.
    gke-gcloud-auth-plugin uses application-default credentials, the identity the Google provider
    uses, so CI with only ADC (Workload Identity Federation) works without a gcloud login."""
    return f"""apiVersion: v1
kind: Config
clusters:
- name: {cluster_name}
  cluster:
    server: https://{dns_endpoint}
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
      args:
      - --use_application_default_credentials
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
    model_store: str  # the store decides which CSI add-on the cluster runs
    admitted_images: Sequence[str]  # image patterns Binary Authorization admits besides Google's system images


class GkeCluster(PlatformComponent):
    def __init__(self, name: str, args: GkeClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("gke:Cluster", name, opts)
        naming, config = args.naming, args.config
        self.location = args.region if args.regional else args.zone

        self.node_service_account = gcp.serviceaccount.Account(
            f"{name}-nodes",
            project=args.project,
            account_id=naming.account_id("gke-nodes"),
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

        # Binary Authorization admits Google's GKE system images (the global policy) and the images
        # the stack itself pins; everything else is denied. The policy is the project's singleton.
        self.admission_policy = (
            gcp.binaryauthorization.Policy(
                f"{name}-admission",
                project=args.project,
                description="Admit Google's GKE system images and the images this stack pins; deny the rest",
                global_policy_evaluation_mode="ENABLE",
                default_admission_rule=gcp.binaryauthorization.PolicyDefaultAdmissionRuleArgs(
                    evaluation_mode="ALWAYS_DENY", enforcement_mode="ENFORCED_BLOCK_AND_AUDIT_LOG"
                ),
                admission_whitelist_patterns=[
                    gcp.binaryauthorization.PolicyAdmissionWhitelistPatternArgs(name_pattern=pattern)
                    for pattern in sorted({GKE_IMAGES, *args.admitted_images})
                ],
                opts=self.child(),
            )
            if config.binary_authorization
            else None
        )

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
            # Deployers and CI reach the control plane through its DNS endpoint, authorized by IAM.
            control_plane_endpoints_config=gcp.container.ClusterControlPlaneEndpointsConfigArgs(
                dns_endpoint_config=gcp.container.ClusterControlPlaneEndpointsConfigDnsEndpointConfigArgs(
                    allow_external_traffic=True
                ),
                ip_endpoints_config=gcp.container.ClusterControlPlaneEndpointsConfigIpEndpointsConfigArgs(enabled=True),
            ),
            # `enablePrivateNodes` and `enablePrivateEndpoint` are deprecated in the container API for
            # `networkConfig.defaultEnablePrivateNodes` and `ipEndpointsConfig.enablePublicEndpoint`, which
            # pulumi-gcp 10.2 does not expose: these fields are the provider's only way to keep nodes
            # private and the IP endpoint's public side off (allow-listed in tests/stacks/test_deprecations.py).
            private_cluster_config=gcp.container.ClusterPrivateClusterConfigArgs(
                enable_private_nodes=True,
                enable_private_endpoint=not config.master_authorized_networks,
                master_ipv4_cidr_block=config.master_ipv4_cidr,
            ),
            # Only when asked for: the IP endpoint's public side, open to these ranges alone.
            master_authorized_networks_config=(
                gcp.container.ClusterMasterAuthorizedNetworksConfigArgs(
                    cidr_blocks=[
                        gcp.container.ClusterMasterAuthorizedNetworksConfigCidrBlockArgs(
                            cidr_block=network.cidr, display_name=network.name
                        )
                        for network in config.master_authorized_networks
                    ],
                    gcp_public_cidrs_access_enabled=False,
                )
                if config.master_authorized_networks
                else None
            ),
            master_auth=gcp.container.ClusterMasterAuthArgs(
                client_certificate_config=gcp.container.ClusterMasterAuthClientCertificateConfigArgs(
                    issue_client_certificate=False
                )
            ),
            enable_legacy_abac=False,
            enable_shielded_nodes=True,
            workload_identity_config=gcp.container.ClusterWorkloadIdentityConfigArgs(
                workload_pool=f"{args.project}.svc.id.goog"
            ),
            datapath_provider="ADVANCED_DATAPATH",  # Dataplane V2
            # Pod-to-pod traffic on one node goes through the VPC, so flow logs and firewall rules see it.
            enable_intranode_visibility=True,
            binary_authorization=gcp.container.ClusterBinaryAuthorizationArgs(
                evaluation_mode="PROJECT_SINGLETON_POLICY_ENFORCE" if config.binary_authorization else "DISABLED"
            ),
            authenticator_groups_config=(
                gcp.container.ClusterAuthenticatorGroupsConfigArgs(security_group=config.rbac_security_group)
                if config.rbac_security_group
                else None
            ),
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
                lustre_csi_driver_config=(
                    gcp.container.ClusterAddonsConfigLustreCsiDriverConfigArgs(enabled=True)
                    if args.model_store == "lustre"
                    else None
                ),
                # Deprecated in the container API ("no longer supported"): sent only to a stack that opted
                # in to Parallelstore (allow-listed in tests/stacks/test_deprecations.py).
                parallelstore_csi_driver_config=(
                    gcp.container.ClusterAddonsConfigParallelstoreCsiDriverConfigArgs(enabled=True)
                    if args.model_store == "parallelstore"
                    else None
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
            # `vulnerabilityMode` is deprecated ("Vulnerability scanning is no longer supported"): not sent.
            security_posture_config=gcp.container.ClusterSecurityPostureConfigArgs(mode="BASIC"),
            maintenance_policy=gcp.container.ClusterMaintenancePolicyArgs(
                recurring_window=gcp.container.ClusterMaintenancePolicyRecurringWindowArgs(
                    start_time=recurring.start_time, end_time=recurring.end_time, recurrence=recurring.recurrence
                )
            ),
            deletion_protection=args.protect,
            resource_labels=naming.labels,
            opts=self.child(
                depends_on=[*self.node_roles, *([self.admission_policy] if self.admission_policy else [])],
                protect=args.protect,
                # node_config only shapes the short-lived default pool. The API then reports "the node
                # configuration of the first node pool" in its place (container v1 Cluster.nodeConfig),
                # and the field forces replacement: the read-back must never plan a new cluster. The
                # initial count, also force-new, means nothing once the default pool is gone.
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
                labels=SYSTEM_POOL_LABELS,
                resource_labels=naming.labels,
            ),
            opts=self.child(ignore_changes=["initialNodeCount"]),
        )

        self.name = self.cluster.name
        self.dns_endpoint = self.cluster.control_plane_endpoints_config.apply(
            lambda endpoints: (
                endpoints.dns_endpoint_config.endpoint
                if endpoints and endpoints.dns_endpoint_config and endpoints.dns_endpoint_config.endpoint
                else ""
            )
        )
        self.workload_pool = self.cluster.workload_identity_config.apply(
            lambda identity: identity.workload_pool if identity and identity.workload_pool else ""
        )
        self.kubeconfig = pulumi.Output.all(self.cluster.name, self.dns_endpoint).apply(
            lambda parts: kubeconfig(str(parts[0]), str(parts[1]))
        )
        self.provider = k8s.Provider(
            f"{name}-k8s",
            kubeconfig=self.kubeconfig,
            # Known before the cluster exists and stable across its updates, so an endpoint or CA change
            # updates the provider instead of replacing every Kubernetes object (pulumi-kubernetes
            # DiffConfig; pulumi/pulumi-kubernetes#1148, #2745).
            cluster_identifier=f"projects/{args.project}/locations/{self.location}/clusters/{naming.name('gke')}",
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

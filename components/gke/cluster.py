"""A hardened GKE Standard cluster for TPU serving, with its node identity and a Kubernetes provider."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp
import pulumi_kubernetes as k8s

from components.base import PlatformComponent
from components.gke.cluster_settings import (
    addons_config,
    authenticator_groups_config,
    binary_authorization_mode,
    control_plane_endpoints_config,
    default_pool_node_config,
    ip_allocation_policy,
    maintenance_policy,
    master_auth,
    master_authorized_networks_config,
    monitoring_config,
    node_pool_defaults,
    private_cluster_config,
    system_pool_node_config,
)
from components.gke.config import ClusterConfig
from components.naming import Naming

# What a node needs and nothing more: GKE's own minimum role for node service accounts (logs,
# metrics, metadata: https://docs.cloud.google.com/kubernetes-engine/security/configure-node-service-accounts),
# image pulls from Artifact Registry (not in that role), and, for image streaming on a custom node
# account, serviceusage.services.use (https://docs.cloud.google.com/kubernetes-engine/docs/how-to/image-streaming).
NODE_ROLES = (
    "roles/container.defaultNodeServiceAccount",
    "roles/artifactregistry.reader",
    "roles/serviceusage.serviceUsageConsumer",
)
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


def node_role_resource_name(component: str, role: str) -> str:
    """The grant's resource name: `roles/container.defaultNodeServiceAccount` becomes
    `<component>-nodes-container-defaultnodeserviceaccount`."""
    return f"{component}-nodes-{role.split('/')[1].replace('.', '-').lower()}"


def admission_patterns(
    admitted_images: Sequence[str],
) -> list[gcp.binaryauthorization.PolicyAdmissionWhitelistPatternArgs]:
    """What Binary Authorization admits besides the global policy: GKE's images and the given ones, once each."""
    return [
        gcp.binaryauthorization.PolicyAdmissionWhitelistPatternArgs(name_pattern=pattern)
        for pattern in sorted({GKE_IMAGES, *admitted_images})
    ]


def dns_endpoint_of(endpoints: gcp.container.outputs.ClusterControlPlaneEndpointsConfig | None) -> str:
    """The control plane's DNS endpoint as the API reports it, or "" before it is known."""
    if endpoints and endpoints.dns_endpoint_config and endpoints.dns_endpoint_config.endpoint:
        return endpoints.dns_endpoint_config.endpoint
    return ""


def workload_pool_of(identity: gcp.container.outputs.ClusterWorkloadIdentityConfig | None) -> str:
    """The cluster's Workload Identity pool as the API reports it, or "" before it is known."""
    return identity.workload_pool if identity and identity.workload_pool else ""


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
        self.location = args.region if args.regional else args.zone
        self.node_service_account = self._node_service_account(name, args)
        self.node_service_account_email = self.node_service_account.email
        self.node_roles = self._node_roles(name, args)
        self.admission_policy = self._admission_policy(name, args) if args.config.binary_authorization else None
        self.cluster = self._cluster(name, args)
        self.system_pool = self._system_pool(name, args)

        self.name = self.cluster.name
        self.dns_endpoint = self.cluster.control_plane_endpoints_config.apply(dns_endpoint_of)
        self.workload_pool = self.cluster.workload_identity_config.apply(workload_pool_of)
        self.kubeconfig = pulumi.Output.all(self.cluster.name, self.dns_endpoint).apply(
            lambda parts: kubeconfig(str(parts[0]), str(parts[1]))
        )
        self.provider = self._kubernetes_provider(name, args)
        self.register_outputs(
            {
                "name": self.cluster.name,
                "location": self.location,
                "endpoint": self.cluster.endpoint,
                "node_service_account": self.node_service_account.email,
            }
        )

    def _node_service_account(self, name: str, args: GkeClusterArgs) -> gcp.serviceaccount.Account:
        return gcp.serviceaccount.Account(
            f"{name}-nodes",
            project=args.project,
            account_id=args.naming.account_id("gke-nodes"),
            display_name=f"GKE nodes of {args.naming.name('gke')}",
            opts=self.child(),
        )

    def _node_roles(self, name: str, args: GkeClusterArgs) -> list[gcp.projects.IAMMember]:
        member = self.node_service_account.email.apply(lambda email: f"serviceAccount:{email}")
        return [
            gcp.projects.IAMMember(
                node_role_resource_name(name, role), project=args.project, role=role, member=member, opts=self.child()
            )
            for role in NODE_ROLES
        ]

    def _admission_policy(self, name: str, args: GkeClusterArgs) -> gcp.binaryauthorization.Policy:
        """Binary Authorization admits Google's GKE system images (the global policy) and the images
        the stack itself pins; everything else is denied. The policy is the project's singleton."""
        return gcp.binaryauthorization.Policy(
            f"{name}-admission",
            project=args.project,
            description="Admit Google's GKE system images and the images this stack pins; deny the rest",
            global_policy_evaluation_mode="ENABLE",
            default_admission_rule=gcp.binaryauthorization.PolicyDefaultAdmissionRuleArgs(
                evaluation_mode="ALWAYS_DENY", enforcement_mode="ENFORCED_BLOCK_AND_AUDIT_LOG"
            ),
            admission_whitelist_patterns=admission_patterns(args.admitted_images),
            opts=self.child(),
        )

    def _cluster(self, name: str, args: GkeClusterArgs) -> gcp.container.Cluster:
        config = args.config
        return gcp.container.Cluster(
            f"{name}-cluster",
            name=args.naming.name("gke"),
            project=args.project,
            location=self.location,
            description="LLM inference on TPU7x",
            network=args.network,
            subnetwork=args.subnetwork,
            networking_mode="VPC_NATIVE",
            ip_allocation_policy=ip_allocation_policy(),
            # The default pool is created and deleted at once; give it the node account anyway so the
            # Compute Engine default service account never runs a node.
            remove_default_node_pool=True,
            initial_node_count=1,
            node_config=default_pool_node_config(self.node_service_account.email),
            release_channel=gcp.container.ClusterReleaseChannelArgs(channel=config.release_channel),
            min_master_version=config.min_master_version,
            control_plane_endpoints_config=control_plane_endpoints_config(),
            private_cluster_config=private_cluster_config(config),
            master_authorized_networks_config=master_authorized_networks_config(config),
            master_auth=master_auth(),
            enable_legacy_abac=False,
            enable_shielded_nodes=True,
            workload_identity_config=gcp.container.ClusterWorkloadIdentityConfigArgs(
                workload_pool=f"{args.project}.svc.id.goog"
            ),
            datapath_provider="ADVANCED_DATAPATH",  # Dataplane V2
            # Pod-to-pod traffic on one node goes through the VPC, so flow logs and firewall rules see it.
            enable_intranode_visibility=True,
            binary_authorization=gcp.container.ClusterBinaryAuthorizationArgs(
                evaluation_mode=binary_authorization_mode(config.binary_authorization)
            ),
            authenticator_groups_config=authenticator_groups_config(config.rbac_security_group),
            gateway_api_config=gcp.container.ClusterGatewayApiConfigArgs(channel="CHANNEL_STANDARD"),
            addons_config=addons_config(args.model_store),
            monitoring_config=monitoring_config(),
            logging_config=gcp.container.ClusterLoggingConfigArgs(enable_components=["SYSTEM_COMPONENTS", "WORKLOADS"]),
            node_pool_defaults=node_pool_defaults(),
            # `vulnerabilityMode` is deprecated ("Vulnerability scanning is no longer supported"): not sent.
            security_posture_config=gcp.container.ClusterSecurityPostureConfigArgs(mode="BASIC"),
            maintenance_policy=maintenance_policy(config.maintenance),
            deletion_protection=args.protect,
            resource_labels=args.naming.stateful_labels,
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

    def _system_pool(self, name: str, args: GkeClusterArgs) -> gcp.container.NodePool:
        system = args.config.system_pool
        return gcp.container.NodePool(
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
            node_config=system_pool_node_config(
                system, self.node_service_account.email, SYSTEM_POOL_LABELS, args.naming.labels
            ),
            opts=self.child(ignore_changes=["initialNodeCount"]),
        )

    def _kubernetes_provider(self, name: str, args: GkeClusterArgs) -> k8s.Provider:
        return k8s.Provider(
            f"{name}-k8s",
            kubeconfig=self.kubeconfig,
            # Known before the cluster exists and stable across its updates, so an endpoint or CA change
            # updates the provider instead of replacing every Kubernetes object (pulumi-kubernetes
            # DiffConfig; pulumi/pulumi-kubernetes#1148, #2745).
            cluster_identifier=f"projects/{args.project}/locations/{self.location}/clusters/{args.naming.name('gke')}",
            enable_server_side_apply=True,
            delete_unreachable=False,
            opts=self.child(depends_on=[self.system_pool]),
        )

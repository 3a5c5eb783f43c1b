"""The cluster's and the system pool's settings as typed Args: pure functions of the cluster config."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from components.gke.config import ClusterConfig, MaintenanceConfig, MaintenanceExclusionConfig, SystemPoolConfig
from components.gke.exclusions import UNTIL_END_OF_SUPPORT
from components.network.network import PODS_RANGE_NAME, SERVICES_RANGE_NAME

CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"
# DEPLOYMENT, STATEFULSET, HPA: kube state metrics the operations alerts read (an explicit list
# replaces GKE's default package set).
MONITORED_COMPONENTS = (
    "SYSTEM_COMPONENTS",
    "APISERVER",
    "SCHEDULER",
    "CONTROLLER_MANAGER",
    "DEPLOYMENT",
    "STATEFULSET",
    "HPA",
)


def ip_allocation_policy() -> gcp.container.ClusterIpAllocationPolicyArgs:
    """VPC-native: pods and Services take the subnet's secondary ranges the network names."""
    return gcp.container.ClusterIpAllocationPolicyArgs(
        cluster_secondary_range_name=PODS_RANGE_NAME, services_secondary_range_name=SERVICES_RANGE_NAME
    )


def default_pool_node_config(service_account: pulumi.Input[str]) -> gcp.container.ClusterNodeConfigArgs:
    """The short-lived default pool's nodes: the node account, never the Compute Engine default one."""
    return gcp.container.ClusterNodeConfigArgs(
        service_account=service_account,
        oauth_scopes=[CLOUD_PLATFORM_SCOPE],
        shielded_instance_config=gcp.container.ClusterNodeConfigShieldedInstanceConfigArgs(
            enable_secure_boot=True, enable_integrity_monitoring=True
        ),
        workload_metadata_config=gcp.container.ClusterNodeConfigWorkloadMetadataConfigArgs(mode="GKE_METADATA"),
    )


def control_plane_endpoints_config() -> gcp.container.ClusterControlPlaneEndpointsConfigArgs:
    """Deployers and CI reach the control plane through its DNS endpoint, authorized by IAM."""
    return gcp.container.ClusterControlPlaneEndpointsConfigArgs(
        dns_endpoint_config=gcp.container.ClusterControlPlaneEndpointsConfigDnsEndpointConfigArgs(
            allow_external_traffic=True
        ),
        ip_endpoints_config=gcp.container.ClusterControlPlaneEndpointsConfigIpEndpointsConfigArgs(enabled=True),
    )


def private_cluster_config(config: ClusterConfig) -> gcp.container.ClusterPrivateClusterConfigArgs:
    """Private nodes always; the IP endpoint's public side only when authorized networks are listed.

    `enablePrivateNodes` and `enablePrivateEndpoint` are deprecated in the container API for
    `networkConfig.defaultEnablePrivateNodes` and `ipEndpointsConfig.enablePublicEndpoint`, which
    pulumi-gcp 10.2 does not expose: these fields are the provider's only way to keep nodes private
    and the IP endpoint's public side off (allow-listed in tests/stacks/test_deprecations.py).
    """
    return gcp.container.ClusterPrivateClusterConfigArgs(
        enable_private_nodes=True,
        enable_private_endpoint=not config.master_authorized_networks,
        master_ipv4_cidr_block=config.master_ipv4_cidr,
    )


def master_authorized_networks_config(
    config: ClusterConfig,
) -> gcp.container.ClusterMasterAuthorizedNetworksConfigArgs | None:
    """Only when asked for: the IP endpoint's public side, open to these ranges alone."""
    if not config.master_authorized_networks:
        return None
    return gcp.container.ClusterMasterAuthorizedNetworksConfigArgs(
        cidr_blocks=[
            gcp.container.ClusterMasterAuthorizedNetworksConfigCidrBlockArgs(
                cidr_block=network.cidr, display_name=network.name
            )
            for network in config.master_authorized_networks
        ],
        gcp_public_cidrs_access_enabled=False,
    )


def master_auth() -> gcp.container.ClusterMasterAuthArgs:
    """No client certificate: callers authenticate with Google credentials, authorized by IAM and RBAC."""
    return gcp.container.ClusterMasterAuthArgs(
        client_certificate_config=gcp.container.ClusterMasterAuthClientCertificateConfigArgs(
            issue_client_certificate=False
        )
    )


def binary_authorization_mode(enabled: bool) -> str:
    """The cluster enforces the project's singleton admission policy, or nothing."""
    return "PROJECT_SINGLETON_POLICY_ENFORCE" if enabled else "DISABLED"


def authenticator_groups_config(
    security_group: str | None,
) -> gcp.container.ClusterAuthenticatorGroupsConfigArgs | None:
    """Google Groups for RBAC, when a security group is configured."""
    if not security_group:
        return None
    return gcp.container.ClusterAuthenticatorGroupsConfigArgs(security_group=security_group)


def addons_config(model_store: str) -> gcp.container.ClusterAddonsConfigArgs:
    """The add-ons serving needs; the file-system CSI driver only for the store that uses it."""
    return gcp.container.ClusterAddonsConfigArgs(
        http_load_balancing=gcp.container.ClusterAddonsConfigHttpLoadBalancingArgs(disabled=False),
        horizontal_pod_autoscaling=gcp.container.ClusterAddonsConfigHorizontalPodAutoscalingArgs(disabled=False),
        gce_persistent_disk_csi_driver_config=gcp.container.ClusterAddonsConfigGcePersistentDiskCsiDriverConfigArgs(
            enabled=True
        ),
        gcs_fuse_csi_driver_config=gcp.container.ClusterAddonsConfigGcsFuseCsiDriverConfigArgs(enabled=True),
        lustre_csi_driver_config=(
            gcp.container.ClusterAddonsConfigLustreCsiDriverConfigArgs(enabled=True)
            if model_store == "lustre"
            else None
        ),
        # Deprecated in the container API ("no longer supported"): sent only to a stack that opted
        # in to Parallelstore (allow-listed in tests/stacks/test_deprecations.py).
        parallelstore_csi_driver_config=(
            gcp.container.ClusterAddonsConfigParallelstoreCsiDriverConfigArgs(enabled=True)
            if model_store == "parallelstore"
            else None
        ),
    )


def monitoring_config() -> gcp.container.ClusterMonitoringConfigArgs:
    return gcp.container.ClusterMonitoringConfigArgs(
        enable_components=list(MONITORED_COMPONENTS),
        managed_prometheus=gcp.container.ClusterMonitoringConfigManagedPrometheusArgs(enabled=True),
    )


def node_pool_defaults() -> gcp.container.ClusterNodePoolDefaultsArgs:
    """Image streaming on every pool, so large serving images start before they are fully pulled."""
    return gcp.container.ClusterNodePoolDefaultsArgs(
        node_config_defaults=gcp.container.ClusterNodePoolDefaultsNodeConfigDefaultsArgs(
            gcfs_config=gcp.container.ClusterNodePoolDefaultsNodeConfigDefaultsGcfsConfigArgs(enabled=True)
        )
    )


def maintenance_exclusion(
    exclusion: MaintenanceExclusionConfig,
) -> gcp.container.ClusterMaintenancePolicyMaintenanceExclusionArgs:
    """An exclusion with a fixed end, or one that lasts until the minor version's end of support."""
    return gcp.container.ClusterMaintenancePolicyMaintenanceExclusionArgs(
        exclusion_name=exclusion.name,
        start_time=exclusion.start_time,
        end_time=exclusion.end_time,
        exclusion_options=gcp.container.ClusterMaintenancePolicyMaintenanceExclusionExclusionOptionsArgs(
            scope=exclusion.scope,
            end_time_behavior=UNTIL_END_OF_SUPPORT if exclusion.until_end_of_support else None,
        ),
    )


def maintenance_policy(maintenance: MaintenanceConfig) -> gcp.container.ClusterMaintenancePolicyArgs:
    return gcp.container.ClusterMaintenancePolicyArgs(
        recurring_window=gcp.container.ClusterMaintenancePolicyRecurringWindowArgs(
            start_time=maintenance.start_time, end_time=maintenance.end_time, recurrence=maintenance.recurrence
        ),
        maintenance_exclusions=[maintenance_exclusion(e) for e in maintenance.exclusions] or None,
    )


def system_pool_node_config(
    system: SystemPoolConfig, service_account: pulumi.Input[str], node_labels: dict[str, str], labels: dict[str, str]
) -> gcp.container.NodePoolNodeConfigArgs:
    """The system pool's nodes: `node_labels` for the pods that select them, `labels` on the VMs."""
    return gcp.container.NodePoolNodeConfigArgs(
        machine_type=system.machine_type,
        disk_size_gb=system.disk_size_gb,
        disk_type="pd-balanced",
        image_type="COS_CONTAINERD",
        service_account=service_account,
        oauth_scopes=[CLOUD_PLATFORM_SCOPE],
        shielded_instance_config=gcp.container.NodePoolNodeConfigShieldedInstanceConfigArgs(
            enable_secure_boot=True, enable_integrity_monitoring=True
        ),
        workload_metadata_config=gcp.container.NodePoolNodeConfigWorkloadMetadataConfigArgs(mode="GKE_METADATA"),
        labels=node_labels,
        resource_labels=labels,
    )

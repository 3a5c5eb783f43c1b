"""The cluster's pure decisions: control-plane access, add-ons per store, admission, names, read-backs."""

from __future__ import annotations

import pulumi_gcp as gcp
import pytest

from components.gke.cluster import admission_patterns, dns_endpoint_of, node_role_resource_name, workload_pool_of
from components.gke.cluster_settings import (
    addons_config,
    authenticator_groups_config,
    binary_authorization_mode,
    master_authorized_networks_config,
    private_cluster_config,
    system_pool_node_config,
)
from components.gke.config import AuthorizedNetwork, ClusterConfig, SystemPoolConfig
from tests.unit.sdk_args import plain

OFFICE = AuthorizedNetwork(cidr="203.0.113.0/24", name="office")


def test_without_authorized_networks_the_ip_endpoint_stays_private() -> None:
    config = ClusterConfig()
    assert plain(private_cluster_config(config)) == {
        "enable_private_nodes": True,
        "enable_private_endpoint": True,
        "master_ipv4_cidr_block": "172.16.0.0/28",
    }
    assert master_authorized_networks_config(config) is None


def test_authorized_networks_open_the_public_side_to_those_ranges_only() -> None:
    config = ClusterConfig(master_authorized_networks=[OFFICE], master_ipv4_cidr="172.16.8.0/28")
    assert plain(private_cluster_config(config)) == {
        "enable_private_nodes": True,
        "enable_private_endpoint": False,
        "master_ipv4_cidr_block": "172.16.8.0/28",
    }
    assert plain(master_authorized_networks_config(config)) == {
        "cidr_blocks": [{"cidr_block": "203.0.113.0/24", "display_name": "office"}],
        "gcp_public_cidrs_access_enabled": False,
    }


@pytest.mark.parametrize(
    ("store", "file_system_drivers"),
    [
        ("gcsfuse", {}),
        ("hyperdisk-ml", {}),
        ("lustre", {"lustre_csi_driver_config": {"enabled": True}}),
        ("parallelstore", {"parallelstore_csi_driver_config": {"enabled": True}}),
    ],
)
def test_a_file_system_csi_driver_runs_only_for_its_store(store: str, file_system_drivers: dict[str, object]) -> None:
    assert plain(addons_config(store)) == {
        "http_load_balancing": {"disabled": False},
        "horizontal_pod_autoscaling": {"disabled": False},
        "gce_persistent_disk_csi_driver_config": {"enabled": True},
        "gcs_fuse_csi_driver_config": {"enabled": True},
        **file_system_drivers,
    }


def test_binary_authorization_and_rbac_groups_follow_the_config() -> None:
    assert binary_authorization_mode(True) == "PROJECT_SINGLETON_POLICY_ENFORCE"
    assert binary_authorization_mode(False) == "DISABLED"
    assert authenticator_groups_config(None) is None
    assert plain(authenticator_groups_config("gke-security-groups@example.com")) == {
        "security_group": "gke-security-groups@example.com"
    }


def test_admission_admits_gke_images_and_each_pinned_pattern_once_in_order() -> None:
    patterns = admission_patterns(["us-docker.pkg.dev/p/r/**", "gke.gcr.io/**", "us-docker.pkg.dev/p/r/**"])
    assert plain(patterns) == [{"name_pattern": "gke.gcr.io/**"}, {"name_pattern": "us-docker.pkg.dev/p/r/**"}]
    assert plain(admission_patterns([])) == [{"name_pattern": "gke.gcr.io/**"}]


def test_node_role_grant_names_are_valid_resource_names() -> None:
    assert node_role_resource_name("gke", "roles/container.defaultNodeServiceAccount") == (
        "gke-nodes-container-defaultnodeserviceaccount"
    )
    assert node_role_resource_name("gke", "roles/serviceusage.serviceUsageConsumer") == (
        "gke-nodes-serviceusage-serviceusageconsumer"
    )


def test_system_pool_nodes_are_shielded_and_use_the_metadata_server() -> None:
    system = SystemPoolConfig(machine_type="n2-standard-8", disk_size_gb=50)
    node = system_pool_node_config(system, "nodes@p.iam.gserviceaccount.com", {"pool": "system"}, {"env": "dev"})
    assert plain(node) == {
        "machine_type": "n2-standard-8",
        "disk_size_gb": 50,
        "disk_type": "pd-balanced",
        "image_type": "COS_CONTAINERD",
        "service_account": "nodes@p.iam.gserviceaccount.com",
        "oauth_scopes": ["https://www.googleapis.com/auth/cloud-platform"],
        "shielded_instance_config": {"enable_secure_boot": True, "enable_integrity_monitoring": True},
        "workload_metadata_config": {"mode": "GKE_METADATA"},
        "labels": {"pool": "system"},
        "resource_labels": {"env": "dev"},
    }


def test_read_backs_are_empty_until_the_api_reports_them() -> None:
    outputs = gcp.container.outputs
    assert dns_endpoint_of(None) == ""
    assert dns_endpoint_of(outputs.ClusterControlPlaneEndpointsConfig()) == ""
    endpoints = outputs.ClusterControlPlaneEndpointsConfig(
        dns_endpoint_config=outputs.ClusterControlPlaneEndpointsConfigDnsEndpointConfig(
            endpoint="gke-0123.us-central1.gke.goog"
        )
    )
    assert dns_endpoint_of(endpoints) == "gke-0123.us-central1.gke.goog"
    assert workload_pool_of(None) == ""
    assert workload_pool_of(outputs.ClusterWorkloadIdentityConfig(workload_pool="p.svc.id.goog")) == "p.svc.id.goog"

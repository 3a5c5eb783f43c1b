"""The GKE cluster component under mocks."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest
import yaml

from components.gke import GkeCluster, GkeClusterArgs
from components.gke.cluster import GKE_IMAGES, NODE_ROLES, kubeconfig
from tests.conftest import RunComponent
from tests.helpers import config, naming
from tools.graph import StackGraph, record

CLUSTER = "gcp:container/cluster:Cluster"
NODE_POOL = "gcp:container/nodePool:NodePool"
POLICY = "gcp:binaryauthorization/policy:Policy"


def _cluster_program(
    *, regional: bool, protect: bool, store: str = "gcsfuse", overrides: Mapping[str, object] | None = None
) -> Callable[[], object]:
    cfg = config({"llm-platform:cluster": overrides or {}})
    return lambda: GkeCluster(
        "gke",
        GkeClusterArgs(
            project=cfg.project,
            region=cfg.region,
            zone=cfg.zone,
            regional=regional,
            naming=naming(),
            config=cfg.cluster,
            network="projects/p/global/networks/vpc",
            subnetwork="projects/p/regions/us-central1/subnetworks/nodes",
            protect=protect,
            model_store=store,
            admitted_images=["us-central1-docker.pkg.dev/example-project/images/**"],
        ),
    )


@pytest.fixture(scope="module")
def zonal() -> StackGraph:
    """The dev-like cluster, evaluated once for the tests that only read it."""
    return record(_cluster_program(regional=False, protect=False), stack="test", project="llm-platform")


def test_cluster_is_private_hardened_and_tpu_ready(zonal: StackGraph) -> None:
    cluster = zonal.one(CLUSTER).inputs
    assert cluster["location"] == "us-central1-c"
    assert cluster["removeDefaultNodePool"] is True
    assert cluster["masterAuth"]["clientCertificateConfig"]["issueClientCertificate"] is False
    assert cluster["workloadIdentityConfig"] == {"workloadPool": "example-project.svc.id.goog"}
    assert cluster["datapathProvider"] == "ADVANCED_DATAPATH"
    assert cluster["enableIntranodeVisibility"] is True
    assert cluster["gatewayApiConfig"] == {"channel": "CHANNEL_STANDARD"}
    assert cluster["releaseChannel"] == {"channel": "REGULAR"}
    assert "minMasterVersion" not in cluster  # the channel picks the version; an exact patch goes stale
    assert cluster["monitoringConfig"]["managedPrometheus"]["enabled"] is True
    assert cluster["nodePoolDefaults"]["nodeConfigDefaults"]["gcfsConfig"] == {"enabled": True}
    assert cluster["maintenancePolicy"]["recurringWindow"]["recurrence"] == "FREQ=WEEKLY;BYDAY=SA,SU"
    assert cluster["securityPostureConfig"] == {"mode": "BASIC"}
    assert cluster["enableShieldedNodes"] is True
    assert cluster["deletionProtection"] is False
    assert cluster["resourceLabels"]["managed-by"] == "pulumi"


def test_control_plane_is_reached_through_its_dns_endpoint_and_iam(zonal: StackGraph) -> None:
    cluster = zonal.one(CLUSTER).inputs
    assert cluster["controlPlaneEndpointsConfig"] == {
        "dnsEndpointConfig": {"allowExternalTraffic": True},
        "ipEndpointsConfig": {"enabled": True},
    }
    # Private nodes, and the IP endpoint's public side off: nobody allow-lists an egress IP.
    assert cluster["privateClusterConfig"] == {
        "enablePrivateEndpoint": True,
        "enablePrivateNodes": True,
        "masterIpv4CidrBlock": "172.16.0.0/28",
    }
    assert "masterAuthorizedNetworksConfig" not in cluster


def test_authorized_networks_open_only_the_public_ip_endpoint(run_component: RunComponent) -> None:
    networks = {"masterAuthorizedNetworks": [{"cidr": "203.0.113.0/24", "name": "vpn"}]}
    cluster = run_component(_cluster_program(regional=False, protect=False, overrides=networks)).one(CLUSTER).inputs
    assert cluster["privateClusterConfig"]["enablePrivateEndpoint"] is False
    assert cluster["masterAuthorizedNetworksConfig"] == {
        "cidrBlocks": [{"cidrBlock": "203.0.113.0/24", "displayName": "vpn"}],
        "gcpPublicCidrsAccessEnabled": False,
    }


@pytest.mark.parametrize(
    ("store", "addon"),
    [("lustre", "lustreCsiDriverConfig"), ("parallelstore", "parallelstoreCsiDriverConfig"), ("gcsfuse", None)],
)
def test_only_the_stores_csi_driver_is_enabled(run_component: RunComponent, store: str, addon: str | None) -> None:
    addons = (
        run_component(_cluster_program(regional=False, protect=False, store=store)).one(CLUSTER).inputs["addonsConfig"]
    )
    assert addons["gcsFuseCsiDriverConfig"] == {"enabled": True}  # compile caches and the dev store use it
    for candidate in ("lustreCsiDriverConfig", "parallelstoreCsiDriverConfig"):
        assert (candidate in addons) is (candidate == addon)
    if addon:
        assert addons[addon] == {"enabled": True}


def test_binary_authorization_admits_system_and_pinned_images_only(zonal: StackGraph) -> None:
    policy = zonal.one(POLICY)
    assert policy.inputs["defaultAdmissionRule"] == {
        "enforcementMode": "ENFORCED_BLOCK_AND_AUDIT_LOG",
        "evaluationMode": "ALWAYS_DENY",
    }
    assert policy.inputs["globalPolicyEvaluationMode"] == "ENABLE"
    assert [p["namePattern"] for p in policy.inputs["admissionWhitelistPatterns"]] == [
        GKE_IMAGES,
        "us-central1-docker.pkg.dev/example-project/images/**",
    ]
    cluster = zonal.one(CLUSTER)
    assert cluster.inputs["binaryAuthorization"] == {"evaluationMode": "PROJECT_SINGLETON_POLICY_ENFORCE"}
    assert policy.urn in cluster.dependencies


def test_binary_authorization_and_groups_are_options(run_component: RunComponent) -> None:
    overrides = {"binaryAuthorization": False, "rbacSecurityGroup": "gke-security-groups@example.com"}
    graph = run_component(_cluster_program(regional=False, protect=False, overrides=overrides))
    assert graph.by_type(POLICY) == []
    cluster = graph.one(CLUSTER).inputs
    assert cluster["binaryAuthorization"] == {"evaluationMode": "DISABLED"}
    assert cluster["authenticatorGroupsConfig"] == {"securityGroup": "gke-security-groups@example.com"}


def test_nodes_run_as_a_least_privilege_account(zonal: StackGraph) -> None:
    account = zonal.one("gcp:serviceaccount/account:Account")
    email = f"{account.inputs['accountId']}@example-project.iam.gserviceaccount.com"
    grants = zonal.by_type("gcp:projects/iAMMember:IAMMember")
    assert sorted(g.inputs["role"] for g in grants) == sorted(NODE_ROLES)
    assert "roles/container.defaultNodeServiceAccount" in NODE_ROLES
    assert {g.inputs["member"] for g in grants} == {f"serviceAccount:{email}"}
    cluster = zonal.one(CLUSTER)
    assert cluster.inputs["nodeConfig"]["serviceAccount"] == email
    assert {g.urn for g in grants} <= set(cluster.dependencies)
    system = zonal.one(NODE_POOL).inputs
    assert system["nodeConfig"]["serviceAccount"] == email
    assert system["nodeConfig"]["shieldedInstanceConfig"] == {
        "enableIntegrityMonitoring": True,
        "enableSecureBoot": True,
    }
    assert system["management"] == {"autoRepair": True, "autoUpgrade": True}
    assert system["autoscaling"]["minNodeCount"] == 1


def test_kubernetes_provider_uses_the_dns_endpoint_and_a_fixed_identity(zonal: StackGraph) -> None:
    provider = zonal.one("pulumi:providers:kubernetes")
    document = yaml.safe_load(provider.inputs["kubeconfig"])
    assert document["clusters"][0]["cluster"] == {"server": "https://gke-llm-test-gke.us-central1-c.gke.goog"}
    assert document["users"][0]["user"]["exec"]["args"] == ["--use_application_default_credentials"]
    assert (
        provider.inputs["clusterIdentifier"] == "projects/example-project/locations/us-central1-c/clusters/llm-test-gke"
    )
    assert zonal.one(NODE_POOL).urn in provider.dependencies


def test_regional_prod_cluster_is_protected(run_component: RunComponent) -> None:
    graph = run_component(_cluster_program(regional=True, protect=True))
    cluster = graph.one(CLUSTER)
    assert cluster.inputs["location"] == "us-central1"
    assert cluster.inputs["deletionProtection"] is True
    assert cluster.protect is True
    assert "nodeConfig" in cluster.ignoreChanges


def test_kubeconfig_shape() -> None:
    document = yaml.safe_load(kubeconfig("c", "gke-abc.us-central1.gke.goog"))
    assert "certificate-authority-data" not in document["clusters"][0]["cluster"]
    assert document["users"][0]["user"]["exec"]["apiVersion"] == "client.authentication.k8s.io/v1beta1"
    assert document["current-context"] == "c"

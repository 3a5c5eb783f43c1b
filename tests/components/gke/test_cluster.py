"""The GKE cluster component under mocks."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from components.gke import GkeCluster, GkeClusterArgs
from components.gke.cluster import NODE_ROLES, kubeconfig
from tests.conftest import RunComponent
from tests.helpers import config, naming
from tools.graph import StackGraph, record

CLUSTER = "gcp:container/cluster:Cluster"
NODE_POOL = "gcp:container/nodePool:NodePool"


def _cluster_program(*, regional: bool, protect: bool) -> Callable[[], object]:
    cfg = config({"llm-platform:cluster": {"masterAuthorizedNetworks": [{"cidr": "203.0.113.0/24", "name": "vpn"}]}})
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
    assert cluster["privateClusterConfig"]["enablePrivateNodes"] is True
    assert cluster["masterAuthorizedNetworksConfig"]["cidrBlocks"] == [
        {"cidrBlock": "203.0.113.0/24", "displayName": "vpn"}
    ]
    assert cluster["masterAuth"]["clientCertificateConfig"]["issueClientCertificate"] is False
    assert cluster["workloadIdentityConfig"] == {"workloadPool": "example-project.svc.id.goog"}
    assert cluster["datapathProvider"] == "ADVANCED_DATAPATH"
    assert cluster["gatewayApiConfig"] == {"channel": "CHANNEL_STANDARD"}
    assert cluster["releaseChannel"] == {"channel": "REGULAR"}
    assert cluster["minMasterVersion"] == "1.34.3-gke.1318000"
    addons = cluster["addonsConfig"]
    assert addons["parallelstoreCsiDriverConfig"] == {"enabled": True}
    assert addons["gcsFuseCsiDriverConfig"] == {"enabled": True}
    assert cluster["monitoringConfig"]["managedPrometheus"]["enabled"] is True
    assert cluster["nodePoolDefaults"]["nodeConfigDefaults"]["gcfsConfig"] == {"enabled": True}
    assert cluster["maintenancePolicy"]["recurringWindow"]["recurrence"] == "FREQ=WEEKLY;BYDAY=SA,SU"
    assert cluster["enableShieldedNodes"] is True
    assert cluster["deletionProtection"] is False
    assert cluster["resourceLabels"]["managed-by"] == "pulumi"


def test_nodes_run_as_a_least_privilege_account(zonal: StackGraph) -> None:
    account = zonal.one("gcp:serviceaccount/account:Account")
    email = f"{account.inputs['accountId']}@example-project.iam.gserviceaccount.com"
    grants = zonal.by_type("gcp:projects/iAMMember:IAMMember")
    assert sorted(g.inputs["role"] for g in grants) == sorted(NODE_ROLES)
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


def test_kubernetes_provider_uses_the_cluster_not_the_ambient_kubeconfig(zonal: StackGraph) -> None:
    provider = zonal.one("pulumi:providers:kubernetes")
    config = provider.inputs["kubeconfig"]
    assert "server: https://10.0.0.2" in config
    assert "command: gke-gcloud-auth-plugin" in config
    assert zonal.one(NODE_POOL).urn in provider.dependencies


def test_regional_prod_cluster_is_protected(run_component: RunComponent) -> None:
    graph = run_component(_cluster_program(regional=True, protect=True))
    cluster = graph.one(CLUSTER)
    assert cluster.inputs["location"] == "us-central1"
    assert cluster.inputs["deletionProtection"] is True
    assert cluster.protect is True
    assert "nodeConfig" in cluster.ignoreChanges


def test_kubeconfig_shape() -> None:
    text = kubeconfig("c", "1.2.3.4", "Q0E=")
    assert "certificate-authority-data: Q0E=" in text
    assert "apiVersion: client.authentication.k8s.io/v1beta1" in text

"""GKE cluster, TPU node pools and the serving namespace under mocks."""

from __future__ import annotations

from collections.abc import Callable

import pulumi
import pulumi_kubernetes as k8s
import pytest

from components.config import TierConfig
from components.gke_cluster import NODE_ROLES, GkeCluster, GkeClusterArgs, kubeconfig
from components.serving_namespace import ServingNamespace, ServingNamespaceArgs
from components.tpu_node_pool import TIER_LABEL, TpuNodePool, TpuNodePoolArgs
from tests.conftest import RunComponent
from tests.helpers import LLAMA_8B, LLAMA_70B, config, naming, tier
from tools.graph import StackGraph, record

CLUSTER = "gcp:container/cluster:Cluster"
NODE_POOL = "gcp:container/nodePool:NodePool"
POLICY = "gcp:compute/resourcePolicy:ResourcePolicy"


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


def _pool(run_component: RunComponent, tier_config: dict[str, object], name: str = "small") -> StackGraph:
    parsed = TierConfig.model_validate(tier_config)
    return run_component(
        lambda: TpuNodePool(
            f"tier-{name}",
            TpuNodePoolArgs(
                project="example-project",
                region="us-central1",
                zone="us-central1-c",
                tier=name,
                config=parsed,
                naming=naming(),
                cluster_id="projects/p/locations/us-central1/clusters/c",
                cluster_location="us-central1",
                node_service_account="nodes@example-project.iam.gserviceaccount.com",
            ),
        )
    )


def test_single_host_pool_autoscales_without_a_placement_policy(run_component: RunComponent) -> None:
    graph = _pool(run_component, tier(minReplicas=1, maxReplicas=3))
    assert graph.by_type(POLICY) == []
    pool = graph.one(NODE_POOL).inputs
    assert "placementPolicy" not in pool
    assert pool["nodeLocations"] == ["us-central1-c"]
    assert pool["autoscaling"] == {"locationPolicy": "BALANCED", "maxNodeCount": 3, "minNodeCount": 1}
    node = pool["nodeConfig"]
    assert node["machineType"] == "tpu7x-standard-1t"
    assert node["taints"] == [{"effect": "NO_SCHEDULE", "key": "google.com/tpu", "value": "present"}]
    assert node["labels"] == {TIER_LABEL: "small"}
    assert node["serviceAccount"] == "nodes@example-project.iam.gserviceaccount.com"
    assert node["workloadMetadataConfig"] == {"mode": "GKE_METADATA"}
    assert node["reservationAffinity"] == {"consumeReservationType": "ANY_RESERVATION"}
    assert pool["upgradeSettings"] == {"maxSurge": 0, "maxUnavailable": 1, "strategy": "SURGE"}


def test_multi_host_slice_names_its_high_throughput_workload_policy(run_component: RunComponent) -> None:
    graph = _pool(run_component, tier(machineType="tpu7x-standard-4t", topology="2x2x2", model=LLAMA_70B), name="large")
    policy = graph.one(POLICY)
    assert policy.inputs["workloadPolicy"] == {"acceleratorTopology": "2x2x2", "type": "HIGH_THROUGHPUT"}
    assert policy.inputs["region"] == "us-central1"
    pool = graph.one(NODE_POOL)
    assert pool.inputs["placementPolicy"] == {
        "policyName": policy.inputs["name"],
        "tpuTopology": "2x2x2",
        "type": "COMPACT",
    }
    assert policy.urn in pool.dependencies
    assert pool.inputs["nodeCount"] == 2
    assert "autoscaling" not in pool.inputs
    assert "placementPolicy.type" in pool.ignoreChanges
    assert pool.inputs["nodeConfig"]["machineType"] == "tpu7x-standard-4t"


def test_flex_start_pool(run_component: RunComponent) -> None:
    graph = _pool(run_component, tier(capacity={"type": "flex-start", "queuedProvisioning": True}, minReplicas=0))
    pool = graph.one(NODE_POOL).inputs
    assert pool["nodeConfig"]["flexStart"] is True
    assert pool["nodeConfig"]["reservationAffinity"] == {"consumeReservationType": "NO_RESERVATION"}
    assert pool["queuedProvisioning"] == {"enabled": True}
    assert pool["management"]["autoRepair"] is False
    assert "nodeCount" not in pool
    assert pool["autoscaling"]["locationPolicy"] == "ANY"
    assert pool["autoscaling"]["minNodeCount"] == 0


def test_reservation_and_spot_pools(run_component: RunComponent) -> None:
    reserved = _pool(run_component, tier(capacity={"type": "reservation", "reservation": "tpu-r"})).one(NODE_POOL)
    assert reserved.inputs["nodeConfig"]["reservationAffinity"] == {
        "consumeReservationType": "SPECIFIC_RESERVATION",
        "key": "compute.googleapis.com/reservation-name",
        "values": ["projects/example-project/reservations/tpu-r"],
    }
    spot = _pool(run_component, tier(capacity={"type": "spot"})).one(NODE_POOL)
    assert spot.inputs["nodeConfig"]["spot"] is True
    assert spot.inputs["nodeConfig"]["reservationAffinity"] == {"consumeReservationType": "NO_RESERVATION"}


def test_serving_namespace_objects_use_the_given_provider(run_component: RunComponent) -> None:
    def build() -> None:
        provider = k8s.Provider("cluster", kubeconfig="apiVersion: v1\nkind: Config\n")
        ServingNamespace(
            "serving",
            ServingNamespaceArgs(namespace="llm", service_account="vllm", naming=naming(), provider=provider),
            pulumi.ResourceOptions(),
        )

    graph = run_component(build)
    provider = graph.one("pulumi:providers:kubernetes").urn
    namespace = graph.one("kubernetes:core/v1:Namespace")
    account = graph.one("kubernetes:core/v1:ServiceAccount")
    assert namespace.inputs["metadata"]["name"] == "llm"
    assert account.inputs["metadata"] == {
        "labels": {"app.kubernetes.io/part-of": "llm-platform"},
        "name": "vllm",
        "namespace": "llm",
    }
    assert namespace.provider == provider
    assert account.provider == provider
    assert namespace.urn in account.dependencies


def test_small_model_on_a_big_slice_is_fine() -> None:
    parsed = TierConfig.model_validate(tier(machineType="tpu7x-standard-4t", topology="4x4x4", model=LLAMA_8B))
    assert parsed.shape.vms == 16

"""TPU7x node pools under mocks: shapes, placement, capacity modes."""

from __future__ import annotations

from components.gke import TpuNodePool, TpuNodePoolArgs
from components.gke.tpu_node_pool import TIER_LABEL
from components.serving.config import TierConfig
from tests.conftest import RunComponent
from tests.helpers import LLAMA_70B, naming, tier
from tools.graph import StackGraph

NODE_POOL = "gcp:container/nodePool:NodePool"
POLICY = "gcp:compute/resourcePolicy:ResourcePolicy"


def _pool(
    run_component: RunComponent, tier_config: dict[str, object], name: str = "small", surge: int = 0
) -> StackGraph:
    parsed = TierConfig.model_validate(tier_config)
    return run_component(
        lambda: TpuNodePool(
            f"tier-{name}",
            TpuNodePoolArgs(
                project="example-project",
                region="us-central1",
                zone="us-central1-c",
                tier=name,
                shape=parsed.shape,
                capacity=parsed.capacity,
                min_replicas=parsed.min_replicas,
                max_replicas=parsed.max_replicas,
                naming=naming(),
                cluster_id="projects/p/locations/us-central1/clusters/c",
                cluster_location="us-central1",
                node_service_account="nodes@example-project.iam.gserviceaccount.com",
                rollout_surge_nodes=surge,
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
    assert node["reservationAffinity"] == {
        "consumeReservationType": "NO_RESERVATION"
    }  # others' reservations stay theirs
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
    # The slice is upgraded whole: one restart of its group, not one per VM.
    assert pool.inputs["upgradeSettings"] == {"maxSurge": 0, "maxUnavailable": 2, "strategy": "SURGE"}


def test_a_surge_tier_s_pool_has_room_for_one_more_replica(run_component: RunComponent) -> None:
    pool = _pool(run_component, tier(minReplicas=1, maxReplicas=3), surge=1).one(NODE_POOL).inputs
    assert pool["autoscaling"] == {"locationPolicy": "BALANCED", "maxNodeCount": 4, "minNodeCount": 1}


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
    # GKE upgrades flex-start nodes by its short-lived strategy and forces it back: nothing sent.
    assert "upgradeSettings" not in pool


def test_reservation_and_spot_pools(run_component: RunComponent) -> None:
    reserved = _pool(run_component, tier(capacity={"type": "reservation", "reservation": "tpu-r"})).one(NODE_POOL)
    assert reserved.inputs["nodeConfig"]["reservationAffinity"] == {
        "consumeReservationType": "SPECIFIC_RESERVATION",
        "key": "compute.googleapis.com/reservation-name",
        "values": ["tpu-r"],
    }
    spot = _pool(run_component, tier(capacity={"type": "spot"})).one(NODE_POOL)
    assert spot.inputs["nodeConfig"]["spot"] is True
    assert spot.inputs["nodeConfig"]["reservationAffinity"] == {"consumeReservationType": "NO_RESERVATION"}

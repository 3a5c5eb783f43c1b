"""A TPU7x node pool: one serving tier's slices, with the capacity mode the tier asks for.

Single-host pools (1x1x1, 2x2x1) autoscale between the tier's replica bounds, one node per replica.
A multi-host pool is exactly one slice: a HIGH_THROUGHPUT workload policy carries the topology
(TPU7x replaces `--tpu-topology` with it) and the pool's placement policy names that policy.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from components.base import PlatformComponent
from components.gke.cluster_settings import CLOUD_PLATFORM_SCOPE
from components.gke.config import CapacityConfig
from components.gke.pool_sizing import PoolSizing, pool_sizing, reservation_value
from components.gke.pool_upgrades import upgrade_settings
from components.gke.tpu import TPU_RESOURCE, SliceShape
from components.naming import Naming

TIER_LABEL = "llm-platform/tier"
RESERVATION_KEY = "compute.googleapis.com/reservation-name"


def pool_name(naming: Naming, tier: str) -> str:
    """The node pool's name: GKE allows at most 40 characters."""
    return naming.name(f"tpu-{tier}")[:40].rstrip("-")


def autoscaling(sizing: PoolSizing) -> gcp.container.NodePoolAutoscalingArgs | None:
    """Autoscaling bounds, or None for a pool of a fixed node count."""
    if sizing.max_nodes is None:
        return None
    return gcp.container.NodePoolAutoscalingArgs(
        min_node_count=sizing.min_nodes, max_node_count=sizing.max_nodes, location_policy=sizing.location_policy
    )


def placement_policy(shape: SliceShape, policy_name: pulumi.Input[str]) -> gcp.container.NodePoolPlacementPolicyArgs:
    """A multi-host slice's placement: compact, on the workload policy that carries its topology."""
    return gcp.container.NodePoolPlacementPolicyArgs(
        type="COMPACT",
        policy_name=policy_name,
        # The API fills tpu_topology in on read; sending the policy's topology keeps the plan clean.
        tpu_topology=shape.topology,
    )


def reservation_affinity(
    project: str, capacity: CapacityConfig
) -> gcp.container.NodePoolNodeConfigReservationAffinityArgs:
    """The named reservation for a reservation tier; no reservation for any other: an on-demand pool
    with ANY_RESERVATION would take capacity another tier's reservation holds for it."""
    if capacity.type == "reservation" and capacity.reservation:
        return gcp.container.NodePoolNodeConfigReservationAffinityArgs(
            consume_reservation_type="SPECIFIC_RESERVATION",
            key=RESERVATION_KEY,
            values=[reservation_value(project, capacity.reservation)],
        )
    return gcp.container.NodePoolNodeConfigReservationAffinityArgs(consume_reservation_type="NO_RESERVATION")


def ignored_changes(multi_host: bool) -> list[str]:
    """What the pool's read-back may differ in without planning a change."""
    ignore = ["initialNodeCount"]
    if multi_host:
        # GKE returns no placement type once a workload policy is named (magic-modules#17643, open;
        # vllm-project/ci-infra#547), while cluster-toolkit sends COMPACT and creates fine: the
        # read-back without a type must never plan a change to a slice.
        ignore.append("placementPolicy.type")
    return ignore


def tpu_node_config(
    project: str,
    tier: str,
    shape: SliceShape,
    capacity: CapacityConfig,
    naming: Naming,
    service_account: pulumi.Input[str],
) -> gcp.container.NodePoolNodeConfigArgs:
    """A tier's TPU VMs: tainted for TPU pods only, labelled with the tier, in the capacity mode it asks for."""
    return gcp.container.NodePoolNodeConfigArgs(
        machine_type=shape.machine_type,
        image_type="COS_CONTAINERD",
        disk_type="hyperdisk-balanced",
        disk_size_gb=200,
        gvnic=gcp.container.NodePoolNodeConfigGvnicArgs(enabled=True),
        service_account=service_account,
        oauth_scopes=[CLOUD_PLATFORM_SCOPE],
        spot=capacity.type == "spot",
        flex_start=True if capacity.type == "flex-start" else None,
        reservation_affinity=reservation_affinity(project, capacity),
        shielded_instance_config=gcp.container.NodePoolNodeConfigShieldedInstanceConfigArgs(
            enable_secure_boot=True, enable_integrity_monitoring=True
        ),
        workload_metadata_config=gcp.container.NodePoolNodeConfigWorkloadMetadataConfigArgs(mode="GKE_METADATA"),
        taints=[gcp.container.NodePoolNodeConfigTaintArgs(key=TPU_RESOURCE, value="present", effect="NO_SCHEDULE")],
        labels={TIER_LABEL: tier},
        resource_labels={**naming.labels, "tier": tier},
        tags=[naming.node_tag],
    )


@dataclass(frozen=True)
class TpuNodePoolArgs:
    project: str
    region: str
    zone: str
    tier: str
    shape: SliceShape
    capacity: CapacityConfig
    min_replicas: int
    max_replicas: int
    naming: Naming
    cluster_id: pulumi.Input[str]
    cluster_location: str
    node_service_account: pulumi.Input[str]
    rollout_surge_nodes: int = 0  # room beyond max_replicas for a surge rollout (the workload decides)


class TpuNodePool(PlatformComponent):
    def __init__(self, name: str, args: TpuNodePoolArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("gke:TpuNodePool", name, opts)
        self.shape = args.shape
        self.workload_policy = self._workload_policy(name, args) if args.shape.multi_host else None
        self.node_pool = self._node_pool(name, args)
        self.register_outputs(
            {
                "node_pool": self.node_pool.name,
                "topology": args.shape.topology,
                "chips": args.shape.chips,
                "vms": args.shape.vms,
            }
        )

    def _workload_policy(self, name: str, args: TpuNodePoolArgs) -> gcp.compute.ResourcePolicy:
        """TPU7x takes a multi-host slice's topology from a HIGH_THROUGHPUT workload policy."""
        return gcp.compute.ResourcePolicy(
            f"{name}-workload-policy",
            name=args.naming.name(f"{args.tier}-{args.shape.topology}"),
            project=args.project,
            region=args.region,
            description=f"TPU7x {args.shape.topology} slice for tier {args.tier}",
            workload_policy=gcp.compute.ResourcePolicyWorkloadPolicyArgs(
                type="HIGH_THROUGHPUT", accelerator_topology=args.shape.topology
            ),
            opts=self.child(),
        )

    def _node_pool(self, name: str, args: TpuNodePoolArgs) -> gcp.container.NodePool:
        capacity = args.capacity
        sizing = pool_sizing(args.shape, capacity, args.min_replicas, args.max_replicas, args.rollout_surge_nodes)
        return gcp.container.NodePool(
            f"{name}-pool",
            name=pool_name(args.naming, args.tier),
            project=args.project,
            cluster=args.cluster_id,
            location=args.cluster_location,
            node_locations=[args.zone],
            node_count=sizing.node_count,
            initial_node_count=sizing.initial_nodes,
            autoscaling=autoscaling(sizing),
            placement_policy=(
                placement_policy(args.shape, self.workload_policy.name) if self.workload_policy is not None else None
            ),
            queued_provisioning=(
                gcp.container.NodePoolQueuedProvisioningArgs(enabled=True) if capacity.queued_provisioning else None
            ),
            management=gcp.container.NodePoolManagementArgs(
                # Flex-start nodes cannot be repaired in place (DWS returns capacity instead).
                auto_repair=capacity.type != "flex-start",
                auto_upgrade=True,
            ),
            upgrade_settings=upgrade_settings(args.shape, capacity),
            node_config=tpu_node_config(
                args.project, args.tier, args.shape, capacity, args.naming, args.node_service_account
            ),
            opts=self.child(ignore_changes=ignored_changes(args.shape.multi_host)),
        )

"""A TPU7x node pool: one serving tier's slices, with the capacity mode the tier asks for.

Single-host pools (1x1x1, 2x2x1) autoscale between the tier's replica bounds, one node per replica.
A multi-host pool is exactly one slice: a HIGH_THROUGHPUT workload policy carries the topology
(TPU7x replaces `--tpu-topology` with it) and the pool's placement policy names that policy.
A tier with a capacity chain (`capacity.fallback`) gets one pool per mode, all scaling from zero
and sharing the workload policy, and a ComputeClass that orders them (`capacity_chain.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp
import pulumi_kubernetes as k8s

from components.base import PlatformComponent
from components.gke import capacity_chain
from components.gke.cluster_settings import CLOUD_PLATFORM_SCOPE
from components.gke.config import CapacityConfig
from components.gke.pool_sizing import PoolSizing, chain_sizings, reservation_value
from components.gke.pool_upgrades import upgrade_settings
from components.gke.tpu import TPU_RESOURCE, SliceShape
from components.naming import Naming

TIER_LABEL = "llm-platform/tier"
RESERVATION_KEY = "compute.googleapis.com/reservation-name"


def pool_name(naming: Naming, tier: str) -> str:
    """The node pool's name: GKE allows at most 40 characters."""
    return naming.name(f"tpu-{tier}")[:40].rstrip("-")


def pool_name_at(args: TpuNodePoolArgs, index: int) -> str:
    """The name of the pool of step `index` of the tier's chain (step 0 is the tier's only pool without one)."""
    return capacity_chain.step_pool_name(pool_name(args.naming, args.tier), index, args.capacity.modes[index])


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


def class_labels_and_taints(
    compute_class: str | None,
) -> tuple[dict[str, str], list[gcp.container.NodePoolNodeConfigTaintArgs]]:
    """A chain's pools carry the class as a node label and a NoSchedule taint, as GKE asks of pools a
    ComputeClass names (both update in place on an existing pool)."""
    if compute_class is None:
        return {}, []
    key = capacity_chain.COMPUTE_CLASS_KEY
    return {key: compute_class}, [
        gcp.container.NodePoolNodeConfigTaintArgs(key=key, value=compute_class, effect="NO_SCHEDULE")
    ]


def tpu_node_config(
    project: str,
    tier: str,
    shape: SliceShape,
    capacity: CapacityConfig,
    naming: Naming,
    service_account: pulumi.Input[str],
    compute_class: str | None = None,
) -> gcp.container.NodePoolNodeConfigArgs:
    """A tier's TPU VMs: tainted for TPU pods only, labelled with the tier, in the capacity mode it asks for."""
    class_labels, class_taints = class_labels_and_taints(compute_class)
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
        taints=[
            gcp.container.NodePoolNodeConfigTaintArgs(key=TPU_RESOURCE, value="present", effect="NO_SCHEDULE"),
            *class_taints,
        ],
        labels={TIER_LABEL: tier, **class_labels},
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
    provider: k8s.Provider | None = None  # for the ComputeClass of a tier with a capacity chain

    @property
    def compute_class(self) -> str | None:
        """The tier's ComputeClass, when it has a chain."""
        if not capacity_chain.has_chain(self.capacity):
            return None
        return capacity_chain.compute_class_name(self.naming, self.tier)


class TpuNodePool(PlatformComponent):
    def __init__(self, name: str, args: TpuNodePoolArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("gke:TpuNodePool", name, opts)
        self.shape = args.shape
        self.compute_class_name = args.compute_class
        self.workload_policy = self._workload_policy(name, args) if args.shape.multi_host else None
        chain = chain_sizings(args.shape, args.capacity, args.min_replicas, args.max_replicas, args.rollout_surge_nodes)
        self.pools = [self._node_pool(name, args, index, *step) for index, step in enumerate(chain)]
        self.node_pool = self.pools[0]
        self.compute_class = self._compute_class(name, args) if args.compute_class is not None else None
        self.register_outputs(
            {
                "node_pool": self.node_pool.name,
                "node_pools": [pool.name for pool in self.pools],
                "compute_class": args.compute_class,
                "topology": args.shape.topology,
                "chips": args.shape.chips,
                "vms": args.shape.vms,
            }
        )

    @property
    def ready(self) -> list[pulumi.Resource]:
        """What the tier's workload waits for: every pool of its chain and the class that orders them."""
        return [*self.pools, *([self.compute_class] if self.compute_class is not None else [])]

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

    def _compute_class(self, name: str, args: TpuNodePoolArgs) -> k8s.apiextensions.CustomResource:
        """The chain's order for GKE's autoscaler: one priority per pool (the pools carry the modes)."""
        if args.provider is None:
            raise ValueError(f"tier {args.tier} has a capacity chain and no Kubernetes provider for its ComputeClass")
        return k8s.apiextensions.CustomResource(
            f"{name}-compute-class",
            api_version="cloud.google.com/v1",
            kind="ComputeClass",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=args.compute_class),
            spec=capacity_chain.compute_class_spec([pool_name_at(args, i) for i in range(len(self.pools))]),
            opts=self.child(provider=args.provider, depends_on=self.pools),
        )

    def _node_pool(
        self, name: str, args: TpuNodePoolArgs, index: int, capacity: CapacityConfig, sizing: PoolSizing
    ) -> gcp.container.NodePool:
        return gcp.container.NodePool(
            f"{name}-pool" if index == 0 else f"{name}-pool-{capacity.type}",
            name=pool_name_at(args, index),
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
                args.project,
                args.tier,
                args.shape,
                capacity,
                args.naming,
                args.node_service_account,
                args.compute_class,
            ),
            opts=self.child(ignore_changes=ignored_changes(args.shape.multi_host)),
        )

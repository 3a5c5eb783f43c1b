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
from components.gke.pool_sizing import pool_sizing, reservation_value
from components.gke.tpu import TPU_RESOURCE, SliceShape
from components.naming import Naming

TIER_LABEL = "llm-platform/tier"
RESERVATION_KEY = "compute.googleapis.com/reservation-name"


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


class TpuNodePool(PlatformComponent):
    def __init__(self, name: str, args: TpuNodePoolArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("gke:TpuNodePool", name, opts)
        naming, shape, capacity = args.naming, args.shape, args.capacity
        self.shape = shape

        self.workload_policy: gcp.compute.ResourcePolicy | None = None
        placement = None
        if shape.multi_host:
            self.workload_policy = gcp.compute.ResourcePolicy(
                f"{name}-workload-policy",
                name=naming.name(f"{args.tier}-{shape.topology}"),
                project=args.project,
                region=args.region,
                description=f"TPU7x {shape.topology} slice for tier {args.tier}",
                workload_policy=gcp.compute.ResourcePolicyWorkloadPolicyArgs(
                    type="HIGH_THROUGHPUT", accelerator_topology=shape.topology
                ),
                opts=self.child(),
            )
            placement = gcp.container.NodePoolPlacementPolicyArgs(
                type="COMPACT",
                policy_name=self.workload_policy.name,
                # The API fills tpu_topology in on read; sending the policy's topology keeps the plan clean.
                tpu_topology=shape.topology,
            )

        sizing = pool_sizing(shape, capacity, args.min_replicas, args.max_replicas)
        autoscaling = None
        if sizing.max_nodes is not None:
            autoscaling = gcp.container.NodePoolAutoscalingArgs(
                min_node_count=sizing.min_nodes,
                max_node_count=sizing.max_nodes,
                location_policy=sizing.location_policy,
            )

        if capacity.type == "reservation" and capacity.reservation:
            affinity = gcp.container.NodePoolNodeConfigReservationAffinityArgs(
                consume_reservation_type="SPECIFIC_RESERVATION",
                key=RESERVATION_KEY,
                values=[reservation_value(args.project, capacity.reservation)],
            )
        else:
            # Only a reservation tier consumes reservations: an on-demand pool with ANY_RESERVATION would
            # take capacity another tier's reservation holds for it.
            affinity = gcp.container.NodePoolNodeConfigReservationAffinityArgs(
                consume_reservation_type="NO_RESERVATION"
            )

        ignore_changes = ["initialNodeCount"]
        if placement is not None:
            # GKE returns no placement type once a workload policy is named (magic-modules#17643, open;
            # vllm-project/ci-infra#547), while cluster-toolkit sends COMPACT and creates fine: the
            # read-back without a type must never plan a change to a slice.
            ignore_changes.append("placementPolicy.type")

        self.node_pool = gcp.container.NodePool(
            f"{name}-pool",
            name=naming.name(f"tpu-{args.tier}")[:40].rstrip("-"),
            project=args.project,
            cluster=args.cluster_id,
            location=args.cluster_location,
            node_locations=[args.zone],
            node_count=sizing.node_count,
            initial_node_count=sizing.initial_nodes,
            autoscaling=autoscaling,
            placement_policy=placement,
            queued_provisioning=(
                gcp.container.NodePoolQueuedProvisioningArgs(enabled=True) if capacity.queued_provisioning else None
            ),
            management=gcp.container.NodePoolManagementArgs(
                # Flex-start nodes cannot be repaired in place (DWS returns capacity instead).
                auto_repair=capacity.type != "flex-start",
                auto_upgrade=True,
            ),
            # No spare TPUs exist to surge into: take one node (single-host) or the slice down at a time.
            upgrade_settings=gcp.container.NodePoolUpgradeSettingsArgs(
                strategy="SURGE", max_surge=0, max_unavailable=1
            ),
            node_config=gcp.container.NodePoolNodeConfigArgs(
                machine_type=shape.machine_type,
                image_type="COS_CONTAINERD",
                disk_type="hyperdisk-balanced",
                disk_size_gb=200,
                gvnic=gcp.container.NodePoolNodeConfigGvnicArgs(enabled=True),
                service_account=args.node_service_account,
                oauth_scopes=[CLOUD_PLATFORM_SCOPE],
                spot=capacity.type == "spot",
                flex_start=True if capacity.type == "flex-start" else None,
                reservation_affinity=affinity,
                shielded_instance_config=gcp.container.NodePoolNodeConfigShieldedInstanceConfigArgs(
                    enable_secure_boot=True, enable_integrity_monitoring=True
                ),
                workload_metadata_config=gcp.container.NodePoolNodeConfigWorkloadMetadataConfigArgs(
                    mode="GKE_METADATA"
                ),
                taints=[
                    gcp.container.NodePoolNodeConfigTaintArgs(key=TPU_RESOURCE, value="present", effect="NO_SCHEDULE")
                ],
                labels={TIER_LABEL: args.tier},
                resource_labels={**naming.labels, "tier": args.tier},
                tags=[naming.node_tag],
            ),
            opts=self.child(ignore_changes=ignore_changes),
        )
        self.register_outputs(
            {
                "node_pool": self.node_pool.name,
                "topology": shape.topology,
                "chips": shape.chips,
                "vms": shape.vms,
            }
        )

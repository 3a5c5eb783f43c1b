"""How GKE replaces a TPU pool's nodes on an upgrade, and what a tier's shape and capacity allow (pure).

GKE's strategies (container v1 `UpgradeSettings.strategy`, discovery revision 20261027): SURGE
(`maxSurge` new nodes beyond the pool's size, `maxUnavailable` old ones down at once; at least one
of the two), BLUE_GREEN (a green pool as large as the blue one, the blue drained in batches, then
deleted after a soak), and SHORT_LIVED, which GKE sets itself on flex-start and queued-provisioning
pools: their nodes are not upgraded in place, new nodes come up on the new version ("Node upgrade
strategies": "For nodes that use Flex-start VMs, GKE uses short-lived upgrades"). The provider
takes only SURGE or BLUE_GREEN, and GKE forces SHORT_LIVED back on a flex-start pool, so sending
either there would be planned again on every update (crossplane-contrib/provider-upjet-gcp#1029):
a flex-start pool sends no upgrade settings.

What TPU capacity allows:
- no spare TPUs exist to surge into by default, so the default is SURGE with `maxSurge: 0`: nodes
  are drained in place (cluster-toolkit's gke-node-pool, used for TPU7x, allows only this form by
  default: SURGE, maxSurge 0, maxUnavailable 1);
- a multi-host slice runs one group that restarts whole when any of its pods goes, so the default
  takes the whole slice down at once (`maxUnavailable` = its VMs): one outage per upgrade instead
  of one per VM. Surging into or blue-greening a slice needs a second slice of capacity, which a
  one-slice pool cannot hold: refused;
- a single-host pool may surge or go blue-green where the extra nodes can exist: on-demand and
  spot (quota permitting), a reservation only when `reservedVms` holds them.
"""

from __future__ import annotations

import pulumi_gcp as gcp
from pydantic.alias_generators import to_camel

from components.config.fields import FieldError
from components.gke.config import BlueGreenConfig, CapacityConfig, NodeUpgradeConfig
from components.gke.tpu import SliceShape


def max_unavailable(shape: SliceShape, capacity: CapacityConfig) -> int:
    configured = capacity.upgrade.max_unavailable
    if configured is not None:
        return configured
    return shape.vms if shape.multi_host else 1


def upgrade_nodes(shape: SliceShape, capacity: CapacityConfig, pool_nodes: int) -> int:
    """Nodes an upgrade adds beyond the pool's own, at most (a blue-green upgrade doubles the pool)."""
    if capacity.type == "flex-start":
        return 0
    upgrade = capacity.upgrade
    return pool_nodes if upgrade.strategy == "BLUE_GREEN" else upgrade.max_surge


def upgrade_settings(shape: SliceShape, capacity: CapacityConfig) -> gcp.container.NodePoolUpgradeSettingsArgs | None:
    """The pool's upgrade settings; none on flex-start, whose nodes GKE replaces by its short-lived strategy."""
    if capacity.type == "flex-start":
        return None
    upgrade = capacity.upgrade
    if upgrade.strategy == "BLUE_GREEN":
        blue_green = upgrade.blue_green or BlueGreenConfig()
        return gcp.container.NodePoolUpgradeSettingsArgs(
            strategy="BLUE_GREEN",
            blue_green_settings=gcp.container.NodePoolUpgradeSettingsBlueGreenSettingsArgs(
                node_pool_soak_duration=f"{blue_green.node_pool_soak_seconds}s",
                standard_rollout_policy=gcp.container.NodePoolUpgradeSettingsBlueGreenSettingsStandardRolloutPolicyArgs(
                    batch_node_count=blue_green.batch_node_count,
                    batch_soak_duration=f"{blue_green.batch_soak_seconds}s",
                ),
            ),
        )
    return gcp.container.NodePoolUpgradeSettingsArgs(
        strategy="SURGE", max_surge=upgrade.max_surge, max_unavailable=max_unavailable(shape, capacity)
    )


def _a_set_leaf(upgrade: NodeUpgradeConfig) -> str:
    """A leaf of `capacity.upgrade` the stack file sets, for the message to name (blueGreen comes only
    with strategy BLUE_GREEN, so one of these is always set)."""
    return next(
        (to_camel(f) for f in ("strategy", "max_surge", "max_unavailable") if f in upgrade.model_fields_set),
        "strategy",
    )


def _reservation_problems(shape: SliceShape, capacity: CapacityConfig, min_replicas: int) -> list[FieldError]:
    if capacity.reserved_vms is None or capacity.reserved_vms >= min_replicas * shape.vms:
        return []
    return [
        FieldError(
            "capacity.reservedVms",
            f"{capacity.reserved_vms} VMs cannot hold minReplicas {min_replicas} x {shape.vms} VMs: the first "
            f"rollout would wait for nodes that never come (allowed: at least {min_replicas * shape.vms}, or a "
            "lower minReplicas)",
        )
    ]


def pool_problems(
    shape: SliceShape, capacity: CapacityConfig, min_replicas: int, max_replicas: int
) -> list[FieldError]:
    """What the tier's pool could never do, with keys relative to the tier."""
    problems = _reservation_problems(shape, capacity, min_replicas)
    upgrade = capacity.upgrade
    if capacity.type == "flex-start":
        if upgrade.model_fields_set:
            field = _a_set_leaf(upgrade)
            problems.append(
                FieldError(
                    f"capacity.upgrade.{field}",
                    "is set on a flex-start tier, whose nodes GKE replaces by its short-lived strategy (new nodes on "
                    "the new version) and whose settings it overrides (allowed: leave capacity.upgrade unset)",
                )
            )
        return problems
    extra = upgrade_nodes(shape, capacity, max_replicas * shape.vms)
    if shape.multi_host and upgrade.strategy == "BLUE_GREEN":
        problems.append(
            FieldError(
                "capacity.upgrade.strategy",
                f"BLUE_GREEN would need a second {shape.topology} slice beside the tier's only one (allowed: SURGE)",
            )
        )
    elif shape.multi_host and upgrade.max_surge:
        problems.append(
            FieldError(
                "capacity.upgrade.maxSurge",
                f"{upgrade.max_surge}: a surge node cannot join a {shape.topology} slice, which is whole or absent "
                f"(allowed: 0, with maxUnavailable 1 to {shape.vms})",
            )
        )
    elif capacity.type == "reservation" and extra:
        needed = max_replicas * shape.vms + extra
        if capacity.reserved_vms is None or capacity.reserved_vms < needed:
            key = "capacity.upgrade.strategy" if upgrade.strategy == "BLUE_GREEN" else "capacity.upgrade.maxSurge"
            held = "an unknown number of" if capacity.reserved_vms is None else str(capacity.reserved_vms)
            problems.append(
                FieldError(
                    key,
                    f"needs {needed} reserved VMs at maxReplicas {max_replicas}, and the reservation holds {held} "
                    "(allowed: SURGE with maxSurge 0, or capacity.reservedVms set to what the reservation holds)",
                )
            )
    return problems

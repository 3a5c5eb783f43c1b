"""How a tier's workload rolls to a new template: surge or replace, decided from what capacity can exist.

A surge rollout starts the new replica first and stops an old one once it is ready (`maxSurge: 1,
maxUnavailable: 0`): no capacity is lost, but the new replica needs a TPU node beyond the ones the
tier already uses, so its pool must be able to create one more node than `maxReplicas` needs. A
replacement stops one replica first and starts its successor on the node it freed (`maxSurge: 0,
maxUnavailable: 1`): it needs no new node, so it completes whatever capacity exists, but the tier
is one replica short for a drain plus a startup (a one-replica tier serves nothing meanwhile).

Surge only where the extra node can exist: an on-demand pool (it gets the room here), or a
reservation that holds a VM beyond the pool's ceiling (`capacity.reservedVms`). Replace where it
cannot: flex-start (DWS may queue a new node for hours), spot (the capacity may be gone), a
reservation sized to the pool, and every multi-host tier (a slice is atomic: a second group needs a
whole second slice, and a tier's pool is exactly one).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from components.serving.config import TierConfig

RolloutKind = Literal["surge", "replace"]


@dataclass(frozen=True)
class Rollout:
    """A tier's rollout strategy and what it costs."""

    kind: RolloutKind
    reason: str
    surge_nodes: int  # nodes the tier's pool needs beyond what maxReplicas fill, for the surge replica

    @property
    def max_surge(self) -> int:
        return 1 if self.kind == "surge" else 0

    @property
    def max_unavailable(self) -> int:
        return 0 if self.kind == "surge" else 1

    def below_minimum(self, config: TierConfig) -> bool:
        """Whether a rollout takes the tier below its minimum for a drain and a startup."""
        return self.kind == "replace" and config.min_replicas > 0

    def as_output(self, config: TierConfig) -> dict[str, Any]:
        return {
            "strategy": self.kind,
            "maxSurge": self.max_surge,
            "maxUnavailable": self.max_unavailable,
            "belowMinimumDuringRollout": self.below_minimum(config),
            "reason": self.reason,
        }


def _replace(reason: str) -> Rollout:
    return Rollout(kind="replace", reason=reason, surge_nodes=0)


def rollout(config: TierConfig) -> Rollout:
    """Surge when the tier's pool can get a node beyond its ceiling, replace when it cannot."""
    shape, capacity = config.shape, config.capacity
    if shape.multi_host:
        return _replace(
            f"a {shape.topology} slice is one group on a one-slice pool: a surge group would need a second slice"
        )
    if capacity.fallback:
        return _replace(
            f"a surge replica may land on any step of the {' -> '.join(capacity.modes)} chain, and the chain's "
            "pools have no room beyond maxReplicas"
        )
    if capacity.type == "flex-start":
        return _replace("flex-start nodes come when DWS finds capacity: a surge replica could wait for hours")
    if capacity.type == "spot":
        return _replace("spot capacity may be gone when the surge replica asks for a node")
    needed = (config.max_replicas + 1) * shape.vms
    if capacity.type == "reservation":
        if capacity.reserved_vms is None or capacity.reserved_vms < needed:
            held = "an unknown number of" if capacity.reserved_vms is None else str(capacity.reserved_vms)
            return _replace(
                f"the reservation holds {held} VMs and a surge at maxReplicas {config.max_replicas} needs {needed} "
                "(set capacity.reservedVms to what it holds)"
            )
        return Rollout(
            kind="surge",
            reason=f"the reservation holds {capacity.reserved_vms} VMs, one more than maxReplicas needs",
            surge_nodes=shape.vms,
        )
    return Rollout(
        kind="surge",
        reason="on-demand: the pool may grow one node beyond maxReplicas for the surge replica",
        surge_nodes=shape.vms,
    )

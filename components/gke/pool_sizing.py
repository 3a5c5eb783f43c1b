"""How many TPU nodes a pool has, and which reservation it consumes: pure decisions."""

from __future__ import annotations

from dataclasses import dataclass

from components.gke.config import CapacityConfig, reservation_ref
from components.gke.tpu import SliceShape

# A regional cluster spreads a node pool without explicit node locations over three of the region's
# zones (https://cloud.google.com/kubernetes-engine/docs/concepts/regional-clusters).
REGIONAL_POOL_ZONES = 3


def reservation_value(project: str, reservation: str) -> str:
    """The reservation as the node pool's affinity names it: the short name for one of the stack's
    project (the form the provider's acceptance test proves GKE reads back unchanged; the affinity
    block forces replacement, so a read-back in another form would replace the pool on every update),
    `projects/P/reservations/NAME` for a reservation shared from another project, as GKE requires.
    A full resource path (`projects/P/zones/Z/reservations/NAME`) loses its zone, which is the pool's."""
    path = reservation_ref(reservation).affinity_path()
    own = f"projects/{project}/reservations/"
    return path.removeprefix(own) if path.startswith(own) else path


@dataclass(frozen=True)
class PoolSizing:
    """How many nodes a pool has: a fixed count, or autoscaling bounds (with the initial count)."""

    node_count: int | None
    min_nodes: int | None
    max_nodes: int | None
    initial_nodes: int | None
    location_policy: str | None

    @property
    def most_nodes(self) -> int:
        """The most nodes the pool can ever have."""
        return self.node_count if self.node_count is not None else self.max_nodes or 0


def pool_sizing(
    shape: SliceShape, capacity: CapacityConfig, min_replicas: int, max_replicas: int, rollout_surge: int = 0
) -> PoolSizing:
    """Node counts for a tier. A multi-host slice is whole or absent; flex-start never has a static count.

    `rollout_surge` is the room a surge rollout needs beyond `max_replicas` (serving's rollout
    decision, `components/serving/rollout.py`, passes it; it is 0 wherever the tier rolls by
    replacement): the pool's ceiling includes it, the replicas' ceiling does not.
    """
    if rollout_surge and (capacity.type == "flex-start" or shape.multi_host):
        raise ValueError(f"a {capacity.type} or multi-host pool has no surge room (rollout_surge {rollout_surge})")
    if capacity.type == "flex-start":
        # DWS flex-start: nodes arrive when capacity does; ANY lets the autoscaler take what exists.
        return PoolSizing(None, 0, max_replicas * shape.vms, 0, "ANY")
    if shape.multi_host:
        if min_replicas == 0:  # scale-to-zero slice: GKE scales a multi-host pool atomically
            return PoolSizing(None, 0, shape.vms, 0, "ANY")
        return PoolSizing(shape.vms, None, None, None, None)
    location_policy = "ANY" if capacity.type in ("spot", "reservation") else "BALANCED"
    return PoolSizing(None, min_replicas, max_replicas + rollout_surge, min_replicas, location_policy)


def chain_sizings(
    shape: SliceShape, capacity: CapacityConfig, min_replicas: int, max_replicas: int, rollout_surge: int = 0
) -> list[tuple[CapacityConfig, PoolSizing]]:
    """Each pool of the tier's capacity chain with its node counts. One step: the tier's pool as
    `pool_sizing` sizes it. A chain: every pool from zero to the tier's ceiling, since pending pods,
    not node floors, walk the ComputeClass's priorities (a chain rolls by replacement: no surge)."""
    chain = [capacity, *(CapacityConfig(type=mode) for mode in capacity.fallback)]
    if len(chain) == 1:
        return [(capacity, pool_sizing(shape, capacity, min_replicas, max_replicas, rollout_surge))]
    return [(step, pool_sizing(shape, step, 0, max_replicas)) for step in chain]

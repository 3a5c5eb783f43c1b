"""A tier's capacity chain: the modes it falls back through, and the ComputeClass that orders them (pure).

`tiers.<name>.capacity.type` is the first step; `capacity.fallback` lists the next ones. A tier with
one step keeps its one node pool and no ComputeClass. A tier with a chain gets one node pool per
step (the first keeps the tier's pool name, the others take the mode as a suffix), each labelled
and tainted `cloud.google.com/compute-class=<class>`, and a `cloud.google.com/v1` ComputeClass whose
priorities name those pools in chain order; the tier's pods select the class.

Why existing pools, not node pool auto-creation (GKE "About custom ComputeClasses", "About node
pool auto-creation", checked December 2026):
- a priority that names `nodepools` may carry nothing else (the CRD's CEL rule "Nodepool field
  cannot be set along with other nodepool configuration fields"): the pool carries the mode (spot,
  flex-start, the reservation's affinity), the TPU7x machine type and, for a multi-host slice, the
  HIGH_THROUGHPUT workload policy, exactly as a one-step tier's pool does;
- auto-created pools support neither surge nor blue-green upgrades nor secure boot and integrity
  monitoring in a ComputeClass, and are reaped to zero (vllm-project/ci-infra#524 moved its TPU
  CI back to declared pools for that reason); this stack's TPU pools are hardened and upgraded per
  `components/gke/pool_upgrades.py`;
- the cluster has no node auto-provisioning; node pool auto-creation from a ComputeClass needs
  GKE 1.33.3-gke.1136000+ and would create pools this program never sees.

Every pool of a chain scales from zero: the floor is the workload's `minReplicas`, and pending pods
are what makes the autoscaler walk the priorities, so a stockout of the first mode at `pulumi up`
never fails the pool's creation. `activeMigration.optimizeRulePriority` moves pods back to a
higher step when its capacity returns; `whenUnsatisfiable: DoNotScaleUp` keeps pods Pending rather
than on nodes outside the chain.
"""

from __future__ import annotations

from dataclasses import dataclass

from components.gke.config import CapacityConfig, CapacityType
from components.naming import Naming

COMPUTE_CLASS_KEY = "cloud.google.com/compute-class"
FLEX_START_MAX_RUN_DAYS = 7  # GKE flex-start VMs run at most seven days, then GKE reclaims them


@dataclass(frozen=True)
class StepMeaning:
    """What one mode of a chain means for the tier: what it costs, whether it is taken away, how it waits."""

    price: str
    preemption: str
    max_run: str
    queueing: str

    def as_output(self, mode: CapacityType) -> dict[str, str]:
        return {
            "mode": mode,
            "price": self.price,
            "preemption": self.preemption,
            "maxRun": self.max_run,
            "queueing": self.queueing,
        }


MEANINGS: dict[CapacityType, StepMeaning] = {
    "reservation": StepMeaning(
        price="reserved: paid for whether used or not (committed-use price)",
        preemption="never preempted",
        max_run="none",
        queueing="none: a VM comes at once while the reservation has one free (a chain then takes its next step)",
    ),
    "on-demand": StepMeaning(
        price="on-demand list price",
        preemption="never preempted",
        max_run="none",
        queueing="none: a stockout fails the scale-up (a chain takes its next step)",
    ),
    "flex-start": StepMeaning(
        price="flex-start (Dynamic Workload Scheduler) price, below on-demand",
        preemption="not preempted; reclaimed when its run time ends",
        max_run=f"{FLEX_START_MAX_RUN_DAYS} days per node, then the replica moves",
        queueing="DWS looks for capacity while the scale-up waits (a chain takes its next step if it fails)",
    ),
    "spot": StepMeaning(
        price="spot price, the deepest discount",
        preemption="preemptible at any time (30 s notice)",
        max_run="none",
        queueing="none: no spot capacity fails the scale-up (a chain takes its next step)",
    ),
}


def has_chain(capacity: CapacityConfig) -> bool:
    return bool(capacity.fallback)


def compute_class_name(naming: Naming, tier: str) -> str:
    """The tier's ComputeClass: also a node label and taint value, so at most 63 characters."""
    return naming.name(f"tpu-{tier}")[:63].rstrip("-")


def step_pool_name(base: str, index: int, mode: CapacityType) -> str:
    """Step 0 keeps the tier's pool name (no rename for a tier gaining a chain); later steps add the mode,
    within GKE's 40 characters."""
    if index == 0:
        return base
    suffix = f"-{mode}"
    return base[: 40 - len(suffix)].rstrip("-") + suffix


def compute_class_spec(pool_names: list[str]) -> dict[str, object]:
    """One priority per step, in chain order; back to a higher step when it returns; nowhere else."""
    return {
        "description": "TPU capacity chain: " + " -> ".join(pool_names),
        "priorities": [{"nodepools": [pool]} for pool in pool_names],
        "activeMigration": {"optimizeRulePriority": True},
        "nodePoolAutoCreation": {"enabled": False},
        "whenUnsatisfiable": "DoNotScaleUp",
    }


def chain_output(capacity: CapacityConfig) -> list[dict[str, str]]:
    """The chain as the `tiers` output and the preview show it: each step and what it means."""
    return [MEANINGS[mode].as_output(mode) for mode in capacity.modes]

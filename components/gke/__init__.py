"""GKE: the hardened cluster, its node identity and Kubernetes provider, and the TPU7x node pools.

Creates: the cluster (private nodes, DNS-based control-plane endpoint, Binary Authorization with
the project's admission policy), the node service account and its roles, the system pool and the
Kubernetes provider (`llm-platform:gke:Cluster`); one TPU7x node pool per tier, with a
HIGH_THROUGHPUT workload policy for multi-host slices (`llm-platform:gke:TpuNodePool`), and for a
tier with a capacity chain one pool per mode and the ComputeClass that orders them; the
add-ons serving needs (`addons.py`): the Custom Metrics Stackdriver Adapter with its Workload
Identity grant (`gke:MetricsAdapter`) and, for stacks with a multi-host tier, the LeaderWorkerSet
controller from its Helm chart (`gke:LeaderWorkerSetController`).
Pure decisions: `tpu.py` (TPU7x facts, slice shapes, HBM fit), `capacity_chain.py` (a tier's
fallback chain, its pools' names, the ComputeClass and what each step means), `pool_sizing.py` (node counts,
reservation paths, surge room passed in by serving), `pool_upgrades.py` (a TPU pool's upgrade
settings and what its capacity allows), `exclusions.py` (GKE's maintenance-exclusion limits),
`cluster_settings.py` (the cluster's and system pool's typed settings); `reservations.py` (a tier's
reservation in the stack's zone offline, and at preview looked up: it exists, reserves the tier's
machine type and is consumed by name only).
Config keys: `llm-platform:cluster.*`, `llm-platform:tiers.<name>.capacity.*` (`CapacityConfig`).
APIs: container, compute, iam, containerfilesystem (image streaming), artifactregistry (node
image pulls), logging and monitoring (cluster telemetry, managed Prometheus), binaryauthorization.
Outputs: cluster name, location and endpoint, node service account, the Kubernetes provider;
per pool the node pool and its slice shape (with a chain: every pool and the ComputeClass); the
adapter's principal, the add-ons' readiness.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from components.gke.addons import (
    ADAPTER_IMAGE,
    LWS_IMAGE,
    LeaderWorkerSetController,
    LeaderWorkerSetControllerArgs,
    MetricsAdapter,
    MetricsAdapterArgs,
)
from components.gke.cluster import GkeCluster, GkeClusterArgs
from components.gke.reservations import config_problems, lookup_problems
from components.gke.tpu_node_pool import TpuNodePool, TpuNodePoolArgs

if TYPE_CHECKING:
    from components.config.platform import PlatformConfig

__all__ = [
    "GkeCluster",
    "GkeClusterArgs",
    "LeaderWorkerSetController",
    "LeaderWorkerSetControllerArgs",
    "MetricsAdapter",
    "MetricsAdapterArgs",
    "TpuNodePool",
    "TpuNodePoolArgs",
    "admitted_images",
    "config_problems",
    "lookup_problems",
    "required_services",
]


def admitted_images(config: PlatformConfig) -> list[str]:
    """The add-ons' pinned images, for Binary Authorization: the metrics adapter always, the
    LeaderWorkerSet controller when a tier is multi-host."""
    multi_host = any(tier.shape.multi_host for tier in config.tiers.values())
    return [ADAPTER_IMAGE, *([LWS_IMAGE] if multi_host else [])]


def required_services(config: PlatformConfig) -> set[str]:
    admission = {"binaryauthorization.googleapis.com"} if config.cluster.binary_authorization else set()
    return admission | {
        "artifactregistry.googleapis.com",
        "compute.googleapis.com",
        "container.googleapis.com",
        "containerfilesystem.googleapis.com",
        "iam.googleapis.com",
        "logging.googleapis.com",
        "monitoring.googleapis.com",
    }

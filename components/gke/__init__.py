"""GKE: the hardened cluster, its node identity and Kubernetes provider, and the TPU7x node pools.

Creates: the cluster, the node service account and its roles, the system pool and the
Kubernetes provider (`llm-platform:gke:Cluster`); one TPU7x node pool per tier, with a
HIGH_THROUGHPUT workload policy for multi-host slices (`llm-platform:gke:TpuNodePool`); the
add-ons serving needs (`addons.py`): the Custom Metrics Stackdriver Adapter with its Workload
Identity grant (`gke:MetricsAdapter`) and, for stacks with a multi-host tier, the LeaderWorkerSet
controller from its Helm chart (`gke:LeaderWorkerSetController`).
Pure decisions: `tpu.py` (TPU7x facts, slice shapes, HBM fit), `pool_sizing.py` (node counts,
reservation paths).
Config keys: `llm-platform:cluster.*`, `llm-platform:tiers.<name>.capacity.*` (`CapacityConfig`).
APIs: container, compute, iam, containerfilesystem (image streaming), artifactregistry (node
image pulls), logging and monitoring (cluster telemetry, managed Prometheus).
Outputs: cluster name, location and endpoint, node service account, the Kubernetes provider;
per pool the node pool and its slice shape; the adapter's principal, the add-ons' readiness.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from components.gke.addons import (
    LeaderWorkerSetController,
    LeaderWorkerSetControllerArgs,
    MetricsAdapter,
    MetricsAdapterArgs,
)
from components.gke.cluster import GkeCluster, GkeClusterArgs
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
    "required_services",
]


def required_services(config: PlatformConfig) -> set[str]:
    return {
        "artifactregistry.googleapis.com",
        "compute.googleapis.com",
        "container.googleapis.com",
        "containerfilesystem.googleapis.com",
        "iam.googleapis.com",
        "logging.googleapis.com",
        "monitoring.googleapis.com",
    }

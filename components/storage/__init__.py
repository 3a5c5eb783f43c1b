"""Storage: the model bucket (source of truth for weights) and the model stores serving pods read.

Creates: the Cloud Storage bucket (`llm-platform:storage:ModelBucket`) and one model store:
Parallelstore filled by the GKE Volume Populator (`storage:ParallelstoreModelStore`) or a Cloud
Storage FUSE volume (`storage:GcsFuseModelStore`); both hand serving a `ModelMount`.
Config keys: `llm-platform:modelBucket.*`, `llm-platform:modelStore.*`.
APIs: storage; parallelstore when the store is Parallelstore.
Outputs: bucket name and URL; the store's claim, mount and read throughput.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from components.storage.bucket import ModelBucket, ModelBucketArgs
from components.storage.model_store import (
    GcsFuseModelStore,
    GcsFuseModelStoreArgs,
    ModelMount,
    ModelStore,
    ModelStoreArgs,
    ParallelstoreModelStore,
    ParallelstoreModelStoreArgs,
    weights_read_seconds,
)

if TYPE_CHECKING:
    from components.config.platform import PlatformConfig

__all__ = [
    "GcsFuseModelStore",
    "GcsFuseModelStoreArgs",
    "ModelBucket",
    "ModelBucketArgs",
    "ModelMount",
    "ModelStore",
    "ModelStoreArgs",
    "ParallelstoreModelStore",
    "ParallelstoreModelStoreArgs",
    "private_services_demand",
    "required_services",
    "weights_read_seconds",
]


def private_services_demand(config: PlatformConfig) -> list[tuple[str, int]]:
    """Blocks the model store takes from the private services range (a /24 for Parallelstore:
    https://cloud.google.com/parallelstore/docs/vpc)."""
    return [("Parallelstore", 24)] if config.model_store_type == "parallelstore" else []


def required_services(config: PlatformConfig) -> set[str]:
    services = {"storage.googleapis.com"}
    if config.model_store_type == "parallelstore":
        services.add("parallelstore.googleapis.com")
    return services

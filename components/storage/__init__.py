"""Storage: the model bucket (source of truth for weights) and the model stores serving pods read.

Creates: the Cloud Storage bucket (`llm-platform:storage:ModelBucket`) and one model store, chosen by
`modelStore.type`: Managed Lustre filled through the ImportData API (`storage:LustreModelStore`),
a Cloud Storage FUSE volume (`storage:GcsFuseModelStore`), Hyperdisk ML filled by the GKE Volume
Populator (`storage:HyperdiskMlModelStore`), or, for projects that still have it, Parallelstore
(`storage:ParallelstoreModelStore`). Each hands serving the same `ModelMount`. Per model folder a tier
serves, a `storage:ModelWeights` Job (own KSA, a grant on that folder only) that fetches the pinned
Hugging Face revision into the bucket or checks a folder uploaded by hand, before the store copies it
and the tiers roll (`weights.py`).
Config keys: `llm-platform:modelBucket.*`, `llm-platform:modelStore.*` (the source of each tier's
weights is `tiers.<name>.model.source`, owned by serving, whose config imports the model from here).
APIs: storage; lustre or parallelstore when the store is one of them; secretmanager with a Hub token.
Outputs: bucket name and URL; the store's claim, mount and read throughput; each folder's Job.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from components.storage.bucket import ModelBucket, ModelBucketArgs
from components.storage.lustre import GCLOUD_IMAGE
from components.storage.mount import ModelMount, ModelStore, ModelStoreArgs, weights_read_seconds
from components.storage.stores import StoreContext, create_model_store
from components.storage.weights import PYTHON_IMAGE, ModelWeights, config_problems, weights_plan
from components.storage.weights_job import ModelWeightsJob, ModelWeightsJobArgs

if TYPE_CHECKING:
    from components.config.platform import PlatformConfig

__all__ = [
    "PYTHON_IMAGE",
    "ModelBucket",
    "ModelBucketArgs",
    "ModelMount",
    "ModelStore",
    "ModelStoreArgs",
    "ModelWeights",
    "ModelWeightsJob",
    "ModelWeightsJobArgs",
    "StoreContext",
    "admitted_images",
    "config_problems",
    "create_model_store",
    "private_services_demand",
    "required_services",
    "weights_plan",
    "weights_read_seconds",
]

# Blocks each store takes from the private services range: Managed Lustre a /23 per instance
# (https://docs.cloud.google.com/managed-lustre/docs/vpc), Parallelstore a /24
# (https://cloud.google.com/parallelstore/docs/vpc).
_PRIVATE_SERVICES_BLOCK = {"lustre": ("Managed Lustre", 23), "parallelstore": ("Parallelstore", 24)}
_APIS = {"lustre": "lustre.googleapis.com", "parallelstore": "parallelstore.googleapis.com"}


def private_services_demand(config: PlatformConfig) -> list[tuple[str, int]]:
    demand = _PRIVATE_SERVICES_BLOCK.get(config.model_store_type)
    return [demand] if demand else []


def admitted_images(config: PlatformConfig) -> list[str]:
    """The Jobs' pinned images: the weights Jobs' Python (from Docker Hub, by digest) when a tier serves a
    folder, the import Job's Cloud SDK when the stack fills Managed Lustre."""
    python = [PYTHON_IMAGE] if weights_plan(config) else []
    return [*python, *([GCLOUD_IMAGE] if config.model_store_type == "lustre" else [])]


def required_services(config: PlatformConfig) -> set[str]:
    services = {"storage.googleapis.com"}
    if config.model_store_type in _APIS:
        services.add(_APIS[config.model_store_type])
    fetches = any(weights.mode == "fetch" for weights in weights_plan(config))
    if fetches and config.model_store.fetch.token_secret_version:
        services.add("secretmanager.googleapis.com")  # the Jobs read the Hub token from it
    return services

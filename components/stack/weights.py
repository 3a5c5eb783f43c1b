"""The model folders the tiers serve: one Job per folder that fetches or checks it in the bucket, before
the store copies it and the tiers that serve it roll."""

from __future__ import annotations

import pulumi

from components.config.platform import PlatformConfig
from components.gke import GkeCluster
from components.gke.cluster import SYSTEM_POOL_LABELS
from components.naming import Naming
from components.serving import RemoteRegistry, ServingNamespace
from components.stack.foundation import Foundation
from components.storage import PYTHON_IMAGE, ModelWeightsJob, ModelWeightsJobArgs, weights_plan


def model_weights_jobs(
    config: PlatformConfig,
    naming: Naming,
    base: Foundation,
    cluster: GkeCluster,
    serving: ServingNamespace,
    registry: RemoteRegistry,
) -> dict[str, ModelWeightsJob]:
    """By folder. On Cloud Storage FUSE the Job's completion is what puts a folder where servers read it;
    on the other stores a later step (the Lustre import, the populator) copies it first."""
    reads_bucket = config.model_store_type == "gcsfuse"
    image = registry.image(PYTHON_IMAGE)
    # The Job pulls its image through the remote repository; its grants name the bucket.
    after = pulumi.ResourceOptions(depends_on=[*base.services.resources, base.bucket.bucket, registry.repository])
    jobs = {}
    for weights in weights_plan(config):
        args = ModelWeightsJobArgs(
            weights=weights,
            naming=naming,
            project_number=base.project_number,
            workload_pool=cluster.workload_pool,
            namespace=serving.namespace_name,
            bucket=base.bucket.name,
            bucket_name=base.bucket.bucket_name,
            store_prefix=config.model_store.prefix,
            server_paths=(weights.server_path(config.model_store.mount_path),) if reads_bucket else (),
            fetch=config.model_store.fetch,
            image=image,
            node_selector=SYSTEM_POOL_LABELS,
            provider=cluster.provider,
        )
        jobs[weights.folder] = ModelWeightsJob(f"weights-{weights.digest}", args, after)
    return jobs

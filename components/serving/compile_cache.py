"""The persistent XLA / torch compile cache: one writable folder per tier in the model bucket.

Weights are read-only to serving (whatever the store), so the cache lives beside them, not in them:
`gs://BUCKET/compile-cache/<tier>/`, mounted read-write into every replica of the tier through a
Cloud Storage FUSE CSI ephemeral volume (`only-dir` confines the mount to that folder). The serving
KSA already reads the whole bucket (`roles/storage.objectViewer`, which also lists it); writing
needs `roles/storage.objectUser`, granted on the bucket under an IAM condition that limits it to
objects whose names start with `compile-cache/` (storage/docs/access-control/iam#conditions: object
names are `projects/_/buckets/BUCKET/objects/NAME`). The weights stay read-only to the server.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp
import pulumi_kubernetes as k8s

from components.base import PlatformComponent
from components.serving.config import COMPILE_CACHE_PREFIX

CACHE_WRITE_ROLE = "roles/storage.objectUser"
MOUNT_PATH = "/var/cache/vllm"
VOLUME_NAME = "compile-cache"
GCSFUSE_DRIVER = "gcsfuse.csi.storage.gke.io"
# The GKE Cloud Storage FUSE sidecar is injected for pods that carry this annotation; no sidecar
# limits, so staging a large compiled executable never hits the default ephemeral-storage cap.
GCSFUSE_ANNOTATIONS = {
    "gke-gcsfuse/volumes": "true",
    "gke-gcsfuse/cpu-limit": "0",
    "gke-gcsfuse/memory-limit": "0",
    "gke-gcsfuse/ephemeral-storage-limit": "0",
}


def cache_folder(tier: str) -> str:
    return f"{COMPILE_CACHE_PREFIX}{tier}"


def write_condition(bucket: str) -> str:
    """The CEL condition of the write grant: objects under the compile-cache folder only."""
    return f'resource.name.startsWith("projects/_/buckets/{bucket}/objects/{COMPILE_CACHE_PREFIX}")'


def cache_volume(bucket: pulumi.Input[str], tier: str) -> k8s.core.v1.VolumeArgs:
    """A CSI ephemeral volume over the tier's cache folder (kubernetes-engine/docs/how-to/
    cloud-storage-fuse-csi-driver-ephemeral: `bucketName`, `mountOptions`)."""
    return k8s.core.v1.VolumeArgs(
        name=VOLUME_NAME,
        csi=k8s.core.v1.CSIVolumeSourceArgs(
            driver=GCSFUSE_DRIVER,
            read_only=False,
            volume_attributes={
                "bucketName": bucket,
                "mountOptions": f"implicit-dirs,only-dir={cache_folder(tier)}",
            },
        ),
    )


def cache_volume_mount() -> k8s.core.v1.VolumeMountArgs:
    return k8s.core.v1.VolumeMountArgs(name=VOLUME_NAME, mount_path=MOUNT_PATH)


@dataclass(frozen=True)
class CompileCacheGrantArgs:
    bucket: pulumi.Input[str]
    principal: pulumi.Input[str]


class CompileCacheGrant(PlatformComponent):
    """The serving KSA may write objects under `compile-cache/` of the model bucket, nothing else."""

    def __init__(self, name: str, args: CompileCacheGrantArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("serving:CompileCacheGrant", name, opts)
        self.grant = gcp.storage.BucketIAMMember(
            f"{name}-writer",
            bucket=args.bucket,
            role=CACHE_WRITE_ROLE,
            member=args.principal,
            condition=gcp.storage.BucketIAMMemberConditionArgs(
                title="compile-cache-only",
                description="Write access limited to the compile-cache/ folder",
                expression=pulumi.Output.from_input(args.bucket).apply(write_condition),
            ),
            opts=self.child(),
        )
        self.register_outputs({"role": CACHE_WRITE_ROLE})

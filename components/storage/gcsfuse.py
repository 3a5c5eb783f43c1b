"""Cloud Storage FUSE: pods read the bucket folder directly, through a bounded file cache.

A static, read-only PersistentVolume over the folder and its claim. Where the cluster's minimum
version has GKE's Cloud Storage FUSE profiles (1.35.1-gke.1616000 and later), the volume uses the
`gcsfusecsi-serving` StorageClass, which sizes the caches from the bucket and the node itself;
otherwise the mount options of Google's vLLM TPU sample (whole-file cache, parallel downloads).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from components.base import PlatformComponent
from components.storage.config import GcsFuseConfig
from components.storage.mount import ModelStoreArgs, claim_mount

DRIVER = "gcsfuse.csi.storage.gke.io"
CACHE_VOLUME = "gke-gcsfuse-cache"  # the name the GKE sidecar looks for
SERVING_PROFILE = "gcsfusecsi-serving"
# A static PV binds only to a claim of the same class; this name has no StorageClass object behind it.
STATIC_CLASS = "gcsfuse-static"
# Cloud Storage has no size; Kubernetes needs one to match claim and volume.
NOMINAL_CAPACITY = "10Ti"


def mount_options(prefix: str, config: GcsFuseConfig, cache_size_gib: int) -> list[str]:
    """Read-only mount of one bucket folder with a whole-file cache filled by parallel downloads.

    The cache is bounded: `max-size-mb` equals the cache volume's `sizeLimit`, so a cold fill can
    neither exhaust node memory nor be evicted mid-read."""
    return [
        "implicit-dirs",
        f"only-dir={prefix.rstrip('/')}",
        "file-cache:enable-parallel-downloads:true",
        f"file-cache:parallel-downloads-per-file:{config.parallel_downloads_per_file}",
        "file-cache:max-parallel-downloads:-1",
        f"file-cache:download-chunk-size-mb:{config.download_chunk_size_mb}",
        f"file-cache:max-size-mb:{cache_size_gib * 1024}",
    ]


@dataclass(frozen=True)
class GcsFuseModelStoreArgs(ModelStoreArgs):
    config: GcsFuseConfig
    cache_size_gib: int
    serving_profile: bool


class GcsFuseModelStore(PlatformComponent):
    """A static read-only PersistentVolume over the bucket folder, and its claim."""

    def __init__(self, name: str, args: GcsFuseModelStoreArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("storage:GcsFuseModelStore", name, opts)
        volume_name = args.naming.name("weights-gcsfuse")
        class_name = SERVING_PROFILE if args.serving_profile else STATIC_CLASS
        # The profile sizes the caches itself; explicit cache options would switch that off.
        options = (
            ["implicit-dirs", f"only-dir={args.prefix.rstrip('/')}"]
            if args.serving_profile
            else mount_options(args.prefix, args.config, args.cache_size_gib)
        )
        self.volume = k8s.core.v1.PersistentVolume(
            f"{name}-volume",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=volume_name),
            spec=k8s.core.v1.PersistentVolumeSpecArgs(
                access_modes=["ReadOnlyMany"],
                capacity={"storage": NOMINAL_CAPACITY},
                storage_class_name=class_name,
                persistent_volume_reclaim_policy="Retain",
                mount_options=options,
                csi=k8s.core.v1.CSIPersistentVolumeSourceArgs(driver=DRIVER, volume_handle=args.bucket, read_only=True),
                claim_ref=k8s.core.v1.ObjectReferenceArgs(namespace=args.namespace, name=volume_name),
            ),
            opts=self.child(provider=args.provider),
        )
        self.claim = k8s.core.v1.PersistentVolumeClaim(
            f"{name}-claim",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=volume_name, namespace=args.namespace),
            spec=k8s.core.v1.PersistentVolumeClaimSpecArgs(
                access_modes=["ReadOnlyMany"],
                storage_class_name=class_name,
                volume_name=self.volume.metadata.name,
                resources=k8s.core.v1.VolumeResourceRequirementsArgs(requests={"storage": NOMINAL_CAPACITY}),
            ),
            opts=self.child(provider=args.provider),
        )
        self.read_gib_s: float | None = None  # bounded by each VM's network and the file cache: not estimated
        cache = k8s.core.v1.VolumeArgs(
            name=CACHE_VOLUME,
            empty_dir=k8s.core.v1.EmptyDirVolumeSourceArgs(
                medium="Memory" if args.config.file_cache_medium == "memory" else None,
                size_limit=f"{args.cache_size_gib}Gi",
            ),
        )
        self.mount = claim_mount(
            self.claim,
            args.mount_path,
            "gcsfuse",
            extra_volumes=[] if args.serving_profile else [cache],
            pod_annotations={
                "gke-gcsfuse/volumes": "true",
                # No sidecar CPU limits: a cold cache fill is the fastest path to a serving model.
                "gke-gcsfuse/cpu-limit": "0",
                "gke-gcsfuse/memory-limit": "0",
                "gke-gcsfuse/ephemeral-storage-limit": "0",
            },
            # Pods read the bucket itself: a folder is in place once its fetch or check Job completes.
            folder_ready={folder: [job] for folder, job in args.weights_ready.items()},
        )
        self.register_outputs({"claim": self.claim.metadata.name, "volume": self.volume.metadata.name})

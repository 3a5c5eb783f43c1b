"""Where serving pods read model weights: Parallelstore (filled by the GKE Volume Populator) or
Cloud Storage FUSE. Both hand the serving tiers the same `ModelMount`, so a tier does not care
which store a stack uses. The bucket stays the source of truth either way.

Parallelstore is invitation-only and a scratch file system (local SSD, 2+1 erasure coding): losing
it costs a refill from the bucket, never data. The GKE Volume Populator copies a bucket folder into
a PVC *during dynamic provisioning*, so the instance is created by the Parallelstore CSI driver from
this component's StorageClass (in the TPU zone, on the stack's VPC, inside the private services
range) when the PVC is created, and deleted with the PVC.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as k8s

from components.base import PlatformComponent
from components.naming import Naming
from components.storage.config import GcsFuseConfig, ParallelstoreConfig

PARALLELSTORE_PROVISIONER = "parallelstore.csi.storage.gke.io"
GCSFUSE_DRIVER = "gcsfuse.csi.storage.gke.io"
DATASOURCE_API_GROUP = "datalayer.gke.io"
DATASOURCE_API_VERSION = f"{DATASOURCE_API_GROUP}/v1"
DATASOURCE_KIND = "GCPDataSource"
ZONE_TOPOLOGY_KEY = "topology.gke.io/zone"
GCSFUSE_CACHE_VOLUME = "gke-gcsfuse-cache"  # the name the GKE sidecar looks for
VOLUME_NAME = "model-weights"
# Parallelstore read throughput per TiB of capacity (docs.cloud.google.com/parallelstore overview).
PARALLELSTORE_READ_GIB_S_PER_TIB = 1.15
# The populator's data mover runs in a Job; give the transfer time before Pulumi gives up waiting.
POPULATE_TIMEOUT = "90m"


@dataclass(frozen=True)
class ModelMount:
    """How a serving pod mounts the weights, whatever the store."""

    volumes: list[k8s.core.v1.VolumeArgs]
    volume_mounts: list[k8s.core.v1.VolumeMountArgs]
    pod_annotations: dict[str, str]
    model_root: str
    store: str
    ready: list[pulumi.Resource] = field(default_factory=list)  # what a workload must wait for


def claim_mount(
    claim: k8s.core.v1.PersistentVolumeClaim,
    mount_path: str,
    store: str,
    extra_volumes: list[k8s.core.v1.VolumeArgs] | None = None,
    pod_annotations: dict[str, str] | None = None,
) -> ModelMount:
    """The claim mounted read-only at `mount_path`; pods must wait for the claim."""
    volume = k8s.core.v1.VolumeArgs(
        name=VOLUME_NAME,
        persistent_volume_claim=k8s.core.v1.PersistentVolumeClaimVolumeSourceArgs(
            claim_name=claim.metadata.name, read_only=True
        ),
    )
    return ModelMount(
        volumes=[volume, *(extra_volumes or [])],
        volume_mounts=[k8s.core.v1.VolumeMountArgs(name=VOLUME_NAME, mount_path=mount_path, read_only=True)],
        pod_annotations=pod_annotations or {},
        model_root=mount_path,
        store=store,
        ready=[claim],
    )


def parallelstore_read_gib_s(capacity_gib: int) -> float:
    return PARALLELSTORE_READ_GIB_S_PER_TIB * capacity_gib / 1024


def weights_read_seconds(weights_gib: float, read_gib_s: float | None) -> float | None:
    """Estimate: one replica's weights over the store's aggregate read bandwidth (0.1 s resolution)."""
    return None if read_gib_s is None else round(weights_gib / read_gib_s, 1)


def gcsfuse_mount_options(prefix: str, config: GcsFuseConfig) -> list[str]:
    """Read-only mount of one bucket folder with a whole-file cache filled by parallel downloads."""
    return [
        "implicit-dirs",
        f"only-dir={prefix.rstrip('/')}",
        "file-cache:enable-parallel-downloads:true",
        f"file-cache:parallel-downloads-per-file:{config.parallel_downloads_per_file}",
        "file-cache:max-parallel-downloads:-1",
        f"file-cache:download-chunk-size-mb:{config.download_chunk_size_mb}",
        "file-cache:max-size-mb:-1",
    ]


@dataclass(frozen=True)
class ModelStoreArgs:
    zone: str
    naming: Naming
    namespace: pulumi.Input[str]
    service_account: pulumi.Input[str]
    bucket: pulumi.Input[str]
    prefix: str
    mount_path: str
    provider: k8s.Provider


@dataclass(frozen=True)
class ParallelstoreModelStoreArgs(ModelStoreArgs):
    config: ParallelstoreConfig
    network_name: pulumi.Input[str]
    private_services_range: pulumi.Input[str]


class ParallelstoreModelStore(PlatformComponent):
    def __init__(
        self, name: str, args: ParallelstoreModelStoreArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("storage:ParallelstoreModelStore", name, opts)
        config = args.config
        self.storage_class = k8s.storage.v1.StorageClass(
            f"{name}-class",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=args.naming.name("parallelstore")),
            provisioner=PARALLELSTORE_PROVISIONER,
            parameters={
                "network": args.network_name,
                "reserved-ip-range": args.private_services_range,
                "file-stripe-level": f"file-stripe-level-{config.file_stripe_level}",
                "directory-stripe-level": f"directory-stripe-level-{config.directory_stripe_level}",
                "mountLocality": config.mount_locality,
            },
            # The Volume Populator needs Immediate binding; the topology pins the instance to the TPU zone.
            volume_binding_mode="Immediate",
            allowed_topologies=[
                k8s.core.v1.TopologySelectorTermArgs(
                    match_label_expressions=[
                        k8s.core.v1.TopologySelectorLabelRequirementArgs(key=ZONE_TOPOLOGY_KEY, values=[args.zone])
                    ]
                )
            ],
            # Scratch data: the bucket is the source of truth, so a released volume is not kept.
            reclaim_policy="Delete",
            allow_volume_expansion=False,
            opts=self.child(provider=args.provider),
        )
        source_name = args.naming.name("weights")
        self.data_source = k8s.apiextensions.CustomResource(
            f"{name}-source",
            api_version=DATASOURCE_API_VERSION,
            kind=DATASOURCE_KIND,
            metadata=k8s.meta.v1.ObjectMetaArgs(name=source_name, namespace=args.namespace),
            spec={
                "cloudStorage": {
                    "uri": pulumi.Output.concat("gs://", args.bucket, "/", args.prefix),
                    "serviceAccountName": args.service_account,
                }
            },
            opts=self.child(provider=args.provider),
        )
        # The PVC depends on the data source, so Pulumi deletes the PVC first, as GKE requires.
        self.claim = k8s.core.v1.PersistentVolumeClaim(
            f"{name}-claim",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=source_name, namespace=args.namespace),
            spec=k8s.core.v1.PersistentVolumeClaimSpecArgs(
                access_modes=["ReadWriteMany"],  # the transfer writes; serving pods mount it read-only
                storage_class_name=self.storage_class.metadata.name,
                resources=k8s.core.v1.VolumeResourceRequirementsArgs(requests={"storage": f"{config.capacity_gib}Gi"}),
                data_source_ref=k8s.core.v1.TypedObjectReferenceArgs(
                    api_group=DATASOURCE_API_GROUP,
                    kind=DATASOURCE_KIND,
                    name=source_name,
                ),
            ),
            opts=self.child(
                depends_on=[self.data_source],
                custom_timeouts=pulumi.CustomTimeouts(create=POPULATE_TIMEOUT),
                provider=args.provider,
            ),
        )
        self.read_gib_s: float | None = parallelstore_read_gib_s(config.capacity_gib)
        self.mount = claim_mount(self.claim, args.mount_path, "parallelstore")
        self.register_outputs({"claim": self.claim.metadata.name, "storage_class": self.storage_class.metadata.name})


@dataclass(frozen=True)
class GcsFuseModelStoreArgs(ModelStoreArgs):
    config: GcsFuseConfig


class GcsFuseModelStore(PlatformComponent):
    """A static read-only PersistentVolume over the bucket folder, and its claim."""

    def __init__(self, name: str, args: GcsFuseModelStoreArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("storage:GcsFuseModelStore", name, opts)
        volume_name = args.naming.name("weights-gcsfuse")
        # A static PV binds only to a claim of the same class name; this one names no StorageClass
        # object, so nothing else provisions against it.
        class_name = "gcsfuse-static"
        capacity = "10Ti"  # Cloud Storage has no size; Kubernetes needs one to match the claim
        self.volume = k8s.core.v1.PersistentVolume(
            f"{name}-volume",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=volume_name),
            spec=k8s.core.v1.PersistentVolumeSpecArgs(
                access_modes=["ReadOnlyMany"],
                capacity={"storage": capacity},
                storage_class_name=class_name,
                persistent_volume_reclaim_policy="Retain",
                mount_options=gcsfuse_mount_options(args.prefix, args.config),
                csi=k8s.core.v1.CSIPersistentVolumeSourceArgs(
                    driver=GCSFUSE_DRIVER, volume_handle=args.bucket, read_only=True
                ),
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
                resources=k8s.core.v1.VolumeResourceRequirementsArgs(requests={"storage": capacity}),
            ),
            opts=self.child(provider=args.provider),
        )
        self.read_gib_s = None  # bounded by each VM's network and the file cache: not estimated
        self.mount = claim_mount(
            self.claim,
            args.mount_path,
            "gcsfuse",
            extra_volumes=[
                k8s.core.v1.VolumeArgs(
                    name=GCSFUSE_CACHE_VOLUME,
                    empty_dir=k8s.core.v1.EmptyDirVolumeSourceArgs(
                        medium="Memory" if args.config.file_cache_medium == "memory" else None
                    ),
                )
            ],
            pod_annotations={
                "gke-gcsfuse/volumes": "true",
                # No sidecar limits: a cold cache fill is the fastest path to a serving model.
                "gke-gcsfuse/cpu-limit": "0",
                "gke-gcsfuse/memory-limit": "0",
                "gke-gcsfuse/ephemeral-storage-limit": "0",
            },
        )
        self.register_outputs({"claim": self.claim.metadata.name, "volume": self.volume.metadata.name})


ModelStore = ParallelstoreModelStore | GcsFuseModelStore

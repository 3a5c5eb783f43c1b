"""The GKE Volume Populator, shared by the stores it can fill (Parallelstore, Hyperdisk ML).

A `GCPDataSource` (`datalayer.gke.io/v1`) names the bucket folder and the Kubernetes service account
whose Workload Identity reads it; a PVC whose `dataSourceRef` names the source is filled during
dynamic provisioning, before it binds. The PVC depends on the source, so Pulumi deletes the PVC
first, as GKE requires (https://docs.cloud.google.com/kubernetes-engine/docs/concepts/about-volume-populator).

The copy happens once, when the claim is provisioned: the claim waits for every folder's fetch or
check Job, and both names carry a hash of the folders the tiers serve, so a changed model path or
revision provisions a new, freshly filled volume (created before the old one goes) instead of
leaving a tier on a volume that lacks its folder.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import pulumi
import pulumi_kubernetes as k8s

from components.base import PlatformComponent
from components.storage.mount import ModelStoreArgs
from components.storage.weights import step_annotations

API_GROUP = "datalayer.gke.io"
API_VERSION = f"{API_GROUP}/v1"
KIND = "GCPDataSource"
ZONE_TOPOLOGY_KEY = "topology.gke.io/zone"
# The transfer runs in a Job; give it time before Pulumi gives up waiting for the claim.
POPULATE_TIMEOUT = "90m"


def zone_topology(zone: str) -> k8s.core.v1.TopologySelectorTermArgs:
    """A StorageClass topology that provisions in one zone (the TPU zone)."""
    return k8s.core.v1.TopologySelectorTermArgs(
        match_label_expressions=[k8s.core.v1.TopologySelectorLabelRequirementArgs(key=ZONE_TOPOLOGY_KEY, values=[zone])]
    )


def populated_name(args: ModelStoreArgs) -> str:
    """The source's and the claim's name: changes with the set of folders the volume must hold."""
    if not args.weights:
        return args.naming.name("weights")
    digest = hashlib.sha256("\n".join(sorted(w.folder for w in args.weights)).encode()).hexdigest()[:8]
    return f"{args.naming.name('weights')[:54]}-{digest}"


def data_source(owner: PlatformComponent, name: str, args: ModelStoreArgs) -> k8s.apiextensions.CustomResource:
    return k8s.apiextensions.CustomResource(
        f"{name}-source",
        api_version=API_VERSION,
        kind=KIND,
        metadata=k8s.meta.v1.ObjectMetaArgs(name=populated_name(args), namespace=args.namespace),
        spec={
            "cloudStorage": {
                "uri": pulumi.Output.concat("gs://", args.bucket, "/", args.prefix),
                "serviceAccountName": args.service_account,
            }
        },
        opts=owner.child(provider=args.provider),
    )


def populated_claim(
    owner: PlatformComponent,
    name: str,
    args: ModelStoreArgs,
    *,
    source: k8s.apiextensions.CustomResource,
    storage_class: k8s.storage.v1.StorageClass,
    size: str,
    access_mode: str,
    after: Sequence[pulumi.Resource] = (),
) -> k8s.core.v1.PersistentVolumeClaim:
    source_uri = f"gs://{args.bucket_name}/{args.prefix}"
    paths = [w.server_path(args.mount_path) for w in args.weights]
    return k8s.core.v1.PersistentVolumeClaim(
        f"{name}-claim",
        metadata=k8s.meta.v1.ObjectMetaArgs(
            name=populated_name(args),
            namespace=args.namespace,
            annotations=step_annotations("populate", f"copy of {source_uri} into a new volume", paths),
        ),
        spec=k8s.core.v1.PersistentVolumeClaimSpecArgs(
            access_modes=[access_mode],
            storage_class_name=storage_class.metadata.name,
            resources=k8s.core.v1.VolumeResourceRequirementsArgs(requests={"storage": size}),
            data_source_ref=k8s.core.v1.TypedObjectReferenceArgs(
                api_group=API_GROUP, kind=KIND, name=populated_name(args)
            ),
        ),
        opts=owner.child(
            # The copy is taken once: every folder must be in the bucket first.
            depends_on=[source, *after, *args.weights_ready.values()],
            custom_timeouts=pulumi.CustomTimeouts(create=POPULATE_TIMEOUT),
            provider=args.provider,
        ),
    )

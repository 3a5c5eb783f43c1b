"""Parallelstore filled by the GKE Volume Populator: kept only for projects that still have access.

Parallelstore is invitation-only and closed to new customers, and GKE marks its CSI driver "no
longer supported" (container v1, revision 20261027); new stacks use Managed Lustre. The stack must
opt in (`modelStore.parallelstore.optIn`), and the preview warns.

The GKE Volume Populator copies a bucket folder into a PVC *during dynamic provisioning*, so the
instance is created by the Parallelstore CSI driver from this component's StorageClass (in the TPU
zone, on the stack's VPC, inside the private services range) when the PVC is created, and
deleted with the PVC. It is a scratch file system: losing it costs a refill, never data.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from components.base import PlatformComponent
from components.storage.config import ParallelstoreConfig
from components.storage.mount import ModelStoreArgs, claim_mount
from components.storage.populator import data_source, populated_claim, zone_topology

PROVISIONER = "parallelstore.csi.storage.gke.io"
# Parallelstore read throughput per TiB of capacity (docs.cloud.google.com/parallelstore overview).
READ_GIB_S_PER_TIB = 1.15
DEPRECATION = (
    "modelStore.type parallelstore: Parallelstore is closed to new customers and its GKE CSI driver is no longer "
    "supported; plan the move to modelStore.type lustre (docs/operations.md, 'From Parallelstore to Managed Lustre')"
)


def read_gib_s(capacity_gib: int) -> float:
    return READ_GIB_S_PER_TIB * capacity_gib / 1024


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
        pulumi.log.warn(DEPRECATION, self)
        config = args.config
        self.storage_class = k8s.storage.v1.StorageClass(
            f"{name}-class",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=args.naming.name("parallelstore")),
            provisioner=PROVISIONER,
            parameters={
                "network": args.network_name,
                "reserved-ip-range": args.private_services_range,
                "file-stripe-level": f"file-stripe-level-{config.file_stripe_level}",
                "directory-stripe-level": f"directory-stripe-level-{config.directory_stripe_level}",
                "mountLocality": config.mount_locality,
            },
            # The Volume Populator needs Immediate binding; the topology pins the instance to the TPU zone.
            volume_binding_mode="Immediate",
            allowed_topologies=[zone_topology(args.zone)],
            # Scratch data: the bucket is the source of truth, so a released volume is not kept.
            reclaim_policy="Delete",
            allow_volume_expansion=False,
            opts=self.child(provider=args.provider),
        )
        self.data_source = data_source(self, name, args)
        self.claim = populated_claim(
            self,
            name,
            args,
            source=self.data_source,
            storage_class=self.storage_class,
            size=f"{config.capacity_gib}Gi",
            access_mode="ReadWriteMany",  # the transfer writes; serving pods mount it read-only
        )
        self.read_gib_s: float | None = read_gib_s(config.capacity_gib)
        self.mount = claim_mount(self.claim, args.mount_path, "parallelstore")
        self.register_outputs({"claim": self.claim.metadata.name, "storage_class": self.storage_class.metadata.name})

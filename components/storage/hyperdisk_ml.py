"""Hyperdisk ML filled by the GKE Volume Populator: one read-only volume attached to every serving node.

The populator copies the bucket folder into a Hyperdisk ML volume when the claim is provisioned
(GKE 1.33.2-gke.4780000+). Its transfer Job must run on a compute class named exactly
`gcs-to-hdml-compute-class`; this cluster has no node auto-provisioning, so the class prefers a
small dedicated node pool (labelled and tainted for the class) that scales from zero.
Whether `tpu7x-standard-*` VMs can attach Hyperdisk ML is not documented by Google (November
2026: the TPU disk table lists Hyperdisk ML for v6e only); verify with a test deployment first.
(https://cloud.google.com/kubernetes-engine/docs/how-to/persistent-volumes/hyperdisk-ml-gcs)
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp
import pulumi_kubernetes as k8s

from components.base import PlatformComponent
from components.naming import Naming
from components.storage.config import HyperdiskMlConfig
from components.storage.mount import ModelStoreArgs, claim_mount
from components.storage.populator import data_source, populated_claim, zone_topology

PROVISIONER = "pd.csi.storage.gke.io"
TRANSFER_COMPUTE_CLASS = "gcs-to-hdml-compute-class"  # the name the populator asks for
COMPUTE_CLASS_KEY = "cloud.google.com/compute-class"
CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"


def transfer_pool_name(naming: Naming) -> str:
    """The transfer pool's name: GKE allows at most 40 characters."""
    return naming.name("hdml-transfer")[:40].rstrip("-")


def transfer_node_config(
    config: HyperdiskMlConfig, service_account: pulumi.Input[str], labels: dict[str, str]
) -> gcp.container.NodePoolNodeConfigArgs:
    """The transfer nodes: labelled and tainted for the populator's compute class, so only its Job runs there."""
    return gcp.container.NodePoolNodeConfigArgs(
        machine_type=config.transfer_machine_type,
        image_type="COS_CONTAINERD",
        disk_type="pd-balanced",
        service_account=service_account,
        oauth_scopes=[CLOUD_PLATFORM_SCOPE],
        shielded_instance_config=gcp.container.NodePoolNodeConfigShieldedInstanceConfigArgs(
            enable_secure_boot=True, enable_integrity_monitoring=True
        ),
        workload_metadata_config=gcp.container.NodePoolNodeConfigWorkloadMetadataConfigArgs(mode="GKE_METADATA"),
        labels={COMPUTE_CLASS_KEY: TRANSFER_COMPUTE_CLASS},
        taints=[
            gcp.container.NodePoolNodeConfigTaintArgs(
                key=COMPUTE_CLASS_KEY, value=TRANSFER_COMPUTE_CLASS, effect="NO_SCHEDULE"
            )
        ],
        resource_labels=labels,
    )


def compute_class_spec(pool_name: str) -> dict[str, object]:
    """The transfer class: the dedicated pool, and no scale-up anywhere else."""
    return {"priorities": [{"nodepools": [pool_name]}], "whenUnsatisfiable": "DoNotScaleUp"}


def storage_class_parameters(config: HyperdiskMlConfig) -> dict[str, str]:
    return {
        "type": "hyperdisk-ml",
        "provisioned-throughput-on-create": f"{config.provisioned_throughput_mibps}Mi",
    }


@dataclass(frozen=True)
class HyperdiskMlModelStoreArgs(ModelStoreArgs):
    config: HyperdiskMlConfig
    cluster_id: pulumi.Input[str]
    cluster_location: str
    node_service_account: pulumi.Input[str]


class HyperdiskMlModelStore(PlatformComponent):
    def __init__(self, name: str, args: HyperdiskMlModelStoreArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("storage:HyperdiskMlModelStore", name, opts)
        self.transfer_pool = self._transfer_pool(name, args)
        self.compute_class = self._compute_class(name, args)
        self.storage_class = self._storage_class(name, args)
        self.data_source = data_source(self, name, args)
        self.claim = populated_claim(
            self,
            name,
            args,
            source=self.data_source,
            storage_class=self.storage_class,
            size=f"{args.config.size_gib}Gi",
            access_mode="ReadOnlyMany",
            after=[self.compute_class],  # the transfer Job schedules on the class
        )
        self.read_gib_s: float | None = args.config.provisioned_throughput_mibps / 1024
        self.mount = claim_mount(self.claim, args.mount_path, "hyperdisk-ml")
        self.register_outputs({"claim": self.claim.metadata.name, "storage_class": self.storage_class.metadata.name})

    def _transfer_pool(self, name: str, args: HyperdiskMlModelStoreArgs) -> gcp.container.NodePool:
        """A small pool in the TPU zone that scales from zero for the populator's transfer Job."""
        return gcp.container.NodePool(
            f"{name}-transfer-pool",
            name=transfer_pool_name(args.naming),
            project=args.project,
            cluster=args.cluster_id,
            location=args.cluster_location,
            node_locations=[args.zone],
            initial_node_count=0,
            autoscaling=gcp.container.NodePoolAutoscalingArgs(min_node_count=0, max_node_count=1),
            management=gcp.container.NodePoolManagementArgs(auto_repair=True, auto_upgrade=True),
            node_config=transfer_node_config(args.config, args.node_service_account, args.naming.labels),
            opts=self.child(ignore_changes=["initialNodeCount"]),
        )

    def _compute_class(self, name: str, args: HyperdiskMlModelStoreArgs) -> k8s.apiextensions.CustomResource:
        return k8s.apiextensions.CustomResource(
            f"{name}-transfer-class",
            api_version="cloud.google.com/v1",
            kind="ComputeClass",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=TRANSFER_COMPUTE_CLASS),
            spec=compute_class_spec(transfer_pool_name(args.naming)),
            opts=self.child(provider=args.provider, depends_on=[self.transfer_pool]),
        )

    def _storage_class(self, name: str, args: HyperdiskMlModelStoreArgs) -> k8s.storage.v1.StorageClass:
        return k8s.storage.v1.StorageClass(
            f"{name}-class",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=args.naming.name("hyperdisk-ml")),
            provisioner=PROVISIONER,
            parameters=storage_class_parameters(args.config),
            volume_binding_mode="Immediate",
            allowed_topologies=[zone_topology(args.zone)],
            reclaim_policy="Delete",  # the bucket is the source of truth
            allow_volume_expansion=False,
            opts=self.child(provider=args.provider),
        )

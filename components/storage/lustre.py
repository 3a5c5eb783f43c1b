"""Managed Lustre: a persistent parallel file system in the TPU zone, filled from the model bucket.

Creates the instance on the stack's VPC (after the private services connection, from whose range
Google takes its block), the tcp:988 firewall rule from that range to the serving nodes (Lustre
servers open LNet connections to their clients), a static PersistentVolume and a read-only claim
for serving pods, and the import that fills the file system from the bucket: a Kubernetes Job, its
own Google service account and the Lustre service agent's read grant on the bucket
(`lustre_import.py` says how the import runs and what each identity may do).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp
import pulumi_kubernetes as k8s

from components.base import PlatformComponent
from components.identity.service_agents import service_agent
from components.naming import Naming
from components.storage.config import LustreConfig
from components.storage.lustre_import import GCLOUD_IMAGE as GCLOUD_IMAGE  # Binary Authorization admits it
from components.storage.lustre_import import (
    IMPORT_PERMISSIONS,
    IMPORTER_KSA,
    import_job_name,
    import_job_spec,
    import_role,
    importer_member,
    importer_pod,
    lustre_path,
)
from components.storage.mount import ModelStoreArgs, claim_mount
from components.storage.weights import ModelWeights, step_annotations

CSI_DRIVER = "lustre.csi.storage.gke.io"
LNET_PORT = "988"
BUCKET_READ_ROLE = "roles/storage.objectViewer"


def read_gib_s(capacity_gib: int, per_unit_mb_s: int) -> float:
    """Aggregate read throughput: the tier's MB/s for every TiB of capacity."""
    return capacity_gib / 1024 * per_unit_mb_s * 1e6 / 2**30


def lnet_rule(
    naming: Naming, project: str, network: pulumi.Input[str], private_services_cidr: str, node_tag: str
) -> gcp.compute.FirewallArgs:
    """Lustre servers open LNet connections to their clients: from the range Google places them in
    (the private services range) to the serving nodes, on LNet's port only."""
    return gcp.compute.FirewallArgs(
        name=naming.name("allow-lustre"),
        project=project,
        network=network,
        direction="INGRESS",
        priority=1000,
        description="Managed Lustre servers (private services range) to LNet on the serving nodes",
        source_ranges=[private_services_cidr],
        target_tags=[node_tag],
        allows=[gcp.compute.FirewallAllowArgs(protocol="tcp", ports=[LNET_PORT])],
        log_config=gcp.compute.FirewallLogConfigArgs(metadata="EXCLUDE_ALL_METADATA"),
    )


def instance_id_of(naming: Naming) -> str:
    """The instance's id, known before it exists (the import Jobs' names and arguments use it)."""
    return naming.name("weights")


def instance_args(
    naming: Naming, project: str, zone: str, network: pulumi.Input[str], config: LustreConfig, protect: bool
) -> gcp.lustre.InstanceArgs:
    """The instance in the TPU zone on the stack's VPC; protected stacks refuse its deletion in the
    provider too, as the cluster does."""
    return gcp.lustre.InstanceArgs(
        instance_id=instance_id_of(naming),
        project=project,
        location=zone,
        network=network,
        filesystem=config.filesystem,
        capacity_gib=str(config.capacity_gib),
        per_unit_storage_throughput=str(config.per_unit_storage_throughput),
        description="Model weights, filled from the model bucket",
        deletion_policy="PREVENT" if protect else "DELETE",
        labels=naming.stateful_labels,
    )


def volume_handle(project: str, zone: str, instance_id: str) -> str:
    """The Lustre CSI driver's handle of an instance: `<project>/<zone>/<instance>`."""
    return f"{project}/{zone}/{instance_id}"


def server_ip(mount_point: str) -> str:
    """The instance's address from its mount point: `10.24.0.2@tcp:/models` is served from `10.24.0.2`."""
    return mount_point.split("@", 1)[0]


def volume_spec(
    config: LustreConfig,
    namespace: pulumi.Input[str],
    volume_name: str,
    handle: pulumi.Input[str],
    ip: pulumi.Input[str],
) -> k8s.core.v1.PersistentVolumeSpecArgs:
    """A static, read-only volume on the instance, bound to the claim of the same name only."""
    return k8s.core.v1.PersistentVolumeSpecArgs(
        access_modes=["ReadOnlyMany"],
        capacity={"storage": f"{config.capacity_gib}Gi"},
        storage_class_name="",
        persistent_volume_reclaim_policy="Retain",
        csi=k8s.core.v1.CSIPersistentVolumeSourceArgs(
            driver=CSI_DRIVER,
            volume_handle=handle,
            volume_attributes={"ip": ip, "filesystem": config.filesystem},
            read_only=True,
        ),
        claim_ref=k8s.core.v1.ObjectReferenceArgs(namespace=namespace, name=volume_name),
    )


def claim_spec(config: LustreConfig, volume_name: pulumi.Input[str]) -> k8s.core.v1.PersistentVolumeClaimSpecArgs:
    """The serving pods' read-only claim on the static volume (no storage class, no provisioning)."""
    return k8s.core.v1.PersistentVolumeClaimSpecArgs(
        access_modes=["ReadOnlyMany"],
        storage_class_name="",
        volume_name=volume_name,
        resources=k8s.core.v1.VolumeResourceRequirementsArgs(requests={"storage": f"{config.capacity_gib}Gi"}),
    )


@dataclass(frozen=True)
class LustreModelStoreArgs(ModelStoreArgs):
    config: LustreConfig
    network_id: pulumi.Input[str]
    private_services_cidr: str
    node_tag: str
    project_number: pulumi.Input[str]
    workload_pool: pulumi.Input[str]
    system_node_selector: dict[str, str]


class LustreModelStore(PlatformComponent):
    def __init__(self, name: str, args: LustreModelStoreArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("storage:LustreModelStore", name, opts)
        naming = args.naming
        self.firewall = gcp.compute.Firewall(
            f"{name}-allow-lnet",
            lnet_rule(naming, args.project, args.network_id, args.private_services_cidr, args.node_tag),
            opts=self.child(),
        )
        self.instance = gcp.lustre.Instance(
            f"{name}-instance",
            instance_args(naming, args.project, args.zone, args.network_id, args.config, args.protect),
            opts=self.child(protect=args.protect),
        )
        self.agent, self.agent_reads_bucket = self._agent_reads_bucket(name, args)
        self.importer = self._importer(name, args)
        self.import_role, self.importer_can_import = self._importer_can_import(name, args)
        self.importer_ksa = self._importer_ksa(name, args)
        self.importer_federation = self._importer_federation(name, args)
        self.imports = self._imports(name, args)
        self.volume, self.claim = self._volume_and_claim(name, args)
        self.read_gib_s: float | None = read_gib_s(args.config.capacity_gib, args.config.per_unit_storage_throughput)
        # Serving pods wait for the claim, and each tier for the import of its own folder.
        folder_ready = {folder: [job] for folder, job in self.imports.items()}
        self.mount = claim_mount(self.claim, args.mount_path, "lustre", folder_ready=folder_ready)
        self.register_outputs(
            {
                "instance": self.instance.instance_id,
                "mount_point": self.instance.mount_point,
                "jobs": [job.metadata.name for job in self.imports.values()],
            }
        )

    def _agent_reads_bucket(
        self, name: str, args: LustreModelStoreArgs
    ) -> tuple[gcp.projects.ServiceIdentity, gcp.storage.BucketIAMMember]:
        """The service agent, which performs the imports, exists once the API creates it: ask for it,
        then let it read the bucket."""
        agent = gcp.projects.ServiceIdentity(
            f"{name}-agent", project=args.project, service="lustre.googleapis.com", opts=self.child()
        )
        grant = gcp.storage.BucketIAMMember(
            f"{name}-agent-reads-bucket",
            bucket=args.bucket,
            role=BUCKET_READ_ROLE,
            member=service_agent(args.project_number, "gcp-sa-lustre"),
            opts=self.child(depends_on=[agent]),
        )
        return agent, grant

    def _importer(self, name: str, args: LustreModelStoreArgs) -> gcp.serviceaccount.Account:
        return gcp.serviceaccount.Account(
            f"{name}-importer",
            project=args.project,
            account_id=args.naming.account_id("lustre-import"),
            display_name=f"Imports the model bucket into {args.naming.name('weights')}",
            opts=self.child(),
        )

    def _importer_can_import(
        self, name: str, args: LustreModelStoreArgs
    ) -> tuple[gcp.projects.IAMCustomRole, gcp.projects.IAMMember]:
        """pulumi-gcp has no IAM resource for a single Lustre instance yet, so the grant is on the
        project, limited to the two permissions of the custom role."""
        role = gcp.projects.IAMCustomRole(
            f"{name}-import-role",
            project=args.project,
            role_id=args.naming.role_id("lustreImporter"),
            title=f"Lustre importer ({args.naming.prefix})",
            description="Start imports into Managed Lustre and follow their operations; nothing else",
            permissions=list(IMPORT_PERMISSIONS),
            opts=self.child(),
        )
        grant = gcp.projects.IAMMember(
            f"{name}-importer-can-import",
            project=args.project,
            role=import_role(args.project, args.naming),  # by name; the dependency keeps the order
            member=self.importer.email.apply(lambda email: f"serviceAccount:{email}"),
            opts=self.child(depends_on=[role]),
        )
        return role, grant

    def _importer_ksa(self, name: str, args: LustreModelStoreArgs) -> k8s.core.v1.ServiceAccount:
        return k8s.core.v1.ServiceAccount(
            f"{name}-importer-ksa",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=IMPORTER_KSA,
                namespace=args.namespace,
                annotations={"iam.gke.io/gcp-service-account": self.importer.email},
                labels={"app.kubernetes.io/part-of": "llm-platform"},
            ),
            opts=self.child(provider=args.provider),
        )

    def _importer_federation(self, name: str, args: LustreModelStoreArgs) -> gcp.serviceaccount.IAMMember:
        # Naming the pool from the cluster's output makes the grant wait for the pool to exist.
        return gcp.serviceaccount.IAMMember(
            f"{name}-importer-federation",
            service_account_id=self.importer.name,
            role="roles/iam.workloadIdentityUser",
            member=pulumi.Output.all(args.workload_pool, args.namespace).apply(
                lambda parts: importer_member(str(parts[0]), str(parts[1]))
            ),
            opts=self.child(),
        )

    def _imports(self, name: str, args: LustreModelStoreArgs) -> dict[str, k8s.batch.v1.Job]:
        """One import per model folder, each after the Job that put its folder in the bucket only, so a
        tier waits for its own folder; imports that meet on the instance take turns (the script retries
        while another transfer runs)."""
        return {
            weights.folder: self._import_job(f"{name}-import-{weights.digest}", args, weights)
            for weights in args.weights
        }

    def _import_job(self, name: str, args: LustreModelStoreArgs, weights: ModelWeights) -> k8s.batch.v1.Job:
        """The Job that copies one bucket folder into the instance, waited for by Pulumi."""
        config, instance_id = args.config, instance_id_of(args.naming)
        source = f"gs://{args.bucket_name}/{weights.object_prefix(args.prefix)}"
        destination = lustre_path(weights.folder)
        identity = (args.bucket_name, weights.object_prefix(args.prefix), instance_id, str(config.import_generation))
        pod = importer_pod(args.project, args.zone, args.system_node_selector, instance_id, source, destination)
        fetched = [args.weights_ready[weights.folder]] if weights.folder in args.weights_ready else []
        annotations = step_annotations(
            "import", f"import of {source} into Lustre {destination}", [weights.server_path(args.mount_path)]
        )
        return k8s.batch.v1.Job(
            name,
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=import_job_name(args.naming.prefix, *identity),
                namespace=args.namespace,
                labels={"app.kubernetes.io/part-of": "llm-platform", "app.kubernetes.io/name": "lustre-import"},
                # A failed import is replaced on the next update instead of being waited on again.
                annotations={**annotations, "pulumi.com/replaceUnready": "true"},
            ),
            spec=import_job_spec(config, pod),
            opts=self.child(
                provider=args.provider,
                depends_on=[
                    self.instance,
                    self.agent_reads_bucket,
                    self.importer_can_import,
                    self.importer_federation,
                    self.importer_ksa,
                    *fetched,
                ],
                custom_timeouts=pulumi.CustomTimeouts(create=f"{config.import_timeout_minutes + 10}m"),
            ),
        )

    def _volume_and_claim(
        self, name: str, args: LustreModelStoreArgs
    ) -> tuple[k8s.core.v1.PersistentVolume, k8s.core.v1.PersistentVolumeClaim]:
        volume_name = args.naming.name("weights-lustre")
        handle = self.instance.instance_id.apply(
            lambda instance_id: volume_handle(args.project, args.zone, instance_id)
        )
        volume = k8s.core.v1.PersistentVolume(
            f"{name}-volume",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=volume_name),
            spec=volume_spec(
                args.config, args.namespace, volume_name, handle, self.instance.mount_point.apply(server_ip)
            ),
            opts=self.child(provider=args.provider),
        )
        claim = k8s.core.v1.PersistentVolumeClaim(
            f"{name}-claim",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=volume_name, namespace=args.namespace),
            spec=claim_spec(args.config, volume.metadata.name),
            opts=self.child(provider=args.provider),
        )
        return volume, claim

"""Managed Lustre: a persistent parallel file system in the TPU zone, filled from the model bucket.

Creates the instance on the stack's VPC (after the private services connection, from whose range
Google takes its block), the tcp:988 firewall rule from that range to the serving nodes (Lustre
servers open LNet connections to their clients), a static PersistentVolume and a read-only claim
for serving pods, and the import that fills the file system from the bucket.

Filling it: pulumi-gcp has no resource for the ImportData API, so a Kubernetes Job on the system
pool runs `gcloud lustre instances import-data` (pinned Google Cloud CLI image) and Pulumi waits
for it to complete; a failed import fails the update with the Job's error. The Job's name carries
a hash of the bucket folder, the instance and `importGeneration`, so changing any of them runs a
new import; imports are incremental, so a re-run copies only new or changed objects. The Job runs
as its own Google service account (Workload Identity) with a custom role holding only
`lustre.instances.importData` and `lustre.operations.get`; the Lustre service agent, which does
the copy, gets `roles/storage.objectViewer` on the bucket and nothing else.
(https://docs.cloud.google.com/managed-lustre/docs/transfer-data)
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp
import pulumi_kubernetes as k8s

from components.base import PlatformComponent
from components.identity.service_agents import service_agent
from components.storage.config import LustreConfig
from components.storage.mount import ModelStoreArgs, claim_mount

CSI_DRIVER = "lustre.csi.storage.gke.io"
LNET_PORT = "988"
BUCKET_READ_ROLE = "roles/storage.objectViewer"
IMPORT_PERMISSIONS = ("lustre.instances.importData", "lustre.operations.get")
# Google's Cloud SDK image; `gcloud lustre` is GA from release 523.0.0.
GCLOUD_IMAGE = "gcr.io/google.com/cloudsdktool/google-cloud-cli:573.0.0-stable"
IMPORTER_KSA = "lustre-importer"
# Not the image's `cloudsdk` user (1000): a high UID that cannot collide with a host account; gcloud
# needs no passwd entry, only a writable CLOUDSDK_CONFIG.
GCLOUD_UID = 10001
# One transfer per instance at a time: a second fails ABORTED; fresh IAM grants take minutes to apply.
IMPORT_SCRIPT = """\
set -u
for attempt in $(seq 1 40); do
  if gcloud lustre instances import-data "$INSTANCE" --project="$PROJECT" --location="$ZONE" \\
      --gcs-path-uri="$SOURCE" --lustre-path=/ 2>/tmp/import.err; then
    echo "import of $SOURCE into $INSTANCE completed"; exit 0
  fi
  cat /tmp/import.err >&2
  if grep -qE 'ABORTED|PERMISSION_DENIED' /tmp/import.err; then
    echo "attempt $attempt: another transfer is running or IAM is still propagating; retrying in 60 s" >&2
    sleep 60
  else
    exit 1
  fi
done
exit 1
"""


def read_gib_s(capacity_gib: int, per_unit_mb_s: int) -> float:
    """Aggregate read throughput: the tier's MB/s for every TiB of capacity."""
    return capacity_gib / 1024 * per_unit_mb_s * 1e6 / 2**30


def import_job_name(prefix: str, *identity: str) -> str:
    """A Job name that changes exactly when what the import copies, or where to, changes."""
    digest = hashlib.sha256("\n".join(identity).encode()).hexdigest()[:10]
    return f"{prefix}-lustre-import-{digest}"


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
        config, naming = args.config, args.naming
        instance_id = naming.name("weights")

        self.firewall = gcp.compute.Firewall(
            f"{name}-allow-lnet",
            name=naming.name("allow-lustre"),
            project=args.project,
            network=args.network_id,
            direction="INGRESS",
            priority=1000,
            description="Managed Lustre servers (private services range) to LNet on the serving nodes",
            source_ranges=[args.private_services_cidr],
            target_tags=[args.node_tag],
            allows=[gcp.compute.FirewallAllowArgs(protocol="tcp", ports=[LNET_PORT])],
            log_config=gcp.compute.FirewallLogConfigArgs(metadata="EXCLUDE_ALL_METADATA"),
            opts=self.child(),
        )
        self.instance = gcp.lustre.Instance(
            f"{name}-instance",
            instance_id=instance_id,
            project=args.project,
            location=args.zone,
            network=args.network_id,
            filesystem=config.filesystem,
            capacity_gib=str(config.capacity_gib),
            per_unit_storage_throughput=str(config.per_unit_storage_throughput),
            description="Model weights, filled from the model bucket",
            # Protected stacks refuse deletion in the provider too, as the cluster does.
            deletion_policy="PREVENT" if args.protect else "DELETE",
            labels=naming.labels,
            opts=self.child(protect=args.protect),
        )

        # The service agent exists once the API creates it; ask for it, then let it read the bucket.
        self.agent = gcp.projects.ServiceIdentity(
            f"{name}-agent", project=args.project, service="lustre.googleapis.com", opts=self.child()
        )
        self.agent_reads_bucket = gcp.storage.BucketIAMMember(
            f"{name}-agent-reads-bucket",
            bucket=args.bucket,
            role=BUCKET_READ_ROLE,
            member=service_agent(args.project_number, "gcp-sa-lustre"),  # it performs the imports
            opts=self.child(depends_on=[self.agent]),
        )

        self.importer = gcp.serviceaccount.Account(
            f"{name}-importer",
            project=args.project,
            account_id=naming.account_id("lustre-import"),
            display_name=f"Imports the model bucket into {instance_id}",
            opts=self.child(),
        )
        self.import_role = gcp.projects.IAMCustomRole(
            f"{name}-import-role",
            project=args.project,
            role_id=naming.role_id("lustreImporter"),
            title=f"Lustre importer ({naming.prefix})",
            description="Start imports into Managed Lustre and follow their operations; nothing else",
            permissions=list(IMPORT_PERMISSIONS),
            opts=self.child(),
        )
        # pulumi-gcp has no IAM resource for a single Lustre instance yet, so the grant is on the
        # project, limited to the two permissions of the custom role.
        self.importer_can_import = gcp.projects.IAMMember(
            f"{name}-importer-can-import",
            project=args.project,
            # The role's name is known before it exists, so a first preview (and a policy) can read it;
            # the dependency keeps the order.
            role=f"projects/{args.project}/roles/{naming.role_id('lustreImporter')}",
            member=self.importer.email.apply(lambda email: f"serviceAccount:{email}"),
            opts=self.child(depends_on=[self.import_role]),
        )
        self.importer_ksa = k8s.core.v1.ServiceAccount(
            f"{name}-importer-ksa",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=IMPORTER_KSA,
                namespace=args.namespace,
                annotations={"iam.gke.io/gcp-service-account": self.importer.email},
                labels={"app.kubernetes.io/part-of": "llm-platform"},
            ),
            opts=self.child(provider=args.provider),
        )
        # Naming the pool from the cluster's output makes the grant wait for the pool to exist.
        self.importer_federation = gcp.serviceaccount.IAMMember(
            f"{name}-importer-federation",
            service_account_id=self.importer.name,
            role="roles/iam.workloadIdentityUser",
            member=pulumi.Output.all(args.workload_pool, args.namespace).apply(
                lambda parts: f"serviceAccount:{parts[0]}[{parts[1]}/{IMPORTER_KSA}]"
            ),
            opts=self.child(),
        )

        source = pulumi.Output.concat("gs://", args.bucket, "/", args.prefix)
        job_name = pulumi.Output.all(args.bucket, self.instance.instance_id).apply(
            lambda parts: import_job_name(
                naming.prefix, str(parts[0]), args.prefix, str(parts[1]), str(config.import_generation)
            )
        )
        self.import_job = k8s.batch.v1.Job(
            f"{name}-import",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=job_name,
                namespace=args.namespace,
                labels={"app.kubernetes.io/part-of": "llm-platform", "app.kubernetes.io/name": "lustre-import"},
                # A failed import is replaced on the next update instead of being waited on again.
                annotations={"pulumi.com/replaceUnready": "true"},
            ),
            spec=k8s.batch.v1.JobSpecArgs(
                backoff_limit=2,
                active_deadline_seconds=config.import_timeout_minutes * 60,
                template=k8s.core.v1.PodTemplateSpecArgs(
                    metadata=k8s.meta.v1.ObjectMetaArgs(labels={"app.kubernetes.io/name": "lustre-import"}),
                    spec=_importer_pod(args, self.instance.instance_id, source),
                ),
            ),
            opts=self.child(
                provider=args.provider,
                depends_on=[
                    self.instance,
                    self.agent_reads_bucket,
                    self.importer_can_import,
                    self.importer_federation,
                    self.importer_ksa,
                ],
                custom_timeouts=pulumi.CustomTimeouts(create=f"{config.import_timeout_minutes + 10}m"),
            ),
        )

        volume_name = naming.name("weights-lustre")
        capacity = f"{config.capacity_gib}Gi"
        self.volume = k8s.core.v1.PersistentVolume(
            f"{name}-volume",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=volume_name),
            spec=k8s.core.v1.PersistentVolumeSpecArgs(
                access_modes=["ReadOnlyMany"],
                capacity={"storage": capacity},
                storage_class_name="",
                persistent_volume_reclaim_policy="Retain",
                csi=k8s.core.v1.CSIPersistentVolumeSourceArgs(
                    driver=CSI_DRIVER,
                    volume_handle=pulumi.Output.concat(args.project, "/", args.zone, "/", self.instance.instance_id),
                    volume_attributes={
                        "ip": self.instance.mount_point.apply(lambda mount: mount.split("@", 1)[0]),
                        "filesystem": config.filesystem,
                    },
                    read_only=True,
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
                storage_class_name="",
                volume_name=self.volume.metadata.name,
                resources=k8s.core.v1.VolumeResourceRequirementsArgs(requests={"storage": capacity}),
            ),
            opts=self.child(provider=args.provider),
        )
        self.read_gib_s: float | None = read_gib_s(config.capacity_gib, config.per_unit_storage_throughput)
        # Serving pods wait for the claim and for the import that fills it.
        self.mount = claim_mount(self.claim, args.mount_path, "lustre", ready=[self.import_job])
        self.register_outputs(
            {"instance": self.instance.instance_id, "mount_point": self.instance.mount_point, "job": job_name}
        )


def _importer_pod(
    args: LustreModelStoreArgs, instance_id: pulumi.Output[str], source: pulumi.Output[str]
) -> k8s.core.v1.PodSpecArgs:
    """The import Job's pod: the restricted Pod Security profile, on the system pool."""
    return k8s.core.v1.PodSpecArgs(
        service_account_name=IMPORTER_KSA,
        restart_policy="Never",
        node_selector=args.system_node_selector,
        # gcloud reaches Google Cloud through the metadata server (Workload Identity), never the Kubernetes API.
        automount_service_account_token=False,
        security_context=k8s.core.v1.PodSecurityContextArgs(
            run_as_non_root=True,
            run_as_user=GCLOUD_UID,
            run_as_group=GCLOUD_UID,
            seccomp_profile=k8s.core.v1.SeccompProfileArgs(type="RuntimeDefault"),
        ),
        containers=[
            k8s.core.v1.ContainerArgs(
                name="import",
                image=GCLOUD_IMAGE,
                command=["/bin/bash", "-c", IMPORT_SCRIPT],
                env=[
                    k8s.core.v1.EnvVarArgs(name="PROJECT", value=args.project),
                    k8s.core.v1.EnvVarArgs(name="ZONE", value=args.zone),
                    k8s.core.v1.EnvVarArgs(name="INSTANCE", value=instance_id),
                    k8s.core.v1.EnvVarArgs(name="SOURCE", value=source),
                    k8s.core.v1.EnvVarArgs(name="CLOUDSDK_CONFIG", value="/tmp/gcloud"),
                ],
                resources=k8s.core.v1.ResourceRequirementsArgs(
                    requests={"cpu": "100m", "memory": "256Mi"}, limits={"cpu": "1", "memory": "1Gi"}
                ),
                security_context=k8s.core.v1.SecurityContextArgs(
                    allow_privilege_escalation=False,
                    read_only_root_filesystem=True,
                    capabilities=k8s.core.v1.CapabilitiesArgs(drop=["ALL"]),
                ),
                volume_mounts=[k8s.core.v1.VolumeMountArgs(name="tmp", mount_path="/tmp")],
            )
        ],
        volumes=[k8s.core.v1.VolumeArgs(name="tmp", empty_dir=k8s.core.v1.EmptyDirVolumeSourceArgs())],
    )

"""Filling a Managed Lustre instance from the model bucket: the import Job's pure parts.

pulumi-gcp has no resource for the ImportData API, so a Kubernetes Job on the system pool runs
`gcloud lustre instances import-data` (pinned Google Cloud CLI image) and Pulumi waits for it to
complete; a failed import fails the update with the Job's error. One Job per model folder a tier
serves (`gs://BUCKET/<prefix><folder>/` into `/<folder>/`, which pods see under the mount path),
each after the Job that fetched or checked that folder; an instance runs one transfer at a time, so
an import that meets another retries until it has its turn (within the Job's deadline). A Job's
name carries a hash of the bucket folder, the instance and `importGeneration`, so a changed model
path or revision is a new import run by itself, and nothing else is; imports are incremental, so a
re-run copies only new or changed objects. The Job runs as its own Google service account
(Workload Identity) with a custom role holding only `lustre.instances.importData` and
`lustre.operations.get`; the Lustre service agent, which does the copy, gets
`roles/storage.objectViewer` on the bucket and nothing else.
(https://docs.cloud.google.com/managed-lustre/docs/transfer-data)
"""

from __future__ import annotations

import hashlib

import pulumi
import pulumi_kubernetes as k8s

from components.naming import Naming
from components.storage.config import LustreConfig

IMPORT_PERMISSIONS = ("lustre.instances.importData", "lustre.operations.get")
# Google's Cloud SDK image; `gcloud lustre` is GA from release 523.0.0.
GCLOUD_IMAGE = "gcr.io/google.com/cloudsdktool/google-cloud-cli:573.0.0-stable"
IMPORTER_KSA = "lustre-importer"
# Not the image's `cloudsdk` user (1000): a high UID that cannot collide with a host account; gcloud
# needs no passwd entry, only a writable CLOUDSDK_CONFIG.
GCLOUD_UID = 10001
# One transfer per instance at a time: a second fails ABORTED, and waits its turn until the Job's
# deadline (importTimeoutMinutes); fresh IAM grants take minutes to apply.
IMPORT_SCRIPT = """\
set -u
attempt=0
while true; do
  attempt=$((attempt + 1))
  if gcloud lustre instances import-data "$INSTANCE" --project="$PROJECT" --location="$ZONE" \\
      --gcs-path-uri="$SOURCE" --lustre-path="$LUSTRE_PATH" 2>/tmp/import.err; then
    echo "import of $SOURCE into $INSTANCE completed"; exit 0
  fi
  cat /tmp/import.err >&2
  if grep -q ABORTED /tmp/import.err; then
    echo "attempt $attempt: another transfer holds the instance; retrying in 60 s" >&2
  elif grep -q PERMISSION_DENIED /tmp/import.err && [ "$attempt" -le 15 ]; then
    echo "attempt $attempt: IAM is still propagating; retrying in 60 s" >&2
  else
    exit 1
  fi
  sleep 60
done
"""


def import_job_name(prefix: str, *identity: str) -> str:
    """A Job name that changes exactly when what the import copies, or where to, changes."""
    digest = hashlib.sha256("\n".join(identity).encode()).hexdigest()[:10]
    return f"{prefix}-lustre-import-{digest}"


def lustre_path(folder: str) -> str:
    """Where a folder lands in the file system: the PersistentVolume mounts its root at the mount path."""
    return f"/{folder}/"


def import_role(project: str, naming: Naming) -> str:
    """The importer's custom role by name: known before the role exists, so a first preview (and a
    policy) can read it."""
    return f"projects/{project}/roles/{naming.role_id('lustreImporter')}"


def importer_member(workload_pool: str, namespace: str) -> str:
    """The importer's Kubernetes service account as a Workload Identity member of its Google account."""
    return f"serviceAccount:{workload_pool}[{namespace}/{IMPORTER_KSA}]"


def import_job_spec(config: LustreConfig, pod: k8s.core.v1.PodSpecArgs) -> k8s.batch.v1.JobSpecArgs:
    """Two retries, and no longer than the configured timeout."""
    return k8s.batch.v1.JobSpecArgs(
        backoff_limit=2,
        active_deadline_seconds=config.import_timeout_minutes * 60,
        template=k8s.core.v1.PodTemplateSpecArgs(
            metadata=k8s.meta.v1.ObjectMetaArgs(labels={"app.kubernetes.io/name": "lustre-import"}),
            spec=pod,
        ),
    )


def importer_pod(
    project: str,
    zone: str,
    node_selector: dict[str, str],
    instance_id: pulumi.Input[str],
    source: pulumi.Input[str],
    destination: str,
) -> k8s.core.v1.PodSpecArgs:
    """The import Job's pod: the restricted Pod Security profile, on the system pool."""
    return k8s.core.v1.PodSpecArgs(
        service_account_name=IMPORTER_KSA,
        restart_policy="Never",
        node_selector=node_selector,
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
                    k8s.core.v1.EnvVarArgs(name="PROJECT", value=project),
                    k8s.core.v1.EnvVarArgs(name="ZONE", value=zone),
                    k8s.core.v1.EnvVarArgs(name="INSTANCE", value=instance_id),
                    k8s.core.v1.EnvVarArgs(name="SOURCE", value=source),
                    k8s.core.v1.EnvVarArgs(name="LUSTRE_PATH", value=destination),
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

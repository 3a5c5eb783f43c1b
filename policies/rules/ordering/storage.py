"""Creation order of the model bucket, the model stores and the volumes that mount them (components/storage)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi_policy import PolicyResource

from ..metadata import UNKNOWN, items, known
from .agents import agent_domain
from .engine import Prerequisite, Rule, grants, named_by, rule_after, same, value_at
from .resource_types import BUCKET_IAM_MEMBER, CONNECTION, SECRET_IAM_MEMBER, SERVICE_ACCOUNT_IAM_MEMBER

JOB = "kubernetes:batch/v1:Job"
WEIGHTS_APP = "model-weights"
WEIGHTS_LABEL = "llm-platform/weights"


def _csi_driver(resource: PolicyResource) -> Any:
    return value_at(resource, "spec", "csi", "driver")


def _bucket_of_uri(uri: Any) -> Any:
    return uri.removeprefix("gs://").split("/", 1)[0] if isinstance(uri, str) else uri


def _runs(command: str) -> Callable[[PolicyResource], bool]:
    def runs(resource: PolicyResource) -> bool:
        containers = items(value_at(resource, "spec", "template", "spec", "containers"))
        return any(
            command in str(part)
            for container in containers
            for part in items(known(container, "command")) + items(known(container, "args"))
        )

    return runs


def _env(resource: PolicyResource) -> dict[str, Any]:
    """The first container's plain environment (what the weights and import Jobs read)."""
    containers = items(value_at(resource, "spec", "template", "spec", "containers"))
    listed = items(known(containers[0], "env")) if containers else []
    return {known(entry, "name"): known(entry, "value") for entry in listed}


def _weights_job(resource: PolicyResource) -> bool:
    return value_at(resource, "metadata", "labels", "app.kubernetes.io/name") == WEIGHTS_APP


def _folder_grant(candidate: PolicyResource, subject: PolicyResource) -> bool:
    digest = value_at(subject, "metadata", "labels", WEIGHTS_LABEL)
    return same(value_at(candidate, "condition", "title"), f"weights-{digest}" if isinstance(digest, str) else digest)


def _token_secret(candidate: PolicyResource, subject: PolicyResource) -> bool:
    version = _env(subject).get("TOKEN_SECRET")
    secret = version.split("/")[3] if isinstance(version, str) and version.count("/") == 5 else version
    return value_at(candidate, "role") == "roles/secretmanager.secretAccessor" and same(
        value_at(candidate, "secretId"), secret
    )


def _weights_prerequisites(resource: PolicyResource) -> tuple[Prerequisite, ...]:
    folder = Prerequisite("the grant on its own bucket folder", BUCKET_IAM_MEMBER, _folder_grant)
    if _env(resource).get("TOKEN_SECRET") is None:
        return (folder,)
    return (folder, Prerequisite("its read grant on the Hub token's secret", SECRET_IAM_MEMBER, _token_secret))


def _fetches_its_folder(candidate: PolicyResource, subject: PolicyResource) -> bool:
    if not _weights_job(candidate):
        return False
    source, env = _env(subject).get("SOURCE"), _env(candidate)
    bucket, dest = env.get("BUCKET"), env.get("DEST")
    if UNKNOWN in (source, bucket, dest):
        return True
    return source == f"gs://{bucket}/{dest}"


RULES: tuple[Rule, ...] = (
    Rule("gcp:storage/bucket:Bucket", "storage.googleapis.com serves it", apis=("storage.googleapis.com",)),
    Rule(
        "gcp:lustre/instance:Instance",
        "Managed Lustre is reached through private services access (https://docs.cloud.google.com/managed-lustre/docs/vpc)",
        apis=("lustre.googleapis.com",),
        after=(Prerequisite("the private services connection", CONNECTION),),
    ),
    Rule(
        "gcp:parallelstore/instance:Instance",
        "Parallelstore is reached through private services access (https://cloud.google.com/parallelstore/docs/vpc)",
        apis=("parallelstore.googleapis.com",),
        after=(Prerequisite("the private services connection", CONNECTION),),
    ),
    rule_after(
        "kubernetes:core/v1:PersistentVolume",
        "A Managed Lustre volume mounts an existing instance (https://docs.cloud.google.com/managed-lustre/docs/connect-from-kubernetes-engine-existing-instance)",
        Prerequisite("its Managed Lustre instance", "gcp:lustre/instance:Instance"),
        when=lambda r: _csi_driver(r) == "lustre.csi.storage.gke.io",
    ),
    rule_after(
        "kubernetes:core/v1:PersistentVolume",
        "A Cloud Storage FUSE volume mounts its bucket as the pod's KSA, which needs a read grant first "
        "(https://cloud.google.com/kubernetes-engine/docs/how-to/persistent-volumes/cloud-storage-fuse-csi-driver-setup)",
        Prerequisite(
            "a read grant on its bucket",
            BUCKET_IAM_MEMBER,
            named_by("bucket", "spec", "csi", "volumeHandle"),
        ),
        when=lambda r: _csi_driver(r) == "gcsfuse.csi.storage.gke.io",
    ),
    rule_after(
        "kubernetes:datalayer.gke.io/v1:GCPDataSource",
        "The GKE Volume Populator reads the bucket as the named KSA, which needs roles/storage.objectViewer "
        "(https://cloud.google.com/kubernetes-engine/docs/concepts/about-volume-populator)",
        Prerequisite(
            "a read grant on its bucket",
            BUCKET_IAM_MEMBER,
            lambda candidate, subject: same(
                value_at(candidate, "bucket"), _bucket_of_uri(value_at(subject, "spec", "cloudStorage", "uri"))
            ),
        ),
    ),
    rule_after(
        "kubernetes:batch/v1:Job",
        "The import runs as the Lustre service agent (bucket read) and as a federated importer "
        "(lustre.instances.importData) into an existing instance "
        "(https://cloud.google.com/managed-lustre/docs/transfer-data)",
        Prerequisite("the Managed Lustre instance", "gcp:lustre/instance:Instance"),
        Prerequisite(
            "the Lustre agent's bucket grant",
            BUCKET_IAM_MEMBER,
            lambda candidate, _: same(agent_domain(candidate), "gcp-sa-lustre"),
        ),
        grants("roles/iam.workloadIdentityUser", "the importer's federation", SERVICE_ACCOUNT_IAM_MEMBER),
        when=_runs("lustre instances import-data"),
    ),
    rule_after(
        JOB,
        "An import copies the objects in the bucket folder when it runs, incrementally "
        "(https://cloud.google.com/managed-lustre/docs/transfer-data): the Job that fetches or checks that folder "
        "must have completed",
        Prerequisite("the Job that puts its folder in the bucket", JOB, _fetches_its_folder),
        when=_runs("lustre instances import-data"),
    ),
    Rule(
        JOB,
        "The weights Job reads and writes its folder as its own principal under a conditional grant "
        "(https://cloud.google.com/storage/docs/access-control/iam#conditions) and reads the Hub token from Secret "
        "Manager (https://cloud.google.com/secret-manager/docs/access-control): a call before the grant fails",
        after=_weights_prerequisites,
        when=_weights_job,
    ),
)

"""Creation order of the model bucket, the model stores and the volumes that mount them (components/storage)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi_policy import PolicyResource

from ..metadata import items, known
from .agents import agent_domain
from .engine import Prerequisite, Rule, grants, named_by, rule_after, same, value_at
from .resource_types import BUCKET_IAM_MEMBER, CONNECTION, SERVICE_ACCOUNT_IAM_MEMBER


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
)

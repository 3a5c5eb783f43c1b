"""Workload Identity Federation for GKE: the serving KSA reads the model bucket, nothing more.

The grant goes to the Kubernetes service account's federated principal directly, so there is
no Google service account to impersonate, no key to leak and no project-wide role.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from components.base import PlatformComponent

BUCKET_READ_ROLE = "roles/storage.objectViewer"


def ksa_principal(project_number: str, pool: str, namespace: str, service_account: str) -> str:
    """The IAM principal of one Kubernetes service account under Workload Identity Federation."""
    return (
        f"principal://iam.googleapis.com/projects/{project_number}/locations/global/"
        f"workloadIdentityPools/{pool}/subject/ns/{namespace}/sa/{service_account}"
    )


@dataclass(frozen=True)
class WorkloadIdentityArgs:
    project_number: pulumi.Input[str]
    # The pool as the cluster reports it: `PROJECT.svc.id.goog` exists only once a cluster with
    # Workload Identity does, so a grant naming it must wait for the cluster
    # (terraform-google-modules/terraform-google-kubernetes-engine#916, PR #301).
    workload_pool: pulumi.Input[str]
    namespace: str
    service_account: str
    model_bucket: pulumi.Input[str]


class WorkloadIdentity(PlatformComponent):
    """Decides the serving namespace and KSA and grants that principal read access to the bucket.

    The Namespace and ServiceAccount objects themselves are created on the cluster by the
    GKE component, with these same names.
    """

    def __init__(self, name: str, args: WorkloadIdentityArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("identity:WorkloadIdentity", name, opts)
        self.namespace = args.namespace
        self.service_account = args.service_account
        self.principal = pulumi.Output.all(args.project_number, args.workload_pool).apply(
            lambda parts: ksa_principal(str(parts[0]), str(parts[1]), args.namespace, args.service_account)
        )
        self.bucket_reader = gcp.storage.BucketIAMMember(
            f"{name}-model-reader",
            bucket=args.model_bucket,
            role=BUCKET_READ_ROLE,
            member=self.principal,
            opts=self.child(),
        )
        self.register_outputs(
            {"namespace": self.namespace, "service_account": self.service_account, "principal": self.principal}
        )

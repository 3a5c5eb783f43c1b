"""Workload Identity grants under mocks."""

from __future__ import annotations

from components.identity import WorkloadIdentity, WorkloadIdentityArgs
from components.identity.workload_identity import BUCKET_READ_ROLE
from tests.conftest import RunComponent


def test_workload_identity_grants_bucket_read_to_the_ksa_principal_only(run_component: RunComponent) -> None:
    graph = run_component(
        lambda: WorkloadIdentity(
            "wi",
            WorkloadIdentityArgs(
                project_number="999",
                workload_pool="acme-llm.svc.id.goog",
                namespace="serve",
                service_account="vllm",
                model_bucket="acme-models",
            ),
        )
    )
    (binding,) = graph.resources[1:]
    assert binding.type == "gcp:storage/bucketIAMMember:BucketIAMMember"
    assert binding.parent == graph.resources[0].urn
    assert binding.inputs == {
        "bucket": "acme-models",
        "member": "principal://iam.googleapis.com/projects/999/locations/global/workloadIdentityPools/"
        "acme-llm.svc.id.goog/subject/ns/serve/sa/vllm",
        "role": BUCKET_READ_ROLE,
    }

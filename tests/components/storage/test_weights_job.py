"""ModelWeightsJob: its own KSA, a grant on its folder only, the token's secret readable by it alone, the Job."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from components.storage.config import WeightsFetchConfig
from components.storage.weights import ModelWeights
from components.storage.weights_job import ModelWeightsJob, ModelWeightsJobArgs
from tests.components.storage.helpers import provider
from tests.helpers import naming
from tests.schemas import built_in_problems
from tools.graph import StackGraph, record

REV = "0e9e39f249a16976918f6564b8830bc894c89659"
FETCHED = ModelWeights(f"meta-llama/Llama-3.1-8B-Instruct/{REV}", ("small",), "meta-llama/Llama-3.1-8B-Instruct", REV)
UPLOADED = ModelWeights("acme/uploaded", ("large",))
PRINCIPAL = (
    "principal://iam.googleapis.com/projects/999/locations/global/workloadIdentityPools/acme-llm.svc.id.goog/"
    "subject/ns/serve/sa/llm-test-weights-c6033c3921"
)
JOB = "kubernetes:batch/v1:Job"
GRANT = "gcp:storage/bucketIAMMember:BucketIAMMember"
SECRET_GRANT = "gcp:secretmanager/secretIamMember:SecretIamMember"


def _program(
    weights: ModelWeights, token: str | None = "projects/acme-secrets/secrets/hf-token/versions/latest"
) -> Callable[[], None]:
    def build() -> None:
        ModelWeightsJob(
            "weights",
            ModelWeightsJobArgs(
                weights=weights,
                naming=naming(),
                project_number="999",
                workload_pool="acme-llm.svc.id.goog",
                namespace="serve",
                bucket="acme-models",
                bucket_name="acme-models",
                store_prefix="models/",
                server_paths=(f"/models/{weights.folder}",),
                fetch=WeightsFetchConfig(token_secret_version=token, timeout_minutes=120),
                image="us-central1-docker.pkg.dev/acme-llm/llm-test-dockerhub/library/python:3.12.8-slim-bookworm",
                node_selector={"llm-platform/pool": "system"},
                provider=provider(),
            ),
        )

    return build


@pytest.fixture(scope="module")
def fetch() -> StackGraph:
    return record(_program(FETCHED), stack="test", project="llm-platform")


def test_the_fetch_may_write_its_own_folder_and_nothing_else(fetch: StackGraph) -> None:
    grant = fetch.one(GRANT).inputs
    assert grant == {
        "bucket": "acme-models",
        "role": "roles/storage.objectUser",
        "member": PRINCIPAL,
        "condition": {
            "title": "weights-c6033c3921",
            "description": f"Only objects under models/meta-llama/Llama-3.1-8B-Instruct/{REV}/",
            "expression": (
                'resource.name.startsWith("projects/_/buckets/acme-models/objects/'
                f'models/meta-llama/Llama-3.1-8B-Instruct/{REV}/")'
            ),
        },
    }


def test_only_this_job_reads_the_hub_token_and_only_by_name(fetch: StackGraph) -> None:
    assert fetch.one(SECRET_GRANT).inputs == {
        "project": "acme-secrets",
        "secretId": "hf-token",
        "role": "roles/secretmanager.secretAccessor",
        "member": PRINCIPAL,
    }
    (container,) = fetch.one(JOB).inputs["spec"]["template"]["spec"]["containers"]
    env = {e["name"]: e["value"] for e in container["env"]}
    assert env["TOKEN_SECRET"] == "projects/acme-secrets/secrets/hf-token/versions/latest"
    assert not any(e.get("valueFrom") for e in container["env"])


def test_the_job_runs_as_its_own_ksa_after_its_grants_and_says_what_it_produces(fetch: StackGraph) -> None:
    ksa = fetch.one("kubernetes:core/v1:ServiceAccount")
    assert ksa.inputs["metadata"]["name"] == "llm-test-weights-c6033c3921"
    assert ksa.inputs["automountServiceAccountToken"] is False
    job = fetch.one(JOB)
    assert job.inputs["spec"]["template"]["spec"]["serviceAccountName"] == "llm-test-weights-c6033c3921"
    assert {ksa.urn, fetch.one(GRANT).urn, fetch.one(SECRET_GRANT).urn} <= set(job.dependencies)
    assert job.inputs["metadata"]["annotations"] == {
        "llm-platform/weights-step": "fetch",
        "llm-platform/weights-source": (
            f"fetch of hf://meta-llama/Llama-3.1-8B-Instruct@{REV} into "
            f"gs://acme-models/models/meta-llama/Llama-3.1-8B-Instruct/{REV}/"
        ),
        "llm-platform/weights-paths": f'["/models/meta-llama/Llama-3.1-8B-Instruct/{REV}"]',
        "pulumi.com/replaceUnready": "true",
    }
    assert job.inputs["spec"]["activeDeadlineSeconds"] == 7200
    assert built_in_problems(job) == []
    assert built_in_problems(ksa) == []


def test_a_hand_upload_is_checked_read_only_and_needs_no_token() -> None:
    graph = record(_program(UPLOADED), stack="test", project="llm-platform")
    grant = graph.one(GRANT).inputs
    assert grant["role"] == "roles/storage.objectViewer"
    assert grant["condition"]["expression"] == (
        'resource.name.startsWith("projects/_/buckets/acme-models/objects/models/acme/uploaded/")'
    )
    assert graph.by_type(SECRET_GRANT) == []
    (container,) = graph.one(JOB).inputs["spec"]["template"]["spec"]["containers"]
    assert {e["name"]: e["value"] for e in container["env"]}["MODE"] == "verify"


def test_a_public_repository_fetches_without_a_token_grant() -> None:
    graph = record(_program(FETCHED, token=None), stack="test", project="llm-platform")
    assert graph.by_type(SECRET_GRANT) == []
    (container,) = graph.one(JOB).inputs["spec"]["template"]["spec"]["containers"]
    assert "TOKEN_SECRET" not in {e["name"] for e in container["env"]}


def test_the_same_inputs_give_the_same_job_and_a_new_revision_a_new_one() -> None:
    again = record(_program(FETCHED), stack="test", project="llm-platform").one(JOB)
    revised = ModelWeights(FETCHED.folder.replace(REV, "1" * 40), ("small",), FETCHED.repo, "1" * 40)
    other = record(_program(revised), stack="test", project="llm-platform").one(JOB)
    first = record(_program(FETCHED), stack="test", project="llm-platform").one(JOB)
    assert again.inputs["metadata"]["name"] == first.inputs["metadata"]["name"]
    assert other.inputs["metadata"]["name"] != first.inputs["metadata"]["name"]
    assert other.urn == first.urn  # the component's name is the caller's: the stack names it by folder

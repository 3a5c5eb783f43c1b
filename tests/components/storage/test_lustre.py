"""Managed Lustre: the instance, its network rule, the static volume, and the import that fills it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.storage.config import LUSTRE_CAPACITY, LustreConfig, lustre_capacity_problem
from components.storage.lustre import (
    GCLOUD_IMAGE,
    IMPORT_PERMISSIONS,
    LustreModelStore,
    LustreModelStoreArgs,
    import_job_name,
    read_gib_s,
)
from components.storage.weights import ModelWeights
from tests.components.storage.helpers import CLAIM, WEIGHTS, common, fetched, pod_with, provider
from tests.conftest import RunComponent
from tests.schemas import built_in_problems
from tools.graph import StackGraph, record

INSTANCE = "gcp:lustre/instance:Instance"
JOB = "kubernetes:batch/v1:Job"


def _program(
    protect: bool = True, generation: int = 1, weights: tuple[ModelWeights, ...] = WEIGHTS
) -> Callable[[], None]:
    def build() -> None:
        store = LustreModelStore(
            "store",
            LustreModelStoreArgs(
                **vars(common(provider(), protect=protect, weights=weights, ready=fetched(weights))),
                config=LustreConfig(capacity_gib=18_000, import_generation=generation),
                network_id="projects/acme-llm/global/networks/llm-vpc",
                private_services_cidr="10.24.0.0/20",
                node_tag="llm-test-serving-node",
                project_number="999",
                workload_pool="acme-llm.svc.id.goog",
                system_node_selector={"llm-platform/pool": "system"},
            ),
        )
        pod_with(store.mount)

    return build


@pytest.fixture(scope="module")
def lustre() -> StackGraph:
    """A protected store, evaluated once for the tests that only read it."""
    return record(_program(), stack="test", project="llm-platform")


def test_instance_is_in_the_tpu_zone_on_the_vpc_and_protected(lustre: StackGraph) -> None:
    instance = lustre.one(INSTANCE)
    assert instance.inputs["location"] == "us-central1-c"
    assert instance.inputs["network"] == "projects/acme-llm/global/networks/llm-vpc"
    assert (instance.inputs["capacityGib"], instance.inputs["perUnitStorageThroughput"]) == ("18000", "1000")
    assert instance.inputs["filesystem"] == "models"
    assert "gkeSupportEnabled" not in instance.inputs  # the standard LNet port 988
    assert instance.protect is True and instance.inputs["deletionPolicy"] == "PREVENT"
    assert instance.inputs["labels"]["managed-by"] == "pulumi"


def test_lnet_is_open_from_the_private_services_range_to_serving_nodes_only(lustre: StackGraph) -> None:
    firewall = lustre.one("gcp:compute/firewall:Firewall").inputs
    assert firewall["sourceRanges"] == ["10.24.0.0/20"]
    assert firewall["allows"] == [{"ports": ["988"], "protocol": "tcp"}]
    assert firewall["targetTags"] == ["llm-test-serving-node"]


def test_static_volume_names_the_instance_and_its_mount_point(lustre: StackGraph) -> None:
    volume = lustre.one("kubernetes:core/v1:PersistentVolume").inputs["spec"]
    instance_id = lustre.one(INSTANCE).inputs["instanceId"]
    assert volume["csi"] == {
        "driver": "lustre.csi.storage.gke.io",
        "readOnly": True,
        "volumeAttributes": {"filesystem": "models", "ip": "10.24.0.2"},
        "volumeHandle": f"acme-llm/us-central1-c/{instance_id}",
    }
    assert volume["storageClassName"] == ""
    assert volume["accessModes"] == ["ReadOnlyMany"]
    claim = lustre.one(CLAIM).inputs["spec"]
    assert claim["accessModes"] == ["ReadOnlyMany"]
    assert claim["storageClassName"] == ""
    assert claim["resources"] == {"requests": {"storage": "18000Gi"}}


def test_the_lustre_agent_reads_the_bucket_and_nothing_else(lustre: StackGraph) -> None:
    agent = lustre.one("gcp:projects/serviceIdentity:ServiceIdentity")
    assert agent.inputs["service"] == "lustre.googleapis.com"
    grant = lustre.one("gcp:storage/bucketIAMMember:BucketIAMMember")
    assert grant.inputs == {
        "bucket": "acme-models",
        "member": "serviceAccount:service-999@gcp-sa-lustre.iam.gserviceaccount.com",
        "role": "roles/storage.objectViewer",
    }
    assert agent.urn in grant.dependencies


def test_the_importer_may_only_import(lustre: StackGraph) -> None:
    role = lustre.one("gcp:projects/iAMCustomRole:IAMCustomRole")
    assert sorted(role.inputs["permissions"]) == sorted(IMPORT_PERMISSIONS)
    (grant,) = lustre.by_type("gcp:projects/iAMMember:IAMMember")
    account = lustre.one("gcp:serviceaccount/account:Account")
    assert grant.inputs["member"] == f"serviceAccount:{account.inputs['accountId']}@acme-llm.iam.gserviceaccount.com"
    assert role.urn in grant.dependencies
    federation = lustre.one("gcp:serviceaccount/iAMMember:IAMMember").inputs
    assert federation["role"] == "roles/iam.workloadIdentityUser"
    assert federation["member"] == "serviceAccount:acme-llm.svc.id.goog[serve/lustre-importer]"


def _imports(graph: StackGraph) -> dict[str, object]:
    return {job.inputs["metadata"]["annotations"]["llm-platform/weights-source"]: job for job in graph.by_type(JOB)}


def test_each_served_folder_is_imported_by_gcloud_as_its_own_identity_after_every_grant(lustre: StackGraph) -> None:
    jobs = lustre.by_type(JOB)
    assert len(jobs) == 2
    grants = {
        lustre.one(t).urn
        for t in (
            INSTANCE,
            "gcp:storage/bucketIAMMember:BucketIAMMember",
            "gcp:projects/iAMMember:IAMMember",
            "gcp:serviceaccount/iAMMember:IAMMember",
        )
    }
    for job in jobs:
        pod = job.inputs["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        assert container["image"] == GCLOUD_IMAGE
        assert "gcloud lustre instances import-data" in container["command"][-1]
        assert '--lustre-path="$LUSTRE_PATH"' in container["command"][-1]
        assert pod["serviceAccountName"] == "lustre-importer"
        assert pod["nodeSelector"] == {"llm-platform/pool": "system"}
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
        assert job.inputs["metadata"]["annotations"]["pulumi.com/replaceUnready"] == "true"
        assert grants <= set(job.dependencies)
        assert built_in_problems(job) == []
    envs = sorted(
        (e["SOURCE"], e["LUSTRE_PATH"], e["INSTANCE"])
        for e in (
            {v["name"]: v["value"] for v in j.inputs["spec"]["template"]["spec"]["containers"][0]["env"]} for j in jobs
        )
    )
    assert envs == [
        (
            f"gs://acme-models/models/meta-llama/Llama-3.1-8B-Instruct/{'a' * 40}/",
            f"/meta-llama/Llama-3.1-8B-Instruct/{'a' * 40}/",
            "llm-test-weights",
        ),
        ("gs://acme-models/models/uploaded/model/", "/uploaded/model/", "llm-test-weights"),
    ]
    assert lustre.one(INSTANCE).inputs["instanceId"] == "llm-test-weights"


def test_an_import_says_which_model_path_it_produces_and_waits_for_its_own_fetch_only(
    lustre: StackGraph,
) -> None:
    first, second = sorted(
        lustre.by_type(JOB), key=lambda j: j.inputs["spec"]["template"]["spec"]["containers"][0]["env"][3]["value"]
    )
    annotations = first.inputs["metadata"]["annotations"]
    assert annotations["llm-platform/weights-step"] == "import"
    assert annotations["llm-platform/weights-paths"] == f'["/models/meta-llama/Llama-3.1-8B-Instruct/{"a" * 40}"]'
    assert annotations["llm-platform/weights-source"] == (
        f"import of gs://acme-models/models/meta-llama/Llama-3.1-8B-Instruct/{'a' * 40}/ into Lustre "
        f"/meta-llama/Llama-3.1-8B-Instruct/{'a' * 40}/"
    )
    stand_ins = {r.inputs["metadata"]["name"]: r.urn for r in lustre.by_type("kubernetes:core/v1:ConfigMap")}
    assert stand_ins[WEIGHTS[0].digest] in first.dependencies
    assert stand_ins[WEIGHTS[1].digest] in second.dependencies
    assert stand_ins[WEIGHTS[1].digest] not in first.dependencies
    assert first.urn not in second.dependencies  # no tier waits for another tier's folder


def test_serving_pods_wait_for_the_imports(lustre: StackGraph) -> None:
    pod = lustre.one("kubernetes:core/v1:Pod")
    assert {job.urn for job in lustre.by_type(JOB)} | {lustre.one(CLAIM).urn} <= set(pod.dependencies)


def _import_names(graph: StackGraph) -> set[str]:
    return {job.inputs["metadata"]["name"] for job in graph.by_type(JOB)}


def test_a_new_generation_is_a_new_import(run_component: RunComponent) -> None:
    first, again, bumped = (_import_names(run_component(_program(generation=generation))) for generation in (1, 1, 2))
    assert first == again
    assert not first & bumped
    assert import_job_name("llm-prod", "b", "models/", "i", "1") != import_job_name("llm-prod", "b", "other/", "i", "1")


def test_a_new_revision_is_a_new_import_of_that_folder_only(run_component: RunComponent) -> None:
    revised = (
        ModelWeights(WEIGHTS[0].folder.replace("a" * 40, "b" * 40), ("small",), WEIGHTS[0].repo, "b" * 40),
        WEIGHTS[1],
    )
    before, after = _import_names(run_component(_program())), _import_names(run_component(_program(weights=revised)))
    assert len(before & after) == 1  # the hand-uploaded folder's import is untouched
    assert len(after - before) == 1


def test_unprotected_instance_can_be_deleted(run_component: RunComponent) -> None:
    instance = run_component(_program(protect=False)).one(INSTANCE)
    assert instance.protect is False and instance.inputs["deletionPolicy"] == "DELETE"


def test_throughput_is_capacity_times_tier() -> None:
    assert read_gib_s(9_000, 1000) == pytest.approx(9_000 / 1024 * 1e9 / 2**30)
    assert read_gib_s(36_000, 250) == pytest.approx(read_gib_s(9_000, 1000))


@given(st.sampled_from(sorted(LUSTRE_CAPACITY)), st.integers(min_value=0, max_value=50_000_000))
def test_capacity_rule(tier: int, capacity: int) -> None:
    step, small_max, large_step, maximum = LUSTRE_CAPACITY[tier]
    valid = (step <= capacity <= small_max and capacity % step == 0) or (
        small_max < capacity <= maximum and capacity % large_step == 0
    )
    assert (lustre_capacity_problem(capacity, tier) is None) is valid

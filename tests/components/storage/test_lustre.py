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
from tests.components.storage.helpers import CLAIM, common, pod_with, provider
from tests.conftest import RunComponent
from tests.schemas import built_in_problems
from tools.graph import StackGraph, record

INSTANCE = "gcp:lustre/instance:Instance"
JOB = "kubernetes:batch/v1:Job"


def _program(protect: bool = True, generation: int = 1) -> Callable[[], None]:
    def build() -> None:
        store = LustreModelStore(
            "store",
            LustreModelStoreArgs(
                **vars(common(provider(), protect=protect)),
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


def test_the_import_job_runs_gcloud_as_its_own_identity_after_every_grant(lustre: StackGraph) -> None:
    job = lustre.one(JOB)
    pod = job.inputs["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["image"] == GCLOUD_IMAGE
    assert "gcloud lustre instances import-data" in container["command"][-1]
    env = {e["name"]: e["value"] for e in container["env"]}
    assert env["SOURCE"] == "gs://acme-models/models/"
    assert env["INSTANCE"] == lustre.one(INSTANCE).inputs["instanceId"]
    assert pod["serviceAccountName"] == "lustre-importer"
    assert pod["nodeSelector"] == {"llm-platform/pool": "system"}
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    assert job.inputs["metadata"]["annotations"] == {"pulumi.com/replaceUnready": "true"}
    grants = {
        lustre.one(t).urn
        for t in (
            INSTANCE,
            "gcp:storage/bucketIAMMember:BucketIAMMember",
            "gcp:projects/iAMMember:IAMMember",
            "gcp:serviceaccount/iAMMember:IAMMember",
        )
    }
    assert grants <= set(job.dependencies)
    assert built_in_problems(job) == []


def test_serving_pods_wait_for_the_import(lustre: StackGraph) -> None:
    pod = lustre.one("kubernetes:core/v1:Pod")
    assert {lustre.one(JOB).urn, lustre.one(CLAIM).urn} <= set(pod.dependencies)


def test_a_new_generation_is_a_new_import(run_component: RunComponent) -> None:
    first, again, bumped = (
        run_component(_program(generation=generation)).one(JOB).inputs["metadata"]["name"] for generation in (1, 1, 2)
    )
    assert first == again != bumped
    assert import_job_name("llm-prod", "b", "models/", "i", "1") != import_job_name("llm-prod", "b", "other/", "i", "1")


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

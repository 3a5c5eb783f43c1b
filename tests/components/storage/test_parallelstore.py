"""Parallelstore + Volume Populator: kept for projects that still have access."""

from __future__ import annotations

import pytest

from components.storage.config import ParallelstoreConfig
from components.storage.mount import weights_read_seconds
from components.storage.parallelstore import ParallelstoreModelStore, ParallelstoreModelStoreArgs, read_gib_s
from tests.components.storage.helpers import CLAIM, DATASOURCE, common, pod_with, provider
from tests.conftest import RunComponent
from tests.schemas import problems
from tools.graph import StackGraph


@pytest.fixture
def parallelstore(run_component: RunComponent) -> StackGraph:
    def build() -> None:
        store = ParallelstoreModelStore(
            "store",
            ParallelstoreModelStoreArgs(
                **vars(common(provider())),
                config=ParallelstoreConfig(opt_in=True, capacity_gib=16000),
                network_name="llm-vpc",
                private_services_range="llm-private-services",
            ),
        )
        pod_with(store.mount)

    return run_component(build)


def test_storage_class_provisions_in_the_tpu_zone_on_the_vpc(parallelstore: StackGraph) -> None:
    storage_class = parallelstore.one("kubernetes:storage.k8s.io/v1:StorageClass").inputs
    assert storage_class["provisioner"] == "parallelstore.csi.storage.gke.io"
    assert storage_class["parameters"] == {
        "directory-stripe-level": "directory-stripe-level-min",
        "file-stripe-level": "file-stripe-level-max",
        "mountLocality": "node",
        "network": "llm-vpc",
        "reserved-ip-range": "llm-private-services",
    }
    assert storage_class["volumeBindingMode"] == "Immediate"
    assert storage_class["allowedTopologies"] == [
        {"matchLabelExpressions": [{"key": "topology.gke.io/zone", "values": ["us-central1-c"]}]}
    ]


def test_data_source_has_the_real_group_and_fields(parallelstore: StackGraph) -> None:
    source = parallelstore.one(DATASOURCE)
    assert source.inputs["apiVersion"] == "datalayer.gke.io/v1"
    assert source.inputs["metadata"]["namespace"] == "serve"
    assert source.inputs["spec"] == {"cloudStorage": {"serviceAccountName": "vllm", "uri": "gs://acme-models/models/"}}
    assert problems(source) == []


def test_claim_is_filled_from_the_data_source_and_deleted_before_it(parallelstore: StackGraph) -> None:
    claim = parallelstore.one(CLAIM)
    source = parallelstore.one(DATASOURCE)
    spec = claim.inputs["spec"]
    assert spec["dataSourceRef"] == {
        "apiGroup": "datalayer.gke.io",
        "kind": "GCPDataSource",
        "name": source.inputs["metadata"]["name"],
    }
    assert spec["resources"] == {"requests": {"storage": "16000Gi"}}
    assert (
        spec["storageClassName"]
        == parallelstore.one("kubernetes:storage.k8s.io/v1:StorageClass").inputs["metadata"]["name"]
    )
    # Pulumi deletes dependents first: the PVC goes before its GCPDataSource, as GKE requires.
    assert source.urn in claim.dependencies


def test_mount_is_a_read_only_claim(parallelstore: StackGraph) -> None:
    pod = parallelstore.one("kubernetes:core/v1:Pod")
    claim = parallelstore.one(CLAIM)
    assert pod.inputs["spec"]["volumes"] == [
        {
            "name": "model-weights",
            "persistentVolumeClaim": {"claimName": claim.inputs["metadata"]["name"], "readOnly": True},
        }
    ]
    assert pod.inputs["spec"]["containers"][0]["volumeMounts"] == [
        {"mountPath": "/models", "name": "model-weights", "readOnly": True}
    ]
    assert claim.urn in pod.dependencies


def test_read_time_estimates() -> None:
    assert read_gib_s(12000) == pytest.approx(1.15 * 12000 / 1024)
    assert weights_read_seconds(131.5, read_gib_s(12000)) == pytest.approx(9.8, abs=0.05)
    assert weights_read_seconds(131.5, None) is None

"""Hyperdisk ML filled by the GKE Volume Populator, with the compute class its transfer needs."""

from __future__ import annotations

import pytest

from components.storage.config import HyperdiskMlConfig
from components.storage.hyperdisk_ml import TRANSFER_COMPUTE_CLASS, HyperdiskMlModelStore, HyperdiskMlModelStoreArgs
from tests.components.storage.helpers import CLAIM, DATASOURCE, common, pod_with, provider
from tests.conftest import RunComponent
from tests.schemas import problems
from tools.graph import StackGraph

COMPUTE_CLASS = "kubernetes:cloud.google.com/v1:ComputeClass"


@pytest.fixture
def hyperdisk(run_component: RunComponent) -> StackGraph:
    def build() -> None:
        store = HyperdiskMlModelStore(
            "store",
            HyperdiskMlModelStoreArgs(
                **vars(common(provider())),
                config=HyperdiskMlConfig(size_gib=512, provisioned_throughput_mibps=4800),
                cluster_id="projects/acme-llm/locations/us-central1-c/clusters/c",
                cluster_location="us-central1-c",
                node_service_account="nodes@acme-llm.iam.gserviceaccount.com",
            ),
        )
        pod_with(store.mount)

    return run_component(build)


def test_volume_is_a_read_only_hyperdisk_ml_in_the_tpu_zone(hyperdisk: StackGraph) -> None:
    storage_class = hyperdisk.one("kubernetes:storage.k8s.io/v1:StorageClass").inputs
    assert storage_class["provisioner"] == "pd.csi.storage.gke.io"
    assert storage_class["parameters"] == {"provisioned-throughput-on-create": "4800Mi", "type": "hyperdisk-ml"}
    assert storage_class["allowedTopologies"][0]["matchLabelExpressions"][0]["values"] == ["us-central1-c"]
    claim = hyperdisk.one(CLAIM)
    assert claim.inputs["spec"]["accessModes"] == ["ReadOnlyMany"]
    assert claim.inputs["spec"]["resources"] == {"requests": {"storage": "512Gi"}}
    assert claim.inputs["spec"]["dataSourceRef"]["kind"] == "GCPDataSource"
    assert hyperdisk.one(DATASOURCE).urn in claim.dependencies


def test_the_transfer_runs_on_its_compute_class_and_pool(hyperdisk: StackGraph) -> None:
    compute_class = hyperdisk.one(COMPUTE_CLASS)
    pool = hyperdisk.one("gcp:container/nodePool:NodePool")
    assert compute_class.inputs["metadata"]["name"] == TRANSFER_COMPUTE_CLASS
    assert compute_class.inputs["spec"]["priorities"] == [{"nodepools": [pool.inputs["name"]]}]
    assert problems(compute_class) == []
    node = pool.inputs["nodeConfig"]
    assert node["labels"] == {"cloud.google.com/compute-class": TRANSFER_COMPUTE_CLASS}
    assert node["taints"] == [
        {"effect": "NO_SCHEDULE", "key": "cloud.google.com/compute-class", "value": TRANSFER_COMPUTE_CLASS}
    ]
    assert pool.inputs["autoscaling"] == {"maxNodeCount": 1, "minNodeCount": 0}
    assert pool.inputs["nodeLocations"] == ["us-central1-c"]
    assert compute_class.urn in hyperdisk.one(CLAIM).dependencies

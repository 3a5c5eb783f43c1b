"""Model stores under mocks: Parallelstore + Volume Populator, and Cloud Storage FUSE."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s
import pytest

from components.storage.config import GcsFuseConfig, ParallelstoreConfig
from components.storage.model_store import (
    GcsFuseModelStore,
    GcsFuseModelStoreArgs,
    ModelMount,
    ModelStoreArgs,
    ParallelstoreModelStore,
    ParallelstoreModelStoreArgs,
    gcsfuse_mount_options,
    parallelstore_read_gib_s,
    weights_read_seconds,
)
from tests.conftest import RunComponent
from tests.helpers import naming
from tests.schemas import problems
from tools.graph import StackGraph

CLAIM = "kubernetes:core/v1:PersistentVolumeClaim"


def _common(provider: k8s.Provider) -> ModelStoreArgs:
    return ModelStoreArgs(
        zone="us-central1-c",
        naming=naming(),
        namespace="serve",
        service_account="vllm",
        bucket="acme-models",
        prefix="models/",
        mount_path="/models",
        provider=provider,
    )


def _pod_with(mount: ModelMount) -> k8s.core.v1.Pod:
    """A serving pod built only from the mount description must be a valid typed Pod."""
    return k8s.core.v1.Pod(
        "server",
        metadata=k8s.meta.v1.ObjectMetaArgs(annotations=mount.pod_annotations),
        spec=k8s.core.v1.PodSpecArgs(
            volumes=mount.volumes,
            containers=[
                k8s.core.v1.ContainerArgs(name="server", image="vllm/vllm-tpu", volume_mounts=mount.volume_mounts)
            ],
        ),
        opts=pulumi.ResourceOptions(depends_on=mount.ready),
    )


@pytest.fixture
def parallelstore(run_component: RunComponent) -> StackGraph:
    def build() -> None:
        provider = k8s.Provider("cluster", kubeconfig="apiVersion: v1\nkind: Config\n")
        store = ParallelstoreModelStore(
            "store",
            ParallelstoreModelStoreArgs(
                **vars(_common(provider)),
                config=ParallelstoreConfig(capacity_gib=16000),
                network_name="llm-vpc",
                private_services_range="llm-private-services",
            ),
        )
        _pod_with(store.mount)

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
    source = parallelstore.one("kubernetes:datalayer.gke.io/v1:GCPDataSource")
    assert source.inputs["apiVersion"] == "datalayer.gke.io/v1"
    assert source.inputs["kind"] == "GCPDataSource"
    assert source.inputs["metadata"]["namespace"] == "serve"
    assert source.inputs["spec"] == {"cloudStorage": {"serviceAccountName": "vllm", "uri": "gs://acme-models/models/"}}
    assert problems(source) == []


def test_claim_is_filled_from_the_data_source_and_deleted_before_it(parallelstore: StackGraph) -> None:
    claim = parallelstore.one(CLAIM)
    source = parallelstore.one("kubernetes:datalayer.gke.io/v1:GCPDataSource")
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


def test_parallelstore_mount_is_a_read_only_claim(parallelstore: StackGraph) -> None:
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
    provider = parallelstore.one("pulumi:providers:kubernetes").urn
    assert all(
        r.provider == provider
        for r in parallelstore.resources
        if r.type.startswith("kubernetes:") and r.type != "kubernetes:core/v1:Pod"
    )


@pytest.fixture
def gcsfuse(run_component: RunComponent) -> StackGraph:
    def build() -> None:
        provider = k8s.Provider("cluster", kubeconfig="apiVersion: v1\nkind: Config\n")
        store = GcsFuseModelStore("store", GcsFuseModelStoreArgs(**vars(_common(provider)), config=GcsFuseConfig()))
        _pod_with(store.mount)

    return run_component(build)


def test_gcsfuse_volume_reads_the_bucket_folder_with_a_parallel_file_cache(gcsfuse: StackGraph) -> None:
    volume = gcsfuse.one("kubernetes:core/v1:PersistentVolume").inputs["spec"]
    assert volume["csi"] == {"driver": "gcsfuse.csi.storage.gke.io", "readOnly": True, "volumeHandle": "acme-models"}
    assert volume["accessModes"] == ["ReadOnlyMany"]
    assert "only-dir=models" in volume["mountOptions"]
    assert "file-cache:enable-parallel-downloads:true" in volume["mountOptions"]
    claim = gcsfuse.one(CLAIM)
    assert (
        claim.inputs["spec"]["volumeName"]
        == gcsfuse.one("kubernetes:core/v1:PersistentVolume").inputs["metadata"]["name"]
    )
    assert volume["claimRef"] == {"name": claim.inputs["metadata"]["name"], "namespace": "serve"}
    assert gcsfuse.by_type("kubernetes:datalayer.gke.io/v1:GCPDataSource") == []


def test_gcsfuse_pod_gets_the_sidecar_annotation_and_a_cache_volume(gcsfuse: StackGraph) -> None:
    pod = gcsfuse.one("kubernetes:core/v1:Pod").inputs
    assert pod["metadata"]["annotations"]["gke-gcsfuse/volumes"] == "true"
    volumes = {v["name"]: v for v in pod["spec"]["volumes"]}
    assert volumes["gke-gcsfuse-cache"] == {"emptyDir": {"medium": "Memory"}, "name": "gke-gcsfuse-cache"}
    assert volumes["model-weights"]["persistentVolumeClaim"]["readOnly"] is True


def test_mount_options() -> None:
    options = gcsfuse_mount_options("models/llama/", GcsFuseConfig(parallel_downloads_per_file=32))
    assert options[:2] == ["implicit-dirs", "only-dir=models/llama"]
    assert "file-cache:parallel-downloads-per-file:32" in options
    assert "file-cache:max-size-mb:-1" in options


def test_read_time_estimates() -> None:
    assert parallelstore_read_gib_s(12000) == pytest.approx(1.15 * 12000 / 1024)
    assert weights_read_seconds(131.5, parallelstore_read_gib_s(12000)) == pytest.approx(9.8, abs=0.05)
    assert weights_read_seconds(131.5, None) is None

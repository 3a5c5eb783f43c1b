"""Cloud Storage FUSE: a read-only volume over the bucket folder with a bounded file cache."""

from __future__ import annotations

import pytest

from components.storage.config import GcsFuseConfig, has_serving_profile
from components.storage.gcsfuse import GcsFuseModelStore, GcsFuseModelStoreArgs, mount_options
from tests.components.storage.helpers import CLAIM, DATASOURCE, common, pod_with, provider
from tests.conftest import RunComponent
from tools.graph import StackGraph


def _store(run_component: RunComponent, serving_profile: bool = False) -> StackGraph:
    def build() -> None:
        store = GcsFuseModelStore(
            "store",
            GcsFuseModelStoreArgs(
                **vars(common(provider())), config=GcsFuseConfig(), cache_size_gib=17, serving_profile=serving_profile
            ),
        )
        pod_with(store.mount)

    return run_component(build)


@pytest.fixture
def gcsfuse(run_component: RunComponent) -> StackGraph:
    return _store(run_component)


def test_volume_reads_the_bucket_folder_with_a_parallel_file_cache(gcsfuse: StackGraph) -> None:
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
    assert gcsfuse.by_type(DATASOURCE) == []


def test_the_cache_is_bounded_and_its_bounds_agree(gcsfuse: StackGraph) -> None:
    pod = gcsfuse.one("kubernetes:core/v1:Pod").inputs
    volumes = {v["name"]: v for v in pod["spec"]["volumes"]}
    assert volumes["gke-gcsfuse-cache"] == {
        "emptyDir": {"medium": "Memory", "sizeLimit": "17Gi"},
        "name": "gke-gcsfuse-cache",
    }
    options = gcsfuse.one("kubernetes:core/v1:PersistentVolume").inputs["spec"]["mountOptions"]
    assert f"file-cache:max-size-mb:{17 * 1024}" in options
    assert "file-cache:max-size-mb:-1" not in options
    assert pod["metadata"]["annotations"]["gke-gcsfuse/volumes"] == "true"
    assert volumes["model-weights"]["persistentVolumeClaim"]["readOnly"] is True


def test_the_serving_profile_sizes_caches_itself(run_component: RunComponent) -> None:
    graph = _store(run_component, serving_profile=True)
    volume = graph.one("kubernetes:core/v1:PersistentVolume").inputs["spec"]
    assert volume["storageClassName"] == "gcsfusecsi-serving"
    assert graph.one(CLAIM).inputs["spec"]["storageClassName"] == "gcsfusecsi-serving"
    assert not any(option.startswith("file-cache:") for option in volume["mountOptions"])
    pod = graph.one("kubernetes:core/v1:Pod").inputs
    assert [v["name"] for v in pod["spec"]["volumes"]] == ["model-weights"]


@pytest.mark.parametrize(
    ("version", "profile"),
    [
        ((1, 34), False),
        ((1, 34, 3, 1318000), False),
        ((1, 35), True),
        ((1, 35, 1, 1616000), True),
        ((1, 35, 1, 1), False),
    ],
)
def test_serving_profile_follows_the_minimum_version(version: tuple[int, ...], profile: bool) -> None:
    assert has_serving_profile(version) is profile


def test_mount_options() -> None:
    options = mount_options("models/llama/", GcsFuseConfig(parallel_downloads_per_file=32), 10)
    assert options[:2] == ["implicit-dirs", "only-dir=models/llama"]
    assert "file-cache:parallel-downloads-per-file:32" in options
    assert "file-cache:max-size-mb:10240" in options

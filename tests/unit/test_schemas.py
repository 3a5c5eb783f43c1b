"""The custom-resource checker itself: it must reject what the CRDs or the docs reject."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from tests.schemas import CRD_DIR, SHARED_CRD_DIR, built_in_problems, crd_schemas, custom_resources, problems
from tools.graph import Registration


def _resource(api_version: str, kind: str, spec: Mapping[str, object]) -> Registration:
    return Registration(
        urn="urn:test",
        type=f"kubernetes:{api_version}:{kind}",
        name="x",
        parent="",
        custom=True,
        dependencies=[],
        inputs={"apiVersion": api_version, "kind": kind, "metadata": {"name": "x"}, "spec": dict(spec)},
        protect=False,
        retainOnDelete=False,
        aliases=[],
        ignoreChanges=[],
        provider="",
    )


def test_vendored_crds_match_the_shared_copies() -> None:
    if not SHARED_CRD_DIR.is_dir():
        pytest.skip("no ../shared/schemas/crds beside this checkout")
    shared = {p.name: p.read_bytes() for p in SHARED_CRD_DIR.iterdir()}
    vendored = {p.name: p.read_bytes() for p in CRD_DIR.iterdir()}
    assert vendored == shared


def test_upstream_crds_are_loaded() -> None:
    schemas = crd_schemas()
    assert ("leaderworkerset.x-k8s.io/v1", "LeaderWorkerSet") in schemas
    assert ("gateway.networking.k8s.io/v1", "HTTPRoute") in schemas


def test_gcp_data_source_fields_are_the_documented_ones() -> None:
    good = _resource(
        "datalayer.gke.io/v1", "GCPDataSource", {"cloudStorage": {"uri": "gs://b/p/", "serviceAccountName": "sa"}}
    )
    seed = _resource("datalayer.gke.io/v1", "GCPDataSource", {"bucket": "b", "path": "p", "serviceAccount": "sa"})
    assert problems(good) == []
    assert "spec.bucket: not a documented field" in problems(seed)
    assert "spec.cloudStorage: missing" in problems(seed)


def test_crd_schema_violations_are_reported() -> None:
    template = {"spec": {"containers": [{"name": "c", "image": "i"}]}}
    good = _resource(
        "leaderworkerset.x-k8s.io/v1",
        "LeaderWorkerSet",
        {"leaderWorkerTemplate": {"size": 2, "workerTemplate": template}},
    )
    bad = _resource("leaderworkerset.x-k8s.io/v1", "LeaderWorkerSet", {"leaderWorkerTemplate": {"size": "two"}})
    assert problems(good) == []
    assert any("size" in p for p in problems(bad))


def test_unknown_kinds_and_built_in_groups() -> None:
    assert problems(_resource("example.com/v1", "Widget", {})) == [
        "no CRD schema and no documented field list for ('example.com/v1', 'Widget')"
    ]
    built_in = _resource("storage.k8s.io/v1", "StorageClass", {})
    assert custom_resources([built_in]) == []


def test_built_in_objects_are_checked_strictly() -> None:
    claim = {"accessModes": ["ReadOnlyMany"], "resources": {"requests": {"storage": "1Gi"}}}
    good = _resource("v1", "PersistentVolumeClaim", claim)
    typo = _resource("v1", "PersistentVolumeClaim", {**claim, "dataSourceReference": {"kind": "X", "name": "y"}})
    assert built_in_problems(good) == []
    assert built_in_problems(typo) != []

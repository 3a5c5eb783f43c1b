"""The custom-resource checker itself: it must reject what the CRDs or the docs reject."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

import pytest

from tests.schemas import (
    CRD_DIR,
    SHARED_CRD_DIR,
    CelReport,
    built_in_problems,
    cel_report,
    crd_schemas,
    custom_resources,
    problems,
)
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


def _added_here() -> dict[str, str]:
    """File -> upstream blob id from SOURCES.md's table of files this repository adds."""
    text = (CRD_DIR / "SOURCES.md").read_text(encoding="utf-8")
    section = text.split("## Added by this repository", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|") for line in section.splitlines() if line.startswith("| `")]
    return {row[1].strip().strip("`"): row[6].strip() for row in rows}


def _git_blob_id(content: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


def test_vendored_crds_match_the_shared_copies() -> None:
    if not SHARED_CRD_DIR.is_dir():
        pytest.skip("no ../shared/schemas/crds beside this checkout")
    shared = {p.name: p.read_bytes() for p in SHARED_CRD_DIR.iterdir() if p.name != "SOURCES.md"}
    vendored = {p.name: p.read_bytes() for p in CRD_DIR.iterdir() if p.name not in {"SOURCES.md", *_added_here()}}
    assert vendored == shared
    # SOURCES.md is the shared one with this repository's section added, nothing else changed.
    ours = (CRD_DIR / "SOURCES.md").read_text(encoding="utf-8")
    added = ours[ours.index("## Added by this repository") : ours.index("## Notes on versions")]
    assert ours.replace(added, "") == (SHARED_CRD_DIR / "SOURCES.md").read_text(encoding="utf-8")


def test_crds_added_here_are_the_upstream_blobs() -> None:
    added = _added_here()
    assert added == {"gcproutingextensions.networking.gke.io.yaml": "ea32c121170d5ba53477c49e31613a189e4a9ec4"}
    for name, blob in added.items():
        assert _git_blob_id((CRD_DIR / name).read_bytes()) == blob, name


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


def _tls_gateway(tls: Mapping[str, object]) -> Registration:
    listener = {"name": "https", "protocol": "HTTPS", "port": 443, "tls": dict(tls)}
    return _resource("gateway.networking.k8s.io/v1", "Gateway", {"gatewayClassName": "c", "listeners": [listener]})


def test_cel_rules_pass_a_valid_object() -> None:
    report = cel_report(_tls_gateway({"options": {"networking.gke.io/cert-manager-certs": "cert"}}))
    assert report == CelReport(violations=(), unevaluated=(), transition=())


def test_a_cel_rule_that_reads_an_absent_field_rejects_as_the_api_server_does() -> None:
    # `mode` defaults to Terminate, which needs certificateRefs or options: neither is there.
    report = cel_report(_tls_gateway({}))
    assert report.violations == (
        "spec.listeners[0].tls: certificateRefs or options must be specified when mode is Terminate "
        "(reads an absent field)",
    )


def test_a_false_cel_rule_is_a_violation_with_its_message() -> None:
    policy = _resource(
        "networking.gke.io/v1",
        "HealthCheckPolicy",
        {
            "targetRef": {"group": "", "kind": "Service", "name": "s"},
            "default": {
                "config": {"type": "HTTP", "httpHealthCheck": {"portSpecification": "USE_SERVING_PORT", "port": 8000}}
            },
        },
    )
    assert cel_report(policy).violations == (
        "spec.default.config.httpHealthCheck: port and portName must be unset for portSpecification being "
        "USE_SERVING_PORT (which is the default)",
    )


def test_cel_durations_and_int_or_string_ports_are_typed_as_kubernetes_types_them() -> None:
    def monitoring(endpoint: Mapping[str, object]) -> Registration:
        return _resource(
            "monitoring.googleapis.com/v1", "PodMonitoring", {"selector": {}, "endpoints": [dict(endpoint)]}
        )

    assert cel_report(monitoring({"port": "http", "interval": "1m", "timeout": "30s"})).violations == ()
    assert cel_report(monitoring({"port": "http", "interval": "15s", "timeout": "1m"})).violations != ()
    assert cel_report(monitoring({"port": 0, "interval": "15s"})).violations == (
        "spec.endpoints[0].port: Port is required",
    )


def test_transition_rules_are_listed_apart_and_unknown_functions_are_reported() -> None:
    compute_class = _resource("cloud.google.com/v1", "ComputeClass", {"priorities": [{"machineFamily": "c3"}]})
    assert cel_report(compute_class).transition == ("spec: !has(oldSelf.autopilot) || has(self.autopilot)",)
    unknown = {"rule": "self.name.lowerAscii() == self.name"}
    report = _cel_with_rule(unknown)
    assert report.violations == () and len(report.unevaluated) == 1
    assert "lowerAscii" in report.unevaluated[0]


def _cel_with_rule(rule: Mapping[str, str]) -> CelReport:
    schema = {"type": "object", "properties": {"spec": {"type": "object", "x-kubernetes-validations": [dict(rule)]}}}
    return cel_report(_resource("example.com/v1", "Widget", {"name": "x"}), schema)

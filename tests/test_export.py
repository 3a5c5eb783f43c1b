"""`python -m tools export <stack> --format tfplan`: a faithful Terraform plan and manifests, judged by Checkov."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import STACKS
from tests.policies.conftest import DELETE, changed, find, swapped
from tests.policies.edge_program import edge_program
from tools.__main__ import main
from tools.graph import StackGraph, record
from tools.stack_config import PROJECT_ROOT
from tools.tfplan import (
    TF_TYPES,
    CheckovFailure,
    checkov_executable,
    export,
    is_skipped,
    kubernetes_manifests,
    load_skips,
    run_checkov,
    run_checkov_per_folder,
    terraform_plan,
)

CHECKOV = checkov_executable(PROJECT_ROOT)


@pytest.fixture(scope="session")
def checkov() -> Path:
    if not CHECKOV.exists():
        pytest.fail(f"the pinned Checkov is missing: run `make {CHECKOV.parent.parent.name}/.installed`")
    return CHECKOV


@pytest.fixture(scope="session")
def edge() -> StackGraph:
    """The resources issues 11 and 12 add, recorded once (tests/policies/edge_program.py)."""
    return record(edge_program, stack="prod", project="llm-platform")


@pytest.fixture(scope="session")
def checkov_failures(graphs: dict[str, StackGraph], checkov: Path, tmp_path_factory) -> dict[str, list[CheckovFailure]]:
    """One Checkov run over every stack's export per session."""
    root = tmp_path_factory.mktemp("exports")
    for stack, graph in graphs.items():
        export(graph, root / stack)
    return run_checkov_per_folder(checkov, root)


def _resource(plan: dict, address: str) -> dict:
    (found,) = [r for r in plan["planned_values"]["root_module"]["resources"] if r["address"] == address]
    return found


def test_plan_follows_terraform_show_json(prod: StackGraph) -> None:
    plan = terraform_plan(prod)
    assert plan["format_version"] == "1.2"
    gcp = [r for r in prod.resources if r.custom and r.type.startswith("gcp:")]
    assert len(plan["resource_changes"]) == len(gcp) == len(plan["planned_values"]["root_module"]["resources"])
    assert all(change["change"]["actions"] == ["create"] for change in plan["resource_changes"])
    cluster = _resource(plan, "google_container_cluster.gke-cluster")["values"]
    # camelCase -> snake_case, nested objects -> one-element lists (blocks), maps stay maps
    assert cluster["private_cluster_config"][0]["enable_private_nodes"] is True
    assert cluster["control_plane_endpoints_config"][0]["dns_endpoint_config"][0]["allow_external_traffic"] is True
    assert cluster["resource_labels"]["env"] == "prod"
    pool = _resource(plan, "google_container_node_pool.tier-large-pool")["values"]
    assert pool["node_config"][0]["taint"][0] == {"effect": "NO_SCHEDULE", "key": "google.com/tpu", "value": "present"}
    # The first step of the large tier's capacity chain: labelled for its ComputeClass, scaling from zero.
    assert pool["node_config"][0]["labels"] == {
        "llm-platform/tier": "large",
        "cloud.google.com/compute-class": "llm-prod-tpu-large",
    }
    assert pool["autoscaling"][0]["max_node_count"] == 2  # integral numbers are integers, as in Terraform
    firewall = _resource(plan, "google_compute_firewall.network-allow-health-checks")["values"]
    assert firewall["allow"] == [{"ports": ["8000"], "protocol": "tcp"}]  # the bridge's `allows`
    bucket = _resource(plan, "google_storage_bucket.models-bucket")["values"]
    assert bucket["lifecycle_rule"][0]["action"] == [{"type": "Delete"}]
    subnet = [r for r in plan["configuration"]["root_module"]["resources"] if r["type"] == "google_compute_subnetwork"]
    assert subnet[0]["expressions"]["network"]["references"] == [
        "google_compute_network.network-vpc.id",
        "google_compute_network.network-vpc",
    ]


def test_every_gcp_type_the_program_and_issues_11_12_use_is_mapped(graphs, edge) -> None:
    used = {r.type for g in [*graphs.values(), edge] for r in g.resources if r.type.startswith("gcp:")}
    assert used <= set(TF_TYPES)
    assert all(name.startswith("google_") for name in TF_TYPES.values())


def test_secrets_and_unknowns_are_marked_not_leaked(edge) -> None:
    graph = StackGraph("prod", edge.resources, {})
    manifests = kubernetes_manifests(graph)
    secret = yaml.safe_load(manifests["secret-llm-serving-vllm-api-key.yaml"])
    assert "stringData" not in secret and "[secret]" not in "".join(manifests.values())
    redis = next(r for r in graph.resources if r.type == "gcp:redis/instance:Instance")
    masked = swapped(graph, redis, changed(redis, {"authString": "[secret]", "reservedIpRange": "[unknown]"}))
    (change,) = [c for c in terraform_plan(masked)["resource_changes"] if c["type"] == "google_redis_instance"]
    assert change["change"]["after_sensitive"]["auth_string"] is True
    assert change["change"]["after_unknown"]["reserved_ip_range"] is True
    assert "reserved_ip_range" not in change["change"]["after"]


def test_manifests_hold_every_kubernetes_object(prod: StackGraph) -> None:
    manifests = kubernetes_manifests(prod)
    objects = [r for r in prod.resources if r.type.startswith("kubernetes:") and r.custom and "kind" in r.inputs]
    assert len(manifests) == len(objects)
    kinds = {yaml.safe_load(text)["kind"] for text in manifests.values()}
    assert {"Deployment", "LeaderWorkerSet", "Gateway", "HTTPRoute", "Job", "PersistentVolume"} <= kinds
    claim = yaml.safe_load(manifests["persistentvolumeclaim-llm-serving-llm-prod-weights-lustre.yaml"])
    assert claim["spec"]["accessModes"] == ["ReadOnlyMany"]


@pytest.mark.parametrize("stack", STACKS)
def test_checkov_finds_nothing_outside_the_reviewed_skip_file(checkov_failures, stack: str) -> None:
    skips = load_skips()
    assert all(entry.get("reason") for entry in skips.values())
    open_failures = [f for f in checkov_failures[stack] if not is_skipped(f, skips)]
    assert open_failures == []


def test_every_reviewed_skip_is_still_needed(checkov_failures) -> None:
    failures = [f for found in checkov_failures.values() for f in found]
    for check_id, entry in load_skips().items():
        for resource in entry.get("resources", [None]):
            assert any(f.check_id == check_id and resource in (None, f.resource) for f in failures), (
                f"{check_id} on {resource} no longer fails: remove it from tools/checkov_skips.yaml"
            )


# Each mutation must make a known Checkov check fail on exactly that resource: proof that the
# mapping (names, blocks, renames, manifests) reaches Checkov the way a real Terraform plan would.
MUTATIONS: list[tuple[str, str, dict[str, Any], str]] = [
    ("gcp:storage/bucket:Bucket", "models-bucket", {"uniformBucketLevelAccess": False}, "CKV_GCP_29"),
    ("gcp:storage/bucket:Bucket", "models-bucket", {"publicAccessPrevention": "inherited"}, "CKV_GCP_114"),
    ("gcp:container/cluster:Cluster", "gke-cluster", {"enableLegacyAbac": True}, "CKV_GCP_7"),
    ("gcp:container/cluster:Cluster", "gke-cluster", {"privateClusterConfig": DELETE}, "CKV_GCP_64"),
    (
        "gcp:container/nodePool:NodePool",
        "tier-large-pool",
        {"nodeConfig.shieldedInstanceConfig.enableSecureBoot": False},
        "CKV_GCP_68",
    ),
    (
        "gcp:compute/firewall:Firewall",
        "network-allow-health-checks",
        {"sourceRanges": ["0.0.0.0/0"], "allows": [{"protocol": "tcp", "ports": ["22"]}]},
        "CKV_GCP_2",
    ),
    ("gcp:redis/instance:Instance", "edge-cache", {"authEnabled": False}, "CKV_GCP_95"),
    (
        "kubernetes:apps/v1:Deployment",
        "edge-small",
        {"spec.template.spec.containers.0.securityContext.privileged": True},
        "CKV_K8S_16",
    ),
    ("kubernetes:apps/v1:Deployment", "edge-small", {"spec.template.spec.hostNetwork": True}, "CKV_K8S_19"),
]


def test_mutations_make_the_known_checks_fail(
    prod: StackGraph, edge: StackGraph, checkov: Path, checkov_failures, tmp_path: Path
) -> None:
    graph = StackGraph("prod", prod.resources + edge.resources, {})
    for type_, name, change, _ in MUTATIONS:
        resource = find(graph, (type_, name))
        graph = swapped(graph, resource, changed(resource, change))
    failures = run_checkov(checkov, export(graph, tmp_path)[0].parent)
    failed = {f.check_id for f in failures}
    for _, name, _, check_id in MUTATIONS:
        assert check_id in failed, f"{check_id} did not fail after changing {name}"
    baseline = {f.check_id for f in checkov_failures["prod"]}
    assert not baseline & {check for *_, check in MUTATIONS}  # each one fails because of its mutation


def test_cli_exports_and_scans(cli_reads_session_graphs, tmp_path: Path, capsys) -> None:
    out = tmp_path / "dev"
    assert main(["export", "dev", "--format", "tfplan", "--out", str(out)]) == 0
    plan = json.loads((out / "tfplan.json").read_text())
    assert plan["planned_values"]["root_module"]["resources"]
    assert (out / "kubernetes" / "namespace-llm-serving.yaml").exists()
    assert "wrote" in capsys.readouterr().out


def test_edge_program_exports(edge: StackGraph) -> None:
    plan = terraform_plan(edge)
    armor = next(
        r for r in plan["planned_values"]["root_module"]["resources"] if r["type"] == "google_compute_security_policy"
    )
    assert armor["values"]["rule"][0]["rate_limit_options"][0]["exceed_action"] == "deny(429)"

"""A second `pulumi up` with nothing changed plans nothing: read-back normalisation, reviewed.

Every field the APIs normalise or fill on read is either sent in its normalised form (the tests
below) or its read-back is ignored; `REVIEWED_IGNORES` lists every `ignoreChanges` of every stack
with its reason, so a new one fails here until it is reviewed. docs/ARCHITECTURE.md ("The first
real `pulumi up`") has the table with its sources.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import STACKS
from tools.graph import StackGraph

INITIAL_COUNT = (
    "force-new, and a manual or autoscaler resize changes what the API reports: the provider's own docs say "
    "to ignore it (pulumi-gcp container.NodePool.initial_node_count)"
)
# (type, ignoreChanges) -> why the read-back must not count as a change.
REVIEWED_IGNORES: dict[tuple[str, tuple[str, ...]], str] = {
    ("gcp:container/cluster:Cluster", ("initialNodeCount", "nodeConfig")): (
        "the API reports the first node pool's configuration as the cluster's nodeConfig (container v1 "
        "Cluster.nodeConfig), and both fields force replacement of the cluster"
    ),
    ("gcp:container/nodePool:NodePool", ("initialNodeCount",)): INITIAL_COUNT,
    ("gcp:container/nodePool:NodePool", ("initialNodeCount", "placementPolicy.type")): (
        f"{INITIAL_COUNT}; GKE returns no placement type once a workload policy is named "
        "(GoogleCloudPlatform/magic-modules#17643, open; vllm-project/ci-infra#547)"
    ),
    ("kubernetes:apps/v1:Deployment", ("spec.replicas",)): (
        "the HPA owns the replica count after creation; with server-side apply, pulumi-kubernetes drops an "
        "ignored field another manager owns and resends the live value of one it still owns, so an update "
        "never resets the scale nor conflicts (pulumi-kubernetes await.go handleSSAIgnoreFields, #2074, #2828)"
    ),
}


@pytest.fixture(params=STACKS)
def graph(request: pytest.FixtureRequest, graphs: dict[str, StackGraph]) -> StackGraph:
    return graphs[request.param]


def _ignores(graph: StackGraph) -> dict[tuple[str, tuple[str, ...]], list[str]]:
    found: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for resource in graph.resources:
        if resource.ignoreChanges:
            found.setdefault((resource.type, tuple(resource.ignoreChanges)), []).append(resource.name)
    return found


def test_every_ignore_changes_is_reviewed(graph: StackGraph) -> None:
    unreviewed = {key: names for key, names in _ignores(graph).items() if key not in REVIEWED_IGNORES}
    assert unreviewed == {}, "add each to REVIEWED_IGNORES with the reason the read-back differs"


def test_every_reviewed_ignore_is_still_used(graphs: dict[str, StackGraph]) -> None:
    used = {key for graph in graphs.values() for key in _ignores(graph)}
    assert set(REVIEWED_IGNORES) - used == set()


def test_only_multi_host_slices_ignore_their_placement_type(graph: StackGraph) -> None:
    for pool in graph.by_type("gcp:container/nodePool:NodePool"):
        named = bool(pool.inputs.get("placementPolicy", {}).get("policyName"))
        assert ("placementPolicy.type" in pool.ignoreChanges) is named, pool.name


def test_only_autoscaled_deployments_ignore_their_replicas(graph: StackGraph) -> None:
    scaled = {
        hpa.inputs["spec"]["scaleTargetRef"]["name"]
        for hpa in graph.by_type("kubernetes:autoscaling/v2:HorizontalPodAutoscaler")
    }
    for deployment in graph.by_type("kubernetes:apps/v1:Deployment"):
        ignored = "spec.replicas" in deployment.ignoreChanges
        assert ignored is (deployment.inputs["metadata"]["name"] in scaled), deployment.name


# --- fields sent in the form the API reads back -------------------------------------------------
DURATION = re.compile(r"^\d+s$")


def _durations(value: object, keys: set[str]) -> list[str]:
    if isinstance(value, dict):
        return [v for k, v in value.items() if k in keys] + [d for v in value.values() for d in _durations(v, keys)]
    if isinstance(value, list):
        return [d for v in value for d in _durations(v, keys)]
    return []


def test_alert_durations_are_written_in_seconds(graph: StackGraph) -> None:
    """Durations come back as proto3 JSON (`60s`); the provider has no diff suppression for them."""
    keys = {"duration", "alignmentPeriod", "evaluationInterval", "autoClose"}
    found = [
        d for policy in graph.by_type("gcp:monitoring/alertPolicy:AlertPolicy") for d in _durations(policy.inputs, keys)
    ]
    assert found and all(DURATION.match(str(d)) for d in found), found


def test_maintenance_window_in_the_form_gke_returns(graph: StackGraph) -> None:
    window = graph.one("gcp:container/cluster:Cluster").inputs["maintenancePolicy"]["recurringWindow"]
    for key in ("startTime", "endTime"):
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", window[key]), window[key]


def test_bucket_lifecycle_sends_no_age_and_states_its_condition(graph: StackGraph) -> None:
    """`age` 0 is dropped unless `sendAgeIfZero`; `withState` is read back as ARCHIVED for noncurrent rules."""
    for rule in graph.one("gcp:storage/bucket:Bucket").inputs["lifecycleRules"]:
        condition = rule["condition"]
        assert {"age", "noAge", "sendAgeIfZero"} & set(condition) == set()
        assert condition["withState"] == "ARCHIVED"


def test_node_pools_leave_gke_labels_to_gke(graph: StackGraph) -> None:
    """GKE adds `goog-gke-*` resource labels, which the provider suppresses unless the program sets them."""
    for pool in graph.by_type("gcp:container/nodePool:NodePool"):
        labels = pool.inputs["nodeConfig"].get("resourceLabels", {})
        assert not [key for key in labels if key.startswith("goog-")], pool.name


def test_reservations_are_named_as_gke_reads_them_back(graphs: dict[str, StackGraph]) -> None:
    affinities = [
        pool.inputs["nodeConfig"]["reservationAffinity"]
        for graph in graphs.values()
        for pool in graph.by_type("gcp:container/nodePool:NodePool")
        if pool.inputs["nodeConfig"].get("reservationAffinity", {}).get("consumeReservationType")
        == "SPECIFIC_RESERVATION"
    ]
    assert affinities
    assert all(not value.startswith("projects/") for affinity in affinities for value in affinity["values"])


def test_cloud_armor_writes_its_default_rule(graph: StackGraph) -> None:
    """Without it the API adds one, and the next preview plans its removal."""
    (policy,) = [
        *graph.by_type("gcp:compute/securityPolicy:SecurityPolicy"),
        *graph.by_type("gcp:compute/regionSecurityPolicy:RegionSecurityPolicy"),
    ]
    (default,) = [rule for rule in policy.inputs["rules"] if rule["priority"] == 2147483647]
    assert default["match"]["config"]["srcIpRanges"] == ["*"]
    assert default["action"] == "allow"


def test_budget_names_the_project_by_number(graph: StackGraph) -> None:
    for budget in graph.by_type("gcp:billing/budget:Budget"):
        assert all(re.fullmatch(r"projects/\d+", p) for p in budget.inputs["budgetFilter"]["projects"])


def test_lustre_names_its_network_by_id(graph: StackGraph) -> None:
    network = graph.one("gcp:compute/network:Network")
    for instance in graph.by_type("gcp:lustre/instance:Instance"):
        assert instance.inputs["network"] == f"{network.name}-id"  # the mocks' id of the VPC


def test_dashboards_write_no_value_the_api_drops(graph: StackGraph) -> None:
    for dashboard in graph.by_type("gcp:monitoring/dashboard:Dashboard"):
        text = dashboard.inputs["dashboardJson"]
        assert json.loads(text) and "[]" not in text and '"0s"' not in text

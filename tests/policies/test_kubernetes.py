"""policies/rules/kubernetes.py through the runner, on the edge program's tiers (issue 11 adds them)."""

from __future__ import annotations

import pytest

from tests.policies.conftest import DELETE, Case, changed, check_case, find, swapped
from tools.graph import StackGraph
from tools.policy import run_policies

SMALL = ("kubernetes:apps/v1:Deployment", "edge-small")
LARGE = ("kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet", "edge-large")
SERVICE = ("kubernetes:core/v1:Service", "edge-small-service")
POD = "spec.template.spec"
CONTAINER = f"{POD}.containers.0"
LEADER = "spec.leaderWorkerTemplate.leaderTemplate.spec"
WORKER = "spec.leaderWorkerTemplate.workerTemplate.spec"

CASES = [
    Case(
        "k8s-no-privileged-containers",
        "edge",
        SMALL,
        lambda r: changed(r, {f"{CONTAINER}.securityContext.privileged": True}),
    ),
    Case(
        "k8s-no-privilege-escalation",
        "edge",
        LARGE,
        lambda r: changed(r, {f"{WORKER}.containers.0.securityContext.allowPrivilegeEscalation": DELETE}),
        expect="workerTemplate",
    ),
    Case("k8s-no-host-namespaces", "edge", SMALL, lambda r: changed(r, {f"{POD}.hostNetwork": True})),
    Case("k8s-resource-limits", "edge", SMALL, lambda r: changed(r, {f"{CONTAINER}.resources": DELETE})),
    Case(
        "k8s-probes",
        "edge",
        SMALL,
        lambda r: changed(r, {f"{CONTAINER}.readinessProbe": DELETE}),
        expect="readinessProbe",
        id="no-readiness",
    ),
    Case(
        "k8s-probes",
        "edge",
        LARGE,
        lambda r: changed(
            r, {f"{LEADER}.containers.0.startupProbe": DELETE, f"{LEADER}.containers.0.livenessProbe": DELETE}
        ),
        id="leader-without-startup-or-liveness",
    ),
    Case(
        "k8s-pinned-images",
        "edge",
        SMALL,
        lambda r: changed(r, {f"{CONTAINER}.image": "vllm/vllm-tpu:latest"}),
        expect="latest",
        id="latest",
    ),
    Case(
        "k8s-pinned-images",
        "edge",
        LARGE,
        lambda r: changed(r, {f"{WORKER}.containers.0.image": "registry.example:5000/vllm/vllm-tpu"}),
        expect="no tag",
        id="untagged-with-registry-port",
    ),
    Case("k8s-no-load-balancer-service", "edge", SERVICE, lambda r: changed(r, {"spec.type": "LoadBalancer"})),
    Case("k8s-tpu-toleration", "edge", SMALL, lambda r: changed(r, {f"{POD}.tolerations": DELETE})),
    Case(
        "k8s-tpu-request-matches-vm",
        "edge",
        LARGE,
        lambda r: changed(
            r,
            {
                f"{WORKER}.containers.0.resources.limits": {"google.com/tpu": "8"},
                f"{WORKER}.containers.0.resources.requests": {"google.com/tpu": "8"},
            },
        ),
        expect="has 4 chips",
        id="more-than-the-vm",
    ),
    Case(
        "k8s-tpu-request-matches-vm",
        "edge",
        SMALL,
        lambda r: changed(r, {f"{CONTAINER}.resources.requests": {"google.com/tpu": "0"}}),
        expect="requests 0 but limits 1",
        id="requests-differ-from-limits",
    ),
    Case(
        "k8s-tpu-request-matches-vm",
        "edge",
        SMALL,
        lambda r: changed(r, {f"{POD}.nodeSelector": DELETE}),
        expect="without selecting",
        id="no-selector",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy(pack, policy_graphs, case: Case) -> None:
    check_case(pack, policy_graphs, case)


def test_tpu_pods_need_a_pool_of_their_topology(pack, graphs, policy_graphs) -> None:
    """Stack policy k8s-tpu-pool-exists: the edge tiers on the prod stack's pools pass; a 2x2x4 pod does not."""

    edge, prod = policy_graphs["edge"], graphs["prod"]
    combined = StackGraph("prod", prod.resources + edge.resources, {})
    only = pack.only("k8s-tpu-pool-exists")
    assert not run_policies(pack, combined, config=only).by_policy("k8s-tpu-pool-exists")
    large = find(combined, LARGE)
    bigger = changed(large)  # a deep copy; selector keys contain dots, so edit them directly
    for template in (LEADER, WORKER):
        bigger.inputs["spec"]["leaderWorkerTemplate"][template.split(".")[2]]["spec"]["nodeSelector"][
            "cloud.google.com/gke-tpu-topology"
        ] = "2x2x4"
    found = run_policies(pack, swapped(combined, large, bigger), config=only).by_policy("k8s-tpu-pool-exists")
    assert found and all(v.urn == large.urn and "2x2x4" in v.message for v in found)

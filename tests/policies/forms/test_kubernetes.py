"""policies/rules/kubernetes.py: every policy on an absent field and on each other wrong form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.policies.conftest import DELETE, changed
from tests.policies.forms import Form, Shape, absent, check_form, shape
from tools.graph import Registration

SMALL = ("kubernetes:apps/v1:Deployment", "edge-small")
LARGE = ("kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet", "edge-large")
SERVICE = ("kubernetes:core/v1:Service", "edge-small-service")
POD = "spec.template.spec"
CONTAINER = f"{POD}.containers.0"
LEADER = "spec.leaderWorkerTemplate.leaderTemplate.spec"
WORKER = "spec.leaderWorkerTemplate.workerTemplate.spec"
ACCELERATOR = "cloud.google.com/gke-tpu-accelerator"
TOPOLOGY = "cloud.google.com/gke-tpu-topology"


def selector(**labels: Any) -> Callable[[Registration], Registration]:
    """The small tier with its nodeSelector labels replaced (None removes one); keys hold dots."""

    def change(resource: Registration) -> Registration:
        copy = changed(resource)
        node_selector = copy.inputs["spec"]["template"]["spec"]["nodeSelector"]
        for key, value in labels.items():
            name = {"accelerator": ACCELERATOR, "topology": TOPOLOGY}[key]
            if value is None:
                node_selector.pop(name)
            else:
                node_selector[name] = value
        return copy

    return change


def tolerating(kind: Shape, tolerations: list[dict[str, str]], id: str, fires: bool = True) -> Form:
    """The small tier with its tolerations replaced, judged by k8s-tpu-toleration."""
    return Form(
        "k8s-tpu-toleration",
        kind,
        "edge",
        SMALL,
        lambda r: changed(r, {f"{POD}.tolerations": tolerations}),
        id,
        fires=fires,
    )


def worker_after_leader(leader: dict[str, Any], id: str) -> Form:
    """The large tier with the leader template changed and the worker using 2 of its VM's 4 chips."""
    two_chips = {"limits": {"google.com/tpu": "2"}, "requests": {"google.com/tpu": "2"}}
    return Form(
        "k8s-tpu-request-matches-vm",
        "wrong",
        "edge",
        LARGE,
        lambda r: changed(r, {**leader, f"{WORKER}.containers.0.resources": two_chips}),
        id,
        expect="workerTemplate.spec uses 2",
    )


FORMS = [
    absent("k8s-no-privileged-containers", "edge", SMALL, f"{CONTAINER}.securityContext.privileged", fires=False),
    absent("k8s-no-privilege-escalation", "edge", SMALL, f"{CONTAINER}.securityContext"),
    shape(
        "k8s-no-privilege-escalation",
        "wrong",
        "edge",
        SMALL,
        f"{CONTAINER}.securityContext.allowPrivilegeEscalation",
        True,
    ),
    absent("k8s-no-host-namespaces", "edge", SMALL, f"{POD}.hostNetwork", fires=False),
    shape("k8s-no-host-namespaces", "wrong", "edge", SMALL, f"{POD}.hostPID", True, expect="hostPID"),
    shape("k8s-no-host-namespaces", "wrong", "edge", LARGE, f"{WORKER}.hostIPC", True, expect="hostIPC"),
    absent("k8s-resource-limits", "edge", SMALL, f"{CONTAINER}.resources.limits"),
    shape("k8s-resource-limits", "empty", "edge", SMALL, f"{CONTAINER}.resources.limits", {}),
    absent("k8s-probes", "edge", SMALL, f"{CONTAINER}.startupProbe", fires=False),  # the liveness probe remains
    Form(
        "k8s-probes",
        "absent",
        "edge",
        SMALL,
        lambda r: changed(r, {f"{CONTAINER}.startupProbe": None, f"{CONTAINER}.livenessProbe": None}),
        "startupProbe and livenessProbe null",
        expect="neither",
    ),
    # A worker of a multi-host group needs no probes (LeaderWorkerSet: the group is ready with its leader).
    absent("k8s-probes", "edge", LARGE, f"{WORKER}.containers.0.readinessProbe", fires=False),
    # A container without a port serves nothing: no probe is required.
    Form(
        "k8s-probes",
        "absent",
        "edge",
        SMALL,
        lambda r: changed(r, {f"{CONTAINER}.ports": [], f"{CONTAINER}.readinessProbe": None}),
        "no ports, no readiness",
        fires=False,
    ),
    # An init container without ports is skipped, not the end of the pod's containers.
    Form(
        "k8s-probes",
        "absent",
        "edge",
        SMALL,
        lambda r: changed(
            r,
            {
                f"{POD}.initContainers": [{"name": "warm", "image": "busybox:1.37.0"}],
                f"{CONTAINER}.readinessProbe": None,
            },
        ),
        "no readiness after an init container",
        expect="has no readinessProbe",
    ),
    absent("k8s-pinned-images", "edge", SMALL, f"{CONTAINER}.image", expect="names no image"),
    shape("k8s-pinned-images", "empty", "edge", SMALL, f"{CONTAINER}.image", "", expect="has no tag"),
    shape("k8s-pinned-images", "wrong", "edge", SMALL, f"{CONTAINER}.image", "vllm/vllm-tpu", expect="has no tag"),
    shape(
        "k8s-pinned-images",
        "wrong",
        "edge",
        SMALL,
        f"{CONTAINER}.image",
        "registry.example:5000/vllm/vllm-tpu@sha256:" + "a" * 64,
        fires=False,
    ),
    shape(
        "k8s-pinned-images",
        "wrong",
        "edge",
        SMALL,
        f"{CONTAINER}.image",
        "vllm/vllm-tpu@sha256:abc",
        expect="malformed digest",
    ),
    absent("k8s-no-load-balancer-service", "edge", SERVICE, "spec.type", fires=False),
    shape("k8s-no-load-balancer-service", "wrong", "edge", SERVICE, "spec.type", "NodePort", fires=False),
    shape("k8s-tpu-toleration", "empty", "edge", SMALL, f"{POD}.tolerations", []),
    shape("k8s-tpu-toleration", "wrong", "edge", SMALL, f"{POD}.tolerations.0.effect", "NoExecute"),
    shape("k8s-tpu-toleration", "wrong", "edge", SMALL, f"{POD}.tolerations.0.key", "nvidia.com/gpu"),
    tolerating("wrong", [{"key": "google.com/tpu", "operator": "Equal", "value": "true"}], "Equal with value true"),
    tolerating(
        "absent",
        [{"key": "google.com/tpu", "operator": "Equal", "value": "present"}],
        "Equal present, effect absent",
        fires=False,
    ),
    tolerating(
        "absent",
        [
            {"operator": "Exists", "effect": "NoExecute"},
            {"key": "google.com/tpu", "operator": "Exists", "effect": "NoSchedule"},
        ],
        "the TPU toleration after a NoExecute one",
        fires=False,
    ),
    tolerating("absent", [{"operator": "Exists"}], "Exists without a key tolerates every taint", fires=False),
    Form(
        "k8s-tpu-request-matches-vm",
        "absent",
        "edge",
        SMALL,
        selector(accelerator=None),
        "no accelerator selector",
        expect="without selecting",
    ),
    Form(
        "k8s-tpu-request-matches-vm",
        "absent",
        "edge",
        SMALL,
        selector(topology=None),
        "no topology selector",
        expect="without selecting",
    ),
    Form(
        "k8s-tpu-request-matches-vm",
        "wrong",
        "edge",
        SMALL,
        selector(accelerator="tpu-v6e-slice"),
        "accelerator tpu-v6e-slice",
        expect="without selecting",
    ),
    Form(
        "k8s-tpu-request-matches-vm",
        "wrong",
        "edge",
        SMALL,
        selector(topology="2x2x1"),
        "1 chip on a 2x2x1 VM",
        expect="a 2x2x1 VM has 4 chips",
    ),
    # Limits alone are the request (Kubernetes copies them); requests alone are what is used.
    absent("k8s-tpu-request-matches-vm", "edge", SMALL, f"{CONTAINER}.resources.requests", fires=False),
    absent("k8s-tpu-request-matches-vm", "edge", SMALL, f"{CONTAINER}.resources.limits", fires=False),
    shape(
        "k8s-tpu-request-matches-vm",
        "wrong",
        "edge",
        SMALL,
        f"{CONTAINER}.resources.limits",
        {"google.com/tpu": "2"},
        expect="requests 1 but limits 2",
    ),
    shape(
        "k8s-tpu-request-matches-vm",
        "wrong",
        "edge",
        LARGE,
        f"{WORKER}.containers.0.resources",
        {"limits": {"google.com/tpu": "2"}, "requests": {"google.com/tpu": "2"}},
        expect="uses 2",
    ),
    # A request of 0 chips with no limit uses 0 chips.
    Form(
        "k8s-tpu-request-matches-vm",
        "wrong",
        "edge",
        SMALL,
        lambda r: changed(
            r, {f"{CONTAINER}.resources.limits": DELETE, f"{CONTAINER}.resources.requests": {"google.com/tpu": "0"}}
        ),
        "a request of 0 chips",
        expect="uses 0 google.com/tpu",
    ),
    # The worker template is judged after a leader template that selects no accelerator, or asks for no TPUs.
    worker_after_leader({f"{LEADER}.nodeSelector": {}}, "a leader without selectors and a worker using 2 chips"),
    worker_after_leader(
        {f"{LEADER}.nodeSelector": {}, f"{LEADER}.containers.0.resources": {"limits": {"cpu": "1"}}},
        "a worker using 2 chips after a leader that asks for none",
    ),
    # Containers without TPUs (an init container here) are skipped, not the end of the pod.
    Form(
        "k8s-tpu-request-matches-vm",
        "wrong",
        "edge",
        SMALL,
        lambda r: changed(
            r,
            {
                f"{POD}.initContainers": [{"name": "warm", "image": "busybox:1.37.0"}],
                f"{CONTAINER}.resources.limits": {"google.com/tpu": "2"},
            },
        ),
        "2 chips limited after an init container without TPUs",
        expect="requests 1 but limits 2",
    ),
    # A quantity that is no whole number is no TPU request (the policy reads on, it does not stop).
    shape(
        "k8s-tpu-request-matches-vm",
        "wrong",
        "edge",
        SMALL,
        f"{CONTAINER}.resources.limits",
        {"google.com/tpu": "one"},
        fires=False,
    ),
]


@pytest.mark.parametrize("form", FORMS, ids=str)
def test_form(pack, policy_graphs, form: Form) -> None:
    check_form(pack, policy_graphs, form)

"""policies/rules/inference.py through the runner, on prod's Inference Gateway (issue 18)."""

from __future__ import annotations

import pytest

from tests.policies.conftest import DELETE, Case, changed, check_case, find, judge, swapped

LARGE_POOL = ("kubernetes:inference.networking.k8s.io/v1:InferencePool", "gateway-large-pool")
SMALL_POOL = ("kubernetes:inference.networking.k8s.io/v1:InferencePool", "gateway-small-pool")
SMALL_PICKER = ("kubernetes:apps/v1:Deployment", "gateway-small-deployment")
ROUTER = ("kubernetes:apps/v1:Deployment", "gateway-body-router-deployment")
PICKER_IMAGE = "spec.template.spec.containers.0.image"

CASES = [
    Case(
        "inference-pool-selects-serving-pods",
        "prod",
        LARGE_POOL,
        lambda r: changed(r, {"spec.selector.matchLabels.llm-platform/role": DELETE}),
        stack=True,
        expect="selects the workers of serving-large-leader-worker-set",
        id="pool-selects-lws-workers",
    ),
    Case(
        "inference-pool-selects-serving-pods",
        "prod",
        SMALL_POOL,
        lambda r: changed(r, {"spec.selector.matchLabels": DELETE}),
        stack=True,
        expect="matches no pod template",
        id="pool-without-selector",
    ),
    Case(
        "inference-pool-selects-serving-pods",
        "prod",
        SMALL_POOL,
        lambda r: changed(r, {"spec.selector.matchLabels": {"llm-d-router-gateway": "vllm-small-epp"}}),
        stack=True,
        expect="selects pods of gateway-small-deployment that serve nothing",
        id="pool-selects-its-picker",
    ),
    Case(
        "inference-extensions-pinned",
        "prod",
        SMALL_PICKER,
        lambda r: changed(r, {PICKER_IMAGE: "ghcr.io/llm-d/llm-d-router-endpoint-picker:main"}),
        expect="must run a release tag",
        id="picker-on-main",
    ),
    Case(
        "inference-extensions-pinned",
        "prod",
        ROUTER,
        lambda r: changed(r, {PICKER_IMAGE: "registry.k8s.io/gateway-api-inference-extension/bbr:latest"}),
        expect="must run a release tag",
        id="router-on-latest",
    ),
    Case(
        "inference-extensions-pinned",
        "prod",
        SMALL_PICKER,
        lambda r: changed(r, {"spec.template.spec.containers.0.imagePullPolicy": "Always"}),
        expect="IfNotPresent",
        id="picker-pulls-always",
    ),
    Case(
        "inference-pool-endpoint-picker",
        "prod",
        SMALL_POOL,
        lambda r: changed(r, {"spec.endpointPickerRef.name": "vllm-small-picker"}),
        stack=True,
        expect="which the stack does not create",
        id="pool-names-a-missing-picker",
    ),
    Case(
        "inference-pool-endpoint-picker",
        "prod",
        SMALL_POOL,
        lambda r: changed(r, {"spec.endpointPickerRef": DELETE}),
        stack=True,
        expect="names None",
        id="pool-without-picker-ref",
    ),
    Case(
        "inference-pool-endpoint-picker",
        "prod",
        SMALL_PICKER,
        lambda r: changed(r, {PICKER_IMAGE: "ghcr.io/llm-d/llm-d-router-endpoint-picker:main"}),
        stack=True,
        expect="selects no pod running a pinned endpoint-picker image",
        id="picker-service-over-an-unpinned-picker",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy(pack, policy_graphs, case: Case) -> None:
    check_case(pack, policy_graphs, case)


def test_a_pinned_picker_without_a_pull_policy_is_compliant(pack, policy_graphs) -> None:
    graph = policy_graphs["prod"]
    picker = find(graph, SMALL_PICKER)
    absent = changed(picker, {"spec.template.spec.containers.0.imagePullPolicy": DELETE})
    report = judge(pack, swapped(graph, picker, absent), absent, stack=False, policies=("inference-extensions-pinned",))
    assert report.by_policy("inference-extensions-pinned") == []

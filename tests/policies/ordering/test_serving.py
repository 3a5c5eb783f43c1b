"""policies/rules/ordering/serving.py: TPU workloads after their pool and their ComputeClass, a ComputeClass
after the pools it names, the LeaderWorkerSet after its controller,
autoscalers after their metrics API, a remote repository after its secret grant."""

from __future__ import annotations

import pytest

from tests.policies.conftest import Case, check_case
from tests.policies.ordering.conftest import order

CASES = [
    order(
        "dev",
        ("kubernetes:apps/v1:Deployment", "serving-small-deployment"),
        ("tier-small-pool",),
        "the TPU node pool its pods select",
        "tpu-workload-before-its-pool",
    ),
    order(
        "prod",
        ("kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet", "serving-large-leader-worker-set"),
        ("lws-chart",),
        "the LeaderWorkerSet controller's chart",
        "lws-before-its-controller",
    ),
    order(
        "prod",
        ("kubernetes:cloud.google.com/v1:ComputeClass", "tier-large-compute-class"),
        ("tier-large-pool-on-demand",),
        "node pool llm-prod-tpu-large-on-demand, which a priority names",
        "compute-class-before-a-pool-it-names",
    ),
    order(
        "prod",
        ("kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet", "serving-large-leader-worker-set"),
        ("tier-large-compute-class",),
        "the ComputeClass its pods select",
        "workload-before-its-compute-class",
    ),
    order(
        "dev",
        ("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "serving-small-autoscaler"),
        ("metrics-adapter-v1beta1-custom", "metrics-adapter-v1beta2-custom"),
        "the APIService of custom.metrics.k8s.io",
        "hpa-before-the-custom-metrics-api",
    ),
    order(
        "dev-credentials",
        ("gcp:artifactregistry/repository:Repository", "registry-repository"),
        ("registry-upstream-secret",),
        "the agent's access to the upstream secret",
        "remote-repository-before-its-secret-grant",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy(pack, ordering_graphs, case: Case) -> None:
    check_case(pack, ordering_graphs, case)

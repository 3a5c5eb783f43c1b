"""policies/rules/ordering/kubernetes.py: every Kubernetes object after a node pool and its namespace."""

from __future__ import annotations

import pytest

from tests.policies.conftest import Case, check_case
from tests.policies.ordering.conftest import order

CASES = [
    order(
        "prod",
        ("pulumi:providers:kubernetes", "gke-k8s"),
        ("gke-system",),
        "a node pool the Kubernetes provider waits for",
        "kubernetes-before-any-node-pool",
    ),
    order(
        "dev",
        ("kubernetes:core/v1:ServiceAccount", "serving-ksa"),
        ("serving-namespace",),
        "the Namespace it lives in",
        "object-before-its-namespace",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy(pack, ordering_graphs, case: Case) -> None:
    check_case(pack, ordering_graphs, case)

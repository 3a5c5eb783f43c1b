"""policies/rules/ordering/gke.py: the cluster after its node role and admission policy, slices after their
workload policy, the metrics APIs after the adapter's grant."""

from __future__ import annotations

import pytest

from tests.policies.conftest import Case, check_case
from tests.policies.ordering.conftest import order

CASES = [
    order(
        "prod",
        ("gcp:container/cluster:Cluster", "gke-cluster"),
        ("gke-nodes-container-defaultnodeserviceaccount",),
        "the node account's GKE role",
        "cluster-before-the-node-role",
    ),
    order(
        "prod",
        ("gcp:container/cluster:Cluster", "gke-cluster"),
        ("gke-admission",),
        "the Binary Authorization policy",
        "cluster-before-its-admission-policy",
    ),
    order(
        "prod",
        ("gcp:container/nodePool:NodePool", "tier-large-pool"),
        ("tier-large-workload-policy",),
        "the workload policy it names",
        "slice-before-its-workload-policy",
    ),
    order(
        "dev",
        ("kubernetes:apps/v1:Deployment", "metrics-adapter-deployment"),
        ("metrics-adapter-monitoring-viewer",),
        "the adapter's Cloud Monitoring read grant",
        "metrics-api-before-the-adapter-grant",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy(pack, ordering_graphs, case: Case) -> None:
    check_case(pack, ordering_graphs, case)

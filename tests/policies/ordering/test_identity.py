"""policies/rules/ordering/identity.py: grants to the Workload Identity pool after the cluster that creates it."""

from __future__ import annotations

import pytest

from tests.policies.conftest import Case, changed, check_case
from tests.policies.ordering.conftest import ORDER, order

CASES = [
    order(
        "prod",
        ("gcp:storage/bucketIAMMember:BucketIAMMember", "identity-model-reader"),
        ("gke-cluster",),
        "the cluster that creates the Workload Identity pool",
        "workload-pool-grant-before-the-cluster",
    ),
    Case(
        ORDER,
        "prod",
        ("gcp:projects/iAMMember:IAMMember", "gke-nodes-artifactregistry-reader"),
        lambda r: changed(r, {"member": "serviceAccount:replace-me-llm-prod.svc.id.goog[llm-serving/model-server]"}),
        stack=True,
        expect="Workload Identity pool",
        id="service-account-form-of-a-pool-member-before-the-cluster",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy(pack, ordering_graphs, case: Case) -> None:
    check_case(pack, ordering_graphs, case)

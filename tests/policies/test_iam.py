"""policies/rules/iam.py through the runner."""

from __future__ import annotations

import json

import pytest

from tests.policies.conftest import DELETE, Case, changed, check_case

NODE_ROLE = ("gcp:projects/iAMMember:IAMMember", "gke-nodes-container-defaultnodeserviceaccount")
NODE_ACCOUNT = ("gcp:serviceaccount/account:Account", "gke-nodes")
POLICY_TYPE = "gcp:projects/iAMPolicy:IAMPolicy"

CASES = [
    Case("iam-no-primitive-roles", "prod", NODE_ROLE, lambda r: changed(r, {"role": "roles/editor"})),
    Case(
        "iam-no-primitive-roles",
        "dev",
        NODE_ROLE,
        lambda r: changed(
            r,
            {
                "role": DELETE,
                "member": DELETE,
                "policyData": json.dumps({"bindings": [{"role": "roles/owner", "members": []}]}),
            },
            type=POLICY_TYPE,
        ),
        expect="roles/owner",
        id="in-a-policy-document",
    ),
    Case(
        "iam-no-project-storage-roles",
        "prod",
        NODE_ROLE,
        lambda r: changed(r, {"role": "roles/storage.objectViewer"}),
    ),
    Case(
        "iam-no-service-account-keys",
        "prod",
        NODE_ACCOUNT,
        lambda r: changed(r, {"serviceAccountId": "llm-prod-gke-nodes"}, type="gcp:serviceaccount/key:Key"),
    ),
    Case("iam-no-public-principals", "prod", NODE_ROLE, lambda r: changed(r, {"member": "allAuthenticatedUsers"})),
    Case(
        "iam-no-project-impersonation",
        "prod",
        NODE_ROLE,
        lambda r: changed(r, {"role": "roles/iam.serviceAccountTokenCreator"}),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy(pack, policy_graphs, case: Case) -> None:
    check_case(pack, policy_graphs, case)

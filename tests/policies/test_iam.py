"""policies/rules/iam.py through the runner, and which types it judges as grants, directly."""

from __future__ import annotations

import json

import pytest

from policies.rules.iam import is_iam_resource
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


@pytest.mark.parametrize(
    ("resource_type", "is_grant"),
    [
        ("gcp:projects/iAMMember:IAMMember", True),
        ("gcp:pubsub/topicIAMMember:TopicIAMMember", True),
        ("gcp:bigquery/datasetIamMember:DatasetIamMember", True),
        ("gcp:secretmanager/secretIamBinding:SecretIamBinding", True),
        ("gcp:storage/bucketIAMPolicy:BucketIAMPolicy", True),
        ("gcp:storage/bucket:Bucket", False),
        ("gcp:serviceaccount/account:Account", False),
        ("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", False),
    ],
)
def test_iam_grant_types_are_told_from_the_rest(resource_type: str, is_grant: bool) -> None:
    assert is_iam_resource(resource_type) is is_grant

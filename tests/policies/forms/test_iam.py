"""policies/rules/iam.py: every policy on an absent field and on each other wrong form."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from tests.policies.conftest import DELETE, changed
from tests.policies.forms import Form, absent, check_form, shape
from tools.graph import Registration

NODE_ROLE = ("gcp:projects/iAMMember:IAMMember", "gke-nodes-container-defaultnodeserviceaccount")
READER = ("gcp:storage/bucketIAMMember:BucketIAMMember", "identity-model-reader")
BINDING = "gcp:projects/iAMBinding:IAMBinding"
POLICY = "gcp:projects/iAMPolicy:IAMPolicy"


def document(*bindings: dict[str, object]) -> Form:
    roles = [str(b["role"]) for b in bindings]
    return Form(
        "iam-no-primitive-roles",
        "wrong",
        "prod",
        NODE_ROLE,
        lambda r: changed(
            r, {"role": DELETE, "member": DELETE, "policyData": json.dumps({"bindings": list(bindings)})}, type=POLICY
        ),
        f"policyData roles={roles}",
        fires=any(role in ("roles/owner", "roles/editor", "roles/viewer") for role in roles),
        expect="roles/viewer" if "roles/viewer" in roles else "",
    )


FORMS = [
    # No role and no policy document grant nothing.
    absent("iam-no-primitive-roles", "prod", NODE_ROLE, "role", fires=False),
    shape("iam-no-primitive-roles", "wrong", "prod", NODE_ROLE, "role", "roles/viewer", expect="roles/viewer"),
    shape("iam-no-primitive-roles", "wrong", "prod", NODE_ROLE, "role", "roles/owner", expect="roles/owner"),
    shape("iam-no-primitive-roles", "wrong", "prod", READER, "role", "roles/editor", expect="roles/editor"),
    document({"role": "roles/logging.logWriter", "members": []}, {"role": "roles/viewer", "members": []}),
    document({"role": "roles/logging.logWriter", "members": []}),
    Form(
        "iam-no-primitive-roles",
        "wrong",
        "prod",
        NODE_ROLE,
        lambda r: changed(r, {"role": DELETE, "member": DELETE, "policyData": "not json"}, type=POLICY),
        "policyData not JSON",
        fires=False,
    ),
    absent("iam-no-project-storage-roles", "prod", NODE_ROLE, "role", fires=False),
    shape("iam-no-project-storage-roles", "wrong", "prod", NODE_ROLE, "role", "roles/storage.admin"),
    # On a bucket, a storage role is the point.
    shape("iam-no-project-storage-roles", "wrong", "prod", READER, "role", "roles/storage.admin", fires=False),
    absent("iam-no-public-principals", "prod", NODE_ROLE, "member", fires=False),
    shape("iam-no-public-principals", "wrong", "prod", NODE_ROLE, "member", "allUsers", expect="allUsers"),
    Form(
        "iam-no-public-principals",
        "wrong",
        "prod",
        NODE_ROLE,
        lambda r: changed(r, {"member": DELETE, "members": ["user:a@acme.io", "allUsers"]}, type=BINDING),
        "binding members=[..., allUsers]",
        expect="allUsers",
    ),
    Form(
        "iam-no-public-principals",
        "wrong",
        "prod",
        NODE_ROLE,
        lambda r: changed(
            r,
            {
                "role": DELETE,
                "member": DELETE,
                "policyData": json.dumps(
                    {"bindings": [{"role": "roles/logging.logWriter", "members": ["allAuthenticatedUsers"]}]}
                ),
            },
            type=POLICY,
        ),
        "policyData members=[allAuthenticatedUsers]",
        expect="policy document",
    ),
    # Bucket grants are `bucket-not-public`'s to judge.
    shape("iam-no-public-principals", "wrong", "prod", READER, "member", "allUsers", fires=False),
    absent("iam-no-project-impersonation", "prod", NODE_ROLE, "role", fires=False),
    shape("iam-no-project-impersonation", "wrong", "prod", NODE_ROLE, "role", "roles/iam.serviceAccountUser"),
]


@pytest.mark.parametrize("form", FORMS, ids=str)
def test_form(pack, policy_graphs, form: Form) -> None:
    check_form(pack, policy_graphs, form)


@pytest.mark.parametrize(
    "type_",
    [
        "gcp:pubsub/topicIAMMember:TopicIAMMember",
        "gcp:bigquery/datasetIamMember:DatasetIamMember",
        "gcp:secretmanager/secretIamMember:SecretIamMember",
        "gcp:serviceaccount/iAMMember:IAMMember",
    ],
)
def test_every_kind_of_grant_is_judged(pack, policy_graphs, type_: str) -> None:
    """A grant on a topic, dataset or secret is an IAM grant too: public or primitive, it is refused."""
    for change, policy in (
        ({"member": "allUsers"}, "iam-no-public-principals"),
        ({"role": "roles/owner"}, "iam-no-primitive-roles"),
    ):
        form = Form(policy, "wrong", "prod", NODE_ROLE, at_type(change, type_), f"{type_} {change}")
        check_form(pack, policy_graphs, form)


def at_type(change: dict[str, str], type_: str) -> Callable[[Registration], Registration]:
    return lambda resource: changed(resource, change, type=type_)

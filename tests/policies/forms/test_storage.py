"""policies/rules/storage.py: every policy on an absent field and on each other wrong form, and the ACL
resources `bucket-not-public` also guards."""

from __future__ import annotations

import pytest

from tests.policies.conftest import DELETE, changed
from tests.policies.forms import Form, absent, check_form, shape

BUCKET = ("gcp:storage/bucket:Bucket", "models-bucket")
READER = ("gcp:storage/bucketIAMMember:BucketIAMMember", "identity-model-reader")
BUCKET_ACL = "gcp:storage/bucketAccessControl:BucketAccessControl"
OBJECT_ACL = "gcp:storage/defaultObjectAccessControl:DefaultObjectAccessControl"


def acl(type_: str, entity: object) -> Form:
    """The reader grant turned into an ACL entry of `type_` for `entity` (DELETE: none named)."""
    return Form(
        "bucket-not-public",
        "absent" if entity is DELETE else "wrong",
        "prod",
        READER,
        lambda r: changed(r, {"member": DELETE, "role": "READER", "entity": entity}, type=type_),
        f"{type_.rsplit(':', 1)[-1]} entity={'absent' if entity is DELETE else entity}",
        fires=entity in ("allUsers", "allAuthenticatedUsers"),
        expect=f"the ACL grants {entity}",
    )


FORMS = [
    absent("bucket-uniform-access", "prod", BUCKET, "uniformBucketLevelAccess"),
    absent("bucket-public-access-prevention", "prod", BUCKET, "publicAccessPrevention"),
    shape("bucket-public-access-prevention", "wrong", "prod", BUCKET, "publicAccessPrevention", "unspecified"),
    absent("bucket-versioning", "prod", BUCKET, "versioning"),
    absent("bucket-versioning", "prod", BUCKET, "versioning.enabled"),
    absent("bucket-prod-no-force-destroy", "prod", BUCKET, "forceDestroy", fires=False),
    shape("bucket-prod-no-force-destroy", "wrong", "dev", BUCKET, "forceDestroy", True, fires=False),
    absent("bucket-not-public", "prod", READER, "member", fires=False),
    shape(
        "bucket-not-public", "wrong", "prod", READER, "member", "allAuthenticatedUsers", expect="allAuthenticatedUsers"
    ),
    # `members` that is no list names no principal, and reading it must not stop the policy.
    Form(
        "bucket-not-public",
        "wrong",
        "prod",
        READER,
        lambda r: changed(r, {"member": DELETE, "members": 5}, type="gcp:storage/bucketIAMBinding:BucketIAMBinding"),
        "members=5",
        fires=False,
    ),
    acl(BUCKET_ACL, "allUsers"),
    acl(BUCKET_ACL, "allAuthenticatedUsers"),
    acl(BUCKET_ACL, "user-llm-oncall@acme.io"),
    acl(BUCKET_ACL, DELETE),
    acl(OBJECT_ACL, "allUsers"),
    acl(OBJECT_ACL, "allAuthenticatedUsers"),
    acl(OBJECT_ACL, "project-viewers-123456789012"),
]


@pytest.mark.parametrize("form", FORMS, ids=str)
def test_form(pack, policy_graphs, form: Form) -> None:
    check_form(pack, policy_graphs, form)

"""policies/rules/storage.py through the runner."""

from __future__ import annotations

import pytest

from tests.policies.conftest import DELETE, Case, changed, check_case

BUCKET = ("gcp:storage/bucket:Bucket", "models-bucket")
READER = ("gcp:storage/bucketIAMMember:BucketIAMMember", "identity-model-reader")
BINDING = "gcp:storage/bucketIAMBinding:BucketIAMBinding"

CASES = [
    Case("bucket-uniform-access", "dev", BUCKET, lambda r: changed(r, {"uniformBucketLevelAccess": False})),
    Case(
        "bucket-public-access-prevention", "prod", BUCKET, lambda r: changed(r, {"publicAccessPrevention": "inherited"})
    ),
    Case("bucket-versioning", "prod", BUCKET, lambda r: changed(r, {"versioning.enabled": False})),
    Case("bucket-not-public", "prod", READER, lambda r: changed(r, {"member": "allUsers"}), expect="allUsers"),
    Case(
        "bucket-not-public",
        "dev",
        READER,
        lambda r: changed(r, {"member": DELETE, "members": ["[unknown]", "allAuthenticatedUsers"]}, type=BINDING),
        expect="allAuthenticatedUsers",
        id="binding-with-an-unknown-member",
    ),
    Case("bucket-prod-no-force-destroy", "prod", BUCKET, lambda r: changed(r, {"forceDestroy": True})),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy(pack, policy_graphs, case: Case) -> None:
    check_case(pack, policy_graphs, case)

"""The model bucket under mocks."""

from __future__ import annotations

from components.storage import ModelBucket, ModelBucketArgs
from tests.conftest import RunComponent
from tests.helpers import config, naming
from tools.graph import StackGraph


def _bucket(run_component: RunComponent, protect: bool) -> StackGraph:
    cfg = config()
    return run_component(
        lambda: ModelBucket(
            "models",
            ModelBucketArgs(
                project=cfg.project, region=cfg.region, naming=naming(), config=cfg.model_bucket, protect=protect
            ),
        )
    )


def test_bucket_is_private_and_versioned(run_component: RunComponent) -> None:
    bucket = _bucket(run_component, protect=False).one("gcp:storage/bucket:Bucket")
    assert bucket.inputs["uniformBucketLevelAccess"] is True
    assert bucket.inputs["publicAccessPrevention"] == "enforced"
    assert bucket.inputs["versioning"] == {"enabled": True}
    assert bucket.inputs["location"] == "US-CENTRAL1"
    conditions = [rule["condition"] for rule in bucket.inputs["lifecycleRules"]]
    assert {"daysSinceNoncurrentTime": 30, "withState": "ARCHIVED"} in conditions
    assert {"numNewerVersions": 3, "withState": "ARCHIVED"} in conditions
    assert bucket.inputs["labels"]["managed-by"] == "pulumi"


def test_protected_bucket_is_never_force_destroyed(run_component: RunComponent) -> None:
    unprotected = _bucket(run_component, protect=False).one("gcp:storage/bucket:Bucket")
    protected = _bucket(run_component, protect=True).one("gcp:storage/bucket:Bucket")
    assert (unprotected.protect, unprotected.inputs["forceDestroy"]) == (False, True)
    assert (protected.protect, protected.inputs["forceDestroy"]) == (True, False)

"""Retiring prod, the documented two steps walked on the real stack file (docs/operations.md).

1. `pulumi config set --path llm-platform:retire.stack prod` and `pulumi up`: the update lifts every
   deletion guard and changes nothing else (no resource added, removed or replaced), and the policy
   pack lets it through.
2. `pulumi destroy`: nothing in the graph blocks it any more; what is kept is retained, not deleted.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tools.graph import ProgramError, Registration, StackGraph, evaluate
from tools.policy import run_policies
from tools.stack_config import load_stack_config

# Every input a retire may change, per type: the provider-side guards and the retiring label.
LIFTED = {
    "gcp:storage/bucket:Bucket": {"labels"},
    "gcp:container/cluster:Cluster": {"deletionProtection", "resourceLabels"},
    "gcp:redis/instance:Instance": {"deletionProtection", "labels"},
    "gcp:lustre/instance:Instance": {"deletionPolicy", "labels"},
    "gcp:bigquery/dataset:Dataset": {"labels"},
}
KEPT = {"gcp:storage/bucket:Bucket", "gcp:bigquery/dataset:Dataset"}


def _retire(**retire: Any) -> dict[str, str]:
    config = load_stack_config("prod")
    config["llm-platform:retire"] = json.dumps({"stack": "prod", **retire})
    return config


@pytest.fixture(scope="module")
def retiring() -> StackGraph:
    return evaluate("prod", config=_retire())


def _changed_inputs(before: Registration, after: Registration) -> set[str]:
    keys = before.inputs.keys() | after.inputs.keys()
    return {key for key in keys if before.inputs.get(key) != after.inputs.get(key)}


def test_the_first_up_lifts_protection_and_nothing_else(prod: StackGraph, retiring: StackGraph) -> None:
    before = {r.urn: r for r in prod.resources}
    after = {r.urn: r for r in retiring.resources}
    assert before.keys() == after.keys()  # nothing created, deleted or renamed
    changes = {}
    for urn, old in before.items():
        new = after[urn]
        inputs = _changed_inputs(old, new)
        options = {k for k in ("protect", "retainOnDelete") if getattr(old, k) != getattr(new, k)}
        if inputs or options:
            changes[(old.type, old.name)] = (inputs, options)
    assert {key: inputs for key, (inputs, _) in changes.items()} == {
        (type_, r.name): LIFTED[type_] for type_ in LIFTED for r in prod.by_type(type_)
    }
    for (type_, name), (_, options) in changes.items():
        assert "protect" in options, name  # every protected resource loses `protect`
        assert ("retainOnDelete" in options) is (type_ in KEPT), name
    for type_ in LIFTED:
        for resource in retiring.by_type(type_):
            labels = resource.inputs.get("labels") or resource.inputs["resourceLabels"]
            assert labels["retiring"] == "true"


def test_the_pack_lets_the_retiring_update_through(pack, retiring: StackGraph) -> None:
    report = run_policies(pack, retiring, stack_config=_retire())
    assert [v for v in report.violations if v.level == "mandatory"] == []
    assert not report.not_run


def test_then_nothing_blocks_destroy(retiring: StackGraph) -> None:
    assert [r.name for r in retiring.resources if r.protect] == []
    assert retiring.one("gcp:container/cluster:Cluster").inputs["deletionProtection"] is False
    assert retiring.one("gcp:redis/instance:Instance").inputs["deletionProtection"] is False
    assert retiring.one("gcp:lustre/instance:Instance").inputs["deletionPolicy"] == "DELETE"
    # Kept by default: destroy forgets the bucket and the request logs and leaves them in the project.
    bucket = retiring.one("gcp:storage/bucket:Bucket")
    assert bucket.retainOnDelete and bucket.inputs["forceDestroy"] is False
    dataset = retiring.one("gcp:bigquery/dataset:Dataset")
    assert dataset.retainOnDelete and dataset.inputs["deleteContentsOnDestroy"] is False
    # The peering goes even if a producer holds on to it.
    assert retiring.one("gcp:servicenetworking/connection:Connection").inputs["deletionPolicy"] == "REMOVE_PEERING"


def test_retiring_without_keeping_deletes_the_bucket_and_the_logs() -> None:
    graph = evaluate("prod", config=_retire(keepModelBucket=False, keepRequestLogs=False))
    bucket = graph.one("gcp:storage/bucket:Bucket")
    assert not bucket.retainOnDelete and bucket.inputs["forceDestroy"] is True
    dataset = graph.one("gcp:bigquery/dataset:Dataset")
    assert not dataset.retainOnDelete and dataset.inputs["deleteContentsOnDestroy"] is True


def test_a_retire_copied_from_another_stack_stops_before_anything() -> None:
    config = _retire()
    config["llm-platform:retire"] = json.dumps({"stack": "staging"})
    with pytest.raises(ProgramError) as stopped:
        evaluate("prod", config=config)
    assert "llm-platform:retire.stack: 'staging' is not this stack, 'prod'" in str(stopped.value)
    assert stopped.value.registered == 0


def test_deletion_protection_off_in_prod_points_at_retire() -> None:
    config = load_stack_config("prod")
    config["llm-platform:deletionProtection"] = "false"
    with pytest.raises(ProgramError, match=r"llm-platform:deletionProtection: false is not allowed .*retire it"):
        evaluate("prod", config=config)

"""Moving a stack from Parallelstore to Managed Lustre is one config change with a readable plan."""

from __future__ import annotations

import json

from tools.graph import StackGraph, evaluate
from tools.stack_config import load_stack_config


def test_parallelstore_to_lustre_replaces_the_store_and_nothing_stateful_else(graphs: dict[str, StackGraph]) -> None:
    before = graphs["legacy"]
    config = load_stack_config("legacy")
    store = json.loads(config["llm-platform:modelStore"])
    config["llm-platform:modelStore"] = json.dumps({**store, "type": "lustre"})
    after = evaluate("legacy", config=config)

    old = {r.urn: r for r in before.resources}
    new = {r.urn: r for r in after.resources}
    created = {new[urn].type for urn in new.keys() - old.keys()}
    deleted = {old[urn].type for urn in old.keys() - new.keys()}
    assert "llm-platform:storage:LustreModelStore" in created
    assert {"gcp:lustre/instance:Instance", "kubernetes:batch/v1:Job", "kubernetes:core/v1:PersistentVolume"} <= created
    assert "llm-platform:storage:ParallelstoreModelStore" in deleted
    assert {"kubernetes:datalayer.gke.io/v1:GCPDataSource", "kubernetes:storage.k8s.io/v1:StorageClass"} <= deleted
    # The bucket, the cluster and the node pools stay; the cluster swaps its CSI add-on in place.
    for kept in ("gcp:storage/bucket:Bucket", "gcp:container/cluster:Cluster", "gcp:container/nodePool:NodePool"):
        assert {r.urn for r in before.by_type(kept)} == {r.urn for r in after.by_type(kept)}
    addons = after.one("gcp:container/cluster:Cluster").inputs["addonsConfig"]
    assert "lustreCsiDriverConfig" in addons and "parallelstoreCsiDriverConfig" not in addons
    # Weights come back from the bucket: the new store imports them.
    assert after.outputs["modelStore"]["source"] == before.outputs["modelStore"]["source"]

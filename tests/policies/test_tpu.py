"""policies/rules/tpu.py through the runner."""

from __future__ import annotations

import pytest

from tests.policies.conftest import DELETE, Case, changed, check_case

LARGE = ("gcp:container/nodePool:NodePool", "tier-large-pool")
SMALL = ("gcp:container/nodePool:NodePool", "tier-small-pool")

CASES = [
    Case(
        "tpu-valid-shape",
        "prod",
        LARGE,
        lambda r: changed(r, {"placementPolicy.tpuTopology": "4x2x2"}),
        expect="canonical",
        id="non-canonical-topology",
    ),
    Case(
        "tpu-valid-shape",
        "prod",
        LARGE,
        lambda r: changed(r, {"nodeCount": 4}),
        expect="slice is 2 VMs; nodeCount is 4",
        id="wrong-node-count",
    ),
    Case(
        "tpu-valid-shape",
        "prod",
        SMALL,
        lambda r: changed(r, {"nodeConfig.machineType": "tpu7x-standard-8t"}),
        id="machine-type",
    ),
    Case(
        "tpu-multihost-workload-policy",
        "prod",
        LARGE,
        lambda r: changed(r, dependencies=[d for d in r.dependencies if "ResourcePolicy" not in d]),
        stack=True,
        id="no-workload-policy",
    ),
    Case(
        "tpu-multihost-workload-policy",
        "prod",
        LARGE,
        lambda r: changed(r, {"placementPolicy.tpuTopology": "2x2x4", "nodeCount": 4}),
        stack=True,
        id="topology-mismatch",
    ),
    Case(
        "tpu-multihost-workload-policy",
        "prod",
        LARGE,
        lambda r: changed(r, {"placementPolicy.policyName": DELETE}),
        stack=True,
        expect="names no placementPolicy.policyName",
        id="no-policy-name",
    ),
    Case("tpu-single-zone", "prod", SMALL, lambda r: changed(r, {"nodeLocations": ["us-central1-c", "us-central1-a"]})),
    Case("tpu-placement-type-ignored", "prod", LARGE, lambda r: changed(r, ignoreChanges=["initialNodeCount"])),
    Case("tpu-taint", "dev", SMALL, lambda r: changed(r, {"nodeConfig.taints": DELETE})),
    Case("tpu-upgrade-without-surge", "prod", SMALL, lambda r: changed(r, {"upgradeSettings.maxSurge": 1})),
    Case(
        "tpu-upgrade-without-surge",
        "prod",
        SMALL,
        lambda r: changed(r, {"upgradeSettings.maxSurge": DELETE}),
        id="surge-absent",
    ),
    Case(
        "tpu-upgrade-without-surge",
        "prod",
        SMALL,
        lambda r: changed(r, {"upgradeSettings": {"strategy": "BLUE_GREEN"}}),
        expect="BLUE_GREEN",
        id="blue-green",
    ),
    Case(
        "tpu-upgrade-without-surge",
        "dev",
        SMALL,
        lambda r: changed(r, {"upgradeSettings": {"strategy": "SURGE", "maxSurge": 0, "maxUnavailable": 1}}),
        expect="SHORT_LIVED",
        id="flex-start-with-settings",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy(pack, policy_graphs, case: Case) -> None:
    check_case(pack, policy_graphs, case)

"""policies/rules/tpu.py: every policy on an absent field and on each other wrong form."""

from __future__ import annotations

import pytest

from tests.policies.conftest import changed
from tests.policies.forms import Form, absent, check_form, shape

LARGE = ("gcp:container/nodePool:NodePool", "tier-large-pool")
SMALL = ("gcp:container/nodePool:NodePool", "tier-small-pool")
WORKLOAD_POLICY = ("gcp:compute/resourcePolicy:ResourcePolicy", "tier-large-workload-policy")

FORMS = [
    # Without a machine type the pool is no TPU pool (GKE's default is e2-medium): nothing to judge.
    absent("tpu-valid-shape", "prod", SMALL, "nodeConfig.machineType", fires=False),
    shape(
        "tpu-valid-shape", "wrong", "prod", SMALL, "nodeConfig.machineType", "tpu7x-standard-2t", expect="not a TPU7x"
    ),
    shape("tpu-valid-shape", "empty", "prod", LARGE, "placementPolicy.tpuTopology", "", expect="not AxBxC"),
    shape("tpu-valid-shape", "wrong", "prod", LARGE, "placementPolicy.tpuTopology", "2x2", expect="not AxBxC"),
    shape("tpu-valid-shape", "wrong", "prod", LARGE, "placementPolicy.tpuTopology", "4x4x6", expect="multiple of 4"),
    shape("tpu-valid-shape", "wrong", "prod", LARGE, "placementPolicy.tpuTopology", "16x24x28", expect="9216"),
    Form(
        "tpu-valid-shape",
        "wrong",
        "prod",
        LARGE,
        lambda r: changed(r, {"nodeConfig.machineType": "tpu7x-standard-1t"}),
        "multi-host slice of 1t VMs",
        expect="tpu7x-standard-4t VMs",
    ),
    # A slice of the right size, and one created empty (scaled up by a ProvisioningRequest), pass.
    shape("tpu-valid-shape", "false", "prod", LARGE, "nodeCount", 0, fires=False),
    shape("tpu-valid-shape", "wrong", "prod", LARGE, "nodeCount", 1, expect="2 VMs; nodeCount is 1"),
    absent("tpu-single-zone", "prod", SMALL, "nodeLocations", expect="found 0"),
    shape("tpu-single-zone", "empty", "prod", LARGE, "nodeLocations", [], expect="found 0"),
    absent("tpu-multihost-workload-policy", "prod", WORKLOAD_POLICY, "workloadPolicy.type", stack=True),
    shape(
        "tpu-multihost-workload-policy",
        "wrong",
        "prod",
        WORKLOAD_POLICY,
        "workloadPolicy.type",
        "HIGH_AVAILABILITY",
        stack=True,
    ),
    absent("tpu-multihost-workload-policy", "prod", WORKLOAD_POLICY, "workloadPolicy.acceleratorTopology", stack=True),
    shape(
        "tpu-multihost-workload-policy",
        "wrong",
        "prod",
        WORKLOAD_POLICY,
        "workloadPolicy.acceleratorTopology",
        "2x2x4",
        stack=True,
        expect="acceleratorTopology 2x2x2",
    ),
    Form(
        "tpu-placement-type-ignored",
        "absent",
        "prod",
        LARGE,
        lambda r: changed(r, ignoreChanges=[]),
        "ignoreChanges=[]",
    ),
    # A single-host pool has no placement policy, so nothing to ignore.
    Form(
        "tpu-placement-type-ignored",
        "absent",
        "prod",
        SMALL,
        lambda r: changed(r, ignoreChanges=[]),
        "single-host ignoreChanges=[]",
        fires=False,
    ),
    absent("tpu-taint", "prod", LARGE, "nodeConfig.taints"),
    shape("tpu-taint", "empty", "prod", SMALL, "nodeConfig.taints", []),
    shape("tpu-taint", "wrong", "prod", LARGE, "nodeConfig.taints.0.effect", "PREFER_NO_SCHEDULE"),
    shape("tpu-taint", "wrong", "prod", LARGE, "nodeConfig.taints.0.key", "nvidia.com/gpu"),
    absent("tpu-upgrade-without-surge", "prod", SMALL, "upgradeSettings.maxSurge"),
    absent("tpu-upgrade-without-surge", "prod", LARGE, "upgradeSettings"),
]


@pytest.mark.parametrize("form", FORMS, ids=str)
def test_form(pack, policy_graphs, form: Form) -> None:
    check_form(pack, policy_graphs, form)

"""policies/rules/stack.py: every policy on an absent field and on each other wrong form."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.policies.conftest import DELETE, changed
from tests.policies.forms import Form, absent, check_form, shape
from tools.graph import Registration

BUDGET = ("gcp:billing/budget:Budget", "edge-budget")
BUCKET = ("gcp:storage/bucket:Bucket", "models-bucket")
CLUSTER = ("gcp:container/cluster:Cluster", "gke-cluster")
SUBNET = ("gcp:compute/subnetwork:Subnetwork", "network-subnet")
REDIS = ("gcp:redis/instance:Instance", "cache-redis")
LUSTRE = ("gcp:lustre/instance:Instance", "model-store-instance")


def _retiring(field: str, label: str = "labels.retiring") -> Callable[[Registration], Registration]:
    """A retiring resource (no `protect`) with `field` left out."""
    return lambda r: changed(r, {label: "true", field: DELETE}, protect=False)


FORMS = [
    absent("stack-budget-exists", "edge", BUDGET, "budgetFilter.projects", stack=True, expect="not scoped"),
    shape("stack-budget-exists", "empty", "edge", BUDGET, "budgetFilter.projects", [], stack=True, expect="not scoped"),
    absent("stack-labels", "prod", BUCKET, "labels", stack=True, expect="labels is not set"),
    shape("stack-labels", "empty", "prod", BUCKET, "labels.app", "", stack=True, expect="'app'"),
    absent("stack-labels", "prod", CLUSTER, "resourceLabels.managed-by", stack=True, expect="'managed-by'"),
    absent("stack-labels", "prod", BUCKET, "labels.stack", stack=True, expect="'stack'"),
    Form(
        "stack-prod-stateful-protected",
        "absent",
        "prod",
        CLUSTER,
        lambda r: changed(r, protect=False),
        "cluster protect=False",
        stack=True,
        expect="Cluster",
    ),
    Form(
        "stack-prod-stateful-protected",
        "absent",
        "dev",
        BUCKET,
        lambda r: changed(r, protect=False),
        "dev bucket protect=False",
        stack=True,
        fires=False,
    ),
    Form(
        "stack-retiring-unblocked",
        "absent",
        "prod",
        CLUSTER,
        _retiring("deletionProtection", "resourceLabels.retiring"),
        "cluster deletionProtection absent (the provider defaults to true)",
        expect="deletionProtection: unset",
    ),
    Form(
        "stack-retiring-unblocked",
        "absent",
        "prod",
        REDIS,
        _retiring("deletionProtection"),
        "redis deletionProtection absent (unset blocks)",
        expect="deletionProtection: unset",
    ),
    Form(
        "stack-retiring-unblocked",
        "absent",
        "prod",
        LUSTRE,
        _retiring("deletionPolicy"),
        "lustre deletionPolicy absent (DELETE)",
        fires=False,
    ),
    Form(
        "stack-resources-in-components",
        "absent",
        "dev",
        SUBNET,
        lambda r: changed(r, parent=None),
        "no parent",
        stack=True,
    ),
]


@pytest.mark.parametrize("form", FORMS, ids=str)
def test_form(pack, policy_graphs, form: Form) -> None:
    check_form(pack, policy_graphs, form)

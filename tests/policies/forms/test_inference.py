"""policies/rules/inference.py: every policy on an absent field and on each other wrong form."""

from __future__ import annotations

import pytest

from tests.policies.forms import Form, absent, check_form, shape

SMALL_POOL = ("kubernetes:inference.networking.k8s.io/v1:InferencePool", "gateway-small-pool")
SMALL_PICKER = ("kubernetes:apps/v1:Deployment", "gateway-small-deployment")
PICKER = "spec.template.spec.containers.0"

FORMS = [
    absent("inference-pool-selects-serving-pods", "prod", SMALL_POOL, "spec.selector", stack=True, expect="no pod"),
    shape(
        "inference-pool-selects-serving-pods",
        "empty",
        "prod",
        SMALL_POOL,
        "spec.selector.matchLabels",
        {},
        stack=True,
        expect="matches no pod template",
    ),
    # An absent pull policy on a tagged image is IfNotPresent (the Kubernetes default): nothing to report.
    absent("inference-extensions-pinned", "prod", SMALL_PICKER, f"{PICKER}.imagePullPolicy", fires=False),
    shape(
        "inference-extensions-pinned",
        "wrong",
        "prod",
        SMALL_PICKER,
        f"{PICKER}.image",
        "ghcr.io/llm-d/llm-d-router-endpoint-picker",
        expect="must run a release tag",
    ),
    absent("inference-pool-endpoint-picker", "prod", SMALL_POOL, "spec.endpointPickerRef", stack=True, expect="None"),
    shape(
        "inference-pool-endpoint-picker",
        "empty",
        "prod",
        SMALL_POOL,
        "spec.endpointPickerRef.name",
        "",
        stack=True,
        expect="which the stack does not create",
    ),
]


@pytest.mark.parametrize("form", FORMS, ids=str)
def test_form(pack, policy_graphs, form: Form) -> None:
    check_form(pack, policy_graphs, form)

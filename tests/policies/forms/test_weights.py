"""policies/rules/weights.py: every policy on an absent field and on each other wrong form."""

from __future__ import annotations

import pytest

from tests.policies.forms import absent, check_form, shape

DEV_TIER = ("kubernetes:apps/v1:Deployment", "serving-small-deployment")
DEV_FETCH = ("kubernetes:batch/v1:Job", "weights-c6033c3921-job")
PROD_IMPORT = ("kubernetes:batch/v1:Job", "model-store-import-6698ccb09b")
PATHS = "metadata.annotations.llm-platform/weights-paths"

FORMS = [
    absent("tier-weights-produced", "dev", DEV_FETCH, PATHS, stack=True, expect="which no step of the stack"),
    shape("tier-weights-produced", "empty", "prod", PROD_IMPORT, PATHS, "[]", stack=True, expect="which no step"),
    shape("tier-weights-produced", "wrong", "dev", DEV_FETCH, PATHS, '{"path": 1}', stack=True, expect="no step"),
    absent(
        "tier-weights-produced",
        "dev",
        DEV_TIER,
        "spec.template.spec.containers.0.args",
        stack=True,
        expect="tier small names no --model",
    ),
    shape(
        "tier-weights-produced",
        "empty",
        "dev",
        DEV_TIER,
        "spec.template.spec.containers.0.args",
        [],
        stack=True,
        expect="names no --model",
    ),
]


@pytest.mark.parametrize("form", FORMS, ids=str)
def test_form(pack, policy_graphs, form) -> None:
    check_form(pack, policy_graphs, form)

"""The issue-21 policies on an absent field and their other wrong forms."""

from __future__ import annotations

import pytest

from tests.policies.forms import Form, absent, check_form, shape
from tools.graph import StackGraph
from tools.policy import PolicyPackProcess

NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
DENY = (NETWORK_POLICY, "isolation-llm-serving-default-deny")
TIER = (NETWORK_POLICY, "isolation-llm-serving-vllm-small-flows")
ADMISSION = ("gcp:binaryauthorization/policy:Policy", "gke-admission")

FORMS = [
    # Without policyTypes a policy restricts ingress only: not a default deny of egress.
    absent("k8s-namespace-default-deny", "dev", DENY, "spec.policyTypes", stack=True),
    shape("k8s-namespace-default-deny", "wrong", "dev", DENY, "spec.policyTypes", ["Ingress"], stack=True),
    shape("k8s-namespace-default-deny", "empty", "dev", DENY, "spec.policyTypes", [], stack=True),
    absent("k8s-network-policy-no-open-ingress", "dev", TIER, "spec.ingress.0.from"),
    shape("k8s-network-policy-no-open-ingress", "empty", "dev", TIER, "spec.ingress.0.from", []),
    absent("k8s-network-policy-no-open-ingress", "dev", TIER, "spec.ingress", fires=False),  # no ingress: none open
    absent("binauthz-pinned-images-only", "dev", ADMISSION, "admissionWhitelistPatterns.0.namePattern"),
    shape(
        "binauthz-pinned-images-only",
        "wrong",
        "dev",
        ADMISSION,
        "admissionWhitelistPatterns.0.namePattern",
        "ghcr.io/*",
    ),
    absent("binauthz-pinned-images-only", "dev", ADMISSION, "admissionWhitelistPatterns", fires=False),  # ALWAYS_DENY
    # A namePattern that is no string is reported as missing, not read as text (mutation testing).
    shape("binauthz-pinned-images-only", "wrong", "dev", ADMISSION, "admissionWhitelistPatterns.0.namePattern", 5),
]


@pytest.mark.parametrize("form", FORMS, ids=str)
def test_form(pack: PolicyPackProcess, policy_graphs: dict[str, StackGraph], form: Form) -> None:
    check_form(pack, policy_graphs, form)

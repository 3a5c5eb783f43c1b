"""The issue-21 policies on the committed dev stack: a compliant baseline and one violating change each."""

from __future__ import annotations

import pytest

from tests.policies.conftest import DELETE, Case, changed, check_case
from tools.graph import StackGraph
from tools.policy import PolicyPackProcess

NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
DENY = (NETWORK_POLICY, "isolation-llm-serving-default-deny")
TIER = (NETWORK_POLICY, "isolation-llm-serving-vllm-small-flows")
ADMISSION = ("gcp:binaryauthorization/policy:Policy", "gke-admission")

CASES = [
    # The deny selects only some pods: the namespace has no default deny left.
    Case(
        "k8s-namespace-default-deny",
        "dev",
        DENY,
        lambda r: changed(r, {"spec.podSelector.matchLabels": {"app": "x"}}),
        stack=True,
        expect="llm-serving",
    ),
    Case("k8s-network-policy-no-open-ingress", "dev", TIER, lambda r: changed(r, {"spec.ingress.0.from": DELETE})),
    Case(
        "k8s-network-policy-no-open-ingress",
        "dev",
        TIER,
        lambda r: changed(r, {"spec.ingress.0.from": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}),
        expect="0.0.0.0/0",
    ),
    Case(
        "binauthz-pinned-images-only",
        "dev",
        ADMISSION,
        lambda r: changed(
            r, {"admissionWhitelistPatterns.0.namePattern": "us-central1-docker.pkg.dev/replace-me-llm-dev/**"}
        ),
        expect="every image under a path",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy_fires_on_its_case(pack: PolicyPackProcess, policy_graphs: dict[str, StackGraph], case: Case) -> None:
    check_case(pack, policy_graphs, case)

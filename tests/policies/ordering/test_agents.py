"""policies/rules/ordering/agents.py: a grant to a Google service agent after what creates the agent."""

from __future__ import annotations

import pytest

from policies.rules.ordering import AGENT_ORIGINS
from tests.policies.conftest import Case, changed, check_case
from tests.policies.ordering.conftest import ORDER, order

CASES = [
    order(
        "dev",
        ("gcp:projects/iAMMember:IAMMember", "network-peering-agent-role"),
        ("network-peering-agent",),
        "the Service Networking service agent",
        "agent-grant-before-the-agent",
    ),
    order(
        "prod",
        ("gcp:storage/bucketIAMMember:BucketIAMMember", "model-store-agent-reads-bucket"),
        ("model-store-agent",),
        "the Managed Lustre service agent",
        "lustre-agent-grant-before-the-agent",
    ),
    order(
        "prod",
        ("gcp:bigquery/datasetIamMember:DatasetIamMember", "observability-requests-writer"),
        ("observability-requests-sink",),
        "the log sink whose writer identity it is",
        "logging-agent-grant-before-the-sink",
    ),
    Case(
        ORDER,
        "prod",
        ("gcp:storage/bucketIAMMember:BucketIAMMember", "model-store-agent-reads-bucket"),
        lambda r: changed(
            r, {"member": "serviceAccount:service-123456789012@gcp-sa-aiplatform.iam.gserviceaccount.com"}
        ),
        stack=True,
        expect="an origin for the agent domain 'gcp-sa-aiplatform'",
        id="grant-to-an-agent-nothing-creates",
    ),
    order(
        "dev-credentials",
        ("gcp:secretmanager/secretIamMember:SecretIamMember", "registry-upstream-secret"),
        ("registry-agent",),
        "the Artifact Registry service agent",
        "secret-grant-before-the-registry-agent",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy(pack, ordering_graphs, case: Case) -> None:
    check_case(pack, ordering_graphs, case)


def test_every_agent_comes_from_a_resource_of_the_stack() -> None:
    assert all(origin.type.startswith("gcp:") for origin in AGENT_ORIGINS.values())

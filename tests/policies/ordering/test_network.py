"""policies/rules/ordering/network.py: the peering after its range and the Service Networking agent's role."""

from __future__ import annotations

import pytest

from tests.policies.conftest import Case, check_case
from tests.policies.ordering.conftest import order

CASES = [
    order(
        "dev",
        ("gcp:servicenetworking/connection:Connection", "network-private-services"),
        ("network-peering-agent-role",),
        "the Service Networking agent's role",
        "peering-before-the-agent-role",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy(pack, ordering_graphs, case: Case) -> None:
    check_case(pack, ordering_graphs, case)

"""policies/rules/ordering/operations.py: Memorystore after the peering, the budget after its topic grant,
SLOs after their service, the request-log sink after its dataset."""

from __future__ import annotations

import pytest

from tests.policies.conftest import Case, check_case
from tests.policies.ordering.conftest import order

CASES = [
    order(
        "dev",
        ("gcp:redis/instance:Instance", "cache-redis"),
        ("network-private-services",),
        "the private services connection",
        "redis-before-the-peering",
    ),
    order(
        "dev",
        ("gcp:billing/budget:Budget", "budget-budget"),
        ("budget-publisher",),
        "the topic's publisher grant to Billing",
        "budget-before-its-topic-grant",
    ),
    order(
        "dev",
        ("gcp:monitoring/slo:Slo", "observability-slo-small-availability"),
        ("observability-service-small",),
        "its service",
        "slo-before-its-service",
    ),
    order(
        "prod",
        ("gcp:logging/projectSink:ProjectSink", "observability-requests-sink"),
        ("observability-requests",),
        "its BigQuery dataset",
        "sink-before-its-dataset",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy(pack, ordering_graphs, case: Case) -> None:
    check_case(pack, ordering_graphs, case)

"""policies/rules/ordering/project.py: APIs after the bootstrap APIs, service agents after their API."""

from __future__ import annotations

import pytest

from tests.policies.conftest import Case, check_case
from tests.policies.ordering.conftest import order

CASES = [
    order(
        "dev",
        ("gcp:projects/service:Service", "services-compute"),
        ("services-cloudresourcemanager", "services-serviceusage"),
        "cloudresourcemanager.googleapis.com",
        "api-before-the-bootstrap-apis",
    ),
    order(
        "dev",
        ("gcp:projects/serviceIdentity:ServiceIdentity", "network-peering-agent"),
        ("services-servicenetworking",),
        "the Service enabling its own API",
        "service-identity-before-its-api",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy(pack, ordering_graphs, case: Case) -> None:
    check_case(pack, ordering_graphs, case)

"""policies/rules/ordering/gateway.py: the Gateway after its address and certificate, map entries after their
map, backend policies after their Cloud Armor policy (the global edge: the legacy stack)."""

from __future__ import annotations

import pytest

from tests.policies.conftest import Case, check_case
from tests.policies.ordering.conftest import order

CASES = [
    order(
        "legacy",
        ("kubernetes:gateway.networking.k8s.io/v1:Gateway", "gateway-gateway"),
        ("gateway-address",),
        "the address it names",
        "gateway-before-its-address",
    ),
    order(
        "legacy",
        ("kubernetes:gateway.networking.k8s.io/v1:Gateway", "gateway-gateway"),
        ("gateway-certificate-map-entry",),
        "an entry of the certificate map",
        "gateway-before-its-certificate",
    ),
    order(
        "legacy",
        ("gcp:certificatemanager/certificateMapEntry:CertificateMapEntry", "gateway-certificate-map-entry"),
        ("gateway-certificate-map",),
        "its certificate map",
        "map-entry-before-its-map",
    ),
    order(
        "legacy",
        ("kubernetes:networking.gke.io/v1:GCPBackendPolicy", "gateway-small-backend-policy"),
        ("gateway-security-policy",),
        "the Cloud Armor policy it names",
        "backend-policy-before-cloud-armor",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy(pack, ordering_graphs, case: Case) -> None:
    check_case(pack, ordering_graphs, case)

"""policies/rules/ordering/inference_edge.py: the regional edge's objects after what they name (prod)."""

from __future__ import annotations

import pytest

from tests.policies.conftest import Case, changed, check_case
from tests.policies.ordering.conftest import ORDER, order
from tools.graph import Registration


def alone(target: tuple[str, str], expect: str, id: str) -> Case:
    """The resource with no dependencies at all: what it needs is then upstream through nothing else."""

    def change(resource: Registration) -> Registration:
        assert resource.dependencies
        return changed(resource, dependencies=[])

    return Case(ORDER, "prod", target, change, stack=True, expect=expect, id=id)


GATEWAY = ("kubernetes:gateway.networking.k8s.io/v1:Gateway", "gateway-gateway")

CASES = [
    alone(
        ("gcp:compute/address:Address", "gateway-address"), "compute.googleapis.com", "regional-address-before-compute"
    ),
    alone(
        ("gcp:compute/regionSecurityPolicy:RegionSecurityPolicy", "gateway-security-policy"),
        "compute.googleapis.com",
        "regional-policy-before-compute",
    ),
    alone(
        ("gcp:certificatemanager/dnsAuthorization:DnsAuthorization", "gateway-dns-authorization"),
        "certificatemanager.googleapis.com",
        "dns-authorization-before-certificatemanager",
    ),
    order(
        "prod",
        ("gcp:certificatemanager/certificate:Certificate", "gateway-certificate"),
        ("gateway-dns-authorization",),
        "the DNS authorization it names",
        "certificate-before-its-authorization",
    ),
    order("prod", GATEWAY, ("gateway-address",), "the regional address it names", "gateway-before-regional-address"),
    order("prod", GATEWAY, ("network-proxy-only",), "a proxy-only subnet", "gateway-before-proxy-only-subnet"),
    order(
        "prod",
        GATEWAY,
        ("gateway-certificate",),
        "the regional certificate its listener names",
        "gateway-before-regional-certificate",
    ),
    order(
        "prod",
        ("kubernetes:networking.gke.io/v1:GCPBackendPolicy", "gateway-small-backend-policy"),
        ("gateway-security-policy",),
        "the regional Cloud Armor policy it names",
        "pool-policy-before-regional-cloud-armor",
    ),
    order(
        "prod",
        ("kubernetes:inference.networking.k8s.io/v1:InferencePool", "gateway-small-pool"),
        ("gateway-small-service",),
        "the endpoint picker Service it names",
        "pool-before-its-endpoint-picker",
    ),
    order(
        "prod",
        ("kubernetes:networking.gke.io/v1:GCPRoutingExtension", "gateway-body-router-extension"),
        ("gateway-body-router-service",),
        "the Service it calls",
        "routing-extension-before-its-service",
    ),
    alone(
        ("kubernetes:networking.gke.io/v1:GCPRoutingExtension", "gateway-body-router-extension"),
        "the Gateway it extends",
        "routing-extension-before-its-gateway",
    ),
    order(
        "prod",
        ("kubernetes:gateway.networking.k8s.io/v1:HTTPRoute", "gateway-route"),
        ("gateway-small-pool",),
        "the InferencePool vllm-small it routes to",
        "route-before-its-pool",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy(pack, ordering_graphs, case: Case) -> None:
    check_case(pack, ordering_graphs, case)

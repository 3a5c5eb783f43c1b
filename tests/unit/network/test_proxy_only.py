"""The regional edge's network pieces: the proxy-only subnet and the rules to the edge's backends."""

from __future__ import annotations

from components.network.network import extension_health_rule, proxy_only_subnet, proxy_rule
from tests.helpers import naming
from tests.unit.sdk_args import plain


def test_the_proxy_only_subnet_is_an_active_regional_managed_proxy_subnet() -> None:
    subnet = plain(proxy_only_subnet(naming(), "p", "us-central1", "vpc-id", "10.100.0.0/23"))
    assert subnet == {
        "name": "llm-test-proxy-only",
        "project": "p",
        "region": "us-central1",
        "network": "vpc-id",
        "ip_cidr_range": "10.100.0.0/23",
        "purpose": "REGIONAL_MANAGED_PROXY",
        "role": "ACTIVE",
        "description": "Proxy-only subnet of the regional external Application Load Balancer (Inference Gateway)",
    }


def test_only_the_proxies_reach_the_serving_and_callout_ports() -> None:
    rule = plain(proxy_rule(naming(), "p", "vpc-id", "10.100.0.0/23", (9004, 8000, 9002)))
    assert rule["source_ranges"] == ["10.100.0.0/23"]
    assert rule["allows"] == [{"protocol": "tcp", "ports": ["8000", "9002", "9004"]}]
    assert rule["direction"] == "INGRESS"


def test_health_checkers_reach_the_extension_health_ports_only() -> None:
    rule = plain(extension_health_rule(naming(), "p", "vpc-id", (9005, 9003)))
    assert rule["source_ranges"] == ["35.191.0.0/16", "130.211.0.0/22"]
    assert rule["allows"] == [{"protocol": "tcp", "ports": ["9003", "9005"]}]

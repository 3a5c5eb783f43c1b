"""The network's pure decisions: secondary ranges, firewall rules, the private services block."""

from __future__ import annotations

import pytest

from components.naming import Naming
from components.network.config import NetworkConfig
from components.network.network import health_check_rule, private_services_range, secondary_ranges, webhook_rule
from tests.unit.sdk_args import plain

NAMING = Naming(stack="dev", environment="dev")
VPC = "projects/p/global/networks/llm-dev-vpc"


def test_pods_and_services_get_the_ranges_the_cluster_names() -> None:
    config = NetworkConfig(pods_cidr="10.64.0.0/14", services_cidr="10.68.0.0/20")
    assert plain(secondary_ranges(config)) == [
        {"range_name": "pods", "ip_cidr_range": "10.64.0.0/14"},
        {"range_name": "services", "ip_cidr_range": "10.68.0.0/20"},
    ]


def test_health_checkers_reach_only_the_serving_port_of_serving_nodes() -> None:
    rule = plain(health_check_rule(NAMING, "p", VPC, 8000))
    assert rule["name"] == "llm-dev-allow-health-checks"
    assert (rule["network"], rule["direction"]) == (VPC, "INGRESS")
    assert rule["source_ranges"] == ["35.191.0.0/16", "130.211.0.0/22"]
    assert rule["target_tags"] == ["llm-dev-serving-node"]
    assert rule["allows"] == [{"protocol": "tcp", "ports": ["8000"]}]


@pytest.mark.parametrize(("cidr", "ports"), [(None, (9443,)), ("172.16.0.0/28", ()), (None, ())])
def test_no_webhook_rule_without_both_a_control_plane_range_and_ports(cidr: str | None, ports: tuple[int, ...]) -> None:
    assert webhook_rule(NAMING, "p", VPC, cidr, ports) is None


def test_the_control_plane_reaches_webhook_ports_from_its_range_only() -> None:
    rule = plain(webhook_rule(NAMING, "p", VPC, "172.16.0.0/28", (9443, 8443)))
    assert rule["name"] == "llm-dev-allow-control-plane-webhooks"
    assert rule["source_ranges"] == ["172.16.0.0/28"]
    assert rule["allows"] == [{"protocol": "tcp", "ports": ["8443", "9443"]}]
    assert "target_tags" not in rule  # GKE's node tags are unknown before the cluster exists


def test_the_private_services_block_is_the_configured_range() -> None:
    block = plain(private_services_range(NAMING, "p", VPC, "10.24.0.0/20"))
    assert (block["address"], block["prefix_length"]) == ("10.24.0.0", 20)
    assert (block["purpose"], block["address_type"]) == ("VPC_PEERING", "INTERNAL")
    assert block["labels"]["env"] == "dev"

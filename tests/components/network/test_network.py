"""The Network component under mocks: types, key fields, parents, dependencies."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from components.network import Network, NetworkArgs
from components.network.network import HEALTH_CHECK_RANGES
from tests.conftest import RunComponent
from tests.helpers import config, naming
from tools.graph import StackGraph


def _network(run_component: RunComponent, overrides: dict[str, object] | None = None) -> StackGraph:
    cfg = config(overrides)

    def build() -> None:
        dependency = gcp.projects.Service("api", service="compute.googleapis.com")
        Network(
            "net",
            NetworkArgs(
                project=cfg.project,
                project_number="999",
                region=cfg.region,
                naming=naming(),
                config=cfg.network,
                serving_port=8000,
            ),
            pulumi.ResourceOptions(depends_on=[dependency]),
        )

    return run_component(build)


def test_network_is_custom_mode_with_parallelstore_mtu(run_component: RunComponent) -> None:
    graph = _network(run_component)
    vpc = graph.one("gcp:compute/network:Network")
    assert vpc.inputs["autoCreateSubnetworks"] is False
    assert vpc.inputs["mtu"] == 8896
    subnet = graph.one("gcp:compute/subnetwork:Subnetwork")
    assert subnet.inputs["privateIpGoogleAccess"] is True
    assert [r["rangeName"] for r in subnet.inputs["secondaryIpRanges"]] == ["pods", "services"]
    assert vpc.urn in subnet.dependencies


def test_every_network_child_is_parented_and_waits_for_the_apis(run_component: RunComponent) -> None:
    graph = _network(run_component)
    component = graph.one("llm-platform:network:Network").urn
    api = graph.one("gcp:projects/service:Service").urn
    children = graph.children(component)
    assert len(children) == 9
    assert all(api in child.dependencies for child in children)


def test_private_nodes_get_nat_egress(run_component: RunComponent) -> None:
    graph = _network(run_component)
    nat = graph.one("gcp:compute/routerNat:RouterNat")
    router = graph.one("gcp:compute/router:Router")
    assert nat.inputs["sourceSubnetworkIpRangesToNat"] == "ALL_SUBNETWORKS_ALL_IP_RANGES"
    assert router.urn in nat.dependencies


def test_health_check_firewall_opens_only_the_serving_port(run_component: RunComponent) -> None:
    graph = _network(run_component)
    firewall = graph.one("gcp:compute/firewall:Firewall")
    assert firewall.inputs["direction"] == "INGRESS"
    assert firewall.inputs["sourceRanges"] == list(HEALTH_CHECK_RANGES)
    assert firewall.inputs["allows"] == [{"ports": ["8000"], "protocol": "tcp"}]
    assert firewall.inputs["targetTags"] == [naming().node_tag]


def test_the_peering_waits_for_the_service_networking_agent_and_its_role(run_component: RunComponent) -> None:
    graph = _network(run_component)
    agent = graph.one("gcp:projects/serviceIdentity:ServiceIdentity")
    assert agent.inputs["service"] == "servicenetworking.googleapis.com"
    role = graph.one("gcp:projects/iAMMember:IAMMember")
    assert role.inputs == {
        "member": "serviceAccount:service-999@service-networking.iam.gserviceaccount.com",
        "project": "example-project",
        "role": "roles/servicenetworking.serviceAgent",
    }
    assert agent.urn in role.dependencies
    connection = graph.one("gcp:servicenetworking/connection:Connection")
    assert role.urn in connection.dependencies
    assert connection.inputs["deletionPolicy"] == "REMOVE_PEERING"


def test_private_services_access(run_component: RunComponent) -> None:
    graph = _network(run_component, {"llm-platform:network": {"privateServicesCidr": "10.30.0.0/22"}})
    address = graph.one("gcp:compute/globalAddress:GlobalAddress")
    assert address.inputs["purpose"] == "VPC_PEERING"
    assert address.inputs["addressType"] == "INTERNAL"
    assert (address.inputs["address"], address.inputs["prefixLength"]) == ("10.30.0.0", 22)
    connection = graph.one("gcp:servicenetworking/connection:Connection")
    assert connection.inputs["service"] == "servicenetworking.googleapis.com"
    assert connection.inputs["reservedPeeringRanges"] == [address.inputs["name"]]
    assert address.urn in connection.dependencies

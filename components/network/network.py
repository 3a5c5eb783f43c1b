"""The VPC: custom mode, MTU 8896, private nodes' egress, health-check ingress, private services access."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from components.base import PlatformComponent
from components.identity.service_agents import service_agent
from components.naming import Naming
from components.network.config import NetworkConfig

# The largest MTU Compute Engine allows: Parallelstore requires it, Managed Lustre recommends it
# (about 10% more throughput, https://docs.cloud.google.com/managed-lustre/docs/vpc).
VPC_MTU = 8896
# Google Cloud load balancers and health checkers probe from these ranges.
HEALTH_CHECK_RANGES = ("35.191.0.0/16", "130.211.0.0/22")
SERVICE_NETWORKING = "servicenetworking.googleapis.com"
PODS_RANGE_NAME = "pods"
SERVICES_RANGE_NAME = "services"


@dataclass(frozen=True)
class NetworkArgs:
    project: str
    project_number: pulumi.Input[str]
    region: str
    naming: Naming
    config: NetworkConfig
    serving_port: int
    # Admission webhooks served from nodes on ports other than 443 (LeaderWorkerSet: 9443) and the
    # control-plane range that calls them; no rule when either is empty.
    control_plane_cidr: str | None = None
    webhook_ports: tuple[int, ...] = ()


class Network(PlatformComponent):
    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("network:Network", name, opts)
        naming, config = args.naming, args.config

        self.network = gcp.compute.Network(
            f"{name}-vpc",
            name=naming.name("vpc"),
            project=args.project,
            auto_create_subnetworks=False,
            mtu=VPC_MTU,
            routing_mode="REGIONAL",
            description="LLM inference platform VPC (MTU 8896 for Parallelstore)",
            opts=self.child(),
        )
        self.subnet = gcp.compute.Subnetwork(
            f"{name}-subnet",
            name=naming.name("nodes"),
            project=args.project,
            region=args.region,
            network=self.network.id,
            ip_cidr_range=config.subnet_cidr,
            private_ip_google_access=True,
            secondary_ip_ranges=[
                gcp.compute.SubnetworkSecondaryIpRangeArgs(range_name=PODS_RANGE_NAME, ip_cidr_range=config.pods_cidr),
                gcp.compute.SubnetworkSecondaryIpRangeArgs(
                    range_name=SERVICES_RANGE_NAME, ip_cidr_range=config.services_cidr
                ),
            ],
            log_config=gcp.compute.SubnetworkLogConfigArgs(
                aggregation_interval="INTERVAL_5_SEC",
                flow_sampling=config.flow_log_sampling,
                metadata="INCLUDE_ALL_METADATA",
            ),
            opts=self.child(),
        )
        self.router = gcp.compute.Router(
            f"{name}-router",
            name=naming.name("router"),
            project=args.project,
            region=args.region,
            network=self.network.id,
            opts=self.child(),
        )
        self.nat = gcp.compute.RouterNat(
            f"{name}-nat",
            name=naming.name("nat"),
            project=args.project,
            region=args.region,
            router=self.router.name,
            nat_ip_allocate_option="AUTO_ONLY",
            source_subnetwork_ip_ranges_to_nat="ALL_SUBNETWORKS_ALL_IP_RANGES",
            log_config=gcp.compute.RouterNatLogConfigArgs(enable=True, filter="ERRORS_ONLY"),
            opts=self.child(),
        )
        self.health_check_firewall = gcp.compute.Firewall(
            f"{name}-allow-health-checks",
            name=naming.name("allow-health-checks"),
            project=args.project,
            network=self.network.id,
            direction="INGRESS",
            priority=1000,
            description="Google Cloud load-balancer health checks to the model-serving port only",
            source_ranges=list(HEALTH_CHECK_RANGES),
            target_tags=[naming.node_tag],
            allows=[gcp.compute.FirewallAllowArgs(protocol="tcp", ports=[str(args.serving_port)])],
            log_config=gcp.compute.FirewallLogConfigArgs(metadata="EXCLUDE_ALL_METADATA"),
            opts=self.child(),
        )
        self.webhook_firewall: gcp.compute.Firewall | None = None
        if args.control_plane_cidr and args.webhook_ports:
            # A VPC-peering control plane (the cluster's masterIpv4CidrBlock) reaches nodes only on
            # 443 and 10250 through GKE's own rule (kubernetes-engine/docs/concepts/firewall-rules);
            # admission webhooks on other ports need this one (kubernetes-engine/docs/how-to/
            # legacy/network-isolation, "Adding firewall rules for specific use cases";
            # terraform-google-kubernetes-engine `master_webhooks`). GKE's node tags carry a
            # cluster hash unknown before the cluster exists, so the rule targets the network; its
            # source is the /28 control-plane range only.
            self.webhook_firewall = gcp.compute.Firewall(
                f"{name}-allow-control-plane-webhooks",
                name=naming.name("allow-control-plane-webhooks"),
                project=args.project,
                network=self.network.id,
                direction="INGRESS",
                priority=1000,
                description="GKE control plane to admission webhooks served from nodes",
                source_ranges=[args.control_plane_cidr],
                allows=[
                    gcp.compute.FirewallAllowArgs(protocol="tcp", ports=[str(p) for p in sorted(args.webhook_ports)])
                ],
                log_config=gcp.compute.FirewallLogConfigArgs(metadata="EXCLUDE_ALL_METADATA"),
                opts=self.child(),
            )
        # Private services access: Managed Lustre, Parallelstore and Memorystore attach through this
        # peering. The block is explicit, so the config check can prove it overlaps no other range.
        psa = ipaddress.IPv4Network(config.private_services_cidr)
        self.private_services_range = gcp.compute.GlobalAddress(
            f"{name}-private-services",
            name=naming.name("private-services"),
            project=args.project,
            network=self.network.id,
            purpose="VPC_PEERING",
            address_type="INTERNAL",
            address=str(psa.network_address),
            prefix_length=psa.prefixlen,
            description="Private services access range (Parallelstore, Memorystore)",
            labels=naming.labels,
            opts=self.child(),
        )
        # On a fresh project the Service Networking service agent does not exist until asked for, and
        # the connection fails without its role ("Required 'compute.globalAddresses.list' permission"):
        # create the agent, grant it, then connect (terraform-provider-google #14720, #11195;
        # cloud-foundation-fabric #1399).
        self.peering_agent = gcp.projects.ServiceIdentity(
            f"{name}-peering-agent", project=args.project, service=SERVICE_NETWORKING, opts=self.child()
        )
        self.peering_agent_role = gcp.projects.IAMMember(
            f"{name}-peering-agent-role",
            project=args.project,
            role="roles/servicenetworking.serviceAgent",
            member=service_agent(args.project_number, "service-networking"),
            opts=self.child(depends_on=[self.peering_agent]),
        )
        self.private_services_connection = gcp.servicenetworking.Connection(
            f"{name}-private-services",
            network=self.network.id,
            service=SERVICE_NETWORKING,
            reserved_peering_ranges=[self.private_services_range.name],
            # Peered services (Lustre, Redis) are destroyed first, as they depend on the connection, but
            # the producer side can lag behind their deletion and refuse to drop the connection: then
            # the peering itself is removed so the network can go (pulumi-gcp servicenetworking.Connection).
            deletion_policy="REMOVE_PEERING",
            opts=self.child(depends_on=[self.peering_agent_role]),
        )

        self.network_id = self.network.id
        self.network_name = self.network.name
        self.subnet_id = self.subnet.id
        self.register_outputs(
            {
                "network_id": self.network.id,
                "network_name": self.network.name,
                "subnet_id": self.subnet.id,
                "private_services_range": self.private_services_range.name,
            }
        )

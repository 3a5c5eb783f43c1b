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


def secondary_ranges(config: NetworkConfig) -> list[gcp.compute.SubnetworkSecondaryIpRangeArgs]:
    """The subnet's ranges for pods and Services, under the names the cluster's IP allocation uses."""
    return [
        gcp.compute.SubnetworkSecondaryIpRangeArgs(range_name=PODS_RANGE_NAME, ip_cidr_range=config.pods_cidr),
        gcp.compute.SubnetworkSecondaryIpRangeArgs(range_name=SERVICES_RANGE_NAME, ip_cidr_range=config.services_cidr),
    ]


def health_check_rule(
    naming: Naming, project: str, network: pulumi.Input[str], serving_port: int
) -> gcp.compute.FirewallArgs:
    """Google's health checkers to the serving port of the serving nodes, nothing else."""
    return gcp.compute.FirewallArgs(
        name=naming.name("allow-health-checks"),
        project=project,
        network=network,
        direction="INGRESS",
        priority=1000,
        description="Google Cloud load-balancer health checks to the model-serving port only",
        source_ranges=list(HEALTH_CHECK_RANGES),
        target_tags=[naming.node_tag],
        allows=[gcp.compute.FirewallAllowArgs(protocol="tcp", ports=[str(serving_port)])],
        log_config=gcp.compute.FirewallLogConfigArgs(metadata="EXCLUDE_ALL_METADATA"),
    )


def webhook_rule(
    naming: Naming,
    project: str,
    network: pulumi.Input[str],
    control_plane_cidr: str | None,
    webhook_ports: tuple[int, ...],
) -> gcp.compute.FirewallArgs | None:
    """The control plane to admission webhooks on nodes, or None without a control-plane range or ports.

    A VPC-peering control plane (the cluster's masterIpv4CidrBlock) reaches nodes only on 443 and
    10250 through GKE's own rule (kubernetes-engine/docs/concepts/firewall-rules); admission webhooks
    on other ports need this one (kubernetes-engine/docs/how-to/legacy/network-isolation, "Adding
    firewall rules for specific use cases"; terraform-google-kubernetes-engine `master_webhooks`).
    GKE's node tags carry a cluster hash unknown before the cluster exists, so the rule targets the
    network; its source is the /28 control-plane range only.
    """
    if not control_plane_cidr or not webhook_ports:
        return None
    return gcp.compute.FirewallArgs(
        name=naming.name("allow-control-plane-webhooks"),
        project=project,
        network=network,
        direction="INGRESS",
        priority=1000,
        description="GKE control plane to admission webhooks served from nodes",
        source_ranges=[control_plane_cidr],
        allows=[gcp.compute.FirewallAllowArgs(protocol="tcp", ports=[str(p) for p in sorted(webhook_ports)])],
        log_config=gcp.compute.FirewallLogConfigArgs(metadata="EXCLUDE_ALL_METADATA"),
    )


def proxy_only_subnet(
    naming: Naming, project: str, region: str, network: pulumi.Input[str], cidr: str
) -> gcp.compute.SubnetworkArgs:
    """The regional load balancer's Envoy proxies take their addresses here; one ACTIVE subnet per
    region and network (load-balancing/docs/proxy-only-subnets). No flow logs: the purpose refuses them."""
    return gcp.compute.SubnetworkArgs(
        name=naming.name("proxy-only"),
        project=project,
        region=region,
        network=network,
        ip_cidr_range=cidr,
        purpose="REGIONAL_MANAGED_PROXY",
        role="ACTIVE",
        description="Proxy-only subnet of the regional external Application Load Balancer (Inference Gateway)",
    )


def proxy_rule(
    naming: Naming, project: str, network: pulumi.Input[str], cidr: str, ports: tuple[int, ...]
) -> gcp.compute.FirewallArgs:
    """The regional load balancer's proxies to its backends: the serving port on the TPU nodes and the
    callout ports of the endpoint pickers and body-based router, which run on the system pool (whose
    node tags GKE chooses), so the rule targets the network; its source is the proxy-only range only."""
    return gcp.compute.FirewallArgs(
        name=naming.name("allow-lb-proxies"),
        project=project,
        network=network,
        direction="INGRESS",
        priority=1000,
        description="Regional load-balancer proxies (proxy-only subnet) to the model servers and edge extensions",
        source_ranges=[cidr],
        allows=[gcp.compute.FirewallAllowArgs(protocol="tcp", ports=[str(p) for p in sorted(ports)])],
        log_config=gcp.compute.FirewallLogConfigArgs(metadata="EXCLUDE_ALL_METADATA"),
    )


def extension_health_rule(
    naming: Naming, project: str, network: pulumi.Input[str], ports: tuple[int, ...]
) -> gcp.compute.FirewallArgs:
    """Google's health checkers to the extensions' gRPC health ports (the serving port has its own rule)."""
    return gcp.compute.FirewallArgs(
        name=naming.name("allow-extension-health-checks"),
        project=project,
        network=network,
        direction="INGRESS",
        priority=1000,
        description="Load-balancer health checks to the endpoint pickers' and body-based router's health ports",
        source_ranges=list(HEALTH_CHECK_RANGES),
        allows=[gcp.compute.FirewallAllowArgs(protocol="tcp", ports=[str(p) for p in sorted(ports)])],
        log_config=gcp.compute.FirewallLogConfigArgs(metadata="EXCLUDE_ALL_METADATA"),
    )


def private_services_range(
    naming: Naming, project: str, network: pulumi.Input[str], cidr: str
) -> gcp.compute.GlobalAddressArgs:
    """The private services access block: explicit, so the config check can prove it overlaps no other range."""
    block = ipaddress.IPv4Network(cidr)
    return gcp.compute.GlobalAddressArgs(
        name=naming.name("private-services"),
        project=project,
        network=network,
        purpose="VPC_PEERING",
        address_type="INTERNAL",
        address=str(block.network_address),
        prefix_length=block.prefixlen,
        # Lustre peers here too, but an address's description cannot change in place: a new text would
        # replace the range and, with it, every producer's peering.
        description="Private services access range (Parallelstore, Memorystore)",
        labels=naming.labels,
    )


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
    # The regional load balancer's proxy-only subnet, the ports its proxies reach (callouts and the
    # serving port) and the extensions' health ports; nothing regional when the range is None.
    proxy_only_cidr: str | None = None
    proxy_ports: tuple[int, ...] = ()
    extension_health_ports: tuple[int, ...] = ()


class Network(PlatformComponent):
    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("network:Network", name, opts)
        self.network = self._vpc(name, args)
        self.subnet = self._subnet(name, args)
        self.router, self.nat = self._nat(name, args)
        self.health_check_firewall = gcp.compute.Firewall(
            f"{name}-allow-health-checks",
            health_check_rule(args.naming, args.project, self.network.id, args.serving_port),
            opts=self.child(),
        )
        self.webhook_firewall = self._webhook_firewall(name, args)
        self.proxy_only_subnet, self.edge_firewalls = self._regional_edge(name, args)
        self.private_services_range = gcp.compute.GlobalAddress(
            f"{name}-private-services",
            private_services_range(args.naming, args.project, self.network.id, args.config.private_services_cidr),
            opts=self.child(),
        )
        self.peering_agent, self.peering_agent_role = self._peering_agent(name, args)
        self.private_services_connection = self._private_services_connection(name)

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

    def _vpc(self, name: str, args: NetworkArgs) -> gcp.compute.Network:
        return gcp.compute.Network(
            f"{name}-vpc",
            name=args.naming.name("vpc"),
            project=args.project,
            auto_create_subnetworks=False,
            mtu=VPC_MTU,
            routing_mode="REGIONAL",
            description="LLM inference platform VPC (MTU 8896 for Parallelstore)",
            opts=self.child(),
        )

    def _subnet(self, name: str, args: NetworkArgs) -> gcp.compute.Subnetwork:
        return gcp.compute.Subnetwork(
            f"{name}-subnet",
            name=args.naming.name("nodes"),
            project=args.project,
            region=args.region,
            network=self.network.id,
            ip_cidr_range=args.config.subnet_cidr,
            private_ip_google_access=True,
            secondary_ip_ranges=secondary_ranges(args.config),
            log_config=gcp.compute.SubnetworkLogConfigArgs(
                aggregation_interval="INTERVAL_5_SEC",
                flow_sampling=args.config.flow_log_sampling,
                metadata="INCLUDE_ALL_METADATA",
            ),
            opts=self.child(),
        )

    def _nat(self, name: str, args: NetworkArgs) -> tuple[gcp.compute.Router, gcp.compute.RouterNat]:
        """Private nodes' only way out: Cloud NAT on a router of the VPC."""
        router = gcp.compute.Router(
            f"{name}-router",
            name=args.naming.name("router"),
            project=args.project,
            region=args.region,
            network=self.network.id,
            opts=self.child(),
        )
        nat = gcp.compute.RouterNat(
            f"{name}-nat",
            name=args.naming.name("nat"),
            project=args.project,
            region=args.region,
            router=router.name,
            nat_ip_allocate_option="AUTO_ONLY",
            source_subnetwork_ip_ranges_to_nat="ALL_SUBNETWORKS_ALL_IP_RANGES",
            log_config=gcp.compute.RouterNatLogConfigArgs(enable=True, filter="ERRORS_ONLY"),
            opts=self.child(),
        )
        return router, nat

    def _regional_edge(
        self, name: str, args: NetworkArgs
    ) -> tuple[gcp.compute.Subnetwork | None, list[gcp.compute.Firewall]]:
        if args.proxy_only_cidr is None:
            return None, []
        subnet = gcp.compute.Subnetwork(
            f"{name}-proxy-only",
            proxy_only_subnet(args.naming, args.project, args.region, self.network.id, args.proxy_only_cidr),
            opts=self.child(),
        )
        rules = [
            gcp.compute.Firewall(
                f"{name}-allow-lb-proxies",
                proxy_rule(args.naming, args.project, self.network.id, args.proxy_only_cidr, args.proxy_ports),
                opts=self.child(),
            )
        ]
        if args.extension_health_ports:
            rules.append(
                gcp.compute.Firewall(
                    f"{name}-allow-extension-health-checks",
                    extension_health_rule(args.naming, args.project, self.network.id, args.extension_health_ports),
                    opts=self.child(),
                )
            )
        return subnet, rules

    def _webhook_firewall(self, name: str, args: NetworkArgs) -> gcp.compute.Firewall | None:
        rule = webhook_rule(args.naming, args.project, self.network.id, args.control_plane_cidr, args.webhook_ports)
        if rule is None:
            return None
        return gcp.compute.Firewall(f"{name}-allow-control-plane-webhooks", rule, opts=self.child())

    def _peering_agent(
        self, name: str, args: NetworkArgs
    ) -> tuple[gcp.projects.ServiceIdentity, gcp.projects.IAMMember]:
        """On a fresh project the Service Networking service agent does not exist until asked for, and
        the connection fails without its role ("Required 'compute.globalAddresses.list' permission"):
        create the agent, grant it, then connect (terraform-provider-google #14720, #11195;
        cloud-foundation-fabric #1399)."""
        agent = gcp.projects.ServiceIdentity(
            f"{name}-peering-agent", project=args.project, service=SERVICE_NETWORKING, opts=self.child()
        )
        role = gcp.projects.IAMMember(
            f"{name}-peering-agent-role",
            project=args.project,
            role="roles/servicenetworking.serviceAgent",
            member=service_agent(args.project_number, "service-networking"),
            opts=self.child(depends_on=[agent]),
        )
        return agent, role

    def _private_services_connection(self, name: str) -> gcp.servicenetworking.Connection:
        """Private services access: Managed Lustre, Parallelstore and Memorystore attach through this peering."""
        return gcp.servicenetworking.Connection(
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

"""Network: the VPC every other concern attaches to.

Creates: a custom-mode VPC with MTU 8896, the node subnet with pods and services ranges, Cloud
Router + NAT for private nodes, the health-check firewall rule, the control-plane-to-webhook rule
when an add-on serves an admission webhook off port 443, with the regional edge a proxy-only subnet
(REGIONAL_MANAGED_PROXY) and the rules from it and from the health checkers to the edge's
backends, and private services access (a
VPC_PEERING range and the Service Networking connection) (`llm-platform:network:Network`).
Config keys: `llm-platform:network.*` (`NetworkConfig`).
APIs: compute, servicenetworking.
Outputs: network id and name, subnet id, private services range and connection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from components.network.network import Network, NetworkArgs

if TYPE_CHECKING:
    from components.config.platform import PlatformConfig

__all__ = ["Network", "NetworkArgs", "required_services"]


def required_services(config: PlatformConfig) -> set[str]:
    return {"compute.googleapis.com", "servicenetworking.googleapis.com"}

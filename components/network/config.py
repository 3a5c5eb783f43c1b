"""Config keys of the network: `llm-platform:network.*`.

Whether the ranges fit together (disjoint, large enough for every node and every peered service)
is checked across concerns in `components/config/platform.py`, since the control-plane range is a
cluster key and the demands come from the services that peer.
"""

from __future__ import annotations

from pydantic import Field

from components.config.fields import Ipv4Cidr, StrictModel


class NetworkConfig(StrictModel):
    """The VPC. MTU is fixed at 8896, what Parallelstore requires and Managed Lustre recommends."""

    subnet_cidr: Ipv4Cidr = Field(default="10.10.0.0/20", description="Node subnet (primary range).")
    pods_cidr: Ipv4Cidr = Field(default="10.16.0.0/14", description="Secondary range for pods.")
    services_cidr: Ipv4Cidr = Field(default="10.20.0.0/20", description="Secondary range for Services.")
    private_services_cidr: Ipv4Cidr = Field(
        default="10.24.0.0/20",
        description="Private services access range (a /24 or larger) that peered Google services take blocks from.",
    )
    flow_log_sampling: float = Field(default=0.5, ge=0.0, le=1.0)

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
    proxy_only_cidr: Ipv4Cidr = Field(
        default="10.100.0.0/23",
        description="Proxy-only subnet (REGIONAL_MANAGED_PROXY) of the regional load balancer; made with "
        "gateway.edge regional-inference. Google recommends a /23 (a /26 at least).",
    )


def private_services_overflow(prefix: int, demands: list[tuple[str, int]], label: str = "") -> str | None:
    """Whether a private services range of /`prefix` can hold every block its users reserve.

    `demands` are (user, prefix length) pairs, e.g. `("Memorystore cache", 29)`; every concern that
    places something in the range declares its own (`private_services_demand(config)`). Aligned
    power-of-two blocks always pack into a power-of-two range when their sizes add up to at most its
    size, so the sum decides. Returns a message naming the range (`label`, or its prefix) and the
    demands, or None when they fit.
    """
    capacity = 2 ** (32 - prefix)
    needed = sum(2 ** (32 - length) for _, length in demands)
    if needed <= capacity:
        return None
    listed = ", ".join(f"{user} /{length}" for user, length in demands)
    smallest = 32 - max(needed - 1, 1).bit_length()
    return (
        f"{label or f'/{prefix}'} holds {capacity} addresses but {listed} reserve {needed} "
        f"(allowed: /{smallest} or a shorter prefix)"
    )

"""Config keys of the network: `llm-platform:network.*`."""

from __future__ import annotations

import ipaddress

from pydantic import Field, model_validator

from components.config.fields import FieldError, Ipv4Cidr, StrictModel


class NetworkConfig(StrictModel):
    """The VPC. MTU is fixed at 8896, the value Parallelstore requires."""

    subnet_cidr: Ipv4Cidr = "10.10.0.0/20"
    pods_cidr: Ipv4Cidr = "10.16.0.0/14"
    services_cidr: Ipv4Cidr = "10.20.0.0/20"
    private_services_cidr_prefix: int = Field(
        default=20,
        ge=8,
        le=24,
        description="Prefix length of the private services access range (a /24 or larger block).",
    )
    flow_log_sampling: float = Field(default=0.5, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _ranges_do_not_overlap(self) -> NetworkConfig:
        ranges = {
            "subnetCidr": ipaddress.IPv4Network(self.subnet_cidr),
            "podsCidr": ipaddress.IPv4Network(self.pods_cidr),
            "servicesCidr": ipaddress.IPv4Network(self.services_cidr),
        }
        names = list(ranges)
        for i, first in enumerate(names):
            for second in names[i + 1 :]:
                if ranges[first].overlaps(ranges[second]):
                    raise FieldError(
                        first,
                        f"{ranges[first]} overlaps {second} {ranges[second]} (allowed: disjoint ranges)",
                    )
        return self


def private_services_overflow(prefix: int, demands: list[tuple[str, int]]) -> str | None:
    """Whether a private services range of /`prefix` can hold every block its users reserve.

    `demands` are (user, prefix length) pairs, e.g. `("Memorystore cache", 29)`; every concern that
    places something in the range adds its own. Aligned power-of-two blocks always pack into a
    power-of-two range when their sizes add up to at most its size, so the sum decides.
    Returns a message naming the demands, or None when they fit.
    """
    capacity = 2 ** (32 - prefix)
    needed = sum(2 ** (32 - length) for _, length in demands)
    if needed <= capacity:
        return None
    listed = ", ".join(f"{user} /{length}" for user, length in demands)
    smallest = 32 - max(needed - 1, 1).bit_length()
    return (
        f"/{prefix} holds {capacity} addresses but {listed} reserve {needed} (allowed: /{smallest} or a shorter prefix)"
    )

"""Creation order of the VPC and private services access (components/network)."""

from __future__ import annotations

from ..metadata import items
from .engine import Prerequisite, Rule, grants, same, value_at
from .resource_types import CONNECTION

RULES: tuple[Rule, ...] = (
    *(
        Rule(type_, "compute.googleapis.com serves it", apis=("compute.googleapis.com",))
        for type_ in (
            "gcp:compute/network:Network",
            "gcp:compute/firewall:Firewall",
            "gcp:compute/globalAddress:GlobalAddress",
            "gcp:compute/router:Router",
            "gcp:compute/routerNat:RouterNat",
            "gcp:compute/subnetwork:Subnetwork",
        )
    ),
    Rule(
        CONNECTION,
        "The connection peers the reserved range and needs the Service Networking agent with "
        "roles/servicenetworking.serviceAgent on a fresh project (terraform-provider-google #14720, #11195; "
        "cloud-foundation-fabric #1399)",
        apis=("servicenetworking.googleapis.com",),
        after=(
            Prerequisite(
                "its reserved peering range",
                "gcp:compute/globalAddress:GlobalAddress",
                lambda candidate, subject: (
                    value_at(candidate, "purpose") == "VPC_PEERING"
                    and any(
                        same(value_at(candidate, "name"), r) for r in items(value_at(subject, "reservedPeeringRanges"))
                    )
                ),
            ),
            grants("roles/servicenetworking.serviceAgent", "the Service Networking agent's role"),
        ),
    ),
)

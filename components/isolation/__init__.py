"""Isolation: least privilege between pods, in every namespace the program owns.

Creates: per owned namespace (the serving namespace, the metrics adapter's `custom-metrics`, with a
multi-host tier the LeaderWorkerSet controller's `lws-system`) an `llm-platform:isolation:NamespaceIsolation`:
a default-deny NetworkPolicy (ingress and egress, every pod) and one NetworkPolicy per workload with
exactly the flows it needs (the edge's health checkers and proxies to the serving port, the endpoint
picker to its pool, Managed Prometheus scraping, Ray inside a multi-host group, DNS, the metadata
server, Google APIs, the API server for controllers, the control plane to webhooks). GKE Dataplane V2
(`ADVANCED_DATAPATH`, set by the gke concern) enforces them.
Pure decisions: `flows.py` (the plans: who may reach whom on which port, each rule with its reason).
Config keys: none of its own; it reads `serving.*`, `tiers.*`, `gateway.*`, `network.*`, `cluster.masterIpv4Cidr`.
APIs: none beyond the cluster's.
Outputs: none (the policies are in the graph and the snapshots).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from components.isolation.flows import Peer, Plan, Rule, cluster_plans
from components.isolation.policies import NamespaceIsolation, NamespaceIsolationArgs

if TYPE_CHECKING:
    from components.config.platform import PlatformConfig

__all__ = [
    "NamespaceIsolation",
    "NamespaceIsolationArgs",
    "Peer",
    "Plan",
    "Rule",
    "cluster_plans",
    "required_services",
]


def required_services(config: PlatformConfig) -> set[str]:
    return set()

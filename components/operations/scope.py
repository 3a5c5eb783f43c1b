"""Where the serving workloads run: what the dashboard, the SLOs and the alerts select from."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from components.operations import metrics


@dataclass(frozen=True)
class TierView:
    """What the dashboard and alerts need to know about one serving tier."""

    name: str
    model: str
    topology: str
    multi_host: bool


@dataclass(frozen=True)
class Scope:
    """Where the serving workloads run: the series every query selects from."""

    cluster: str
    namespace: str
    port: int
    tiers: tuple[TierView, ...]
    # The Inference Gateway edge: a regional external ALB (its own metric family and log resource)
    # and one endpoint picker per tier.
    regional_edge: bool = False

    @property
    def tier_names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.tiers)

    def backend_regex(self, tiers: Sequence[str] | None = None) -> str:
        return metrics.backend_service_regex(self.namespace, list(tiers or self.tier_names), self.port)

    def lb_metric(self, name: str) -> str:
        """`request_count`, `total_latencies`, `backend_latencies` of the edge's load balancer."""
        family = "https/external/regional" if self.regional_edge else "https"
        return f"loadbalancing.googleapis.com/{family}/{name}"

    def lb_filter(self, name: str, backend_regex: str, extra: str = "") -> str:
        resource = metrics.REGIONAL_LB_RESOURCE_TYPE if self.regional_edge else metrics.LB_RESOURCE_TYPE
        return metrics.lb_filter(self.lb_metric(name), backend_regex, extra, resource)

    @property
    def lb_log_resource(self) -> str:
        """The monitored resource of the load balancer's request logs."""
        return metrics.REGIONAL_LB_RESOURCE_TYPE if self.regional_edge else "http_load_balancer"

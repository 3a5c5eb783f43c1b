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

    @property
    def tier_names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.tiers)

    def backend_regex(self, tiers: Sequence[str] | None = None) -> str:
        return metrics.backend_service_regex(self.namespace, list(tiers or self.tier_names), self.port)

"""Per-tier request-based SLOs on the Gateway's load-balancer metrics, and their burn-rate windows.

A `SloDefinition` renders to pulumi-gcp's typed `SloRequestBasedSliArgs`; `build_slos` decides an
availability and a latency SLO per tier from the stack's `observability.slo` config. The burn-rate
windows and the `select_slo_burn_rate` filter are what the burn-rate alerts threshold.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pulumi
import pulumi_gcp as gcp

from components.operations.config import SloConfig
from components.operations.scope import Scope

SloKind = Literal["availability", "latency"]
Severity = Literal["CRITICAL", "ERROR", "WARNING"]  # an alert policy's; a burn-rate window names its alert's


@dataclass(frozen=True)
class SloDefinition:
    tier: str
    kind: SloKind
    goal: float
    rolling_period_days: int
    total_filter: str
    bad_filter: str = ""  # availability: 5xx responses
    latency_threshold_ms: int = 0  # latency: requests at or under this are good

    @property
    def key(self) -> str:
        return f"{self.tier}-{self.kind}"

    @property
    def display_name(self) -> str:
        if self.kind == "availability":
            return f"{self.tier}: {self.goal:.2%} of requests are not 5xx ({self.rolling_period_days}-day window)"
        return (
            f"{self.tier}: {self.goal:.2%} of requests under {self.latency_threshold_ms} ms "
            f"({self.rolling_period_days}-day window)"
        )

    def sli_args(self) -> gcp.monitoring.SloRequestBasedSliArgs:
        if self.kind == "availability":
            return gcp.monitoring.SloRequestBasedSliArgs(
                good_total_ratio=gcp.monitoring.SloRequestBasedSliGoodTotalRatioArgs(
                    total_service_filter=self.total_filter, bad_service_filter=self.bad_filter
                )
            )
        return gcp.monitoring.SloRequestBasedSliArgs(
            distribution_cut=gcp.monitoring.SloRequestBasedSliDistributionCutArgs(
                distribution_filter=self.total_filter,
                range=gcp.monitoring.SloRequestBasedSliDistributionCutRangeArgs(max=float(self.latency_threshold_ms)),
            )
        )


def build_slos(scope: Scope, config: SloConfig) -> list[SloDefinition]:
    requests, latencies = "request_count", "total_latencies"
    slos = []
    for tier in scope.tier_names:
        regex = scope.backend_regex([tier])
        slos.append(
            SloDefinition(
                tier,
                "availability",
                config.availability,
                config.rolling_period_days,
                total_filter=scope.lb_filter(requests, regex),
                bad_filter=scope.lb_filter(requests, regex, "metric.label.response_code_class=500"),
            )
        )
        slos.append(
            SloDefinition(
                tier,
                "latency",
                config.latency,
                config.rolling_period_days,
                total_filter=scope.lb_filter(latencies, regex),
                latency_threshold_ms=config.latency_threshold_ms_by_tier.get(tier, config.latency_threshold_ms),
            )
        )
    return slos


@dataclass(frozen=True)
class BurnRateWindow:
    """Multiwindow, multi-burn-rate alerting (Google SRE workbook, "Alerting on SLOs", recommendation
    6): alert when both a long and a short window burn faster than the rate that spends
    `budget_fraction` of the error budget in the long window."""

    name: Literal["fast", "slow"]
    long_minutes: int
    short_minutes: int
    budget_fraction: float
    severity: Severity

    def burn_rate(self, rolling_period_days: int) -> float:
        """14.4 for the fast window and 6 for the slow one over 30 days, as in the workbook."""
        return round(self.budget_fraction * rolling_period_days * 24 * 60 / self.long_minutes, 2)


BURN_RATE_WINDOWS = (
    BurnRateWindow("fast", long_minutes=60, short_minutes=5, budget_fraction=0.02, severity="CRITICAL"),
    BurnRateWindow("slow", long_minutes=360, short_minutes=30, budget_fraction=0.05, severity="ERROR"),
)


def burn_rate_filter(slo_name: pulumi.Input[str], minutes: int) -> pulumi.Output[str]:
    """The `select_slo_burn_rate` time-series selector over the SLO's full resource name."""
    return pulumi.Output.concat('select_slo_burn_rate("', slo_name, f'", "{minutes}m")')

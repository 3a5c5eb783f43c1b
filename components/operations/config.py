"""Config keys of operations: `llm-platform:cache.*`, `llm-platform:observability.*`, `llm-platform:budget.*`.

Defaults that differ by environment are `None` here and resolved by the `resolved_*` helpers, so a
stack file only names what it changes.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from components.config.fields import FieldError, KubernetesName, StrictModel, raise_all

# --- cache ------------------------------------------------------------------------------------

RedisTier = Literal["BASIC", "STANDARD_HA"]
# The Redis v1 API (discovery revision 20261016) lists REDIS_3_2 to REDIS_7_2; versions before 6.x
# are end-of-life upstream, so the platform offers the current three.
RedisVersion = Literal["REDIS_6_X", "REDIS_7_0", "REDIS_7_2"]
RdbPeriod = Literal["ONE_HOUR", "SIX_HOURS", "TWELVE_HOURS", "TWENTY_FOUR_HOURS"]
# Redis v1 API, `Instance.replicaCount`: 1-5 with read replicas enabled.
MAX_READ_REPLICAS = 5


class CacheConfig(StrictModel):
    """Memorystore for Redis on the stack's private services access peering."""

    enabled: bool = True
    tier: RedisTier | None = Field(default=None, description="Defaults to STANDARD_HA in prod, BASIC elsewhere.")
    memory_size_gb: int = Field(default=1, ge=1, le=300)
    read_replicas: int | None = Field(
        default=None, ge=0, le=MAX_READ_REPLICAS, description="Defaults to 1 in prod (STANDARD_HA), 0 elsewhere."
    )
    redis_version: RedisVersion = "REDIS_7_2"
    persistence: Literal["rdb", "off"] | None = Field(default=None, description="Defaults to rdb in prod.")
    rdb_snapshot_period: RdbPeriod = "TWELVE_HOURS"


# --- observability ----------------------------------------------------------------------------

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError(f"{value!r} is not an e-mail address (allowed: e.g. oncall@example.com)")
    return value


Email = Annotated[str, AfterValidator(_email)]


class SloConfig(StrictModel):
    """Per-tier SLOs on the load balancer's request metrics (the same targets for every tier)."""

    availability: float = Field(default=0.995, gt=0.9, lt=1.0, description="Share of requests that are not 5xx.")
    latency: float = Field(default=0.95, gt=0.5, lt=1.0, description="Share of requests faster than the threshold.")
    latency_threshold_ms: int = Field(default=60_000, ge=100, le=600_000)
    latency_threshold_ms_by_tier: dict[KubernetesName, Annotated[int, Field(ge=100, le=600_000)]] = Field(
        default_factory=dict, description="Per-tier latency thresholds (a large model generates slower)."
    )
    rolling_period_days: int = Field(default=28, ge=1, le=30)


class AlertsConfig(StrictModel):
    """Thresholds of the alert policies; durations in minutes."""

    ttft_p99_seconds: float = Field(default=5.0, gt=0, le=600)
    ttft_for_minutes: int = Field(default=10, ge=1, le=1440)
    error_ratio: float = Field(default=0.05, gt=0, lt=1)
    error_for_minutes: int = Field(default=5, ge=1, le=1440)
    duty_cycle_high_percent: float = Field(default=95.0, gt=0, le=100)
    saturation_for_minutes: int = Field(default=20, ge=1, le=1440)
    duty_cycle_idle_percent: float = Field(default=1.0, ge=0, lt=100)
    stuck_for_minutes: int = Field(default=10, ge=1, le=1440)
    # A replica may legitimately take 30 minutes to load weights and compile (facts sheet, Serving).
    not_ready_for_minutes: int = Field(default=40, ge=31, le=1440)
    queue_growing_for_minutes: int = Field(default=15, ge=1, le=1440)


class RequestAnalyticsConfig(StrictModel):
    """The Gateway's load-balancer request logs in BigQuery, partitioned by day."""

    enabled: bool | None = Field(default=None, description="Defaults to true in prod.")
    retention_days: int = Field(default=30, ge=1, le=3650)
    location: str | None = Field(default=None, description="BigQuery location; defaults to gcp:region.")


class ObservabilityConfig(StrictModel):
    notification_emails: list[Email] = Field(default_factory=list)
    pubsub_notifications: bool = Field(default=False, description="Also send alerts to a Pub/Sub topic.")
    unconfirmed_tpu_panels: bool = Field(
        default=True, description="Dashboard panels on TPU metrics not confirmed for TPU7x (marked optional)."
    )
    slo: SloConfig = Field(default_factory=SloConfig)
    alerts: AlertsConfig = Field(default_factory=AlertsConfig)
    request_analytics: RequestAnalyticsConfig = Field(default_factory=RequestAnalyticsConfig)


# --- budget -----------------------------------------------------------------------------------

_BILLING_ACCOUNT = re.compile(r"^[0-9A-F]{6}-[0-9A-F]{6}-[0-9A-F]{6}$")


def _billing_account(value: str) -> str:
    if not _BILLING_ACCOUNT.match(value):
        raise ValueError(
            f"{value!r} is not a billing account id (allowed: XXXXXX-XXXXXX-XXXXXX with digits and "
            "uppercase A-F, as `gcloud billing accounts list` prints it)"
        )
    return value


def _currency(value: str) -> str:
    if not re.fullmatch(r"[A-Z]{3}", value):
        raise ValueError(f"{value!r} is not an ISO 4217 currency code (allowed: e.g. USD, EUR)")
    return value


SpendBasis = Literal["CURRENT_SPEND", "FORECASTED_SPEND"]


class ThresholdConfig(StrictModel):
    percent: float = Field(gt=0, le=10, description="1.0 = 100% of the amount.")
    basis: SpendBasis = "CURRENT_SPEND"


def _default_thresholds() -> list[ThresholdConfig]:
    return [
        ThresholdConfig(percent=0.5),
        ThresholdConfig(percent=0.8),
        ThresholdConfig(percent=1.0),
        ThresholdConfig(percent=1.0, basis="FORECASTED_SPEND"),
    ]


class BudgetConfig(StrictModel):
    """A monthly budget on the stack's project, on its billing account."""

    enabled: bool | None = Field(default=None, description="Defaults to true when billingAccount is set.")
    billing_account: Annotated[str, AfterValidator(_billing_account)] | None = None
    amount: int = Field(default=1000, ge=1, le=100_000_000, description="Whole currency units per month.")
    currency: Annotated[str, AfterValidator(_currency)] = Field(
        default="USD", description="Must be the billing account's currency."
    )
    thresholds: list[ThresholdConfig] = Field(default_factory=_default_thresholds, min_length=1, max_length=20)

    @model_validator(mode="after")
    def _account_when_enabled(self) -> BudgetConfig:
        problems = []
        if self.enabled is True and self.billing_account is None:
            problems.append(
                FieldError(
                    "billingAccount",
                    "is required when the budget is enabled (allowed: XXXXXX-XXXXXX-XXXXXX, or enabled: false)",
                )
            )
        seen = set()
        for threshold in self.thresholds:
            key = (threshold.percent, threshold.basis)
            if key in seen:
                problems.append(
                    FieldError("thresholds", f"{threshold.percent} {threshold.basis} is listed twice (allowed: once)")
                )
            seen.add(key)
        raise_all(problems)
        return self

    @property
    def active(self) -> bool:
        """Whether the stack creates a budget."""
        return self.billing_account is not None if self.enabled is None else self.enabled

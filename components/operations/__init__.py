"""Operations: day-2 concerns off the request path (cache, observability, budget).

Creates: Memorystore for Redis on the private services peering and its connection Secret in the
serving namespace (`llm-platform:operations:Cache`); notification channels, one dashboard, per-tier
SLOs with fast and slow burn-rate alerts, the platform's alert policies and the optional request-log
sink to BigQuery (`operations:Observability`); a monthly billing budget with a Pub/Sub feed
(`operations:Budget`). Pure definitions: where the tiers run (`scope.py`), typed Monitoring queries
(`queries.py`), dashboard panels (`dashboard.py`), SLOs and burn-rate windows (`slos.py`), alert
conditions and policies (`alerts.py`); the metric allow-list and tier selectors (`metrics.py`).
Config keys: `llm-platform:cache.*`, `llm-platform:observability.*`, `llm-platform:budget.*`.
APIs: monitoring; redis when the cache is on; billingbudgets and pubsub with the budget; pubsub for
Pub/Sub alert notifications; bigquery and logging for request analytics.
Outputs: the cache's host, port and Secret name; the dashboard id; SLO and alert keys; the budget
and its topic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from components.operations.budget import Budget, BudgetArgs
from components.operations.cache import Cache, CacheArgs, cache_settings
from components.operations.checks import config_problems, private_services_demand, request_analytics_enabled
from components.operations.observability import Observability, ObservabilityArgs
from components.operations.scope import Scope, TierView

if TYPE_CHECKING:
    from components.config.platform import PlatformConfig

__all__ = [
    "Budget",
    "BudgetArgs",
    "Cache",
    "CacheArgs",
    "Observability",
    "ObservabilityArgs",
    "Scope",
    "TierView",
    "cache_settings",
    "config_problems",
    "private_services_demand",
    "request_analytics_enabled",
    "required_services",
]


def required_services(config: PlatformConfig) -> set[str]:
    services = {"monitoring.googleapis.com"}
    if config.cache.enabled:
        services.add("redis.googleapis.com")
    if config.budget.active:
        services |= {"billingbudgets.googleapis.com", "pubsub.googleapis.com"}
    if config.observability.pubsub_notifications:
        services.add("pubsub.googleapis.com")
    if request_analytics_enabled(config):
        services |= {"bigquery.googleapis.com", "logging.googleapis.com"}
    return services

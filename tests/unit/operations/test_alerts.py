"""The alert policies generated from the typed conditions: burn-rate alerts per SLO and the platform's
own, with documentation, parsing PromQL on allowed metrics only."""

from __future__ import annotations

import pulumi_gcp as gcp

from components.operations import alerts as a
from components.operations.config import AlertsConfig, SloConfig
from components.operations.scope import Scope, TierView
from components.operations.slos import build_slos
from tests.unit.operations.helpers import SCOPE, filter_metric_types, not_allowed, promql_metric_types


def _alerts() -> list[a.AlertDefinition]:
    return [*a.build_burn_rate_alerts(build_slos(SCOPE, SloConfig())), *a.build_alerts(SCOPE, AlertsConfig())]


def test_every_metric_in_every_condition_is_allowed() -> None:
    for alert in _alerts():
        for condition in alert.conditions:
            if isinstance(condition, a.PromQLCondition):
                assert not_allowed(promql_metric_types(condition.query)) == set(), alert.key
            elif isinstance(condition, a.RatioCondition):
                for query in (condition.numerator, condition.denominator):
                    assert not_allowed(filter_metric_types(query.filter)) == set(), alert.key


def test_every_promql_condition_parses() -> None:
    promql = [(alert.key, c.query) for alert in _alerts() for c in alert.conditions if isinstance(c, a.PromQLCondition)]
    assert {key for key, _ in promql} == {
        "ttft-p99",
        "tpu-saturated",
        "tpu-stuck",
        "pods-not-ready",
        "small-queue-at-max",
    }
    for _, query in promql:
        promql_metric_types(query)  # raises on a syntax error


def test_each_slo_gets_a_fast_and_a_slow_multiwindow_alert() -> None:
    slos = build_slos(SCOPE, SloConfig(latency_threshold_ms_by_tier={"large": 120_000}))
    alerts = a.build_burn_rate_alerts(slos)
    assert len(alerts) == 2 * len(slos)
    for alert in alerts:
        assert alert.combiner == "AND"
        long, short = alert.conditions
        assert isinstance(long, a.BurnRateCondition) and isinstance(short, a.BurnRateCondition)
        assert long.minutes > short.minutes and long.burn_rate == short.burn_rate


def test_platform_alerts_have_documentation_and_skip_the_hpa_alert_for_multi_host_tiers() -> None:
    alerts = a.build_alerts(SCOPE, AlertsConfig())
    keys = {alert.key for alert in alerts}
    assert {"ttft-p99", "error-ratio", "tpu-saturated", "tpu-stuck", "pods-not-ready", "small-queue-at-max"} == keys
    for alert in alerts:
        assert "Check first" in alert.documentation, alert.key
    not_ready = next(alert for alert in alerts if alert.key == "pods-not-ready").conditions[0]
    assert isinstance(not_ready, a.PromQLCondition)
    assert 'deployment=~"vllm-small"' in not_ready.query and 'statefulset=~"(vllm-large)(-[0-9]+)?"' in not_ready.query
    assert not_ready.duration_minutes > 30  # longer than a legitimate start


def test_not_ready_and_queue_alerts_follow_the_workload_kinds_the_stack_runs() -> None:
    only_multi_host = Scope("c", "ns", 8000, (TierView("large", "m", "2x2x2", multi_host=True),))
    alerts = {alert.key: alert for alert in a.build_alerts(only_multi_host, AlertsConfig())}
    assert not any(key.endswith("-queue-at-max") for key in alerts)
    not_ready = alerts["pods-not-ready"].conditions[0]
    assert isinstance(not_ready, a.PromQLCondition)
    assert "statefulset" in not_ready.query and "deployment" not in not_ready.query

    two_single_host = Scope(
        "c", "ns", 8000, (TierView("medium", "m", "2x2x1", False), TierView("small", "s", "1x1x1", False))
    )
    alerts = {alert.key: alert for alert in a.build_alerts(two_single_host, AlertsConfig())}
    assert {"medium-queue-at-max", "small-queue-at-max"} <= set(alerts)
    not_ready = alerts["pods-not-ready"].conditions[0]
    assert isinstance(not_ready, a.PromQLCondition)
    assert 'deployment=~"vllm-medium|vllm-small"' in not_ready.query and "statefulset" not in not_ready.query


def test_promql_conditions_do_not_need_the_metric_to_exist_yet() -> None:
    for alert in a.build_alerts(SCOPE, AlertsConfig()):
        for condition in alert.conditions:
            if isinstance(condition, a.PromQLCondition):
                promql = condition.args().condition_prometheus_query_language
                assert isinstance(promql, gcp.monitoring.AlertPolicyConditionConditionPrometheusQueryLanguageArgs)
                assert promql.disable_metric_validation is True

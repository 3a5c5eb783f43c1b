"""The dashboard, SLOs and alerts generated from the typed definitions: they parse, validate against
the Cloud Monitoring API's own schema and read only metrics on the allow-list."""

from __future__ import annotations

import copy

import pulumi_gcp as gcp
import pytest

from components.operations import definitions as d
from components.operations.config import AlertsConfig, SloConfig
from tests.unit.operations.helpers import (
    dashboard_metric_types,
    filter_metric_types,
    not_allowed,
    promql_metric_types,
    schema_problems,
)

SCOPE = d.Scope(
    cluster="llm-prod-gke",
    namespace="llm-serving",
    port=8000,
    tiers=(
        d.TierView("large", "meta-llama/Llama-3.1-405B-Instruct-FP8", "2x2x2", multi_host=True),
        d.TierView("small", "meta-llama/Llama-3.1-8B-Instruct", "1x1x1", multi_host=False),
    ),
)


def _dashboard(unconfirmed: bool = True) -> dict:
    return d.build_dashboard("LLM serving", SCOPE, unconfirmed, {"env": "prod"}).render()


def _alerts() -> list[d.AlertDefinition]:
    return [*d.build_burn_rate_alerts(d.build_slos(SCOPE, SloConfig())), *d.build_alerts(SCOPE, AlertsConfig())]


def _queries(alerts: list[d.AlertDefinition]) -> list[str]:
    return [c.query for a in alerts for c in a.conditions if isinstance(c, d.PromQLCondition)]


def test_dashboard_validates_against_the_monitoring_v1_dashboard_schema() -> None:
    assert schema_problems("monitoring.v1", "Dashboard", _dashboard()) == []


def test_the_schema_check_catches_a_wrong_field_and_a_wrong_enum() -> None:
    broken = copy.deepcopy(_dashboard())
    chart = broken["mosaicLayout"]["tiles"][1]["widget"]["xyChart"]
    chart["dataSets"][0]["plotType"] = "LINES"
    chart["yAxis"]["scaling"] = "LOG10"
    problems = schema_problems("monitoring.v1", "Dashboard", broken)
    assert any("'LINES' is not one of" in p for p in problems)
    assert any("'scaling' was unexpected" in p for p in problems)


def test_every_metric_on_the_dashboard_and_in_every_condition_is_allowed() -> None:
    assert not_allowed(dashboard_metric_types(_dashboard())) == set()
    for alert in _alerts():
        for condition in alert.conditions:
            if isinstance(condition, d.PromQLCondition):
                assert not_allowed(promql_metric_types(condition.query)) == set(), alert.key
            elif isinstance(condition, d.RatioCondition):
                for query in (condition.numerator, condition.denominator):
                    assert not_allowed(filter_metric_types(query.filter)) == set(), alert.key
    for slo in d.build_slos(SCOPE, SloConfig()):
        assert not_allowed(filter_metric_types(slo.total_filter + slo.bad_filter)) == set()


def test_a_misspelt_metric_fails_the_allow_list() -> None:
    assert not_allowed(promql_metric_types("sum(vllm:num_request_waiting)")) == {"unknown:vllm:num_request_waiting"}
    assert not_allowed(filter_metric_types('metric.type="kubernetes.io/container/accelerator/duty_cycles"'))


def test_every_promql_query_parses() -> None:
    queries = _queries(_alerts())
    queries += [
        ds["timeSeriesQuery"]["prometheusQuery"]
        for tile in _dashboard()["mosaicLayout"]["tiles"]
        for ds in tile["widget"].get("xyChart", {}).get("dataSets", [])
        if "prometheusQuery" in ds["timeSeriesQuery"]
    ]
    assert len(queries) > 10
    for query in queries:
        promql_metric_types(query)  # raises on a syntax error
    with pytest.raises(ValueError):
        promql_metric_types("sum(rate(vllm:num_requests_waiting[5m])")


def test_a_section_per_tier_with_the_panels_operators_read_and_the_gateway_last() -> None:
    dashboard = d.build_dashboard("LLM serving", SCOPE, True)
    assert [s.title for s in dashboard.sections] == ["Tier large", "Tier small", "Gateway"]
    titles = [c.title for c in dashboard.sections[0].charts]
    for expected in (
        "TPU duty cycle per node",
        "HBM used per node",
        "Time to first token",
        "Time per output token",
        "Requests running and waiting",
        "KV cache usage",
        "Generated tokens per second",
    ):
        assert expected in titles
    ttft = next(c for c in dashboard.sections[0].charts if c.title == "Time to first token")
    assert [s.legend for s in ttft.series] == ["p50", "p90", "p99"]
    assert [c.title for c in dashboard.sections[2].charts] == [
        "Requests per second per route",
        "Latency per route (p50, p95, p99)",
        "5xx ratio per route",
    ]


def test_panels_on_unconfirmed_tpu7x_metrics_are_marked_optional_and_can_be_left_out() -> None:
    charts = d.build_dashboard("x", SCOPE, True).charts
    optional = [c for c in charts if c.optional]
    assert optional and all(c.display_title.startswith(d.OPTIONAL_PREFIX) for c in optional)
    assert all(
        "tensorcore_utilization" in s.query.filter or "memory_bandwidth_utilization" in s.query.filter
        for c in optional
        for s in c.series
        if isinstance(s.query, d.FilterQuery)
    )
    assert not any(c.optional for c in d.build_dashboard("x", SCOPE, False).charts)


def test_layout_tiles_never_overlap_and_omit_zero_positions() -> None:
    tiles = _dashboard()["mosaicLayout"]["tiles"]
    cells: set[tuple[int, int]] = set()
    for tile in tiles:
        assert tile.get("xPos", None) != 0 and tile.get("yPos", None) != 0  # the API drops zeros: no diff
        x, y = tile.get("xPos", 0), tile.get("yPos", 0)
        assert x + tile["width"] <= d.COLUMNS
        area = {(i, j) for i in range(x, x + tile["width"]) for j in range(y, y + tile["height"])}
        assert not cells & area
        cells |= area


def test_charts_carry_the_defaults_the_api_fills_in() -> None:
    chart = _dashboard()["mosaicLayout"]["tiles"][1]["widget"]["xyChart"]
    assert chart["chartOptions"] == {"mode": "COLOR"}
    assert chart["yAxis"]["scale"] == "LINEAR"
    assert all(ds["targetAxis"] == "Y1" and ds["minAlignmentPeriod"] == "60s" for ds in chart["dataSets"])


def _empty_values(value: object, path: str = "") -> list[str]:
    if isinstance(value, dict):
        return [path] if not value else [p for k, v in value.items() for p in _empty_values(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [path] if not value else [p for i, v in enumerate(value) for p in _empty_values(v, f"{path}[{i}]")]
    return [path] if value in (0, "", "0s", False) else []


def test_the_dashboard_writes_no_value_the_api_drops_on_read() -> None:
    """Empty lists, zero positions and zero durations come back absent, and the provider's JSON diff
    does not forgive that direction: each would plan a change on every update
    (hashicorp/terraform-provider-google#16173, open; magic-modules#18515 closed unmerged)."""
    assert _empty_values(_dashboard()) == []


def test_burn_rates_are_the_sre_workbooks_over_thirty_days() -> None:
    fast, slow = d.BURN_RATE_WINDOWS
    assert (fast.burn_rate(30), slow.burn_rate(30)) == (14.4, 6.0)
    assert fast.burn_rate(28) == 13.44


def test_each_slo_gets_a_fast_and_a_slow_multiwindow_alert() -> None:
    slos = d.build_slos(SCOPE, SloConfig(latency_threshold_ms_by_tier={"large": 120_000}))
    assert {(s.tier, s.kind) for s in slos} == {(t, k) for t in ("large", "small") for k in ("availability", "latency")}
    assert {s.tier: s.latency_threshold_ms for s in slos if s.kind == "latency"} == {"large": 120_000, "small": 60_000}
    alerts = d.build_burn_rate_alerts(slos)
    assert len(alerts) == 2 * len(slos)
    for alert in alerts:
        assert alert.combiner == "AND"
        long, short = alert.conditions
        assert isinstance(long, d.BurnRateCondition) and isinstance(short, d.BurnRateCondition)
        assert long.minutes > short.minutes and long.burn_rate == short.burn_rate


def test_availability_slo_counts_5xx_of_one_tiers_backend_only() -> None:
    slo = next(s for s in d.build_slos(SCOPE, SloConfig()) if s.key == "small-availability")
    assert 'resource.type="https_lb_rule"' in slo.total_filter
    assert "llm-serving-vllm-small-8000" in slo.total_filter and "large" not in slo.total_filter
    assert slo.bad_filter == slo.total_filter + " metric.label.response_code_class=500"


def test_platform_alerts_have_documentation_and_skip_the_hpa_alert_for_multi_host_tiers() -> None:
    alerts = d.build_alerts(SCOPE, AlertsConfig())
    keys = {a.key for a in alerts}
    assert {"ttft-p99", "error-ratio", "tpu-saturated", "tpu-stuck", "pods-not-ready", "small-queue-at-max"} == keys
    for alert in alerts:
        assert "Check first" in alert.documentation, alert.key
    not_ready = next(a for a in alerts if a.key == "pods-not-ready").conditions[0]
    assert isinstance(not_ready, d.PromQLCondition)
    assert 'deployment=~"vllm-small"' in not_ready.query and 'statefulset=~"(vllm-large)(-[0-9]+)?"' in not_ready.query
    assert not_ready.duration_minutes > 30  # longer than a legitimate start


def test_promql_conditions_do_not_need_the_metric_to_exist_yet() -> None:
    for alert in d.build_alerts(SCOPE, AlertsConfig()):
        for condition in alert.conditions:
            if isinstance(condition, d.PromQLCondition):
                promql = condition.args().condition_prometheus_query_language
                assert isinstance(promql, gcp.monitoring.AlertPolicyConditionConditionPrometheusQueryLanguageArgs)
                assert promql.disable_metric_validation is True

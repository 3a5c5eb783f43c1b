"""Operations on the Inference Gateway edge: the regional load balancer's metrics and logs, and the
endpoint pickers' dashboard section."""

from __future__ import annotations

import dataclasses

from components.operations import dashboard as d
from components.operations.config import SloConfig
from components.operations.observability import request_log_filter
from components.operations.slos import build_slos
from tests.unit.operations.helpers import SCOPE, dashboard_metric_types, not_allowed, schema_problems

REGIONAL = dataclasses.replace(SCOPE, regional_edge=True)


def test_the_regional_edge_reads_the_regional_load_balancer() -> None:
    assert REGIONAL.lb_metric("request_count") == "loadbalancing.googleapis.com/https/external/regional/request_count"
    assert SCOPE.lb_metric("request_count") == "loadbalancing.googleapis.com/https/request_count"
    regional = REGIONAL.lb_filter("total_latencies", "re")
    assert 'resource.type="http_external_regional_lb_rule"' in regional
    assert 'metric.type="loadbalancing.googleapis.com/https/external/regional/total_latencies"' in regional
    assert 'resource.type="https_lb_rule"' in SCOPE.lb_filter("total_latencies", "re")


def test_slos_and_logs_follow_the_edge() -> None:
    (availability, *_) = build_slos(REGIONAL, SloConfig())
    assert "http_external_regional_lb_rule" in availability.total_filter
    assert request_log_filter("re", REGIONAL.lb_log_resource).startswith(
        'resource.type="http_external_regional_lb_rule"'
    )
    assert request_log_filter("re", SCOPE.lb_log_resource).startswith('resource.type="http_load_balancer"')


def test_the_dashboard_adds_the_endpoint_pickers_on_the_regional_edge_only() -> None:
    rendered = d.build_dashboard("LLM serving", REGIONAL, False, {"env": "prod"}).render()
    assert schema_problems("monitoring.v1", "Dashboard", rendered) == []
    assert not_allowed(dashboard_metric_types(rendered)) == set()
    types = dashboard_metric_types(rendered)
    assert {
        "prometheus.googleapis.com/llm_d_epp_average_queue_size/gauge",
        "prometheus.googleapis.com/llm_d_epp_average_kv_cache_utilization/gauge",
        "prometheus.googleapis.com/llm_d_epp_ready_endpoints/gauge",
        "prometheus.googleapis.com/llm_d_epp_scheduler_e2e_duration_seconds/histogram",
        "loadbalancing.googleapis.com/https/external/regional/request_count",
    } <= types
    assert "loadbalancing.googleapis.com/https/request_count" not in types
    global_types = dashboard_metric_types(d.build_dashboard("LLM serving", SCOPE, False, {"env": "prod"}).render())
    assert not any("llm_d_epp" in t for t in global_types)

"""The dashboard generated from the typed sections and charts: it validates against the Cloud
Monitoring API's own schema, its PromQL parses, it reads only metrics on the allow-list, and it
writes nothing the API would read back differently."""

from __future__ import annotations

import copy

import pytest

from components.operations import dashboard as d
from components.operations.queries import FilterQuery
from tests.unit.operations.helpers import (
    SCOPE,
    dashboard_metric_types,
    filter_metric_types,
    not_allowed,
    promql_metric_types,
    schema_problems,
)


def _dashboard(unconfirmed: bool = True) -> dict:
    return d.build_dashboard("LLM serving", SCOPE, unconfirmed, {"env": "prod"}).render()


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


def test_every_metric_on_the_dashboard_is_allowed() -> None:
    assert not_allowed(dashboard_metric_types(_dashboard())) == set()


def test_a_misspelt_metric_fails_the_allow_list() -> None:
    assert not_allowed(promql_metric_types("sum(vllm:num_request_waiting)")) == {"unknown:vllm:num_request_waiting"}
    assert not_allowed(filter_metric_types('metric.type="kubernetes.io/container/accelerator/duty_cycles"'))


def test_every_promql_query_on_the_dashboard_parses() -> None:
    queries = [
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
        "Inter-token latency",
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
        if isinstance(s.query, FilterQuery)
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

"""The serving dashboard: typed sections of charts, rendered to the Cloud Monitoring v1 `Dashboard` JSON.

Nothing here is hand-written JSON: a `Dashboard` of `Section`s of `Chart`s of `Series` renders to the
API's document (tests validate it against the API's discovery document). `build_dashboard` decides
the panels from the scope: one section per tier, then the Gateway.

Perpetual diffs: the Monitoring API returns a dashboard with its defaults filled in and zero tile
positions dropped (hashicorp/terraform-provider-google#7242, #16173; GoogleCloudPlatform/
magic-modules#18515), so the rendering writes those defaults itself and omits zero positions.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from components.operations import metrics
from components.operations.queries import ALIGNMENT_PERIOD, FilterQuery, PromQuery, Query, RatioQuery, Reducer
from components.operations.scope import Scope, TierView

PlotType = Literal["LINE", "STACKED_AREA", "STACKED_BAR"]

COLUMNS = 48
CHART_WIDTH, CHART_HEIGHT, HEADER_HEIGHT = 16, 12, 4
OPTIONAL_PREFIX = "Optional (unconfirmed on TPU7x): "
# The edge's load-balancer metrics by name (Scope picks the global or the regional family).
LB_REQUESTS = "request_count"
LB_LATENCIES = "total_latencies"
BY_ROUTE = ("resource.label.backend_target_name",)


@dataclass(frozen=True)
class Series:
    query: Query
    legend: str = ""
    plot: PlotType = "LINE"

    def render(self) -> dict[str, Any]:
        data_set: dict[str, Any] = {
            "timeSeriesQuery": self.query.render(),
            "plotType": self.plot,
            "targetAxis": "Y1",
            "minAlignmentPeriod": ALIGNMENT_PERIOD,
        }
        if self.legend:
            data_set["legendTemplate"] = self.legend
        return data_set


@dataclass(frozen=True)
class Chart:
    title: str
    series: tuple[Series, ...]
    y_label: str
    optional: bool = False  # on a metric the facts sheet marks unconfirmed for TPU7x

    @property
    def display_title(self) -> str:
        return f"{OPTIONAL_PREFIX}{self.title}" if self.optional else self.title

    def render(self) -> dict[str, Any]:
        return {
            "title": self.display_title,
            "xyChart": {
                "dataSets": [s.render() for s in self.series],
                "chartOptions": {"mode": "COLOR"},
                "yAxis": {"label": self.y_label, "scale": "LINEAR"},
            },
        }


@dataclass(frozen=True)
class Section:
    title: str
    subtitle: str
    charts: tuple[Chart, ...]


def _tile(x: int, y: int, width: int, height: int, widget: dict[str, Any]) -> dict[str, Any]:
    tile: dict[str, Any] = {"width": width, "height": height, "widget": widget}
    # The API drops zero positions on read; writing them would plan a change on every update.
    if x:
        tile["xPos"] = x
    if y:
        tile["yPos"] = y
    return tile


@dataclass(frozen=True)
class Dashboard:
    display_name: str
    sections: tuple[Section, ...]
    labels: Mapping[str, str] = field(default_factory=dict)

    @property
    def charts(self) -> list[Chart]:
        return [chart for section in self.sections for chart in section.charts]

    def render(self) -> dict[str, Any]:
        tiles: list[dict[str, Any]] = []
        y = 0
        per_row = COLUMNS // CHART_WIDTH
        for section in self.sections:
            header = {"title": section.title, "sectionHeader": {"subtitle": section.subtitle, "dividerBelow": True}}
            tiles.append(_tile(0, y, COLUMNS, HEADER_HEIGHT, header))
            y += HEADER_HEIGHT
            for index, chart in enumerate(section.charts):
                row, column = divmod(index, per_row)
                tiles.append(
                    _tile(column * CHART_WIDTH, y + row * CHART_HEIGHT, CHART_WIDTH, CHART_HEIGHT, chart.render())
                )
            y += -(-len(section.charts) // per_row) * CHART_HEIGHT
        document: dict[str, Any] = {
            "displayName": self.display_name,
            "mosaicLayout": {"columns": COLUMNS, "tiles": tiles},
        }
        if self.labels:
            document["labels"] = dict(self.labels)
        return document

    def to_json(self) -> str:
        return json.dumps(self.render(), sort_keys=True)


# --- one section per tier ---------------------------------------------------------------------------


def _prom_histogram(metric: str, quantile: float, selector: str) -> str:
    return f"histogram_quantile({quantile}, sum by (le) (rate({metric}_bucket{{{selector}}}[5m])))"


def _tpu_series(scope: Scope, tier: TierView, metric_type: str, reducer: Reducer) -> tuple[Series, ...]:
    """One line per node of the tier's TPU container metric."""
    query = FilterQuery(
        metrics.container_filter(metric_type, scope.cluster, scope.namespace, tier.name),
        aligner="ALIGN_MEAN",
        reducer=reducer,
        group_by=("metadata.system_labels.node_name",),
    )
    return (Series(query),)


def _quantile_series(metric: str, selector: str) -> tuple[Series, ...]:
    return tuple(Series(PromQuery(_prom_histogram(metric, q, selector)), f"p{int(q * 100)}") for q in (0.5, 0.9, 0.99))


def _tpu_charts(scope: Scope, tier: TierView) -> list[Chart]:
    return [
        Chart(
            "TPU duty cycle per node",
            _tpu_series(scope, tier, "kubernetes.io/container/accelerator/duty_cycle", "REDUCE_MEAN"),
            "percent",
        ),
        Chart(
            "HBM used per node",
            _tpu_series(scope, tier, "kubernetes.io/container/accelerator/memory_used", "REDUCE_SUM"),
            "bytes",
        ),
    ]


def _unconfirmed_tpu_charts(scope: Scope, tier: TierView) -> list[Chart]:
    return [
        Chart(
            "TensorCore utilization per node",
            _tpu_series(scope, tier, "kubernetes.io/container/accelerator/tensorcore_utilization", "REDUCE_MEAN"),
            "percent",
            optional=True,
        ),
        Chart(
            "HBM bandwidth utilization per node",
            _tpu_series(scope, tier, "kubernetes.io/container/accelerator/memory_bandwidth_utilization", "REDUCE_MEAN"),
            "percent",
            optional=True,
        ),
    ]


def _vllm_charts(selector: str) -> list[Chart]:
    return [
        Chart("Time to first token", _quantile_series("vllm:time_to_first_token_seconds", selector), "seconds"),
        # vLLM's time per output token since vllm#32661: the gap between consecutive output tokens.
        Chart("Inter-token latency", _quantile_series("vllm:inter_token_latency_seconds", selector), "seconds"),
        Chart(
            "Requests running and waiting",
            (
                Series(PromQuery(f"sum(vllm:num_requests_running{{{selector}}})"), "running"),
                Series(PromQuery(f"sum(vllm:num_requests_waiting{{{selector}}})"), "waiting"),
            ),
            "requests",
        ),
        Chart(
            "KV cache usage",
            (Series(PromQuery(f"max by (pod) (vllm:kv_cache_usage_perc{{{selector}}})"), "${labels.pod}"),),
            "fraction",
        ),
        Chart(
            "Generated tokens per second",
            (Series(PromQuery(f"sum(rate(vllm:generation_tokens_total{{{selector}}}[5m]))"), "tokens/s"),),
            "tokens/s",
        ),
    ]


def _tier_section(scope: Scope, tier: TierView, unconfirmed_tpu_panels: bool) -> Section:
    selector = metrics.vllm_selector(scope.cluster, scope.namespace, tier.name)
    charts = _tpu_charts(scope, tier) + _vllm_charts(selector)
    if unconfirmed_tpu_panels:
        charts += _unconfirmed_tpu_charts(scope, tier)
    kind = "multi-host" if tier.multi_host else "single-host"
    return Section(
        f"Tier {tier.name}",
        f"{tier.model} on TPU7x {tier.topology} ({kind}), {metrics.workload_name(tier.name)} in {scope.namespace}",
        tuple(charts),
    )


# --- the Gateway ------------------------------------------------------------------------------------


def _route_requests(scope: Scope, regex: str, extra: str = "") -> FilterQuery:
    """Requests per second per backend service, `extra` narrowing them (e.g. to 5xx)."""
    return FilterQuery(scope.lb_filter(LB_REQUESTS, regex, extra), "ALIGN_RATE", "REDUCE_SUM", BY_ROUTE)


def _gateway_section(scope: Scope) -> Section:
    regex = scope.backend_regex()
    latency_series = tuple(
        Series(
            FilterQuery(scope.lb_filter(LB_LATENCIES, regex), "ALIGN_DELTA", reducer, BY_ROUTE),
            f"p{reducer.rsplit('_', 1)[1]} ${{resource.labels.backend_target_name}}",
        )
        for reducer in ("REDUCE_PERCENTILE_50", "REDUCE_PERCENTILE_95", "REDUCE_PERCENTILE_99")
    )
    server_errors = RatioQuery(
        _route_requests(scope, regex, "metric.label.response_code_class=500"), _route_requests(scope, regex)
    )
    return Section(
        "Gateway",
        "Load-balancer view of every route (backend service per tier)",
        (
            Chart("Requests per second per route", (Series(_route_requests(scope, regex)),), "requests/s"),
            Chart("Latency per route (p50, p95, p99)", latency_series, "ms"),
            Chart("5xx ratio per route", (Series(server_errors),), "ratio"),
        ),
    )


def build_dashboard(
    display_name: str, scope: Scope, unconfirmed_tpu_panels: bool, labels: Mapping[str, str] | None = None
) -> Dashboard:
    sections = [_tier_section(scope, tier, unconfirmed_tpu_panels) for tier in scope.tiers]
    pickers = [_endpoint_picker_section(scope)] if scope.regional_edge else []
    return Dashboard(display_name, (*sections, _gateway_section(scope), *pickers), dict(labels or {}))


# --- the endpoint pickers (Inference Gateway edge) ---------------------------------------------------


def _endpoint_picker_section(scope: Scope) -> Section:
    """What each tier's picker sees of its pool (gauges labelled by pool `name`) and how long it takes
    to choose; scraped by the picker's PodMonitoring, so `namespace` and `cluster` are target labels."""
    pools = "|".join(metrics.workload_name(t) for t in scope.tier_names)
    selector = f'cluster="{scope.cluster}",namespace="{scope.namespace}",name=~"{pools}"'
    picker = f'cluster="{scope.cluster}",namespace="{scope.namespace}"'
    by_pool = "${labels.name}"
    return Section(
        "Endpoint pickers",
        "Inference Gateway: each tier's InferencePool as its endpoint picker sees it (llm-d router v0.10.0)",
        (
            Chart(
                "Pool queue (average per pod)",
                (Series(PromQuery(f"max by (name) (llm_d_epp_average_queue_size{{{selector}}})"), by_pool),),
                "requests",
            ),
            Chart(
                "Pool KV cache (average per pod)",
                (Series(PromQuery(f"max by (name) (llm_d_epp_average_kv_cache_utilization{{{selector}}})"), by_pool),),
                "fraction",
            ),
            Chart(
                "Ready endpoints per pool",
                (Series(PromQuery(f"max by (name) (llm_d_epp_ready_endpoints{{{selector}}})"), by_pool),),
                "pods",
            ),
            Chart(
                "Scheduling latency (p99)",
                (
                    Series(
                        PromQuery(
                            "histogram_quantile(0.99, sum by (pod, le) "
                            f"(rate(llm_d_epp_scheduler_e2e_duration_seconds_bucket{{{picker}}}[5m])))"
                        ),
                        "${labels.pod}",
                    ),
                ),
                "seconds",
            ),
        ),
    )

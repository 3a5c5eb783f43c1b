"""Typed definitions of the dashboard, the alert policies and the SLOs, and their renderings.

Nothing here is hand-written JSON: a `Dashboard` of `Section`s of `Chart`s renders to the Cloud
Monitoring v1 `Dashboard` JSON (tests validate it against the API's discovery document), and an
`AlertDefinition` renders to pulumi-gcp's typed `AlertPolicyConditionArgs`, so a wrong field fails at
construction. `build_*` functions decide the platform's content from a few plain inputs; they make
no Pulumi calls except building typed Args.

Perpetual diffs: the Monitoring API returns a dashboard with its defaults filled in and zero tile
positions dropped (hashicorp/terraform-provider-google#7242, #16173; GoogleCloudPlatform/
magic-modules#18515), so the rendering writes those defaults itself and omits zero positions.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pulumi
import pulumi_gcp as gcp

from components.operations import metrics
from components.operations.config import AlertsConfig, SloConfig

Aligner = Literal["ALIGN_MEAN", "ALIGN_MAX", "ALIGN_RATE", "ALIGN_DELTA", "ALIGN_SUM"]
Reducer = Literal[
    "REDUCE_MEAN", "REDUCE_MAX", "REDUCE_SUM", "REDUCE_PERCENTILE_50", "REDUCE_PERCENTILE_95", "REDUCE_PERCENTILE_99"
]
PlotType = Literal["LINE", "STACKED_AREA", "STACKED_BAR"]
Severity = Literal["CRITICAL", "ERROR", "WARNING"]

ALIGNMENT_PERIOD = "60s"
COLUMNS = 48
CHART_WIDTH, CHART_HEIGHT, HEADER_HEIGHT = 16, 12, 4
OPTIONAL_PREFIX = "Optional (unconfirmed on TPU7x): "

# --- dashboard ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FilterQuery:
    """A Cloud Monitoring filter with its aggregation."""

    filter: str
    aligner: Aligner
    reducer: Reducer
    group_by: tuple[str, ...] = ()

    def aggregation(self) -> dict[str, Any]:
        return {
            "alignmentPeriod": ALIGNMENT_PERIOD,
            "perSeriesAligner": self.aligner,
            "crossSeriesReducer": self.reducer,
            "groupByFields": list(self.group_by),
        }

    def render(self) -> dict[str, Any]:
        return {"timeSeriesFilter": {"filter": self.filter, "aggregation": self.aggregation()}}


@dataclass(frozen=True)
class RatioQuery:
    numerator: FilterQuery
    denominator: FilterQuery

    def render(self) -> dict[str, Any]:
        parts = {side: {"filter": q.filter, "aggregation": q.aggregation()} for side, q in self._sides()}
        return {"timeSeriesFilterRatio": parts}

    def _sides(self) -> tuple[tuple[str, FilterQuery], ...]:
        return (("numerator", self.numerator), ("denominator", self.denominator))


@dataclass(frozen=True)
class PromQuery:
    """PromQL over Managed Prometheus (and Cloud Monitoring metrics by their PromQL names)."""

    query: str

    def render(self) -> dict[str, Any]:
        return {"prometheusQuery": self.query}


Query = FilterQuery | RatioQuery | PromQuery


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


def _prom_histogram(metric: str, quantile: float, selector: str) -> str:
    return f"histogram_quantile({quantile}, sum by (le) (rate({metric}_bucket{{{selector}}}[5m])))"


def _tier_section(scope: Scope, tier: TierView, unconfirmed_tpu_panels: bool) -> Section:
    selector = metrics.vllm_selector(scope.cluster, scope.namespace, tier.name)

    def tpu(metric_type: str, reducer: Reducer) -> FilterQuery:
        return FilterQuery(
            metrics.container_filter(metric_type, scope.cluster, scope.namespace, tier.name),
            aligner="ALIGN_MEAN",
            reducer=reducer,
            group_by=("metadata.system_labels.node_name",),
        )

    def quantiles(metric: str) -> tuple[Series, ...]:
        return tuple(
            Series(PromQuery(_prom_histogram(metric, q, selector)), f"p{int(q * 100)}") for q in (0.5, 0.9, 0.99)
        )

    charts = [
        Chart(
            "TPU duty cycle per node",
            (Series(tpu("kubernetes.io/container/accelerator/duty_cycle", "REDUCE_MEAN")),),
            "percent",
        ),
        Chart(
            "HBM used per node",
            (Series(tpu("kubernetes.io/container/accelerator/memory_used", "REDUCE_SUM")),),
            "bytes",
        ),
        Chart("Time to first token", quantiles("vllm:time_to_first_token_seconds"), "seconds"),
        Chart("Time per output token", quantiles("vllm:time_per_output_token_seconds"), "seconds"),
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
    if unconfirmed_tpu_panels:
        charts += [
            Chart(
                "TensorCore utilization per node",
                (Series(tpu("kubernetes.io/container/accelerator/tensorcore_utilization", "REDUCE_MEAN")),),
                "percent",
                optional=True,
            ),
            Chart(
                "HBM bandwidth utilization per node",
                (Series(tpu("kubernetes.io/container/accelerator/memory_bandwidth_utilization", "REDUCE_MEAN")),),
                "percent",
                optional=True,
            ),
        ]
    kind = "multi-host" if tier.multi_host else "single-host"
    return Section(
        f"Tier {tier.name}",
        f"{tier.model} on TPU7x {tier.topology} ({kind}), {metrics.workload_name(tier.name)} in {scope.namespace}",
        tuple(charts),
    )


def _gateway_section(scope: Scope) -> Section:
    regex = scope.backend_regex()
    by_route = ("resource.label.backend_target_name",)
    requests = "loadbalancing.googleapis.com/https/request_count"
    latencies = "loadbalancing.googleapis.com/https/total_latencies"
    latency_series = tuple(
        Series(
            FilterQuery(metrics.lb_filter(latencies, regex), "ALIGN_DELTA", reducer, by_route),
            f"p{reducer.rsplit('_', 1)[1]} ${{resource.labels.backend_target_name}}",
        )
        for reducer in ("REDUCE_PERCENTILE_50", "REDUCE_PERCENTILE_95", "REDUCE_PERCENTILE_99")
    )
    return Section(
        "Gateway",
        "Load-balancer view of every route (backend service per tier)",
        (
            Chart(
                "Requests per second per route",
                (Series(FilterQuery(metrics.lb_filter(requests, regex), "ALIGN_RATE", "REDUCE_SUM", by_route)),),
                "requests/s",
            ),
            Chart("Latency per route (p50, p95, p99)", latency_series, "ms"),
            Chart(
                "5xx ratio per route",
                (
                    Series(
                        RatioQuery(
                            FilterQuery(
                                metrics.lb_filter(requests, regex, "metric.label.response_code_class=500"),
                                "ALIGN_RATE",
                                "REDUCE_SUM",
                                by_route,
                            ),
                            FilterQuery(metrics.lb_filter(requests, regex), "ALIGN_RATE", "REDUCE_SUM", by_route),
                        )
                    ),
                ),
                "ratio",
            ),
        ),
    )


def build_dashboard(
    display_name: str, scope: Scope, unconfirmed_tpu_panels: bool, labels: Mapping[str, str] | None = None
) -> Dashboard:
    sections = [_tier_section(scope, tier, unconfirmed_tpu_panels) for tier in scope.tiers]
    return Dashboard(display_name, (*sections, _gateway_section(scope)), dict(labels or {}))


# --- SLOs -----------------------------------------------------------------------------------------

SloKind = Literal["availability", "latency"]


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
    requests = "loadbalancing.googleapis.com/https/request_count"
    latencies = "loadbalancing.googleapis.com/https/total_latencies"
    slos = []
    for tier in scope.tier_names:
        regex = scope.backend_regex([tier])
        slos.append(
            SloDefinition(
                tier,
                "availability",
                config.availability,
                config.rolling_period_days,
                total_filter=metrics.lb_filter(requests, regex),
                bad_filter=metrics.lb_filter(requests, regex, "metric.label.response_code_class=500"),
            )
        )
        slos.append(
            SloDefinition(
                tier,
                "latency",
                config.latency,
                config.rolling_period_days,
                total_filter=metrics.lb_filter(latencies, regex),
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


# --- alert policies -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PromQLCondition:
    """A PromQL condition. Metric validation is off: on a fresh project the vLLM and kube state series
    do not exist until the workloads run, and the API rejects a condition on an unknown metric."""

    display_name: str
    query: str
    duration_minutes: int
    evaluation_interval_seconds: int = 60

    def args(self) -> gcp.monitoring.AlertPolicyConditionArgs:
        return gcp.monitoring.AlertPolicyConditionArgs(
            display_name=self.display_name,
            condition_prometheus_query_language=gcp.monitoring.AlertPolicyConditionConditionPrometheusQueryLanguageArgs(
                query=self.query,
                duration=f"{self.duration_minutes * 60}s",
                evaluation_interval=f"{self.evaluation_interval_seconds}s",
                disable_metric_validation=True,
            ),
        )


@dataclass(frozen=True)
class RatioCondition:
    """numerator / denominator above a threshold, per group (Cloud Monitoring ratio condition)."""

    display_name: str
    numerator: FilterQuery
    denominator: FilterQuery
    threshold: float
    duration_minutes: int

    def args(self) -> gcp.monitoring.AlertPolicyConditionArgs:
        def aggregation(q: FilterQuery) -> dict[str, Any]:
            return {
                "alignment_period": ALIGNMENT_PERIOD,
                "per_series_aligner": q.aligner,
                "cross_series_reducer": q.reducer,
                "group_by_fields": list(q.group_by),
            }

        return gcp.monitoring.AlertPolicyConditionArgs(
            display_name=self.display_name,
            condition_threshold=gcp.monitoring.AlertPolicyConditionConditionThresholdArgs(
                filter=self.numerator.filter,
                aggregations=[
                    gcp.monitoring.AlertPolicyConditionConditionThresholdAggregationArgs(**aggregation(self.numerator))
                ],
                denominator_filter=self.denominator.filter,
                denominator_aggregations=[
                    gcp.monitoring.AlertPolicyConditionConditionThresholdDenominatorAggregationArgs(
                        **aggregation(self.denominator)
                    )
                ],
                comparison="COMPARISON_GT",
                threshold_value=self.threshold,
                duration=f"{self.duration_minutes * 60}s",
                trigger=gcp.monitoring.AlertPolicyConditionConditionThresholdTriggerArgs(count=1),
            ),
        )


@dataclass(frozen=True)
class BurnRateCondition:
    display_name: str
    slo_key: str
    minutes: int
    burn_rate: float

    def args(self, slo_names: Mapping[str, pulumi.Input[str]]) -> gcp.monitoring.AlertPolicyConditionArgs:
        return gcp.monitoring.AlertPolicyConditionArgs(
            display_name=self.display_name,
            condition_threshold=gcp.monitoring.AlertPolicyConditionConditionThresholdArgs(
                filter=burn_rate_filter(slo_names[self.slo_key], self.minutes),
                comparison="COMPARISON_GT",
                threshold_value=self.burn_rate,
                duration="0s",
                trigger=gcp.monitoring.AlertPolicyConditionConditionThresholdTriggerArgs(count=1),
            ),
        )


Condition = PromQLCondition | RatioCondition | BurnRateCondition


@dataclass(frozen=True)
class AlertDefinition:
    key: str
    display_name: str
    severity: Severity
    documentation: str  # markdown: what the on-call checks first
    conditions: tuple[Condition, ...]
    combiner: Literal["OR", "AND"] = "OR"

    def condition_args(
        self, slo_names: Mapping[str, pulumi.Input[str]]
    ) -> list[gcp.monitoring.AlertPolicyConditionArgs]:
        return [c.args(slo_names) if isinstance(c, BurnRateCondition) else c.args() for c in self.conditions]


def build_burn_rate_alerts(slos: Sequence[SloDefinition]) -> list[AlertDefinition]:
    alerts = []
    for slo in slos:
        for window in BURN_RATE_WINDOWS:
            rate = window.burn_rate(slo.rolling_period_days)
            alerts.append(
                AlertDefinition(
                    key=f"{slo.key}-{window.name}-burn",
                    display_name=f"{slo.tier} {slo.kind} SLO: {window.name} burn (x{rate})",
                    severity=window.severity,
                    documentation=(
                        f"The `{slo.tier}` tier is spending its {slo.kind} error budget {rate}x faster than "
                        f"sustainable: at this rate {window.budget_fraction:.0%} of the {slo.rolling_period_days}-day "
                        f"budget is gone in {window.long_minutes // 60} h.\n\n"
                        "Check first: the dashboard's Gateway section (5xx ratio and latency per route), then the "
                        f"tier's section (waiting requests, TTFT) and `kubectl -n <serving namespace> get pods -l "
                        f"llm-platform/tier={slo.tier}`. A 5xx burst with healthy pods points at the Gateway "
                        "(backend timeouts, Cloud Armor); growing latency with a long queue is capacity."
                    ),
                    conditions=(
                        BurnRateCondition(
                            f"{window.long_minutes}m burn rate above {rate}", slo.key, window.long_minutes, rate
                        ),
                        BurnRateCondition(
                            f"{window.short_minutes}m burn rate above {rate}", slo.key, window.short_minutes, rate
                        ),
                    ),
                    combiner="AND",
                )
            )
    return alerts


def _duty_cycle(scope: Scope) -> str:
    metric = metrics.promql_name("kubernetes.io/container/accelerator/duty_cycle")
    return (
        f'{metric}{{monitored_resource="k8s_container",cluster_name="{scope.cluster}",'
        f'namespace_name="{scope.namespace}"}}'
    )


def build_alerts(scope: Scope, config: AlertsConfig) -> list[AlertDefinition]:
    """The platform's alert policies other than the SLO burn rates."""
    every_tier = metrics.vllm_selector(scope.cluster, scope.namespace)
    where = f"cluster `{scope.cluster}`, namespace `{scope.namespace}`"
    alerts = [
        AlertDefinition(
            key="ttft-p99",
            display_name=f"p99 time to first token above {config.ttft_p99_seconds:g} s",
            severity="ERROR",
            documentation=(
                f"p99 time to first token of a tier has been above {config.ttft_p99_seconds:g} s for "
                f"{config.ttft_for_minutes} minutes ({where}).\n\nCheck first: the tier's waiting requests and KV "
                "cache usage on the dashboard. A long queue with the KV cache full is capacity: is the HPA at its "
                "maximum, is the TPU node pool out of quota or reservation? A short queue means slow prefill: "
                "look for very long prompts or a recent change of `--max-num-batched-tokens`."
            ),
            conditions=(
                PromQLCondition(
                    "p99 TTFT per tier",
                    "histogram_quantile(0.99, sum by (top_level_controller_name, le) "
                    f"(rate(vllm:time_to_first_token_seconds_bucket{{{every_tier}}}[5m]))) "
                    f"> {config.ttft_p99_seconds:g}",
                    config.ttft_for_minutes,
                ),
            ),
        ),
        AlertDefinition(
            key="error-ratio",
            display_name=f"5xx ratio above {config.error_ratio:.0%} on a route",
            severity="CRITICAL",
            documentation=(
                f"More than {config.error_ratio:.0%} of a route's responses have been 5xx for "
                f"{config.error_for_minutes} minutes (load-balancer metrics, grouped by backend service).\n\n"
                "Check first: whether the tier's pods are Ready (`kubectl get pods`), then the load-balancer "
                "logs (`jsonPayload.statusDetails`): `backend_timeout` means generations outlast the backend "
                "timeout, `failed_to_pick_backend` means no healthy endpoint, `response_sent_by_backend` means "
                "vLLM itself failed (read its logs)."
            ),
            conditions=(
                RatioCondition(
                    "5xx / all requests per backend service",
                    FilterQuery(
                        metrics.lb_filter(
                            "loadbalancing.googleapis.com/https/request_count",
                            scope.backend_regex(),
                            "metric.label.response_code_class=500",
                        ),
                        "ALIGN_RATE",
                        "REDUCE_SUM",
                        ("resource.label.backend_target_name",),
                    ),
                    FilterQuery(
                        metrics.lb_filter("loadbalancing.googleapis.com/https/request_count", scope.backend_regex()),
                        "ALIGN_RATE",
                        "REDUCE_SUM",
                        ("resource.label.backend_target_name",),
                    ),
                    config.error_ratio,
                    config.error_for_minutes,
                ),
            ),
        ),
        AlertDefinition(
            key="tpu-saturated",
            display_name=f"TPU duty cycle above {config.duty_cycle_high_percent:g}% (saturated)",
            severity="WARNING",
            documentation=(
                f"A serving pod's TPUs have been busy more than {config.duty_cycle_high_percent:g}% of the time for "
                f"{config.saturation_for_minutes} minutes ({where}).\n\nCheck first: the tier's waiting requests. "
                "If requests queue, the tier needs more replicas (raise `maxReplicas`, check TPU quota); if not, "
                "the tier runs at capacity and latency SLOs are the thing to watch."
            ),
            conditions=(
                PromQLCondition(
                    "duty cycle per pod",
                    f"avg by (pod_name) ({_duty_cycle(scope)}) > {config.duty_cycle_high_percent:g}",
                    config.saturation_for_minutes,
                ),
            ),
        ),
        AlertDefinition(
            key="tpu-stuck",
            display_name="TPU idle while requests wait (stuck server)",
            severity="CRITICAL",
            documentation=(
                f"A serving pod has requests waiting but its TPUs have been under "
                f"{config.duty_cycle_idle_percent:g}% busy for {config.stuck_for_minutes} minutes ({where}).\n\n"
                "Check first: the pod's logs for an XLA compilation or a hung collective (multi-host: every Ray "
                "worker of the group), then `kubectl describe pod` for TPU device errors. Deleting the pod (or "
                "the LeaderWorkerSet group) restarts it; the compile cache makes the restart shorter."
            ),
            conditions=(
                PromQLCondition(
                    "duty cycle near zero and a queue, same pod",
                    f'(max by (pod) (label_replace({_duty_cycle(scope)}, "pod", "$1", "pod_name", "(.+)")) '
                    f"< {config.duty_cycle_idle_percent:g}) and on (pod) "
                    f"(sum by (pod) (vllm:num_requests_waiting{{{every_tier}}}) > 0)",
                    config.stuck_for_minutes,
                ),
            ),
        ),
        AlertDefinition(
            key="pods-not-ready",
            display_name="Serving replicas not ready",
            severity="ERROR",
            documentation=(
                f"A serving workload has had fewer ready replicas than desired for {config.not_ready_for_minutes} "
                f"minutes ({where}); a replica may take up to 30 minutes to load weights and compile, so this is "
                "past a normal start.\n\nCheck first: `kubectl get pods` and events: Pending means no TPU node "
                "(node pool autoscaling, quota, reservation, flex-start capacity); CrashLoopBackOff means vLLM "
                "failed (its logs: model path, HBM out of memory); Running but not Ready means the startup probe "
                "is still waiting on weights from the model store."
            ),
            conditions=(
                PromQLCondition("desired minus ready replicas", _not_ready_query(scope), config.not_ready_for_minutes),
            ),
        ),
    ]
    for tier in scope.tiers:
        if tier.multi_host:
            continue  # a multi-host tier is one slice: no HPA to be at its maximum
        alerts.append(_queue_at_max(scope, tier.name, config))
    return alerts


def _not_ready_query(scope: Scope) -> str:
    base = f'cluster="{scope.cluster}",namespace="{scope.namespace}"'
    parts = []
    single = [metrics.workload_name(t.name) for t in scope.tiers if not t.multi_host]
    multi = [metrics.workload_name(t.name) for t in scope.tiers if t.multi_host]
    if single:
        sel = f'{base},deployment=~"{"|".join(single)}"'
        parts.append(
            f"(sum by (deployment) (kube_deployment_spec_replicas{{{sel}}}) - "
            f"sum by (deployment) (kube_deployment_status_replicas_available{{{sel}}}) > 0)"
        )
    if multi:
        # A LeaderWorkerSet runs a leader StatefulSet named after it and one worker StatefulSet per group.
        sel = f'{base},statefulset=~"({"|".join(multi)})(-[0-9]+)?"'
        parts.append(
            f"(sum by (statefulset) (kube_statefulset_replicas{{{sel}}}) - "
            f"sum by (statefulset) (kube_statefulset_status_replicas_ready{{{sel}}}) > 0)"
        )
    return " or ".join(parts)


def _queue_at_max(scope: Scope, tier: str, config: AlertsConfig) -> AlertDefinition:
    waiting = f"sum(vllm:num_requests_waiting{{{metrics.vllm_selector(scope.cluster, scope.namespace, tier)}}})"
    hpa = (
        f'cluster="{scope.cluster}",namespace="{scope.namespace}",'
        f'horizontalpodautoscaler="{metrics.workload_name(tier)}"'
    )
    minutes = config.queue_growing_for_minutes
    return AlertDefinition(
        key=f"{tier}-queue-at-max",
        display_name=f"{tier}: queue growing with the autoscaler at its maximum",
        severity="ERROR",
        documentation=(
            f"The `{tier}` tier's waiting requests have grown for {minutes} minutes while its "
            "HorizontalPodAutoscaler runs the maximum number of replicas: the tier cannot absorb its load.\n\n"
            f"Check first: whether `tiers.{tier}.maxReplicas` can be raised (TPU quota, reservation size); then "
            "whether one client floods the route (Cloud Armor rate-limit logs). Until capacity arrives, latency "
            "SLOs will burn."
        ),
        conditions=(
            PromQLCondition(
                "waiting requests rising, replicas at maximum",
                f"({waiting} > 0) and on () (deriv({waiting}[{minutes}m:1m]) > 0) and on () "
                f"(max(kube_horizontalpodautoscaler_status_current_replicas{{{hpa}}}) >= "
                f"max(kube_horizontalpodautoscaler_spec_max_replicas{{{hpa}}}))",
                minutes,
            ),
        ),
    )

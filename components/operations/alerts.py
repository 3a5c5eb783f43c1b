"""The platform's alert policies: typed conditions, one definition per policy, and their builders.

An `AlertDefinition`'s conditions render to pulumi-gcp's typed `AlertPolicyConditionArgs`, so a wrong
field fails at construction. `build_burn_rate_alerts` makes a fast and a slow multiwindow alert per
SLO; `build_alerts` makes the others from the stack's `observability.alerts` thresholds, one small
builder per alert (and the per-tier queue alert for each tier with an autoscaler). Every alert's
documentation says what the on-call checks first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pulumi
import pulumi_gcp as gcp

from components.operations import metrics
from components.operations.config import AlertsConfig
from components.operations.queries import ALIGNMENT_PERIOD, FilterQuery
from components.operations.scope import Scope
from components.operations.slos import BURN_RATE_WINDOWS, BurnRateWindow, Severity, SloDefinition, burn_rate_filter

# --- conditions -------------------------------------------------------------------------------------


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


# --- SLO burn rates ---------------------------------------------------------------------------------


def build_burn_rate_alerts(slos: Sequence[SloDefinition]) -> list[AlertDefinition]:
    return [_burn_rate_alert(slo, window) for slo in slos for window in BURN_RATE_WINDOWS]


def _burn_rate_alert(slo: SloDefinition, window: BurnRateWindow) -> AlertDefinition:
    rate = window.burn_rate(slo.rolling_period_days)
    return AlertDefinition(
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
            BurnRateCondition(f"{window.long_minutes}m burn rate above {rate}", slo.key, window.long_minutes, rate),
            BurnRateCondition(f"{window.short_minutes}m burn rate above {rate}", slo.key, window.short_minutes, rate),
        ),
        combiner="AND",
    )


# --- the platform's other alerts --------------------------------------------------------------------


def build_alerts(scope: Scope, config: AlertsConfig) -> list[AlertDefinition]:
    """The platform's alert policies other than the SLO burn rates."""
    return [
        _ttft_alert(scope, config),
        _error_ratio_alert(scope, config),
        _tpu_saturated_alert(scope, config),
        _tpu_stuck_alert(scope, config),
        _pods_not_ready_alert(scope, config),
        # A multi-host tier is one slice: no HPA to be at its maximum.
        *(_queue_at_max(scope, tier.name, config) for tier in scope.tiers if not tier.multi_host),
    ]


def _where(scope: Scope) -> str:
    return f"cluster `{scope.cluster}`, namespace `{scope.namespace}`"


def _every_tier(scope: Scope) -> str:
    return metrics.vllm_selector(scope.cluster, scope.namespace)


def _duty_cycle(scope: Scope) -> str:
    metric = metrics.promql_name("kubernetes.io/container/accelerator/duty_cycle")
    return (
        f'{metric}{{monitored_resource="k8s_container",cluster_name="{scope.cluster}",'
        f'namespace_name="{scope.namespace}"}}'
    )


def _ttft_alert(scope: Scope, config: AlertsConfig) -> AlertDefinition:
    return AlertDefinition(
        key="ttft-p99",
        display_name=f"p99 time to first token above {config.ttft_p99_seconds:g} s",
        severity="ERROR",
        documentation=(
            f"p99 time to first token of a tier has been above {config.ttft_p99_seconds:g} s for "
            f"{config.ttft_for_minutes} minutes ({_where(scope)}).\n\nCheck first: the tier's waiting requests "
            "and KV cache usage on the dashboard. A long queue with the KV cache full is capacity: is the HPA at "
            "its maximum, is the TPU node pool out of quota or reservation? A short queue means slow prefill: "
            "look for very long prompts or a recent change of `--max-num-batched-tokens`."
        ),
        conditions=(
            PromQLCondition(
                "p99 TTFT per tier",
                "histogram_quantile(0.99, sum by (top_level_controller_name, le) "
                f"(rate(vllm:time_to_first_token_seconds_bucket{{{_every_tier(scope)}}}[5m]))) "
                f"> {config.ttft_p99_seconds:g}",
                config.ttft_for_minutes,
            ),
        ),
    )


def _route_requests(scope: Scope, extra: str = "") -> FilterQuery:
    return FilterQuery(
        scope.lb_filter("request_count", scope.backend_regex(), extra),
        "ALIGN_RATE",
        "REDUCE_SUM",
        ("resource.label.backend_target_name",),
    )


def _error_ratio_alert(scope: Scope, config: AlertsConfig) -> AlertDefinition:
    return AlertDefinition(
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
                _route_requests(scope, "metric.label.response_code_class=500"),
                _route_requests(scope),
                config.error_ratio,
                config.error_for_minutes,
            ),
        ),
    )


def _tpu_saturated_alert(scope: Scope, config: AlertsConfig) -> AlertDefinition:
    return AlertDefinition(
        key="tpu-saturated",
        display_name=f"TPU duty cycle above {config.duty_cycle_high_percent:g}% (saturated)",
        severity="WARNING",
        documentation=(
            f"A serving pod's TPUs have been busy more than {config.duty_cycle_high_percent:g}% of the time for "
            f"{config.saturation_for_minutes} minutes ({_where(scope)}).\n\nCheck first: the tier's waiting "
            "requests. If requests queue, the tier needs more replicas (raise `maxReplicas`, check TPU quota); "
            "if not, the tier runs at capacity and latency SLOs are the thing to watch."
        ),
        conditions=(
            PromQLCondition(
                "duty cycle per pod",
                f"avg by (pod_name) ({_duty_cycle(scope)}) > {config.duty_cycle_high_percent:g}",
                config.saturation_for_minutes,
            ),
        ),
    )


def _tpu_stuck_alert(scope: Scope, config: AlertsConfig) -> AlertDefinition:
    return AlertDefinition(
        key="tpu-stuck",
        display_name="TPU idle while requests wait (stuck server)",
        severity="CRITICAL",
        documentation=(
            f"A serving pod has requests waiting but its TPUs have been under "
            f"{config.duty_cycle_idle_percent:g}% busy for {config.stuck_for_minutes} minutes ({_where(scope)})."
            "\n\nCheck first: the pod's logs for an XLA compilation or a hung collective (multi-host: every Ray "
            "worker of the group), then `kubectl describe pod` for TPU device errors. Deleting the pod (or "
            "the LeaderWorkerSet group) restarts it; the compile cache makes the restart shorter."
        ),
        conditions=(
            PromQLCondition(
                "duty cycle near zero and a queue, same pod",
                f'(max by (pod) (label_replace({_duty_cycle(scope)}, "pod", "$1", "pod_name", "(.+)")) '
                f"< {config.duty_cycle_idle_percent:g}) and on (pod) "
                f"(sum by (pod) (vllm:num_requests_waiting{{{_every_tier(scope)}}}) > 0)",
                config.stuck_for_minutes,
            ),
        ),
    )


def _pods_not_ready_alert(scope: Scope, config: AlertsConfig) -> AlertDefinition:
    return AlertDefinition(
        key="pods-not-ready",
        display_name="Serving replicas not ready",
        severity="ERROR",
        documentation=(
            f"A serving workload has had fewer ready replicas than desired for {config.not_ready_for_minutes} "
            f"minutes ({_where(scope)}); a replica may take up to 30 minutes to load weights and compile, so this "
            "is past a normal start.\n\nCheck first: `kubectl get pods` and events: Pending means no TPU node "
            "(node pool autoscaling, quota, reservation, flex-start capacity); CrashLoopBackOff means vLLM "
            "failed (its logs: model path, HBM out of memory); Running but not Ready means the startup probe "
            "is still waiting on weights from the model store."
        ),
        conditions=(
            PromQLCondition("desired minus ready replicas", _not_ready_query(scope), config.not_ready_for_minutes),
        ),
    )


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

"""Which metrics exist, and how one tier's series are selected in each metric family. Pure.

Every metric type a dashboard panel, alert condition or SLO names must be in `ALLOWED_METRIC_TYPES`
(tests walk the generated JSON and PromQL), so a typo fails a test instead of drawing an empty chart.

Selecting one tier (names agreed with the serving work: Deployment or LeaderWorkerSet and Service
`vllm-<tier>` in the serving namespace):
- vLLM series (Managed Prometheus, resource `prometheus_target`): the PodMonitoring default target
  labels include `top_level_controller_name` (GoogleCloudPlatform/prometheus-engine v0.17.2,
  PodMonitoring CRD `spec.targetLabels.metadata`, default `[container, pod, top_level_controller_name,
  top_level_controller_type]`), which is `vllm-<tier>` for both a Deployment's and a LeaderWorkerSet's
  pods; `cluster` and `namespace` are protected target labels.
- GKE system metrics (`k8s_container`): `metadata.system_labels.top_level_controller_name` in
  Cloud Monitoring filters (the same controller name); PromQL sees resource labels only
  (`cluster_name`, `namespace_name`, `pod_name`), so PromQL joins on the pod.
- Load-balancer metrics (`https_lb_rule`): the GKE Gateway controller names each backend service
  `gkegw1-<4 chars>-<namespace>-<service>-<port>-<12 chars>` (e.g. `gkegw1-26e6-airflow-airflow-api-
  server-8080-guzi9tddibi2`), truncating namespace and service when the name would pass 63
  characters; the resource label `backend_target_name` carries it, so a
  `monitoring.regex.full_match` on it selects one tier. The config rejects tier names that would be
  truncated.
"""

from __future__ import annotations

from components.serving import vllm_release

# --- the allow-list -------------------------------------------------------------------------------

# GKE system metrics (https://cloud.google.com/monitoring/api/metrics_kubernetes).
TPU_METRICS = (
    "kubernetes.io/container/accelerator/duty_cycle",
    "kubernetes.io/container/accelerator/memory_used",
    "kubernetes.io/container/accelerator/memory_total",
    "kubernetes.io/node/accelerator/duty_cycle",
    "kubernetes.io/node/accelerator/memory_used",
    "kubernetes.io/node/accelerator/memory_total",
)
# Exist for some TPU generations; emission on TPU7x is UNCONFIRMED (facts sheet, Observability):
# panels on them are marked optional and can be switched off.
UNCONFIRMED_TPU_METRICS = (
    "kubernetes.io/container/accelerator/tensorcore_utilization",
    "kubernetes.io/container/accelerator/memory_bandwidth_utilization",
)
# Global external Application Load Balancer, resource type https_lb_rule (facts sheet, Observability).
LB_METRICS = (
    "loadbalancing.googleapis.com/https/request_count",
    "loadbalancing.googleapis.com/https/total_latencies",
    "loadbalancing.googleapis.com/https/backend_latencies",
)
LB_RESOURCE_TYPE = "https_lb_rule"
# Regional external Application Load Balancer (the Inference Gateway edge), resource type
# http_external_regional_lb_rule (cloud.google.com/monitoring/api/metrics_gcp, loadbalancing).
REGIONAL_LB_METRICS = (
    "loadbalancing.googleapis.com/https/external/regional/request_count",
    "loadbalancing.googleapis.com/https/external/regional/total_latencies",
    "loadbalancing.googleapis.com/https/external/regional/backend_latencies",
)
REGIONAL_LB_RESOURCE_TYPE = "http_external_regional_lb_rule"
# The endpoint picker's pool gauges and scheduling latency (llm-d/llm-d-router v0.10.0,
# pkg/epp/metrics/llm_d_router_metrics.go, subsystem llm_d_epp; label `name` is the pool).
EPP_METRICS = {
    "llm_d_epp_average_queue_size": "gauge",
    "llm_d_epp_average_kv_cache_utilization": "gauge",
    "llm_d_epp_ready_endpoints": "gauge",
    "llm_d_epp_scheduler_e2e_duration_seconds": "histogram",
}
# The vLLM metrics the dashboard, alerts and autoscaler read, by the names vLLM defines them under.
# Their series and types are not written here: they come from the pinned release's own definitions
# (`components/serving/vllm_release.json`, extracted from `vllm/v1/metrics/loggers.py` and the rest by
# `python -m tools vllm-release`), so a metric the release removed (as vllm#32661 removed
# `vllm:time_per_output_token_seconds`) is missing from the allow-list and every panel, alert or SLO
# that names it fails a test.
VLLM_METRIC_NAMES = (
    "vllm:num_requests_running",
    "vllm:num_requests_waiting",
    "vllm:kv_cache_usage_perc",
    "vllm:time_to_first_token_seconds",
    "vllm:inter_token_latency_seconds",
    "vllm:e2e_request_latency_seconds",
    "vllm:prompt_tokens",
    "vllm:generation_tokens",
)


def release_series(names: tuple[str, ...]) -> dict[str, str]:
    """Series name (as Managed Prometheus stores it) -> Prometheus type, for the names the release defines."""
    defined = vllm_release.load().metrics
    series = (defined[name].monitoring_type.split("/") for name in names if name in defined)
    return {name: kind for _, name, kind in series}


VLLM_METRICS = release_series(VLLM_METRIC_NAMES)
# GKE's kube state metrics package (Managed Prometheus, resource prometheus_target), enabled on the
# cluster with monitoring components DEPLOYMENT, STATEFULSET, HPA
# (https://cloud.google.com/kubernetes-engine/docs/how-to/kube-state-metrics).
KUBE_STATE_METRICS = {
    "kube_deployment_spec_replicas": "gauge",
    "kube_deployment_status_replicas_available": "gauge",
    "kube_statefulset_replicas": "gauge",
    "kube_statefulset_status_replicas_ready": "gauge",
    "kube_horizontalpodautoscaler_spec_max_replicas": "gauge",
    "kube_horizontalpodautoscaler_status_current_replicas": "gauge",
}


def prometheus_metric_type(name: str, kind: str) -> str:
    """The Cloud Monitoring type of a Managed Prometheus series."""
    return f"prometheus.googleapis.com/{name}/{kind}"


ALLOWED_METRIC_TYPES = frozenset(
    {
        *TPU_METRICS,
        *UNCONFIRMED_TPU_METRICS,
        *LB_METRICS,
        *REGIONAL_LB_METRICS,
        *(prometheus_metric_type(n, k) for n, k in EPP_METRICS.items()),
        *(prometheus_metric_type(n, k) for n, k in VLLM_METRICS.items()),
        *(prometheus_metric_type(n, k) for n, k in KUBE_STATE_METRICS.items()),
    }
)


def promql_name(metric_type: str) -> str:
    """The PromQL name of a Cloud Monitoring metric: the domain's dots become underscores, the first
    slash a colon, the other slashes underscores (`kubernetes.io/node/accelerator/duty_cycle` ->
    `kubernetes_io:node_accelerator_duty_cycle`); Managed Prometheus series keep their own name."""
    if metric_type.startswith("prometheus.googleapis.com/"):
        return metric_type.split("/")[1]
    domain, _, path = metric_type.partition("/")
    return f"{domain.replace('.', '_')}:{path.replace('/', '_').replace('.', '_')}"


def _promql_series_names() -> dict[str, str]:
    """Every PromQL series name the allow-list permits -> the metric type it reads."""
    names: dict[str, str] = {}
    for metric_type in ALLOWED_METRIC_TYPES:
        base = promql_name(metric_type)
        names[base] = metric_type
        if metric_type.endswith("/histogram"):
            for suffix in ("_bucket", "_sum", "_count"):
                names[base + suffix] = metric_type
    return names


PROMQL_SERIES = _promql_series_names()

# --- selecting one tier ----------------------------------------------------------------------------

GATEWAY_BACKEND_PREFIX = "gkegw1"
MAX_BACKEND_SERVICE_NAME = 63
# `gkegw1-` + 4 + `-` + ... + `-` + 12: the fixed parts around namespace, service and port.
_BACKEND_NAME_OVERHEAD = len(GATEWAY_BACKEND_PREFIX) + 1 + 4 + 1 + 1 + 1 + 1 + 12


def workload_name(tier: str) -> str:
    """The Deployment / LeaderWorkerSet and Service of a tier (agreed with the serving component)."""
    return f"vllm-{tier}"


def backend_service_name_length(namespace: str, tier: str, port: int) -> int:
    """How long the Gateway controller's backend service name for a tier is before truncation."""
    return _BACKEND_NAME_OVERHEAD + len(namespace) + len(workload_name(tier)) + len(str(port))


def backend_service_regex(namespace: str, tiers: list[str] | tuple[str, ...], port: int) -> str:
    """An RE2 full-match pattern for the backend services of `tiers` (alternation when several)."""
    names = "|".join(workload_name(t) for t in sorted(tiers))
    service = names if len(tiers) == 1 else f"({names})"
    return f"{GATEWAY_BACKEND_PREFIX}-[a-z0-9]{{4}}-{namespace}-{service}-{port}-[a-z0-9]{{12}}"


def lb_filter(metric_type: str, backend_regex: str, extra: str = "", resource_type: str = LB_RESOURCE_TYPE) -> str:
    """A Cloud Monitoring filter on one load-balancer metric for the backends matching `backend_regex`."""
    parts = [
        f'metric.type="{metric_type}"',
        f'resource.type="{resource_type}"',
        f'resource.label.backend_target_name=monitoring.regex.full_match("{backend_regex}")',
    ]
    return " ".join([*parts, extra] if extra else parts)


def container_filter(metric_type: str, cluster: str, namespace: str, tier: str) -> str:
    """A Cloud Monitoring filter on one GKE container metric for the pods of one tier."""
    return " ".join(
        [
            f'metric.type="{metric_type}"',
            'resource.type="k8s_container"',
            f'resource.label.cluster_name="{cluster}"',
            f'resource.label.namespace_name="{namespace}"',
            f'metadata.system_labels.top_level_controller_name="{workload_name(tier)}"',
        ]
    )


def vllm_selector(cluster: str, namespace: str, tier: str | None = None) -> str:
    """PromQL label matchers for one tier's vLLM series (every vLLM workload when `tier` is None)."""
    controller = (
        f'top_level_controller_name="{workload_name(tier)}"' if tier else 'top_level_controller_name=~"vllm-.+"'
    )
    return f'cluster="{cluster}",namespace="{namespace}",{controller}'

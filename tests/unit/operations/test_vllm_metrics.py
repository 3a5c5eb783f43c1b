"""Every vLLM metric the program names exists in the pinned release (its own definitions, extracted)."""

from __future__ import annotations

from components.operations import metrics
from components.operations.metrics import PROMQL_SERIES, VLLM_METRIC_NAMES, VLLM_METRICS, release_series
from components.serving.vllm_release import load

RELEASE = load()


def test_every_vllm_metric_the_program_reads_is_defined_by_the_pinned_release() -> None:
    undefined = [name for name in VLLM_METRIC_NAMES if name not in RELEASE.metrics]
    assert undefined == [], f"vLLM {RELEASE.version} ({RELEASE.vllm.sha[:9]}) does not define {undefined}"


def test_none_of_them_is_deprecated_or_hidden_in_the_release() -> None:
    assert [n for n in VLLM_METRIC_NAMES if RELEASE.metric(n).deprecated or RELEASE.metric(n).hidden] == []


def test_the_allow_list_holds_the_series_as_managed_prometheus_stores_them() -> None:
    assert VLLM_METRICS == {
        "vllm:num_requests_running": "gauge",
        "vllm:num_requests_waiting": "gauge",
        "vllm:kv_cache_usage_perc": "gauge",
        "vllm:time_to_first_token_seconds": "histogram",
        "vllm:inter_token_latency_seconds": "histogram",
        "vllm:e2e_request_latency_seconds": "histogram",
        "vllm:prompt_tokens_total": "counter",
        "vllm:generation_tokens_total": "counter",
    }


def test_a_metric_the_release_removed_is_not_allowed_so_a_panel_on_it_fails() -> None:
    assert release_series(("vllm:time_per_output_token_seconds",)) == {}
    assert "vllm:time_per_output_token_seconds_bucket" not in PROMQL_SERIES
    assert "vllm:inter_token_latency_seconds_bucket" in PROMQL_SERIES
    assert metrics.prometheus_metric_type("vllm:time_per_output_token_seconds", "histogram") not in (
        metrics.ALLOWED_METRIC_TYPES
    )

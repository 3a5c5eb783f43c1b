"""The metric allow-list, PromQL names and how one tier's series are selected."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from components.network.config import private_services_overflow
from components.operations import metrics

DNS = st.from_regex(r"[a-z][a-z0-9]{0,8}(-[a-z0-9]{1,6})?", fullmatch=True)


def test_promql_names_follow_cloud_monitorings_mapping() -> None:
    assert metrics.promql_name("kubernetes.io/container/accelerator/duty_cycle") == (
        "kubernetes_io:container_accelerator_duty_cycle"
    )
    assert metrics.promql_name("loadbalancing.googleapis.com/https/request_count") == (
        "loadbalancing_googleapis_com:https_request_count"
    )
    assert (
        metrics.promql_name("prometheus.googleapis.com/vllm:num_requests_waiting/gauge") == "vllm:num_requests_waiting"
    )
    assert metrics.PROMQL_SERIES["vllm:time_to_first_token_seconds_bucket"] == (
        "prometheus.googleapis.com/vllm:time_to_first_token_seconds/histogram"
    )


def test_allow_list_holds_the_facts_sheet_metrics_and_not_the_deprecated_vllm_one() -> None:
    assert "prometheus.googleapis.com/vllm:kv_cache_usage_perc/gauge" in metrics.ALLOWED_METRIC_TYPES
    assert not any("gpu_cache_usage_perc" in m for m in metrics.ALLOWED_METRIC_TYPES)
    assert {"loadbalancing.googleapis.com/https/request_count", "kubernetes.io/node/accelerator/duty_cycle"} <= (
        metrics.ALLOWED_METRIC_TYPES
    )


# Real backend service names made by the GKE Gateway controller (public issue threads and docs):
# the formula reproduces their length, and 63 is where truncation starts.
SEEN = {
    "gkegw1-26e6-airflow-airflow-api-server-8080-guzi9tddibi2": ("airflow", "airflow-api-server", 8080),
    "gkegw1-yi3w-mcp-agent-prod-agent-webapp-80-4fdj4jjm3trk": ("mcp-agent-prod", "agent-webapp", 80),
    "gkegw1-qm6k-secure-app-secure-demo-8080-wqi4f7l2fh2l": ("secure-app", "secure-demo", 8080),
}


def test_backend_service_names_seen_in_the_wild_match_the_pattern() -> None:
    for name, (namespace, service, port) in SEEN.items():
        tier = service.removeprefix("vllm-")
        pattern = metrics.backend_service_regex(namespace, [tier], port).replace("vllm-", "", 1)
        assert re.fullmatch(pattern, name), name
        assert len(name) == metrics.backend_service_name_length(namespace, tier, port) - len("vllm-")


@given(namespace=DNS, tiers=st.lists(DNS, min_size=1, max_size=3, unique=True), port=st.integers(1024, 65535))
def test_backend_regex_selects_exactly_its_tiers(namespace: str, tiers: list[str], port: int) -> None:
    pattern = re.compile(metrics.backend_service_regex(namespace, tiers, port))
    for tier in tiers:
        assert pattern.fullmatch(f"gkegw1-ab12-{namespace}-vllm-{tier}-{port}-abcdefghij12")
    assert not pattern.fullmatch(f"gkegw1-ab12-{namespace}-vllm-zz{tiers[0]}-{port}-abcdefghij12")
    assert not pattern.fullmatch(f"gkegw1-ab12-other{namespace}-vllm-{tiers[0]}-{port}-abcdefghij12")


@given(
    prefix=st.integers(8, 24),
    demands=st.lists(st.tuples(st.sampled_from(["cache", "lustre", "other"]), st.integers(20, 29)), max_size=6),
)
def test_private_services_fit_is_the_sum_of_aligned_blocks(prefix: int, demands: list[tuple[str, int]]) -> None:
    fits = sum(2 ** (32 - length) for _, length in demands) <= 2 ** (32 - prefix)
    assert (private_services_overflow(prefix, demands) is None) == fits


def test_private_services_overflow_names_every_user_and_the_prefix_that_fits() -> None:
    message = private_services_overflow(24, [("Memorystore cache", 28), ("Managed Lustre", 23)])
    assert message == (
        "/24 holds 256 addresses but Memorystore cache /28, Managed Lustre /23 reserve 528 "
        "(allowed: /22 or a shorter prefix)"
    )
    assert private_services_overflow(22, [("Memorystore cache", 28), ("Managed Lustre", 23)]) is None

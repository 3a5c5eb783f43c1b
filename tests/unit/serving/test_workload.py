"""The pure builders of a tier's pods, rollout and scaling (components/serving/workload.py)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from components.serving import workload
from tests.unit.sdk_args import plain


@given(st.integers(min_value=1, max_value=4 * 3600))
def test_startup_probe_covers_the_whole_startup_budget(startup_seconds: int) -> None:
    startup, readiness, liveness = (plain(probe) for probe in workload.probes(startup_seconds))
    assert startup["period_seconds"] == 30
    assert startup["period_seconds"] * startup["failure_threshold"] >= startup_seconds
    assert startup["period_seconds"] * (startup["failure_threshold"] - 1) < startup_seconds
    assert (readiness["period_seconds"], readiness["failure_threshold"]) == (10, 3)
    assert (liveness["period_seconds"], liveness["failure_threshold"]) == (30, 6)
    for probe in (startup, readiness, liveness):
        assert probe["http_get"] == {"path": "/health", "port": "http"}


def test_a_pdb_lets_one_healthy_pod_go_and_never_holds_an_unready_one() -> None:
    selector = {"app.kubernetes.io/name": "vllm", "llm-platform/tier": "small"}
    assert plain(workload.disruption_budget_spec(selector)) == {
        "max_unavailable": 1,
        "unhealthy_pod_eviction_policy": "AlwaysAllow",
        "selector": {"match_labels": selector},
    }


def test_names_and_labels_other_components_rely_on() -> None:
    assert workload.workload_name("large") == "vllm-large"
    assert workload.selector_labels("large") == {"app.kubernetes.io/name": "vllm", "llm-platform/tier": "large"}
    assert workload.workload_labels("large") == {
        "app.kubernetes.io/name": "vllm",
        "llm-platform/tier": "large",
        "app.kubernetes.io/part-of": "llm-platform",
        "app.kubernetes.io/managed-by": "pulumi",
    }

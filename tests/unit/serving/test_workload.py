"""The pure builders of a tier's pods, rollout and scaling (components/serving/workload.py)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from components.serving import workload
from tests.helpers import plain


@given(st.integers(min_value=1, max_value=4 * 3600))
def test_startup_probe_covers_the_whole_startup_budget(startup_seconds: int) -> None:
    startup, readiness, liveness = (plain(probe) for probe in workload.probes(startup_seconds))
    assert startup["periodSeconds"] == 30
    assert startup["periodSeconds"] * startup["failureThreshold"] >= startup_seconds
    assert startup["periodSeconds"] * (startup["failureThreshold"] - 1) < startup_seconds
    assert (readiness["periodSeconds"], readiness["failureThreshold"]) == (10, 3)
    assert (liveness["periodSeconds"], liveness["failureThreshold"]) == (30, 6)
    for probe in (startup, readiness, liveness):
        assert probe["httpGet"] == {"path": "/health", "port": "http"}


def test_a_deployment_pdb_lets_one_replica_go_and_a_slice_none() -> None:
    selector = {"app.kubernetes.io/name": "vllm", "llm-platform/tier": "small"}
    assert plain(workload.disruption_budget_spec(selector, multi_host=False)) == {
        "maxUnavailable": 1,
        "selector": {"matchLabels": selector},
    }
    assert plain(workload.disruption_budget_spec(selector, multi_host=True))["maxUnavailable"] == 0


def test_names_and_labels_other_components_rely_on() -> None:
    assert workload.workload_name("large") == "vllm-large"
    assert workload.selector_labels("large") == {"app.kubernetes.io/name": "vllm", "llm-platform/tier": "large"}
    assert workload.workload_labels("large") == {
        "app.kubernetes.io/name": "vllm",
        "llm-platform/tier": "large",
        "app.kubernetes.io/part-of": "llm-platform",
        "app.kubernetes.io/managed-by": "pulumi",
    }

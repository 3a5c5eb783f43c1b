"""The per-tier SLOs and their burn-rate windows: one availability and one latency SLO per tier,
each selecting its own tier's backend on allowed load-balancer metrics."""

from __future__ import annotations

from components.operations import slos as s
from components.operations.config import SloConfig
from tests.unit.operations.helpers import SCOPE, filter_metric_types, not_allowed


def test_every_metric_in_every_slo_is_allowed() -> None:
    for slo in s.build_slos(SCOPE, SloConfig()):
        assert not_allowed(filter_metric_types(slo.total_filter + slo.bad_filter)) == set()


def test_burn_rates_are_the_sre_workbooks_over_thirty_days() -> None:
    fast, slow = s.BURN_RATE_WINDOWS
    assert (fast.burn_rate(30), slow.burn_rate(30)) == (14.4, 6.0)
    assert fast.burn_rate(28) == 13.44


def test_each_tier_gets_an_availability_and_a_latency_slo_with_its_own_threshold() -> None:
    slos = s.build_slos(SCOPE, SloConfig(latency_threshold_ms_by_tier={"large": 120_000}))
    assert {(o.tier, o.kind) for o in slos} == {(t, k) for t in ("large", "small") for k in ("availability", "latency")}
    assert {o.tier: o.latency_threshold_ms for o in slos if o.kind == "latency"} == {"large": 120_000, "small": 60_000}


def test_availability_slo_counts_5xx_of_one_tiers_backend_only() -> None:
    slo = next(o for o in s.build_slos(SCOPE, SloConfig()) if o.key == "small-availability")
    assert 'resource.type="https_lb_rule"' in slo.total_filter
    assert "llm-serving-vllm-small-8000" in slo.total_filter and "large" not in slo.total_filter
    assert slo.bad_filter == slo.total_filter + " metric.label.response_code_class=500"

"""Drain timings: the load balancer's draining <= vLLM's shutdown timeout < the pod's grace period.

The property runs over the whole config space of `gateway.backend.drainingTimeoutSec` (0..3600) and
both kinds of tier; the known values are written out once, from the timeline in drain.py.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.gateway.config import BackendConfig
from components.serving.drain import DrainTimings, drain_timings

BOUNDS = BackendConfig.model_fields["draining_timeout_sec"].metadata
DRAINING = st.integers(min_value=0, max_value=3600)


def test_the_strategy_covers_the_config_bounds() -> None:
    assert {type(b).__name__: getattr(b, "ge", getattr(b, "le", None)) for b in BOUNDS} == {"Ge": 0, "Le": 3600}


@given(DRAINING)
def test_every_drain_completes_before_the_kubelet_kills_it(draining: int) -> None:
    drain = drain_timings(draining)
    assert drain.draining_timeout == draining  # what the GCPBackendPolicy writes
    assert drain.draining_timeout <= drain.shutdown_timeout  # vLLM outlives every drained connection
    assert drain.prestop + drain.shutdown_timeout < drain.grace_period  # SIGKILL never cuts the drain
    assert drain.prestop > 0  # the load balancer stops routing before SIGTERM


@given(DRAINING)
def test_workers_hold_the_ray_cluster_until_the_leader_is_gone(draining: int) -> None:
    drain = drain_timings(draining)
    assert drain.worker_prestop >= drain.grace_period  # past the leader's own SIGKILL
    assert drain.worker_prestop < drain.worker_grace_period


def test_the_default_drain() -> None:
    # BackendConfig's default 120 s: 30 s preStop, 120 s vLLM drain, 30 s to exit; workers 180 s + 10 s.
    assert drain_timings(120) == DrainTimings(
        draining_timeout=120,
        prestop=30,
        shutdown_timeout=120,
        grace_period=180,
        worker_prestop=180,
        worker_grace_period=190,
    )
    assert drain_timings(120).as_output() == {
        "drainingTimeoutSec": 120,
        "preStopSeconds": 30,
        "shutdownTimeoutSeconds": 120,
        "terminationGracePeriodSeconds": 180,
    }


def test_a_negative_drain_is_a_bug() -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        drain_timings(-1)

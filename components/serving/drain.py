"""How a serving pod stops without dropping a request: every drain timing, derived in one place.

What happens when a serving pod is deleted (rollout, scale-down, node upgrade, flex-start reclaim):
1. Kubernetes marks the pod terminating; the GKE NEG controller detaches its endpoint and the load
   balancer starts draining its connections: requests already on it may run for the backend's
   `connectionDraining.drainingTimeoutSec` (GCPBackendPolicy), new ones go to other endpoints.
2. The kubelet runs the preStop hook, a plain sleep, while the server still accepts requests: the
   load balancer is programmed from outside the cluster and may route a few more requests to the
   pod. vllm-project/vllm#43208 and KServe (kserve/kserve#5485) sleep 15 s for an in-cluster
   endpoint picker; a Google Cloud load balancer learns of the detach through the NEG controller, so
   the wait here is twice that.
3. SIGTERM: vLLM refuses new requests and waits up to `--shutdown-timeout` seconds for the running
   ones (vllm#34730 / #36666; the pinned release's `launcher.py` `handle_shutdown`), then aborts
   what is left and stops the engine. The default, 0, aborts everything at once.
4. SIGKILL at `terminationGracePeriodSeconds` after the deletion (the preStop sleep counts).

So draining <= shutdown timeout (vLLM outlives every connection the load balancer still drains) and
preStop + shutdown timeout < grace period (the kubelet never kills a drain in progress). A
multi-host group is deleted as a whole: its workers hold the Ray cluster the leader's engine runs
on, so they sleep through the leader's whole grace period before they stop.

Limits outside the program: GKE respects the grace period for at most one hour when it drains a
node for an upgrade, and a Spot VM gets about 30 s after its preemption notice.
"""

from __future__ import annotations

from dataclasses import dataclass

# The load balancer's reaction to a terminating endpoint (point 2 above).
PRESTOP_SECONDS = 30
# After the drain deadline vLLM aborts the rest, stops the engine and its workers, and exits.
ENGINE_EXIT_SECONDS = 30
# A Ray worker stops within seconds once its preStop sleep ends.
WORKER_EXIT_SECONDS = 10


@dataclass(frozen=True)
class DrainTimings:
    """One tier's drain, in seconds: what the load balancer, vLLM and the kubelet are each given."""

    draining_timeout: int  # GCPBackendPolicy connectionDraining.drainingTimeoutSec
    prestop: int  # the serving container's preStop sleep
    shutdown_timeout: int  # vLLM --shutdown-timeout
    grace_period: int  # terminationGracePeriodSeconds of a serving pod (Deployment pod, LWS leader)
    worker_prestop: int  # a LeaderWorkerSet worker's preStop sleep
    worker_grace_period: int  # terminationGracePeriodSeconds of a LeaderWorkerSet worker

    def as_output(self) -> dict[str, int]:
        return {
            "drainingTimeoutSec": self.draining_timeout,
            "preStopSeconds": self.prestop,
            "shutdownTimeoutSeconds": self.shutdown_timeout,
            "terminationGracePeriodSeconds": self.grace_period,
        }


def drain_timings(draining_seconds: int) -> DrainTimings:
    """Every timing of a tier whose in-flight requests may run `draining_seconds` after their pod stops."""
    if draining_seconds < 0:
        raise ValueError(f"draining_seconds must not be negative, not {draining_seconds}")
    shutdown = draining_seconds
    grace = PRESTOP_SECONDS + shutdown + ENGINE_EXIT_SECONDS
    return DrainTimings(
        draining_timeout=draining_seconds,
        prestop=PRESTOP_SECONDS,
        shutdown_timeout=shutdown,
        grace_period=grace,
        worker_prestop=grace,
        worker_grace_period=grace + WORKER_EXIT_SECONDS,
    )

"""Day 2 on every stack's graph: drains that finish, rollouts that fit the pools, rotations that roll.

Everything is read from the recorded objects (pod templates, backend policies, node pools), not
from the modules that built them.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

import pytest

from components.serving import vllm_release
from tests.conftest import STACKS
from tools.graph import Registration, StackGraph, evaluate

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
LWS = "kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet"
BACKEND_POLICY = "kubernetes:networking.gke.io/v1:GCPBackendPolicy"
NODE_POOL = "gcp:container/nodePool:NodePool"
HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
SHUTDOWN = re.compile(r"--shutdown-timeout=(\d+)")
CHECKSUM = "llm-platform/checksum."
TPU = "google.com/tpu"
RELEASE = vllm_release.load()


@pytest.fixture(params=STACKS)
def graph(request: pytest.FixtureRequest, graphs: dict[str, StackGraph]) -> StackGraph:
    return graphs[request.param]


def _on_tpus(template: dict[str, Any]) -> bool:
    """A model server's pod: it requests TPU chips (the endpoint pickers beside it do not)."""
    return any(TPU in c.get("resources", {}).get("requests", {}) for c in template["spec"]["containers"])


def _serving_templates(graph: StackGraph) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(workload name, role, pod template) of every serving workload: Deployments, LWS leaders and workers."""
    for deployment in graph.by_type(DEPLOYMENT):
        if _on_tpus(deployment.inputs["spec"]["template"]):
            yield deployment.inputs["metadata"]["name"], "serving", deployment.inputs["spec"]["template"]
    for lws in graph.by_type(LWS):
        template = lws.inputs["spec"]["leaderWorkerTemplate"]
        yield lws.inputs["metadata"]["name"], "serving", template["leaderTemplate"]
        yield lws.inputs["metadata"]["name"], "worker", template["workerTemplate"]


def _draining(graph: StackGraph) -> dict[str, int]:
    """Each tier Service's load-balancer connection draining."""
    return {
        policy.inputs["spec"]["targetRef"]["name"]: policy.inputs["spec"]["default"]["connectionDraining"][
            "drainingTimeoutSec"
        ]
        for policy in graph.by_type(BACKEND_POLICY)
    }


def test_every_serving_pod_drains_before_it_is_killed(graph: StackGraph) -> None:
    draining = _draining(graph)
    leaders: dict[str, int] = {}
    templates = list(_serving_templates(graph))
    assert templates
    for name, role, pod in sorted(templates, key=lambda t: t[1]):  # "serving" before "worker"
        (container,) = pod["spec"]["containers"]
        prestop = container["lifecycle"]["preStop"]["sleep"]["seconds"]
        grace = pod["spec"]["terminationGracePeriodSeconds"]
        assert prestop > 0 and prestop < grace, (name, role)
        if role == "serving":
            (shutdown,) = {int(m) for arg in container["args"] for m in SHUTDOWN.findall(arg)}
            assert draining[name] <= shutdown, name  # vLLM outlives every drained connection
            assert prestop + shutdown < grace, name  # the kubelet never kills a drain in progress
            leaders[name] = grace
        else:  # a worker holds the Ray cluster until its leader is surely gone
            assert prestop >= leaders[name], name


def _pool_ceiling(pool: Registration) -> int:
    return int(pool.inputs.get("nodeCount") or pool.inputs["autoscaling"]["maxNodeCount"])


def _pool_of(graph: StackGraph, tier: str) -> Registration:
    """The tier's pool; with a capacity chain, its first step's (every step has the same ceiling, and the
    chain rolls by replacement)."""
    first = graph.outputs["tiers"][tier]["nodePool"]
    (pool,) = [p for p in graph.by_type(NODE_POOL) if p.inputs["name"] == first]
    return pool


def _tier_count(graph: StackGraph) -> int:
    return len(graph.outputs["tiers"])


def test_no_rollout_needs_a_node_its_pool_cannot_create(graph: StackGraph) -> None:
    limits = {
        hpa.inputs["spec"]["scaleTargetRef"]["name"]: hpa.inputs["spec"]["maxReplicas"] for hpa in graph.by_type(HPA)
    }
    checked = 0
    for deployment in graph.by_type(DEPLOYMENT):
        name = deployment.inputs["metadata"]["name"]
        if name not in limits:
            continue
        update = deployment.inputs["spec"]["strategy"]["rollingUpdate"]
        pool = _pool_of(graph, name.removeprefix("vllm-"))
        # One serving pod per TPU VM: at maxReplicas a rollout runs maxReplicas + maxSurge pods.
        assert limits[name] + int(update["maxSurge"]) <= _pool_ceiling(pool), name
        assert int(update["maxSurge"]) + int(update["maxUnavailable"]) == 1, name
        if pool.inputs["nodeConfig"].get("flexStart") or pool.inputs["nodeConfig"].get("spot"):
            assert update == {"maxSurge": 0, "maxUnavailable": 1}, name  # new capacity may never come
        checked += 1
    for lws in graph.by_type(LWS):
        spec = lws.inputs["spec"]
        rolling = spec["rolloutStrategy"]["rollingUpdateConfiguration"]
        size = spec["leaderWorkerTemplate"]["size"]
        pool = _pool_of(graph, lws.inputs["metadata"]["name"].removeprefix("vllm-"))
        assert rolling == {"maxSurge": 0, "maxUnavailable": 1}  # a slice is atomic: a second group has no nodes
        assert (spec["replicas"] + rolling["maxSurge"]) * size <= _pool_ceiling(pool)
        checked += 1
    assert checked == _tier_count(graph)  # every tier's workload was judged


def test_disruption_budgets_never_hold_a_drain(graph: StackGraph) -> None:
    budgets = graph.by_type("kubernetes:policy/v1:PodDisruptionBudget")
    assert len(budgets) == _tier_count(graph)
    for budget in budgets:
        spec = budget.inputs["spec"]
        assert spec["maxUnavailable"] == 1 and "minAvailable" not in spec
        assert spec["unhealthyPodEvictionPolicy"] == "AlwaysAllow"


def _pod_templates(value: Any) -> Iterator[dict[str, Any]]:
    """Every pod template anywhere in a resource's inputs (Deployments, LWS, Jobs, ...)."""
    if isinstance(value, dict):
        if isinstance(value.get("spec"), dict) and "containers" in value["spec"]:
            yield value
        for item in value.values():
            yield from _pod_templates(item)
    elif isinstance(value, list):
        for item in value:
            yield from _pod_templates(item)


def _secrets_read(pod: dict[str, Any]) -> set[str]:
    """`secret.key` for each key a pod reads from a Secret, `secret.` for a whole Secret."""
    reads = set()
    spec = pod["spec"]
    for container in [*spec.get("initContainers", []), *spec["containers"]]:
        for env in container.get("env", []):
            if ref := env.get("valueFrom", {}).get("secretKeyRef"):
                reads.add(f"{ref['name']}.{ref['key']}")
        reads |= {f"{e['secretRef']['name']}." for e in container.get("envFrom", []) if "secretRef" in e}
    for volume in spec.get("volumes", []):
        if "secret" in volume:
            reads.add(f"{volume['secret']['secretName']}.")
        for source in volume.get("projected", {}).get("sources", []):
            if "secret" in source:
                reads.add(f"{source['secret']['name']}.")
    return reads


def test_every_pod_template_that_reads_a_secret_carries_its_checksum(graph: StackGraph) -> None:
    found = 0
    for resource in graph.resources:
        for pod in _pod_templates(resource.inputs):
            annotations = pod.get("metadata", {}).get("annotations", {})
            for read in _secrets_read(pod):
                assert any(a.startswith(CHECKSUM + read) for a in annotations), (resource.name, read)
                found += 1
    assert found >= len(list(_serving_templates(graph)))  # every serving pod reads the API key


def _templates_by_workload(graph: StackGraph) -> dict[str, Any]:
    return {r.urn: r.inputs for r in [*graph.by_type(DEPLOYMENT), *graph.by_type(LWS)]}


def test_a_new_api_key_rolls_every_serving_workload_and_nothing_else(prod: StackGraph) -> None:
    rotated = evaluate("prod", secret_seed="rotated-")
    before = {r.urn: r for r in prod.resources}
    after = {r.urn: r for r in rotated.resources}
    assert before.keys() == after.keys()
    changed = {urn for urn in before if before[urn].inputs != after[urn].inputs}
    workloads = {r.urn for r in [*prod.by_type(DEPLOYMENT), *prod.by_type(LWS)] if "serving-" in r.urn}
    assert workloads and changed == workloads  # the LeaderWorkerSet included; the Secret's value is masked
    key = f"{CHECKSUM}vllm-api-key.api-key"
    for urn in workloads:
        old_inputs, new_inputs = copy.deepcopy(before[urn].inputs), copy.deepcopy(after[urn].inputs)
        for old_pod, new_pod in zip(_pod_templates(old_inputs), _pod_templates(new_inputs), strict=True):
            assert old_pod["metadata"]["annotations"].pop(key) != new_pod["metadata"]["annotations"].pop(key)
        assert old_inputs == new_inputs, urn  # the checksum is the only difference
    assert "rotated-" not in rotated.to_json()  # the key itself is never in the graph


def test_each_tier_output_shows_its_drain_and_rollout(prod: StackGraph) -> None:
    tiers = prod.outputs["tiers"]
    assert tiers["small"]["rollout"]["strategy"] == "surge"
    assert tiers["large"]["rollout"] == {
        "strategy": "replace",
        "maxSurge": 0,
        "maxUnavailable": 1,
        "belowMinimumDuringRollout": True,
        "reason": "a 2x2x2 slice is one group on a one-slice pool: a surge group would need a second slice",
    }
    assert tiers["medium"]["drain"] == {
        "drainingTimeoutSec": 120,
        "preStopSeconds": 30,
        "shutdownTimeoutSeconds": 120,
        "terminationGracePeriodSeconds": 180,
    }


def test_every_shutdown_timeout_is_one_the_pinned_vllm_accepts_and_drains_with(graph: StackGraph) -> None:
    """The committed extract of the pinned release (components/serving/vllm_release.json): an int flag,
    0 aborts in-flight requests (tests/unit/serving/test_vllm_release.py), VllmConfig requires >= 0."""
    flag = RELEASE.flag("--shutdown-timeout")
    assert flag.type == "int"
    for name, role, pod in _serving_templates(graph):
        if role != "serving":
            continue
        (container,) = pod["spec"]["containers"]
        (value,) = [m for arg in container["args"] for m in SHUTDOWN.findall(arg)]
        assert flag.accepts(value) and int(value) > 0, name  # drain mode, not abort

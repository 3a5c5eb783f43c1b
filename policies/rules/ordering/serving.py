"""Creation order of the serving tiers' workloads, autoscalers and registry (components/serving)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi_policy import PolicyResource

from ..metadata import items, known
from .engine import Prerequisite, Rule, grants, rule_after, same, sets, value_at
from .resource_types import NODE_POOL, SECRET_IAM_MEMBER

# Which aggregated API serves each HPA metric type (Resource metrics come with GKE's metrics-server).
METRICS_APIS = {
    "Pods": "custom.metrics.k8s.io",
    "Object": "custom.metrics.k8s.io",
    "External": "external.metrics.k8s.io",
}


def _pod_spec(resource: PolicyResource) -> Any:
    """The pod template of a Deployment, or an LWS's worker template (leader and workers share nodes)."""
    spec = known(resource.props, "spec", "template", "spec")
    if spec is None:
        spec = known(resource.props, "spec", "leaderWorkerTemplate", "workerTemplate", "spec")
    return spec if isinstance(spec, Mapping) else {}


def has_tpu(selector: Mapping[str, Any]) -> bool:
    return any(key == "cloud.google.com/gke-tpu-accelerator" for key in selector)


def _tpu_selector(resource: PolicyResource) -> Mapping[str, Any]:
    selector = known(_pod_spec(resource), "nodeSelector")
    return selector if isinstance(selector, Mapping) and has_tpu(selector) else {}


def _pool_hosts(candidate: PolicyResource, subject: PolicyResource) -> bool:
    """A TPU node pool whose node labels satisfy the pod's own (non-GKE) selector labels."""
    machine = value_at(candidate, "nodeConfig", "machineType")
    if not (isinstance(machine, str) and machine.startswith("tpu")):
        return False
    labels = value_at(candidate, "nodeConfig", "labels")
    labels = labels if isinstance(labels, Mapping) else {}
    selector = _tpu_selector(subject)
    return all(
        same(labels.get(key), value) for key, value in selector.items() if not key.startswith("cloud.google.com/")
    )


COMPUTE_CLASS = "kubernetes:cloud.google.com/v1:ComputeClass"
COMPUTE_CLASS_KEY = "cloud.google.com/compute-class"


def _named_pool(name: str) -> Prerequisite:
    return Prerequisite(
        f"node pool {name}, which a priority names",
        NODE_POOL,
        lambda candidate, _: same(value_at(candidate, "name"), name),
    )


def class_pools(resource: PolicyResource) -> tuple[Prerequisite, ...]:
    """One prerequisite per node pool the ComputeClass's priorities name."""
    priorities = items(value_at(resource, "spec", "priorities"))
    return tuple(_named_pool(str(name)) for p in priorities for name in items(known(p, "nodepools")))


def _selects_class(candidate: PolicyResource, subject: PolicyResource) -> bool:
    return same(value_at(candidate, "metadata", "name"), _tpu_selector(subject).get(COMPUTE_CLASS_KEY))


def _serves(group: str) -> Prerequisite:
    return Prerequisite(
        f"the APIService of {group}",
        "kubernetes:apiregistration.k8s.io/v1:APIService",
        lambda candidate, _: same(value_at(candidate, "spec", "group"), group),
    )


def metrics_apis(resource: PolicyResource) -> tuple[Prerequisite, ...]:
    kinds = {known(metric, "type") for metric in items(value_at(resource, "spec", "metrics"))}
    return tuple(_serves(group) for group in sorted({METRICS_APIS[kind] for kind in kinds if kind in METRICS_APIS}))


RULES: tuple[Rule, ...] = (
    Rule(
        "gcp:artifactregistry/repository:Repository",
        "artifactregistry.googleapis.com serves it",
        apis=("artifactregistry.googleapis.com",),
    ),
    Rule(
        "gcp:artifactregistry/repository:Repository",
        "A remote repository reads its upstream password as the Artifact Registry service agent, which "
        "needs roles/secretmanager.secretAccessor on the secret "
        "(https://cloud.google.com/artifact-registry/docs/repositories/configure-remote-auth-dockerhub)",
        after=(
            grants(
                "roles/secretmanager.secretAccessor", "the agent's access to the upstream secret", SECRET_IAM_MEMBER
            ),
        ),
        when=sets(
            "remoteRepositoryConfig", "upstreamCredentials", "usernamePasswordCredentials", "passwordSecretVersion"
        ),
    ),
    *(
        rule_after(
            type_,
            "A TPU workload's pods stay Pending until a TPU pool with their labels exists "
            "(https://cloud.google.com/kubernetes-engine/docs/how-to/tpus)",
            Prerequisite("the TPU node pool its pods select", NODE_POOL, _pool_hosts),
            when=lambda r: bool(_tpu_selector(r)),
        )
        for type_ in ("kubernetes:apps/v1:Deployment", "kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet")
    ),
    Rule(
        COMPUTE_CLASS,
        "GKE scales only the pools a ComputeClass names, and a class naming a pool that does not exist yet "
        "leaves its pods Pending with no scale-up "
        "(https://cloud.google.com/kubernetes-engine/docs/concepts/about-custom-compute-classes)",
        after=class_pools,
        when=lambda r: bool(class_pools(r)),
    ),
    *(
        rule_after(
            type_,
            "Pods that select a ComputeClass stay Pending until the class exists "
            "(https://cloud.google.com/kubernetes-engine/docs/concepts/about-custom-compute-classes)",
            Prerequisite("the ComputeClass its pods select", COMPUTE_CLASS, _selects_class),
            when=lambda r: COMPUTE_CLASS_KEY in _tpu_selector(r),
        )
        for type_ in ("kubernetes:apps/v1:Deployment", "kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet")
    ),
    rule_after(
        "kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet",
        "The LeaderWorkerSet CRD and its admission webhook come with the controller's chart "
        "(https://lws.sigs.k8s.io/docs/installation/)",
        Prerequisite(
            "the LeaderWorkerSet controller's chart",
            "kubernetes:helm.sh/v4:Chart",
            lambda candidate, _: "lws" in str(value_at(candidate, "chart")),
        ),
    ),
    Rule(
        "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
        "Pods and Object metrics are served by the custom metrics API, External ones by the external "
        "metrics API; until it answers the HPA reports FailedGetPodsMetric / FailedGetExternalMetric "
        "(https://cloud.google.com/kubernetes-engine/docs/tutorials/autoscaling-metrics)",
        after=metrics_apis,
        when=lambda r: bool(metrics_apis(r)),
    ),
)

"""What every Kubernetes object of the platform waits for: a node pool, and the namespace it lives in.

The rows a concern adds for its own objects (a TPU workload's pool, a Gateway's address, a volume's
instance) live in that concern's module, after this shared one in the table.
"""

from __future__ import annotations

from pulumi_policy import PolicyResource

from .engine import Prerequisite, Rule, same, value_at
from .resource_types import NAMESPACE, NODE_POOL


def _in_namespace(candidate: PolicyResource, subject: PolicyResource) -> bool:
    return same(value_at(candidate, "metadata", "name"), value_at(subject, "metadata", "namespace"))


K8S_NODES = Prerequisite(
    "a node pool the Kubernetes provider waits for (through the provider's dependencies)", NODE_POOL
)
K8S_NAMESPACE = Prerequisite("the Namespace it lives in", NAMESPACE, _in_namespace, if_in_stack=True)
K8S_SOURCE = (
    "pulumi-kubernetes awaits a workload's readiness, which no pod reaches before a node pool can host it "
    "(https://www.pulumi.com/registry/packages/kubernetes/api-docs/apps/v1/deployment/); the API server "
    "refuses an object in a namespace that does not exist yet "
    "(https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/)"
)

KUBERNETES_TYPES = (
    NAMESPACE,
    "kubernetes:core/v1:Secret",
    "kubernetes:core/v1:ConfigMap",
    "kubernetes:core/v1:Service",
    "kubernetes:core/v1:ServiceAccount",
    "kubernetes:core/v1:PersistentVolume",
    "kubernetes:core/v1:PersistentVolumeClaim",
    "kubernetes:policy/v1:PodDisruptionBudget",
    "kubernetes:networking.k8s.io/v1:NetworkPolicy",
    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
    "kubernetes:rbac.authorization.k8s.io/v1:Role",
    "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
    "kubernetes:storage.k8s.io/v1:StorageClass",
    "kubernetes:cloud.google.com/v1:ComputeClass",
    "kubernetes:helm.sh/v4:Chart",
    "kubernetes:apps/v1:Deployment",
    "kubernetes:batch/v1:Job",
    "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
    "kubernetes:apiregistration.k8s.io/v1:APIService",
    "kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet",
    "kubernetes:gateway.networking.k8s.io/v1:Gateway",
    "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
    "kubernetes:networking.gke.io/v1:GCPBackendPolicy",
    "kubernetes:networking.gke.io/v1:HealthCheckPolicy",
    "kubernetes:networking.gke.io/v1:GCPRoutingExtension",
    "kubernetes:inference.networking.k8s.io/v1:InferencePool",
    "kubernetes:monitoring.googleapis.com/v1:PodMonitoring",
    "kubernetes:datalayer.gke.io/v1:GCPDataSource",
)

RULES: tuple[Rule, ...] = tuple(Rule(type_, K8S_SOURCE, after=(K8S_NODES, K8S_NAMESPACE)) for type_ in KUBERNETES_TYPES)

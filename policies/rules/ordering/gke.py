"""Creation order of the cluster, its node pools, admission and add-ons (components/gke)."""

from __future__ import annotations

from .engine import Prerequisite, Rule, grants, named_by, rule_after, value_at
from .resource_types import CLUSTER, NODE_POOL

RULES: tuple[Rule, ...] = (
    Rule(
        CLUSTER,
        "GKE needs the Compute and GKE APIs, its subnetwork, and a node account able to write logs and "
        "metrics (https://cloud.google.com/kubernetes-engine/docs/how-to/hardening-your-cluster)",
        apis=("container.googleapis.com", "compute.googleapis.com"),
        after=(
            Prerequisite("its subnetwork", "gcp:compute/subnetwork:Subnetwork"),
            grants("roles/container.defaultNodeServiceAccount", "the node account's GKE role"),
        ),
    ),
    Rule(
        CLUSTER,
        "Admission from the first pod: the project's Binary Authorization policy is in place before "
        "the cluster that enforces it starts anything "
        "(https://cloud.google.com/binary-authorization/docs/policy-yaml-reference)",
        apis=("binaryauthorization.googleapis.com",),
        after=(Prerequisite("the Binary Authorization policy", "gcp:binaryauthorization/policy:Policy"),),
        when=lambda r: value_at(r, "binaryAuthorization", "evaluationMode") == "PROJECT_SINGLETON_POLICY_ENFORCE",
    ),
    Rule(
        CLUSTER,
        "Image streaming needs the Container File System API "
        "(https://cloud.google.com/kubernetes-engine/docs/how-to/image-streaming)",
        apis=("containerfilesystem.googleapis.com",),
        when=lambda r: value_at(r, "nodePoolDefaults", "nodeConfigDefaults", "gcfsConfig", "enabled") is True,
    ),
    Rule(
        NODE_POOL,
        "A pool joins its cluster; nodes whose account lacks roles/container.defaultNodeServiceAccount "
        "cannot write logs and metrics "
        "(https://docs.cloud.google.com/kubernetes-engine/security/configure-node-service-accounts)",
        apis=("container.googleapis.com", "compute.googleapis.com"),
        after=(
            Prerequisite("its cluster", CLUSTER),
            grants("roles/container.defaultNodeServiceAccount", "the node account's GKE role"),
        ),
    ),
    Rule(
        NODE_POOL,
        "A multi-host TPU slice names its workload policy, which must exist "
        "(https://cloud.google.com/kubernetes-engine/docs/how-to/tpus)",
        after=(
            Prerequisite(
                "the workload policy it names",
                "gcp:compute/resourcePolicy:ResourcePolicy",
                named_by("name", "placementPolicy", "policyName"),
            ),
        ),
        when=lambda r: isinstance(value_at(r, "placementPolicy", "policyName"), str),
    ),
    Rule(
        "gcp:compute/resourcePolicy:ResourcePolicy",
        "compute.googleapis.com serves it",
        apis=("compute.googleapis.com",),
    ),
    Rule(
        "gcp:binaryauthorization/policy:Policy",
        "binaryauthorization.googleapis.com serves it",
        apis=("binaryauthorization.googleapis.com",),
    ),
    Rule(
        "pulumi:providers:kubernetes",
        "The kubeconfig names the cluster's endpoint, and objects that schedule pods need nodes "
        "(https://cloud.google.com/kubernetes-engine/docs/how-to/cluster-access-for-kubectl)",
        after=(Prerequisite("the cluster", CLUSTER), Prerequisite("a node pool", NODE_POOL)),
    ),
    rule_after(
        "kubernetes:apiregistration.k8s.io/v1:APIService",
        "The Custom Metrics Stackdriver Adapter behind these APIs reads Cloud Monitoring as its KSA "
        "(https://github.com/GoogleCloudPlatform/k8s-stackdriver/tree/master/custom-metrics-stackdriver-adapter)",
        grants("roles/monitoring.viewer", "the adapter's Cloud Monitoring read grant"),
    ),
)

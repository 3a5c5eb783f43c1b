"""Every row of the creation-order table: drop what it requires, and the first `pulumi up` is stopped.

For each row, a subject it governs from a recorded stack (`change` / `retype` turn a recorded
resource into one when no stack has such a subject), the minimal graph of that subject (it and its
upstream, `rows.minimal`), and the prerequisites the row requires, written out: the prerequisite's
description and the type whose edges `rows.cut` removes. The subject passes on its minimal graph;
with each prerequisite cut off, `stack-creation-order` reports it, citing the row's own source.
Removing or changing a row fails here; a row with no prerequisite must still rule its type.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from policies.rules.ordering import RULES
from tests.policies.conftest import changed
from tests.policies.ordering.conftest import ORDER
from tests.policies.ordering.rows import cut, minimal
from tools.graph import StackGraph
from tools.policy import PolicyPackProcess, run_policies

SERVICE = "gcp:projects/service:Service"
IDENTITY = "gcp:projects/serviceIdentity:ServiceIdentity"
CLUSTER = "gcp:container/cluster:Cluster"
POOL = "gcp:container/nodePool:NodePool"
NAMESPACE = "kubernetes:core/v1:Namespace"
CONNECTION = "gcp:servicenetworking/connection:Connection"
NODES = "a node pool the Kubernetes provider waits for (through the provider's dependencies)"
IN_NAMESPACE = "the Namespace it lives in"
K8S = "pulumi-kubernetes awaits a workload's readiness, which no pod reaches before a node pool"
WI_POOL = "The pool PROJECT.svc.id.goog exists only once a cluster with Workload Identity exists"
WI_PRINCIPAL = "principal://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/replace-me-llm-dev.svc.id.goog/subject/ns/llm-serving/sa/model-server"
AGENT = "A service agent exists only once its service creates it"
GRANT = "the API rejects a grant to a principal that does not exist yet"


@dataclass(frozen=True)
class Row:
    type: str
    source: str  # how the row's source begins
    graph: str
    subject: str
    cuts: list[tuple[str, str]]  # (type whose edges are cut, the prerequisite reported)
    change: dict[str, Any] = field(default_factory=dict)
    retype: str = ""
    baseline: bool = True  # the subject passes on its minimal graph (False: the changed subject has no such graph)

    def __str__(self) -> str:
        return f"{self.type.rsplit(':', 1)[-1]}:{self.source[:40]}:{self.graph}:{self.subject}"


ROWS = [
    Row(
        "gcp:artifactregistry/repository:Repository",
        "artifactregistry.googleapis.com serves it",
        "dev",
        "registry-repository",
        [("gcp:projects/service:Service", "artifactregistry.googleapis.com")],
    ),
    Row(
        "gcp:bigquery/dataset:Dataset",
        "bigquery.googleapis.com serves it",
        "prod",
        "observability-requests",
        [("gcp:projects/service:Service", "bigquery.googleapis.com")],
    ),
    Row(
        "gcp:bigquery/datasetIamMember:DatasetIamMember",
        "A service agent exists only once its service creates it: a g",
        "prod",
        "observability-requests-writer",
        [("gcp:logging/projectSink:ProjectSink", "the log sink whose writer identity it is")],
    ),
    Row(
        "gcp:bigquery/datasetIamMember:DatasetIamMember",
        "the API rejects a grant to a principal that does not exist y",
        "prod",
        "observability-requests-writer",
        [("gcp:projects/service:Service", "bigquery.googleapis.com")],
    ),
    Row(
        "gcp:billing/budget:Budget",
        "Billing publishes as billing-budget-alert@system.gserviceacc",
        "dev",
        "budget-budget",
        [
            ("gcp:projects/service:Service", "billingbudgets.googleapis.com"),
            ("gcp:pubsub/topicIAMMember:TopicIAMMember", "the topic's publisher grant to Billing"),
        ],
    ),
    Row(
        "gcp:binaryauthorization/policy:Policy",
        "binaryauthorization.googleapis.com serves it",
        "dev",
        "gke-admission",
        [("gcp:projects/service:Service", "binaryauthorization.googleapis.com")],
    ),
    Row(
        "gcp:certificatemanager/certificate:Certificate",
        "certificatemanager.googleapis.com serves it",
        "prod",
        "gateway-certificate",
        [("gcp:projects/service:Service", "certificatemanager.googleapis.com")],
    ),
    Row(
        "gcp:certificatemanager/certificateMap:CertificateMap",
        "certificatemanager.googleapis.com serves it",
        "legacy",
        "gateway-certificate-map",
        [("gcp:projects/service:Service", "certificatemanager.googleapis.com")],
    ),
    Row(
        "gcp:certificatemanager/certificateMapEntry:CertificateMapEntry",
        "An entry joins an existing map and serves an existing certif",
        "legacy",
        "gateway-certificate-map-entry",
        [
            ("gcp:certificatemanager/certificate:Certificate", "its certificate"),
            ("gcp:certificatemanager/certificateMap:CertificateMap", "its certificate map"),
            ("gcp:projects/service:Service", "certificatemanager.googleapis.com"),
        ],
    ),
    Row(
        "gcp:compute/firewall:Firewall",
        "compute.googleapis.com serves it",
        "dev",
        "network-allow-health-checks",
        [("gcp:projects/service:Service", "compute.googleapis.com")],
    ),
    Row(
        "gcp:compute/globalAddress:GlobalAddress",
        "compute.googleapis.com serves it",
        "legacy",
        "gateway-address",
        [("gcp:projects/service:Service", "compute.googleapis.com")],
    ),
    Row(
        "gcp:compute/network:Network",
        "compute.googleapis.com serves it",
        "dev",
        "network-vpc",
        [("gcp:projects/service:Service", "compute.googleapis.com")],
    ),
    Row(
        "gcp:compute/resourcePolicy:ResourcePolicy",
        "compute.googleapis.com serves it",
        "prod",
        "tier-large-workload-policy",
        [("gcp:projects/service:Service", "compute.googleapis.com")],
    ),
    Row(
        "gcp:compute/router:Router",
        "compute.googleapis.com serves it",
        "dev",
        "network-router",
        [("gcp:projects/service:Service", "compute.googleapis.com")],
    ),
    Row(
        "gcp:compute/routerNat:RouterNat",
        "compute.googleapis.com serves it",
        "dev",
        "network-nat",
        [("gcp:projects/service:Service", "compute.googleapis.com")],
    ),
    Row(
        "gcp:compute/securityPolicy:SecurityPolicy",
        "compute.googleapis.com serves it",
        "legacy",
        "gateway-security-policy",
        [("gcp:projects/service:Service", "compute.googleapis.com")],
    ),
    Row(
        "gcp:compute/subnetwork:Subnetwork",
        "compute.googleapis.com serves it",
        "dev",
        "network-subnet",
        [("gcp:projects/service:Service", "compute.googleapis.com")],
    ),
    Row(
        "gcp:container/cluster:Cluster",
        "Admission from the first pod: the project's Binary Authoriza",
        "dev",
        "gke-cluster",
        [
            ("gcp:binaryauthorization/policy:Policy", "the Binary Authorization policy"),
            ("gcp:projects/service:Service", "binaryauthorization.googleapis.com"),
        ],
    ),
    Row(
        "gcp:container/cluster:Cluster",
        "GKE needs the Compute and GKE APIs, its subnetwork, and a no",
        "dev",
        "gke-cluster",
        [
            ("gcp:compute/subnetwork:Subnetwork", "its subnetwork"),
            ("gcp:projects/iAMMember:IAMMember", "the node account's GKE role"),
            ("gcp:projects/service:Service", "container.googleapis.com"),
            ("gcp:projects/service:Service", "compute.googleapis.com"),
        ],
    ),
    Row(
        "gcp:container/cluster:Cluster",
        "Image streaming needs the Container File System API (https:/",
        "dev",
        "gke-cluster",
        [("gcp:projects/service:Service", "containerfilesystem.googleapis.com")],
    ),
    Row(
        "gcp:container/nodePool:NodePool",
        "A pool joins its cluster; nodes whose account lacks roles/co",
        "dev",
        "gke-system",
        [
            ("gcp:container/cluster:Cluster", "its cluster"),
            ("gcp:container/cluster:Cluster", "the node account's GKE role"),
            ("gcp:projects/service:Service", "container.googleapis.com"),
            ("gcp:projects/service:Service", "compute.googleapis.com"),
        ],
    ),
    Row(
        "gcp:logging/projectSink:ProjectSink",
        "logging.googleapis.com serves it; the destination must exist",
        "prod",
        "observability-requests-sink",
        [
            ("gcp:bigquery/dataset:Dataset", "its BigQuery dataset"),
            ("gcp:projects/service:Service", "logging.googleapis.com"),
        ],
    ),
    Row(
        "gcp:lustre/instance:Instance",
        "Managed Lustre is reached through private services access (h",
        "prod",
        "model-store-instance",
        [
            ("gcp:projects/service:Service", "lustre.googleapis.com"),
            ("gcp:servicenetworking/connection:Connection", "the private services connection"),
        ],
    ),
    Row(
        "gcp:monitoring/alertPolicy:AlertPolicy",
        "monitoring.googleapis.com serves it",
        "dev",
        "observability-alert-error-ratio",
        [("gcp:projects/service:Service", "monitoring.googleapis.com")],
    ),
    Row(
        "gcp:monitoring/customService:CustomService",
        "monitoring.googleapis.com serves it",
        "dev",
        "observability-service-small",
        [("gcp:projects/service:Service", "monitoring.googleapis.com")],
    ),
    Row(
        "gcp:monitoring/dashboard:Dashboard",
        "monitoring.googleapis.com serves it",
        "dev",
        "observability-dashboard",
        [("gcp:projects/service:Service", "monitoring.googleapis.com")],
    ),
    Row(
        "gcp:monitoring/notificationChannel:NotificationChannel",
        "monitoring.googleapis.com serves it",
        "dev",
        "observability-email-0",
        [("gcp:projects/service:Service", "monitoring.googleapis.com")],
    ),
    Row(
        "gcp:monitoring/slo:Slo",
        "An SLO belongs to an existing service (https://cloud.google.",
        "dev",
        "observability-slo-small-availability",
        [
            ("gcp:monitoring/customService:CustomService", "its service"),
            ("gcp:projects/service:Service", "monitoring.googleapis.com"),
        ],
    ),
    Row(
        "gcp:projects/iAMAuditConfig:IAMAuditConfig",
        "a project IAM policy change is a Cloud Resource Manager call",
        "dev",
        "models-data-access-logs",
        [("gcp:projects/service:Service", "cloudresourcemanager.googleapis.com")],
    ),
    Row(
        "gcp:projects/iAMCustomRole:IAMCustomRole",
        "iam.googleapis.com serves custom roles",
        "prod",
        "model-store-import-role",
        [("gcp:projects/service:Service", "iam.googleapis.com")],
    ),
    Row(
        "gcp:projects/iAMMember:IAMMember",
        "A service agent exists only once its service creates it: a g",
        "dev",
        "network-peering-agent-role",
        [
            (
                "gcp:projects/serviceIdentity:ServiceIdentity",
                "the Service Networking service agent (ServiceIdentity servicenetworking.googleapis.com)",
            )
        ],
    ),
    Row(
        "gcp:projects/iAMMember:IAMMember",
        "the API rejects a grant to a principal that does not exist y",
        "dev",
        "network-peering-agent-role",
        [("gcp:projects/service:Service", "cloudresourcemanager.googleapis.com")],
    ),
    Row(
        "gcp:projects/service:Service",
        "Enabling an API goes through Service Usage and reads the pro",
        "dev",
        "services-artifactregistry",
        [
            ("gcp:projects/service:Service", "cloudresourcemanager.googleapis.com"),
            ("gcp:projects/service:Service", "serviceusage.googleapis.com"),
        ],
    ),
    Row(
        "gcp:projects/serviceIdentity:ServiceIdentity",
        "services.generateServiceIdentity is a Service Usage call for",
        "dev",
        "network-peering-agent",
        [
            ("gcp:projects/service:Service", "serviceusage.googleapis.com"),
            ("gcp:projects/service:Service", "the Service enabling its own API"),
        ],
    ),
    Row(
        "gcp:pubsub/topic:Topic",
        "pubsub.googleapis.com serves it",
        "dev",
        "budget-topic",
        [("gcp:projects/service:Service", "pubsub.googleapis.com")],
    ),
    Row(
        "gcp:pubsub/topicIAMMember:TopicIAMMember",
        "the API rejects a grant to a principal that does not exist y",
        "dev",
        "budget-publisher",
        [("gcp:projects/service:Service", "pubsub.googleapis.com")],
    ),
    Row(
        "gcp:redis/instance:Instance",
        "A PRIVATE_SERVICE_ACCESS instance is placed in the peered ra",
        "dev",
        "cache-redis",
        [
            ("gcp:projects/service:Service", "redis.googleapis.com"),
            ("gcp:servicenetworking/connection:Connection", "the private services connection"),
        ],
    ),
    Row(
        "gcp:secretmanager/secretIamMember:SecretIamMember",
        "A service agent exists only once its service creates it: a g",
        "dev-credentials",
        "registry-upstream-secret",
        [
            (
                "gcp:projects/serviceIdentity:ServiceIdentity",
                "the Artifact Registry service agent (ServiceIdentity artifactregistry.googleapis.com)",
            )
        ],
    ),
    Row(
        "gcp:secretmanager/secretIamMember:SecretIamMember",
        "the API rejects a grant to a principal that does not exist y",
        "dev-credentials",
        "registry-upstream-secret",
        [("gcp:projects/service:Service", "secretmanager.googleapis.com")],
    ),
    Row(
        "gcp:serviceaccount/account:Account",
        "iam.googleapis.com serves service accounts",
        "dev",
        "gke-nodes",
        [("gcp:projects/service:Service", "iam.googleapis.com")],
    ),
    Row(
        "gcp:serviceaccount/iAMMember:IAMMember",
        "The pool PROJECT.svc.id.goog exists only once a cluster with",
        "prod",
        "model-store-importer-federation",
        [("gcp:container/cluster:Cluster", "the cluster that creates the Workload Identity pool")],
    ),
    Row(
        "gcp:serviceaccount/iAMMember:IAMMember",
        "the API rejects a grant to a principal that does not exist y",
        "prod",
        "model-store-importer-federation",
        [("gcp:projects/service:Service", "iam.googleapis.com")],
    ),
    Row(
        "gcp:servicenetworking/connection:Connection",
        "The connection peers the reserved range and needs the Servic",
        "dev",
        "network-private-services",
        [
            ("gcp:compute/globalAddress:GlobalAddress", "its reserved peering range"),
            ("gcp:projects/iAMMember:IAMMember", "the Service Networking agent's role"),
            ("gcp:projects/service:Service", "servicenetworking.googleapis.com"),
        ],
    ),
    Row(
        "gcp:storage/bucket:Bucket",
        "storage.googleapis.com serves it",
        "dev",
        "models-bucket",
        [("gcp:projects/service:Service", "storage.googleapis.com")],
    ),
    Row(
        "gcp:storage/bucketIAMMember:BucketIAMMember",
        "The pool PROJECT.svc.id.goog exists only once a cluster with",
        "dev",
        "identity-model-reader",
        [("gcp:container/cluster:Cluster", "the cluster that creates the Workload Identity pool")],
    ),
    Row(
        "gcp:storage/bucketIAMMember:BucketIAMMember",
        "the API rejects a grant to a principal that does not exist y",
        "dev",
        "identity-model-reader",
        [("gcp:projects/service:Service", "storage.googleapis.com")],
    ),
    Row(
        "kubernetes:apiregistration.k8s.io/v1:APIService",
        "The Custom Metrics Stackdriver Adapter behind these APIs rea",
        "dev",
        "metrics-adapter-v1beta1-custom",
        [("gcp:projects/iAMMember:IAMMember", "the adapter's Cloud Monitoring read grant")],
    ),
    Row(
        "kubernetes:apiregistration.k8s.io/v1:APIService",
        "pulumi-kubernetes awaits a workload's readiness, which no po",
        "dev",
        "metrics-adapter-v1beta1-custom",
        [
            (
                "gcp:container/nodePool:NodePool",
                "a node pool the Kubernetes provider waits for (through the provider's dependencies)",
            )
        ],
    ),
    Row(
        "kubernetes:apps/v1:Deployment",
        "A TPU workload's pods stay Pending until a TPU pool with the",
        "dev",
        "serving-small-deployment",
        [("gcp:container/nodePool:NodePool", "the TPU node pool its pods select")],
    ),
    Row(
        "kubernetes:apps/v1:Deployment",
        "pulumi-kubernetes awaits a workload's readiness, which no po",
        "dev",
        "metrics-adapter-deployment",
        [
            (
                "gcp:container/nodePool:NodePool",
                "a node pool the Kubernetes provider waits for (through the provider's dependencies)",
            ),
            ("kubernetes:core/v1:Namespace", "the Namespace it lives in"),
        ],
    ),
    Row(
        "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
        "Pods and Object metrics are served by the custom metrics API",
        "dev",
        "serving-small-autoscaler",
        [("kubernetes:apiregistration.k8s.io/v1:APIService", "the APIService of custom.metrics.k8s.io")],
    ),
    Row(
        "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
        "pulumi-kubernetes awaits a workload's readiness, which no po",
        "dev",
        "serving-small-autoscaler",
        [
            (
                "gcp:container/nodePool:NodePool",
                "a node pool the Kubernetes provider waits for (through the provider's dependencies)",
            ),
            ("kubernetes:core/v1:Namespace", "the Namespace it lives in"),
        ],
    ),
    Row(
        "kubernetes:batch/v1:Job",
        "The import runs as the Lustre service agent (bucket read) an",
        "prod",
        "model-store-import-6698ccb09b",
        [
            ("gcp:lustre/instance:Instance", "the Managed Lustre instance"),
            ("gcp:serviceaccount/iAMMember:IAMMember", "the importer's federation"),
            ("gcp:storage/bucketIAMMember:BucketIAMMember", "the Lustre agent's bucket grant"),
        ],
    ),
    Row(
        "kubernetes:batch/v1:Job",
        "An import copies the objects in the bucket folder when it r",
        "prod",
        "model-store-import-6698ccb09b",
        [("kubernetes:batch/v1:Job", "the Job that puts its folder in the bucket")],
    ),
    Row(
        "kubernetes:batch/v1:Job",
        "The weights Job reads and writes its folder as its own princ",
        "dev",
        "weights-c6033c3921-job",
        [
            ("gcp:storage/bucketIAMMember:BucketIAMMember", "the grant on its own bucket folder"),
            ("gcp:secretmanager/secretIamMember:SecretIamMember", "its read grant on the Hub token's secret"),
        ],
    ),
    Row(
        "kubernetes:batch/v1:Job",
        "pulumi-kubernetes awaits a workload's readiness, which no po",
        "prod",
        "model-store-import-6698ccb09b",
        [
            (
                "gcp:container/nodePool:NodePool",
                "a node pool the Kubernetes provider waits for (through the provider's dependencies)",
            ),
            ("kubernetes:core/v1:Namespace", "the Namespace it lives in"),
        ],
    ),
    Row(
        "kubernetes:cloud.google.com/v1:ComputeClass",
        "pulumi-kubernetes awaits a workload's readiness, which no po",
        "staging",
        "model-store-transfer-class",
        [
            (
                "gcp:container/nodePool:NodePool",
                "a node pool the Kubernetes provider waits for (through the provider's dependencies)",
            )
        ],
    ),
    Row(
        "kubernetes:core/v1:Namespace",
        "pulumi-kubernetes awaits a workload's readiness, which no po",
        "dev",
        "metrics-adapter-namespace",
        [
            (
                "gcp:container/nodePool:NodePool",
                "a node pool the Kubernetes provider waits for (through the provider's dependencies)",
            )
        ],
    ),
    Row(
        "kubernetes:core/v1:PersistentVolume",
        "A Cloud Storage FUSE volume mounts its bucket as the pod's K",
        "dev",
        "model-store-volume",
        [("gcp:storage/bucketIAMMember:BucketIAMMember", "a read grant on its bucket")],
    ),
    Row(
        "kubernetes:core/v1:PersistentVolume",
        "A Managed Lustre volume mounts an existing instance (https:/",
        "prod",
        "model-store-volume",
        [("gcp:lustre/instance:Instance", "its Managed Lustre instance")],
    ),
    Row(
        "kubernetes:core/v1:PersistentVolume",
        "pulumi-kubernetes awaits a workload's readiness, which no po",
        "dev",
        "model-store-volume",
        [
            (
                "gcp:container/nodePool:NodePool",
                "a node pool the Kubernetes provider waits for (through the provider's dependencies)",
            )
        ],
    ),
    Row(
        "kubernetes:core/v1:PersistentVolumeClaim",
        "pulumi-kubernetes awaits a workload's readiness, which no po",
        "dev",
        "model-store-claim",
        [
            (
                "gcp:container/nodePool:NodePool",
                "a node pool the Kubernetes provider waits for (through the provider's dependencies)",
            ),
            ("kubernetes:core/v1:Namespace", "the Namespace it lives in"),
        ],
    ),
    Row(
        "kubernetes:core/v1:Secret",
        "pulumi-kubernetes awaits a workload's readiness, which no po",
        "dev",
        "auth-api-key-secret",
        [
            (
                "gcp:container/nodePool:NodePool",
                "a node pool the Kubernetes provider waits for (through the provider's dependencies)",
            ),
            ("kubernetes:core/v1:Namespace", "the Namespace it lives in"),
        ],
    ),
    Row(
        "kubernetes:core/v1:Service",
        "pulumi-kubernetes awaits a workload's readiness, which no po",
        "dev",
        "metrics-adapter-service",
        [
            (
                "gcp:container/nodePool:NodePool",
                "a node pool the Kubernetes provider waits for (through the provider's dependencies)",
            ),
            ("kubernetes:core/v1:Namespace", "the Namespace it lives in"),
        ],
    ),
    Row(
        "kubernetes:core/v1:ServiceAccount",
        "pulumi-kubernetes awaits a workload's readiness, which no po",
        "dev",
        "metrics-adapter-ksa",
        [
            (
                "gcp:container/nodePool:NodePool",
                "a node pool the Kubernetes provider waits for (through the provider's dependencies)",
            ),
            ("kubernetes:core/v1:Namespace", "the Namespace it lives in"),
        ],
    ),
    Row(
        "kubernetes:datalayer.gke.io/v1:GCPDataSource",
        "The GKE Volume Populator reads the bucket as the named KSA, ",
        "staging",
        "model-store-source",
        [("gcp:storage/bucketIAMMember:BucketIAMMember", "a read grant on its bucket")],
    ),
    Row(
        "kubernetes:datalayer.gke.io/v1:GCPDataSource",
        "pulumi-kubernetes awaits a workload's readiness, which no po",
        "staging",
        "model-store-source",
        [
            (
                "gcp:container/nodePool:NodePool",
                "a node pool the Kubernetes provider waits for (through the provider's dependencies)",
            ),
            ("kubernetes:core/v1:Namespace", "the Namespace it lives in"),
        ],
    ),
    Row(
        "kubernetes:gateway.networking.k8s.io/v1:Gateway",
        "A Gateway names a reserved address and a certificate map; GK",
        "legacy",
        "gateway-gateway",
        [("gcp:compute/globalAddress:GlobalAddress", "the address it names")],
    ),
    Row(
        "kubernetes:gateway.networking.k8s.io/v1:Gateway",
        "The certificate map must hold its entry before the load bala",
        "legacy",
        "gateway-gateway",
        [
            (
                "gcp:certificatemanager/certificateMapEntry:CertificateMapEntry",
                "an entry of the certificate map it names",
            )
        ],
    ),
    Row(
        "kubernetes:gateway.networking.k8s.io/v1:Gateway",
        "pulumi-kubernetes awaits a workload's readiness, which no po",
        "dev",
        "gateway-gateway",
        [
            (
                "gcp:container/nodePool:NodePool",
                "a node pool the Kubernetes provider waits for (through the provider's dependencies)",
            ),
            ("kubernetes:core/v1:Namespace", "the Namespace it lives in"),
        ],
    ),
    Row(
        "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
        "pulumi-kubernetes awaits a workload's readiness, which no po",
        "dev",
        "gateway-route",
        [
            (
                "gcp:container/nodePool:NodePool",
                "a node pool the Kubernetes provider waits for (through the provider's dependencies)",
            ),
            ("kubernetes:core/v1:Namespace", "the Namespace it lives in"),
        ],
    ),
    Row(
        "kubernetes:helm.sh/v4:Chart",
        "pulumi-kubernetes awaits a workload's readiness, which no po",
        "prod",
        "lws-chart",
        [
            (
                "gcp:container/nodePool:NodePool",
                "a node pool the Kubernetes provider waits for (through the provider's dependencies)",
            )
        ],
    ),
    Row(
        "kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet",
        "A TPU workload's pods stay Pending until a TPU pool with the",
        "prod",
        "serving-large-leader-worker-set",
        [("gcp:container/nodePool:NodePool", "the TPU node pool its pods select")],
    ),
    Row(
        "kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet",
        "The LeaderWorkerSet CRD and its admission webhook come with ",
        "prod",
        "serving-large-leader-worker-set",
        [("kubernetes:helm.sh/v4:Chart", "the LeaderWorkerSet controller's chart")],
    ),
    Row(
        "kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet",
        "pulumi-kubernetes awaits a workload's readiness, which no po",
        "prod",
        "serving-large-leader-worker-set",
        [
            (
                "gcp:container/nodePool:NodePool",
                "a node pool the Kubernetes provider waits for (through the provider's dependencies)",
            ),
            ("kubernetes:core/v1:Namespace", "the Namespace it lives in"),
        ],
    ),
    Row(
        "kubernetes:monitoring.googleapis.com/v1:PodMonitoring",
        "pulumi-kubernetes awaits a workload's readiness, which no po",
        "dev",
        "serving-small-pod-monitoring",
        [
            (
                "gcp:container/nodePool:NodePool",
                "a node pool the Kubernetes provider waits for (through the provider's dependencies)",
            ),
            ("kubernetes:core/v1:Namespace", "the Namespace it lives in"),
        ],
    ),
    Row(
        "kubernetes:networking.gke.io/v1:GCPBackendPolicy",
        "GKE attaches the Cloud Armor policy it names only if it exis",
        "legacy",
        "gateway-small-backend-policy",
        [("gcp:compute/securityPolicy:SecurityPolicy", "the Cloud Armor policy it names")],
    ),
    Row(
        "kubernetes:networking.gke.io/v1:GCPBackendPolicy",
        "pulumi-kubernetes awaits a workload's readiness, which no po",
        "dev",
        "gateway-small-backend-policy",
        [
            (
                "gcp:container/nodePool:NodePool",
                "a node pool the Kubernetes provider waits for (through the provider's dependencies)",
            ),
            ("kubernetes:core/v1:Namespace", "the Namespace it lives in"),
        ],
    ),
    Row(
        "kubernetes:networking.gke.io/v1:HealthCheckPolicy",
        "pulumi-kubernetes awaits a workload's readiness, which no po",
        "dev",
        "gateway-small-health-check",
        [
            (
                "gcp:container/nodePool:NodePool",
                "a node pool the Kubernetes provider waits for (through the provider's dependencies)",
            ),
            ("kubernetes:core/v1:Namespace", "the Namespace it lives in"),
        ],
    ),
    Row(
        "kubernetes:networking.k8s.io/v1:NetworkPolicy",
        "pulumi-kubernetes awaits a workload's readiness, which no po",
        "dev",
        "isolation-llm-serving-vllm-small-flows",
        [
            (
                "gcp:container/nodePool:NodePool",
                "a node pool the Kubernetes provider waits for (through the provider's dependencies)",
            ),
            ("kubernetes:core/v1:Namespace", "the Namespace it lives in"),
        ],
    ),
    Row(
        "kubernetes:policy/v1:PodDisruptionBudget",
        "pulumi-kubernetes awaits a workload's readiness, which no po",
        "dev",
        "serving-small-disruption-budget",
        [
            (
                "gcp:container/nodePool:NodePool",
                "a node pool the Kubernetes provider waits for (through the provider's dependencies)",
            ),
            ("kubernetes:core/v1:Namespace", "the Namespace it lives in"),
        ],
    ),
    Row(
        "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
        "pulumi-kubernetes awaits a workload's readiness, which no po",
        "dev",
        "metrics-adapter-resource-reader-role",
        [
            (
                "gcp:container/nodePool:NodePool",
                "a node pool the Kubernetes provider waits for (through the provider's dependencies)",
            )
        ],
    ),
    Row(
        "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
        "pulumi-kubernetes awaits a workload's readiness, which no po",
        "dev",
        "metrics-adapter-auth-delegator",
        [
            (
                "gcp:container/nodePool:NodePool",
                "a node pool the Kubernetes provider waits for (through the provider's dependencies)",
            )
        ],
    ),
    Row(
        "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
        "pulumi-kubernetes awaits a workload's readiness, which no po",
        "dev",
        "metrics-adapter-auth-reader",
        [
            (
                "gcp:container/nodePool:NodePool",
                "a node pool the Kubernetes provider waits for (through the provider's dependencies)",
            )
        ],
    ),
    Row(
        "kubernetes:storage.k8s.io/v1:StorageClass",
        "pulumi-kubernetes awaits a workload's readiness, which no po",
        "staging",
        "model-store-class",
        [
            (
                "gcp:container/nodePool:NodePool",
                "a node pool the Kubernetes provider waits for (through the provider's dependencies)",
            )
        ],
    ),
    Row(
        "pulumi:providers:kubernetes",
        "The kubeconfig names the cluster's endpoint, and objects tha",
        "dev",
        "gke-k8s",
        [("gcp:container/cluster:Cluster", "the cluster"), ("gcp:container/nodePool:NodePool", "a node pool")],
    ),
    # Rows no recorded subject reaches as it is.
    Row(
        "gcp:artifactregistry/repository:Repository",
        "A remote repository reads its upstream password",
        "dev-credentials",
        "registry-repository",
        [("gcp:secretmanager/secretIamMember:SecretIamMember", "the agent's access to the upstream secret")],
    ),
    Row(
        "gcp:parallelstore/instance:Instance",
        "Parallelstore is reached through private services access",
        "prod",
        "model-store-instance",
        [(SERVICE, "parallelstore.googleapis.com"), (CONNECTION, "the private services connection")],
        retype="gcp:parallelstore/instance:Instance",
        baseline=False,
    ),
    Row(
        "gcp:redis/instance:Instance",
        "redis.googleapis.com serves it",
        "dev",
        "cache-redis",
        [(SERVICE, "redis.googleapis.com")],
        change={"connectMode": "DIRECT_PEERING"},
    ),
    Row(
        "gcp:logging/projectSink:ProjectSink",
        "logging.googleapis.com serves it",
        "prod",
        "observability-requests-sink",
        [(SERVICE, "logging.googleapis.com")],
        change={"destination": "storage.googleapis.com/llm-prod-request-logs"},
    ),
    Row(
        "gcp:billing/budget:Budget",
        "billingbudgets.googleapis.com serves it",
        "dev",
        "budget-budget",
        [(SERVICE, "billingbudgets.googleapis.com")],
        change={"allUpdatesRule": None},
    ),
    Row(
        POOL,
        "A multi-host TPU slice names its workload policy",
        "prod",
        "tier-large-pool",
        [("gcp:compute/resourcePolicy:ResourcePolicy", "the workload policy it names")],
    ),
    Row(
        "gcp:projects/iAMMember:IAMMember",
        WI_POOL,
        "prod",
        "metrics-adapter-monitoring-viewer",
        [(CLUSTER, "the cluster that creates the Workload Identity pool")],
    ),
    Row(
        "gcp:storage/bucketIAMMember:BucketIAMMember",
        AGENT,
        "prod",
        "model-store-agent-reads-bucket",
        [(IDENTITY, "the Managed Lustre service agent (ServiceIdentity lustre.googleapis.com)")],
    ),
    Row(
        "gcp:pubsub/topicIAMMember:TopicIAMMember",
        AGENT,
        "prod",
        "observability-alerts-publisher",
        [(IDENTITY, "the Cloud Monitoring notification service agent (ServiceIdentity monitoring.googleapis.com)")],
    ),
    Row(
        "gcp:serviceaccount/iAMMember:IAMMember",
        AGENT,
        "prod",
        "model-store-importer-federation",
        [(IDENTITY, "the Managed Lustre service agent (ServiceIdentity lustre.googleapis.com)")],
        change={"member": "serviceAccount:service-123456789012@gcp-sa-lustre.iam.gserviceaccount.com"},
        baseline=False,
    ),
    *(
        Row(
            type_,
            WI_POOL,
            graph,
            name,
            [(CLUSTER, "the cluster that creates the Workload Identity pool")],
            change={"member": WI_PRINCIPAL},
            baseline=False,
        )
        for type_, graph, name in (
            ("gcp:bigquery/datasetIamMember:DatasetIamMember", "prod", "observability-requests-writer"),
            ("gcp:pubsub/topicIAMMember:TopicIAMMember", "dev", "budget-publisher"),
            ("gcp:secretmanager/secretIamMember:SecretIamMember", "dev-credentials", "registry-upstream-secret"),
        )
    ),
    Row(
        "kubernetes:cloud.google.com/v1:ComputeClass",
        "GKE scales only the pools a ComputeClass names",
        "prod",
        "tier-large-compute-class",
        [(POOL, "node pool llm-prod-tpu-large-on-demand, which a priority names")],
    ),
    Row(
        "kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet",
        "Pods that select a ComputeClass stay Pending until the class exists",
        "prod",
        "serving-large-leader-worker-set",
        [("kubernetes:cloud.google.com/v1:ComputeClass", "the ComputeClass its pods select")],
    ),
    Row(
        "kubernetes:apps/v1:Deployment",
        "Pods that select a ComputeClass stay Pending until the class exists",
        "staging",
        "serving-medium-deployment",
        [("kubernetes:cloud.google.com/v1:ComputeClass", "the ComputeClass its pods select")],
    ),
    # Rows that require nothing still rule their type (else `stack-creation-order-covered` stops it).
    Row(
        "random:index/randomPassword:RandomPassword",
        "generated locally: no API, nothing before it",
        "legacy",
        "auth-api-key",
        [],
    ),
    Row(
        "pulumi:providers:gcp",
        "An explicit Google provider only configures calls",
        "legacy",
        "budget-quota-project",
        [],
    ),
    # The regional edge (prod): the Inference Gateway's objects and what the regional load balancer needs.
    *[
        Row(type_, K8S, "prod", subject, [(POOL, NODES), (NAMESPACE, IN_NAMESPACE)])
        for type_, subject in [
            ("kubernetes:core/v1:ConfigMap", "gateway-small-config"),
            ("kubernetes:rbac.authorization.k8s.io/v1:Role", "gateway-small-sa-role"),
            ("kubernetes:networking.gke.io/v1:GCPRoutingExtension", "gateway-body-router-extension"),
            ("kubernetes:inference.networking.k8s.io/v1:InferencePool", "gateway-small-pool"),
        ]
    ],
    Row(
        "gcp:compute/address:Address",
        "compute.googleapis.com serves it",
        "prod",
        "gateway-address",
        [(SERVICE, "compute.googleapis.com")],
    ),
    Row(
        "gcp:compute/regionSecurityPolicy:RegionSecurityPolicy",
        "compute.googleapis.com serves it",
        "prod",
        "gateway-security-policy",
        [(SERVICE, "compute.googleapis.com")],
    ),
    Row(
        "gcp:certificatemanager/dnsAuthorization:DnsAuthorization",
        "certificatemanager.googleapis.com serves it",
        "prod",
        "gateway-dns-authorization",
        [(SERVICE, "certificatemanager.googleapis.com")],
    ),
    Row(
        "gcp:certificatemanager/certificate:Certificate",
        "A DNS-authorized certificate names its authorizations",
        "prod",
        "gateway-certificate",
        [("gcp:certificatemanager/dnsAuthorization:DnsAuthorization", "the DNS authorization it names")],
    ),
    Row(
        "kubernetes:gateway.networking.k8s.io/v1:Gateway",
        "A regional Gateway names a reserved regional address",
        "prod",
        "gateway-gateway",
        [("gcp:compute/address:Address", "the regional address it names")],
    ),
    Row(
        "kubernetes:gateway.networking.k8s.io/v1:Gateway",
        "The regional Application Load Balancer's proxies need an ACTIVE",
        "prod",
        "gateway-gateway",
        [("gcp:compute/subnetwork:Subnetwork", "a proxy-only subnet (REGIONAL_MANAGED_PROXY)")],
    ),
    Row(
        "kubernetes:gateway.networking.k8s.io/v1:Gateway",
        "An HTTPS listener serves the regional certificates its tls.options name",
        "prod",
        "gateway-gateway",
        [("gcp:certificatemanager/certificate:Certificate", "the regional certificate its listener names")],
    ),
    Row(
        "kubernetes:networking.gke.io/v1:GCPBackendPolicy",
        "GKE attaches the regional Cloud Armor policy a pool's backend policy names",
        "prod",
        "gateway-small-backend-policy",
        [("gcp:compute/regionSecurityPolicy:RegionSecurityPolicy", "the regional Cloud Armor policy it names")],
    ),
    Row(
        "kubernetes:inference.networking.k8s.io/v1:InferencePool",
        "The Gateway calls the endpoint picker the pool names",
        "prod",
        "gateway-small-pool",
        [("kubernetes:core/v1:Service", "the endpoint picker Service it names")],
    ),
    Row(
        "kubernetes:networking.gke.io/v1:GCPRoutingExtension",
        "The load balancer calls the extension's backend Service",
        "prod",
        "gateway-body-router-extension",
        [
            ("kubernetes:core/v1:Service", "the Service it calls"),
            ("kubernetes:gateway.networking.k8s.io/v1:Gateway", "the Gateway it extends"),
        ],
    ),
    Row(
        "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
        "A rule to an InferencePool that does not exist answers 500",
        "prod",
        "gateway-route",
        [("kubernetes:inference.networking.k8s.io/v1:InferencePool", "the InferencePool vllm-small it routes to")],
    ),
]


def _subject_graph(graphs: dict[str, StackGraph], row: Row) -> tuple[StackGraph, str]:
    graph = graphs[row.graph]
    (subject,) = [r for r in graph.resources if r.name == row.subject and (r.type == row.type or row.retype)]
    if row.change or row.retype:
        edit = changed(
            subject,
            {k: v for k, v in row.change.items() if v is not None},
            **({"type": row.retype} if row.retype else {}),
        )
        for key in [k for k, v in row.change.items() if v is None]:
            edit.inputs.pop(key)
        graph = StackGraph(graph.stack, [edit if r.urn == subject.urn else r for r in graph.resources], {})
        subject = edit
    return minimal(graph, subject), subject.urn


def _reported(pack: PolicyPackProcess, graph: StackGraph, urn: str) -> list[str]:
    only = pack.only(ORDER, "stack-creation-order-covered")
    report = run_policies(pack, graph, config=only, resources=[], analyze_stack=True)
    assert not [v for v in report.by_policy("stack-creation-order-covered") if v.urn == urn]
    return [v.message for v in report.by_policy(ORDER) if v.urn == urn]


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_dropping_what_a_row_requires_is_reported_with_its_source(pack, ordering_graphs, row: Row) -> None:
    graph, urn = _subject_graph(ordering_graphs, row)
    assert [r.type for r in graph.resources if r.urn == urn] == [row.type]
    if row.baseline:
        assert _reported(pack, graph, urn) == []
    for type_, what in row.cuts:
        messages = _reported(pack, cut(graph, type_), urn)
        cited = [m for m in messages if f"is not created after {what} (" in m]
        assert cited, f"cutting {type_} reported only {messages}"
        assert any(f"Why: {row.source}" in m for m in cited), cited


def test_every_row_of_the_table_has_a_case() -> None:
    covered = {(row.type, row.source) for row in ROWS}
    uncovered = [
        (rule.type, rule.source[:60])
        for rule in RULES
        if not any(rule.type == type_ and rule.source.startswith(source) for type_, source in covered)
    ]
    assert uncovered == []

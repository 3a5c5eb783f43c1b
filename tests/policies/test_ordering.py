"""policies/rules/ordering.py: the creation-order table, through the runner on every stack.

The compliant side is every stack as recorded (`test_runner.py::test_stacks_pass_every_mandatory_policy`
runs the whole pack on each); each case below removes one dependency a first `pulumi up` needs.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable

import pytest

from policies.rules.ordering import AGENT_ORIGINS, RULED_TYPES, RULES
from tests.conftest import STACKS
from tests.policies.conftest import Case, changed, check_case
from tools.graph import Registration, StackGraph, evaluate
from tools.policy import run_policies
from tools.stack_config import load_stack_config

ORDER = "stack-creation-order"


def dropping(*names: str) -> Callable[[Registration], Registration]:
    """The resource without its direct dependencies on resources of these names."""

    def change(resource: Registration) -> Registration:
        kept = [urn for urn in resource.dependencies if urn.rsplit("::", 1)[-1] not in names]
        assert kept != resource.dependencies, f"{resource.name} has no dependency on {names}"
        return changed(resource, dependencies=kept)

    return change


def order(graph: str, target: tuple[str, str], drop: tuple[str, ...], expect: str, id: str) -> Case:
    return Case(ORDER, graph, target, dropping(*drop), stack=True, expect=expect, id=id)


CASES = [
    order(
        "prod",
        ("gcp:storage/bucketIAMMember:BucketIAMMember", "identity-model-reader"),
        ("gke-cluster",),
        "the cluster that creates the Workload Identity pool",
        "workload-pool-grant-before-the-cluster",
    ),
    Case(
        ORDER,
        "prod",
        ("gcp:projects/iAMMember:IAMMember", "gke-nodes-artifactregistry-reader"),
        lambda r: changed(r, {"member": "serviceAccount:replace-me-llm-prod.svc.id.goog[llm-serving/model-server]"}),
        stack=True,
        expect="Workload Identity pool",
        id="service-account-form-of-a-pool-member-before-the-cluster",
    ),
    order(
        "dev",
        ("gcp:projects/service:Service", "services-compute"),
        ("services-cloudresourcemanager", "services-serviceusage"),
        "cloudresourcemanager.googleapis.com",
        "api-before-the-bootstrap-apis",
    ),
    order(
        "dev",
        ("gcp:projects/serviceIdentity:ServiceIdentity", "network-peering-agent"),
        ("services-servicenetworking",),
        "the Service enabling its own API",
        "service-identity-before-its-api",
    ),
    order(
        "dev",
        ("gcp:servicenetworking/connection:Connection", "network-private-services"),
        ("network-peering-agent-role",),
        "the Service Networking agent's role",
        "peering-before-the-agent-role",
    ),
    order(
        "dev",
        ("gcp:projects/iAMMember:IAMMember", "network-peering-agent-role"),
        ("network-peering-agent",),
        "the Service Networking service agent",
        "agent-grant-before-the-agent",
    ),
    order(
        "prod",
        ("gcp:storage/bucketIAMMember:BucketIAMMember", "model-store-agent-reads-bucket"),
        ("model-store-agent",),
        "the Managed Lustre service agent",
        "lustre-agent-grant-before-the-agent",
    ),
    order(
        "prod",
        ("gcp:bigquery/datasetIamMember:DatasetIamMember", "observability-requests-writer"),
        ("observability-requests-sink",),
        "the log sink whose writer identity it is",
        "logging-agent-grant-before-the-sink",
    ),
    order(
        "prod",
        ("gcp:lustre/instance:Instance", "model-store-instance"),
        ("network-private-services",),
        "the private services connection",
        "lustre-before-the-peering",
    ),
    order(
        "dev",
        ("gcp:redis/instance:Instance", "cache-redis"),
        ("network-private-services",),
        "the private services connection",
        "redis-before-the-peering",
    ),
    order(
        "prod",
        ("gcp:container/cluster:Cluster", "gke-cluster"),
        ("gke-nodes-container-defaultnodeserviceaccount",),
        "the node account's GKE role",
        "cluster-before-the-node-role",
    ),
    order(
        "prod",
        ("gcp:container/cluster:Cluster", "gke-cluster"),
        ("gke-admission",),
        "the Binary Authorization policy",
        "cluster-before-its-admission-policy",
    ),
    order(
        "prod",
        ("gcp:container/nodePool:NodePool", "tier-large-pool"),
        ("tier-large-workload-policy",),
        "the workload policy it names",
        "slice-before-its-workload-policy",
    ),
    order(
        "prod",
        ("pulumi:providers:kubernetes", "gke-k8s"),
        ("gke-system",),
        "a node pool the Kubernetes provider waits for",
        "kubernetes-before-any-node-pool",
    ),
    order(
        "dev",
        ("kubernetes:core/v1:ServiceAccount", "serving-ksa"),
        ("serving-namespace",),
        "the Namespace it lives in",
        "object-before-its-namespace",
    ),
    order(
        "dev",
        ("kubernetes:apps/v1:Deployment", "serving-small-deployment"),
        ("tier-small-pool",),
        "the TPU node pool its pods select",
        "tpu-workload-before-its-pool",
    ),
    order(
        "prod",
        ("kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet", "serving-large-leader-worker-set"),
        ("lws-chart",),
        "the LeaderWorkerSet controller's chart",
        "lws-before-its-controller",
    ),
    order(
        "dev",
        ("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "serving-small-autoscaler"),
        ("metrics-adapter-v1beta1-custom", "metrics-adapter-v1beta2-custom"),
        "the APIService of custom.metrics.k8s.io",
        "hpa-before-the-custom-metrics-api",
    ),
    order(
        "dev",
        ("kubernetes:apps/v1:Deployment", "metrics-adapter-deployment"),
        ("metrics-adapter-monitoring-viewer",),
        "the adapter's Cloud Monitoring read grant",
        "metrics-api-before-the-adapter-grant",
    ),
    order(
        "prod",
        ("kubernetes:gateway.networking.k8s.io/v1:Gateway", "gateway-gateway"),
        ("gateway-address",),
        "the address it names",
        "gateway-before-its-address",
    ),
    order(
        "prod",
        ("kubernetes:gateway.networking.k8s.io/v1:Gateway", "gateway-gateway"),
        ("gateway-certificate-map-entry",),
        "an entry of the certificate map",
        "gateway-before-its-certificate",
    ),
    order(
        "prod",
        ("gcp:certificatemanager/certificateMapEntry:CertificateMapEntry", "gateway-certificate-map-entry"),
        ("gateway-certificate-map",),
        "its certificate map",
        "map-entry-before-its-map",
    ),
    order(
        "dev",
        ("kubernetes:networking.gke.io/v1:GCPBackendPolicy", "gateway-small-backend-policy"),
        ("gateway-security-policy",),
        "the Cloud Armor policy it names",
        "backend-policy-before-cloud-armor",
    ),
    order(
        "prod",
        ("kubernetes:core/v1:PersistentVolume", "model-store-volume"),
        ("model-store-instance",),
        "its Managed Lustre instance",
        "lustre-volume-before-the-instance",
    ),
    order(
        "dev",
        ("kubernetes:core/v1:PersistentVolume", "model-store-volume"),
        ("identity-model-reader",),
        "a read grant on its bucket",
        "fuse-volume-before-the-read-grant",
    ),
    order(
        "staging",
        ("kubernetes:datalayer.gke.io/v1:GCPDataSource", "model-store-source"),
        ("identity-model-reader",),
        "a read grant on its bucket",
        "populator-before-the-read-grant",
    ),
    order(
        "prod",
        ("kubernetes:batch/v1:Job", "model-store-import"),
        ("model-store-agent-reads-bucket",),
        "the Lustre agent's bucket grant",
        "import-before-the-agent-grant",
    ),
    order(
        "prod",
        ("kubernetes:batch/v1:Job", "model-store-import"),
        ("model-store-importer-federation",),
        "the importer's federation",
        "import-before-its-federation",
    ),
    order(
        "dev",
        ("gcp:billing/budget:Budget", "budget-budget"),
        ("budget-publisher",),
        "the topic's publisher grant to Billing",
        "budget-before-its-topic-grant",
    ),
    order(
        "dev",
        ("gcp:monitoring/slo:Slo", "observability-slo-small-availability"),
        ("observability-service-small",),
        "its service",
        "slo-before-its-service",
    ),
    order(
        "prod",
        ("gcp:logging/projectSink:ProjectSink", "observability-requests-sink"),
        ("observability-requests",),
        "its BigQuery dataset",
        "sink-before-its-dataset",
    ),
    Case(
        ORDER,
        "prod",
        ("gcp:storage/bucketIAMMember:BucketIAMMember", "model-store-agent-reads-bucket"),
        lambda r: changed(
            r, {"member": "serviceAccount:service-123456789012@gcp-sa-aiplatform.iam.gserviceaccount.com"}
        ),
        stack=True,
        expect="an origin for the agent domain 'gcp-sa-aiplatform'",
        id="grant-to-an-agent-nothing-creates",
    ),
    order(
        "dev-credentials",
        ("gcp:secretmanager/secretIamMember:SecretIamMember", "registry-upstream-secret"),
        ("registry-agent",),
        "the Artifact Registry service agent",
        "secret-grant-before-the-registry-agent",
    ),
    order(
        "dev-credentials",
        ("gcp:artifactregistry/repository:Repository", "registry-repository"),
        ("registry-upstream-secret",),
        "the agent's access to the upstream secret",
        "remote-repository-before-its-secret-grant",
    ),
    Case(
        "stack-creation-order-covered",
        "dev",
        ("gcp:compute/router:Router", "network-router"),
        lambda r: dataclasses.replace(r, type="gcp:compute/instance:Instance"),
        stack=True,
        expect="gcp:compute/instance:Instance has no creation-order rule",
    ),
]


@pytest.fixture(scope="module")
def ordering_graphs(policy_graphs: dict[str, StackGraph]) -> dict[str, StackGraph]:
    """The stacks, and dev with Docker Hub credentials (the registry's secret grant to its agent)."""
    values = load_stack_config("dev")
    values["llm-platform:serving"] = json.dumps(
        {
            "registry": {
                "upstreamCredentials": {"username": "bot", "passwordSecretVersion": "projects/p/secrets/hub/versions/1"}
            }
        }
    )
    return {**policy_graphs, "dev-credentials": evaluate("dev", config=values)}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy(pack, ordering_graphs, case: Case) -> None:
    check_case(pack, ordering_graphs, case)


def without_api(graph: StackGraph, api: str) -> StackGraph:
    """The graph with the Service enabling `api` gone (and every dependency on it)."""
    (service,) = [r for r in graph.by_type("gcp:projects/service:Service") if r.inputs["service"] == api]
    return dataclasses.replace(
        graph,
        resources=[
            changed(r, dependencies=[urn for urn in r.dependencies if urn != service.urn])
            for r in graph.resources
            if r.urn != service.urn
        ],
    )


@pytest.mark.parametrize(
    ("stack", "api", "resource"),
    [
        ("prod", "lustre.googleapis.com", "gcp:lustre/instance:Instance"),
        ("dev", "servicenetworking.googleapis.com", "gcp:servicenetworking/connection:Connection"),
        ("dev", "containerfilesystem.googleapis.com", "gcp:container/cluster:Cluster"),
        ("dev", "billingbudgets.googleapis.com", "gcp:billing/budget:Budget"),
    ],
)
def test_a_resource_whose_api_is_not_enabled_first_is_stopped(
    pack, graphs, stack: str, api: str, resource: str
) -> None:
    report = run_policies(pack, without_api(graphs[stack], api), resources=[], analyze_stack=True)
    # A URN ends in `<type>::<name>`: keep the violations on resources of that type.
    found = [v for v in report.by_policy(ORDER) if v.urn.rsplit("::", 1)[0].endswith(resource)]
    assert found and all(v.level == "mandatory" for v in found)
    assert any(api in v.message for v in found)


def test_every_type_of_every_stack_has_a_rule(graphs: dict[str, StackGraph]) -> None:
    for stack in STACKS:
        types = {r.type for r in graphs[stack].resources if r.custom or r.type.startswith("kubernetes:")}
        assert types - RULED_TYPES == set(), stack


def test_every_rule_with_prerequisites_cites_its_source() -> None:
    """A rule that orders resources says why with a document or an issue; the rest name the API that serves them."""
    for rule in RULES:
        if rule.after:
            assert re.search(r"https://|#\d+", rule.source), rule.type
        else:
            assert rule.source, rule.type
    assert all(origin.type.startswith("gcp:") for origin in AGENT_ORIGINS.values())

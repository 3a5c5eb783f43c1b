"""Cluster add-ons under mocks: the metrics adapter's objects and grant, the LeaderWorkerSet chart."""

from __future__ import annotations

import pulumi_kubernetes as k8s
import pytest

from components.gke import LeaderWorkerSetController, LeaderWorkerSetControllerArgs, MetricsAdapter, MetricsAdapterArgs
from components.gke.addons import ADAPTER_IMAGE
from tests.schemas import built_in_objects, built_in_problems
from tools.graph import StackGraph, record


def _build() -> None:
    provider = k8s.Provider("cluster", kubeconfig="apiVersion: v1\nkind: Config\n")
    MetricsAdapter(
        "metrics-adapter",
        MetricsAdapterArgs(project="p", project_number="42", workload_pool="p.svc.id.goog", provider=provider),
    )
    LeaderWorkerSetController("lws", LeaderWorkerSetControllerArgs(provider=provider))


@pytest.fixture(scope="module")
def addons() -> StackGraph:
    return record(_build, stack="test", project="llm-platform")


def test_adapter_mirrors_the_upstream_manifest(addons: StackGraph) -> None:
    kinds = sorted(
        (r.inputs["kind"], r.inputs["metadata"]["name"])
        for r in addons.resources
        if r.type.startswith("kubernetes:") and r.custom and "lws" not in r.name
    )
    assert kinds == [
        ("APIService", "v1beta1.custom.metrics.k8s.io"),
        ("APIService", "v1beta1.external.metrics.k8s.io"),
        ("APIService", "v1beta2.custom.metrics.k8s.io"),
        ("ClusterRole", "custom-metrics-resource-reader"),
        ("ClusterRole", "external-metrics-reader"),
        ("ClusterRoleBinding", "custom-metrics-resource-reader"),
        ("ClusterRoleBinding", "custom-metrics:system:auth-delegator"),
        ("ClusterRoleBinding", "external-metrics-reader"),
        ("Deployment", "custom-metrics-stackdriver-adapter"),
        ("Namespace", "custom-metrics"),
        ("RoleBinding", "custom-metrics-auth-reader"),
        ("Service", "custom-metrics-stackdriver-adapter"),
        ("ServiceAccount", "custom-metrics-stackdriver-adapter"),
    ]
    deployment = next(r for r in addons.by_type("kubernetes:apps/v1:Deployment"))
    (container,) = deployment.inputs["spec"]["template"]["spec"]["containers"]
    assert container["image"] == ADAPTER_IMAGE
    assert ":latest" not in ADAPTER_IMAGE
    assert container["command"] == [
        "/adapter",
        "--use-new-resource-model=true",
        "--fallback-for-container-metrics=true",
    ]


def test_only_the_adapter_principal_gets_monitoring_viewer(addons: StackGraph) -> None:
    (grant,) = addons.by_type("gcp:projects/iAMMember:IAMMember")
    assert grant.inputs["role"] == "roles/monitoring.viewer"
    assert grant.inputs["member"] == (
        "principal://iam.googleapis.com/projects/42/locations/global/workloadIdentityPools/p.svc.id.goog/"
        "subject/ns/custom-metrics/sa/custom-metrics-stackdriver-adapter"
    )
    deployment = addons.by_type("kubernetes:apps/v1:Deployment")[0]
    assert grant.urn in deployment.dependencies


def test_lws_comes_from_the_pinned_oci_chart(addons: StackGraph) -> None:
    chart = addons.one("kubernetes:helm.sh/v4:Chart")
    assert chart.inputs["chart"] == "oci://registry.k8s.io/lws/charts/lws"
    assert chart.inputs["version"] == "0.10.0"
    assert chart.inputs["namespace"] == "lws-system"
    assert chart.inputs["values"]["image"]["manager"]["tag"] == "v0.10.0"
    namespace = next(r for r in addons.by_type("kubernetes:core/v1:Namespace") if r.name == "lws-namespace")
    assert namespace.urn in chart.dependencies


def test_every_typed_object_validates(addons: StackGraph) -> None:
    objects = built_in_objects(addons.resources)
    assert len(objects) == 14  # 13 adapter objects + the lws-system namespace; the chart renders in the provider
    for resource in objects:
        assert built_in_problems(resource) == [], resource.urn

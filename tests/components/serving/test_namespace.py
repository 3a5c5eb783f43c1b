"""The serving namespace under mocks."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from components.serving import ServingNamespace, ServingNamespaceArgs
from tests.conftest import RunComponent
from tests.helpers import naming


def test_serving_namespace_objects_use_the_given_provider(run_component: RunComponent) -> None:
    def build() -> None:
        provider = k8s.Provider("cluster", kubeconfig="apiVersion: v1\nkind: Config\n")
        ServingNamespace(
            "serving",
            ServingNamespaceArgs(namespace="llm", service_account="vllm", naming=naming(), provider=provider),
            pulumi.ResourceOptions(),
        )

    graph = run_component(build)
    provider = graph.one("pulumi:providers:kubernetes").urn
    namespace = graph.one("kubernetes:core/v1:Namespace")
    account = graph.one("kubernetes:core/v1:ServiceAccount")
    assert namespace.inputs["metadata"]["name"] == "llm"
    assert account.inputs["metadata"] == {
        "labels": {"app.kubernetes.io/part-of": "llm-platform"},
        "name": "vllm",
        "namespace": "llm",
    }
    assert namespace.provider == provider
    assert account.provider == provider
    assert namespace.urn in account.dependencies

"""The serving namespace and its Kubernetes service account, created through the cluster's provider.

The names come from the workload identity component, which already granted this KSA's principal
read access to the model bucket; no annotation is needed for direct Workload Identity Federation.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from components.base import PlatformComponent
from components.naming import Naming


@dataclass(frozen=True)
class ServingNamespaceArgs:
    namespace: str
    service_account: str
    naming: Naming
    provider: k8s.Provider


class ServingNamespace(PlatformComponent):
    def __init__(self, name: str, args: ServingNamespaceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("k8s:ServingNamespace", name, opts)
        labels = {
            "app.kubernetes.io/managed-by": "pulumi",
            "app.kubernetes.io/part-of": "llm-platform",
            # Baseline forbids privileged containers and host namespaces; restricted is reported as
            # warnings so that tightening it later is a visible, deliberate step.
            "pod-security.kubernetes.io/enforce": "baseline",
            "pod-security.kubernetes.io/warn": "restricted",
        }
        self.namespace = k8s.core.v1.Namespace(
            f"{name}-namespace",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=args.namespace, labels=labels),
            opts=self.child(provider=args.provider),
        )
        self.service_account = k8s.core.v1.ServiceAccount(
            f"{name}-ksa",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=args.service_account,
                namespace=self.namespace.metadata.name,
                labels={"app.kubernetes.io/part-of": "llm-platform"},
            ),
            opts=self.child(provider=args.provider),
        )
        self.namespace_name = self.namespace.metadata.name
        self.service_account_name = self.service_account.metadata.name
        self.register_outputs({"namespace": self.namespace_name, "service_account": self.service_account_name})

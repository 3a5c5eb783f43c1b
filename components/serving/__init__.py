"""Serving: where the model servers run and what they serve.

Creates: the serving namespace and its Kubernetes service account (`llm-platform:k8s:ServingNamespace`).
Config keys: `llm-platform:serving.*`, `llm-platform:tiers.<name>.*` (the tier's pool shape and
bounds go to `gke`, which never imports serving).
APIs: none beyond the cluster's yet.
Outputs: the namespace and service account names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from components.serving.namespace import ServingNamespace, ServingNamespaceArgs

if TYPE_CHECKING:
    from components.config.platform import PlatformConfig

__all__ = ["ServingNamespace", "ServingNamespaceArgs", "required_services"]


def required_services(config: PlatformConfig) -> set[str]:
    return set()

"""Serving: where the model servers run, what they serve and where their images come from.

Creates: the serving namespace and its Kubernetes service account (`llm-platform:k8s:ServingNamespace`);
per tier an `InferenceTier` (`serving:InferenceTier`: a Deployment, or a LeaderWorkerSet for a
multi-host slice, named `vllm-<tier>`, its ClusterIP Service, a PodMonitoring, an HPA on vLLM's
queue for single-host tiers and a PodDisruptionBudget); the Artifact Registry remote repository
over Docker Hub (`serving:RemoteRegistry`); the conditional write grant for the compile caches
(`serving:CompileCacheGrant`).
Pure decisions: `presets.py` (model catalog from config.json), `vllm_args.py` (server flags,
TP x DP = 2 x chips, multi-host bootstrap), `images.py` (pinned references, pull-through paths),
`cold_start.py` (estimates), `drain.py` (preStop, shutdown timeout, grace periods, the backend's
draining), `rollout.py` (surge or replace from what capacity can exist), `checksums.py` (the
checksum annotations of the Secrets a pod reads).
Config keys: `llm-platform:serving.*`, `llm-platform:tiers.<name>.*` (the tier's pool shape and
bounds go to `gke`, which never imports serving).
APIs: artifactregistry; secretmanager when the remote repository has upstream credentials.
Outputs: namespace and service account names; per tier the workload and Service names, the served
model name, a cold-start estimate, its drain timings and its rollout; the remote repository.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from components.serving.compile_cache import CompileCacheGrant, CompileCacheGrantArgs
from components.serving.inference_tier import ApiKeyRef, InferenceTier, InferenceTierArgs
from components.serving.namespace import ServingNamespace, ServingNamespaceArgs
from components.serving.registry import RemoteRegistry, RemoteRegistryArgs

if TYPE_CHECKING:
    from components.config.platform import PlatformConfig

__all__ = [
    "ApiKeyRef",
    "CompileCacheGrant",
    "CompileCacheGrantArgs",
    "InferenceTier",
    "InferenceTierArgs",
    "RemoteRegistry",
    "RemoteRegistryArgs",
    "ServingNamespace",
    "ServingNamespaceArgs",
    "admitted_images",
    "required_services",
]


def admitted_images(config: PlatformConfig) -> list[str]:
    """The model-server images the stack pins, as written in the config: Binary Authorization admits each
    where nodes pull it from (`components/stack/foundation.py` maps Docker Hub ones to the remote
    repository), and nothing else under that repository."""
    return sorted({config.serving.image, *(tier.image for tier in config.tiers.values() if tier.image)})


def required_services(config: PlatformConfig) -> set[str]:
    services = {"artifactregistry.googleapis.com"}
    if config.serving.registry.upstream_credentials is not None:
        services.add("secretmanager.googleapis.com")
    return services

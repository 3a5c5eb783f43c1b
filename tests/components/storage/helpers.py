"""What every model-store test builds: the common args, and a pod built only from the mount."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from components.storage.mount import ModelMount, ModelStoreArgs
from components.storage.weights import ModelWeights
from tests.helpers import naming

CLAIM = "kubernetes:core/v1:PersistentVolumeClaim"
DATASOURCE = "kubernetes:datalayer.gke.io/v1:GCPDataSource"


def provider() -> k8s.Provider:
    return k8s.Provider("cluster", kubeconfig="apiVersion: v1\nkind: Config\n")


WEIGHTS = (
    ModelWeights(
        "meta-llama/Llama-3.1-8B-Instruct/" + "a" * 40, ("small",), "meta-llama/Llama-3.1-8B-Instruct", "a" * 40
    ),
    ModelWeights("uploaded/model", ("large",)),
)


def fetched(weights: tuple[ModelWeights, ...] = WEIGHTS) -> dict[str, pulumi.Resource]:
    """Stand-ins for the Jobs that put each folder in the bucket (any resource will do)."""
    return {
        w.folder: k8s.core.v1.ConfigMap(f"fetched-{w.digest}", metadata=k8s.meta.v1.ObjectMetaArgs(name=w.digest))
        for w in weights
    }


def common(
    cluster: k8s.Provider,
    protect: bool = False,
    weights: tuple[ModelWeights, ...] = (),
    ready: dict[str, pulumi.Resource] | None = None,
) -> ModelStoreArgs:
    return ModelStoreArgs(
        project="acme-llm",
        zone="us-central1-c",
        naming=naming(),
        namespace="serve",
        service_account="vllm",
        bucket="acme-models",
        prefix="models/",
        mount_path="/models",
        provider=cluster,
        protect=protect,
        bucket_name="acme-models",
        weights=weights,
        weights_ready=ready or {},
    )


def pod_with(mount: ModelMount) -> k8s.core.v1.Pod:
    """A serving pod built only from the mount description must be a valid typed Pod."""
    return k8s.core.v1.Pod(
        "server",
        metadata=k8s.meta.v1.ObjectMetaArgs(annotations=mount.pod_annotations),
        spec=k8s.core.v1.PodSpecArgs(
            volumes=mount.volumes,
            containers=[
                k8s.core.v1.ContainerArgs(name="server", image="vllm/vllm-tpu", volume_mounts=mount.volume_mounts)
            ],
        ),
        opts=pulumi.ResourceOptions(depends_on=[*mount.ready, *(r for rs in mount.folder_ready.values() for r in rs)]),
    )

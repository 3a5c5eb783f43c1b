"""What every model-store test builds: the common args, and a pod built only from the mount."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from components.storage.mount import ModelMount, ModelStoreArgs
from tests.helpers import naming

CLAIM = "kubernetes:core/v1:PersistentVolumeClaim"
DATASOURCE = "kubernetes:datalayer.gke.io/v1:GCPDataSource"


def provider() -> k8s.Provider:
    return k8s.Provider("cluster", kubeconfig="apiVersion: v1\nkind: Config\n")


def common(cluster: k8s.Provider, protect: bool = False) -> ModelStoreArgs:
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
        opts=pulumi.ResourceOptions(depends_on=mount.ready),
    )

"""The contract between model stores and serving: how a pod mounts the weights, whatever the store."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import pulumi
import pulumi_kubernetes as k8s

from components.naming import Naming
from components.storage.weights import ModelWeights

VOLUME_NAME = "model-weights"


@dataclass(frozen=True)
class ModelMount:
    """How a serving pod mounts the weights, whatever the store."""

    volumes: list[k8s.core.v1.VolumeArgs]
    volume_mounts: list[k8s.core.v1.VolumeMountArgs]
    pod_annotations: dict[str, str]
    model_root: str
    store: str
    ready: list[pulumi.Resource] = field(default_factory=list)  # what a workload must wait for
    # What puts each model folder in place in this store (its fetch or check Job, or its import), so a
    # tier waits for its own folder only.
    folder_ready: Mapping[str, Sequence[pulumi.Resource]] = field(default_factory=dict)


def claim_mount(
    claim: k8s.core.v1.PersistentVolumeClaim,
    mount_path: str,
    store: str,
    extra_volumes: list[k8s.core.v1.VolumeArgs] | None = None,
    pod_annotations: dict[str, str] | None = None,
    ready: list[pulumi.Resource] | None = None,
    folder_ready: Mapping[str, Sequence[pulumi.Resource]] | None = None,
) -> ModelMount:
    """The claim mounted read-only at `mount_path`; pods wait for the claim (and whatever fills it)."""
    volume = k8s.core.v1.VolumeArgs(
        name=VOLUME_NAME,
        persistent_volume_claim=k8s.core.v1.PersistentVolumeClaimVolumeSourceArgs(
            claim_name=claim.metadata.name, read_only=True
        ),
    )
    return ModelMount(
        volumes=[volume, *(extra_volumes or [])],
        volume_mounts=[k8s.core.v1.VolumeMountArgs(name=VOLUME_NAME, mount_path=mount_path, read_only=True)],
        pod_annotations=pod_annotations or {},
        model_root=mount_path,
        store=store,
        ready=[claim, *(ready or [])],
        folder_ready=folder_ready or {},
    )


def weights_read_seconds(weights_gib: float, read_gib_s: float | None) -> float | None:
    """Estimate: one replica's weights over the store's aggregate read bandwidth (0.1 s resolution)."""
    return None if read_gib_s is None else round(weights_gib / read_gib_s, 1)


@dataclass(frozen=True)
class ModelStoreArgs:
    """What every store needs: where the weights come from, where pods see them, and the cluster."""

    project: str
    zone: str
    naming: Naming
    namespace: pulumi.Input[str]
    service_account: pulumi.Input[str]
    bucket: pulumi.Input[str]
    prefix: str
    mount_path: str
    provider: k8s.Provider
    protect: bool
    # The bucket's name as the config gives it, known at program time (names and annotations).
    bucket_name: str = field(kw_only=True)
    # The folders the tiers serve and the Job that fetches or checks each in the bucket (by folder).
    weights: tuple[ModelWeights, ...] = field(default=(), kw_only=True)
    weights_ready: Mapping[str, pulumi.Resource] = field(default_factory=dict, kw_only=True)


class ModelStore(Protocol):
    """What serving reads from any store: the mount, the claim, and the aggregate read throughput
    (None when it depends on more than the store, as with Cloud Storage FUSE)."""

    mount: ModelMount
    claim: k8s.core.v1.PersistentVolumeClaim
    read_gib_s: float | None

"""Config keys of serving: `llm-platform:serving.*` and `llm-platform:tiers.<name>.*`."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, model_validator

from components.config.fields import FieldError, KubernetesName, StrictModel, raise_all
from components.gke import tpu
from components.gke.config import CapacityConfig

# Tier names become part of node pool names (`llm-<stack>-tpu-<tier>`, at most 40 characters).
MAX_TIER_NAME = 20
_SIZING_KEYS = {"topology": "topology", "machine_type": "machineType"}


# Namespaces Kubernetes and GKE own: the program would take them over or collide with their objects.
RESERVED_NAMESPACES = frozenset(
    {"default", "kube-system", "kube-public", "kube-node-lease", "gmp-system", "gmp-public"}
)
RESERVED_NAMESPACE_PREFIXES = ("kube-", "gke-")


def _own_namespace(value: str) -> str:
    if value in RESERVED_NAMESPACES or value.startswith(RESERVED_NAMESPACE_PREFIXES):
        raise ValueError(
            f"{value!r} belongs to Kubernetes or GKE (allowed: a namespace of your own, not default and not "
            f"starting with {' or '.join(RESERVED_NAMESPACE_PREFIXES)})"
        )
    return value


def _own_service_account(value: str) -> str:
    if value == "default":
        raise ValueError(
            "'default' is the namespace's own service account, which Kubernetes creates (allowed: another name, "
            "e.g. model-server)"
        )
    return value


class ServingConfig(StrictModel):
    """Where the model servers run in Kubernetes; the identity component grants this KSA."""

    namespace: Annotated[KubernetesName, AfterValidator(_own_namespace)] = "llm-serving"
    service_account: Annotated[KubernetesName, AfterValidator(_own_service_account)] = "model-server"
    port: int = Field(default=8000, ge=1024, le=65535)


class ModelConfig(StrictModel):
    """The model a tier serves; architecture numbers come from its config.json."""

    name: str = Field(min_length=1, description="Model id, e.g. meta-llama/Llama-3.1-8B-Instruct")
    parameters_billion: float = Field(gt=0, le=10000)
    layers: int = Field(gt=0, le=1000)
    kv_heads: int = Field(gt=0, le=1024)
    head_dim: int = Field(gt=0, le=1024)
    weight_dtype: tpu.Dtype = "bf16"
    kv_cache_dtype: tpu.Dtype = "bf16"
    max_model_len: int = Field(default=8192, ge=256, le=2_000_000)
    max_num_seqs: int = Field(default=64, ge=1, le=4096)

    def spec(self) -> tpu.ModelSpec:
        return tpu.ModelSpec(**self.model_dump(exclude={"name"}))


class TierConfig(StrictModel):
    """One serving tier: a TPU7x node pool of one topology and the model it serves."""

    machine_type: str
    topology: str
    capacity: CapacityConfig = Field(default_factory=CapacityConfig)
    min_replicas: int = Field(default=1, ge=0, le=1000)
    max_replicas: int = Field(default=1, ge=1, le=1000)
    memory_utilization: float = Field(default=0.9, ge=0.5, le=0.98)
    model: ModelConfig

    @model_validator(mode="after")
    def _shape_and_fit(self) -> TierConfig:
        try:
            shape = tpu.slice_shape(self.topology, self.machine_type)
            tpu.check_fit(shape, self.model.spec(), self.memory_utilization)
        except tpu.SizingError as exc:
            raise FieldError(_SIZING_KEYS[exc.input], str(exc)) from None
        problems = []
        if self.min_replicas > self.max_replicas:
            problems.append(
                FieldError(
                    "minReplicas",
                    f"{self.min_replicas} is above maxReplicas {self.max_replicas} (allowed: min <= max)",
                )
            )
        if shape.multi_host and self.max_replicas != 1:
            problems.append(
                FieldError(
                    "maxReplicas",
                    f"{self.max_replicas}: a multi-host tier is one {shape.topology} slice ({shape.vms} VMs) per "
                    "node pool (allowed: 1; add a tier for another slice)",
                )
            )
        if self.capacity.type == "flex-start" and self.min_replicas != 0:
            problems.append(
                FieldError(
                    "minReplicas",
                    f"{self.min_replicas}: flex-start capacity has no static node count (allowed: 0)",
                )
            )
        raise_all(problems)
        return self

    @property
    def shape(self) -> tpu.SliceShape:
        return tpu.slice_shape(self.topology, self.machine_type)

    @property
    def estimate(self) -> tpu.TierEstimate:
        return tpu.estimate(self.shape, self.model.spec(), self.memory_utilization)

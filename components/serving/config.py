"""Config keys of serving: `llm-platform:serving.*` and `llm-platform:tiers.<name>.*`."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, Field, model_validator
from pydantic.alias_generators import to_camel

from components.config.fields import FieldError, KubernetesName, StrictModel, raise_all
from components.gke import pool_upgrades, tpu
from components.gke.config import CapacityConfig
from components.serving import cold_start, server_settings, vllm_args
from components.serving.images import DEFAULT_VLLM_IMAGE, pinned_image
from components.serving.presets import PRESETS
from components.serving.server_settings import ServerSettings
from components.storage.config import ModelSource, hub_repo_problem

# Each tier's XLA compile cache lives under this folder of the model bucket (serving/compile_cache.py).
COMPILE_CACHE_PREFIX = "compile-cache/"
# Tier names become part of node pool names (`llm-<stack>-tpu-<tier>`, at most 40 characters).
MAX_TIER_NAME = 20
_SIZING_KEYS = {"topology": "topology", "machine_type": "machineType"}
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SECRET_VERSION = re.compile(r"^projects/[^/]+/secrets/[A-Za-z0-9_-]{1,255}/versions/([0-9]+|latest)$")
_REPOSITORY_ID = re.compile(r"^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$")
# Environment the platform sets on every server; a tier's `env` may not replace it.
PLATFORM_ENV = (
    "VLLM_API_KEY",
    "HF_HOME",
    "HF_HUB_OFFLINE",
    *vllm_args.compile_cache_env("/x"),
    *vllm_args.MULTI_HOST_ENV,
)

PinnedImage = Annotated[str, AfterValidator(pinned_image)]


# A served model name travels in the request body and in the X-Gateway-Model-Name header the route matches.
_MODEL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,255}$")


def _model_name(value: str) -> str:
    if not _MODEL_NAME.match(value):
        raise ValueError(
            f"{value!r} is not a model name (allowed: up to 256 letters, digits and . _ : / @ + -, starting with a "
            "letter or digit; it is sent as a header value)"
        )
    return value


def _secret_version(value: str) -> str:
    if not _SECRET_VERSION.match(value):
        raise ValueError(
            f"{value!r} is not a Secret Manager version (allowed: projects/PROJECT/secrets/SECRET/versions/N)"
        )
    return value


def _repository_id(value: str) -> str:
    if not _REPOSITORY_ID.match(value):
        raise ValueError(
            f"{value!r} is not an Artifact Registry repository id (allowed: lowercase letters, digits and '-', "
            "starting with a letter, at most 63 characters)"
        )
    return value


class UpstreamCredentialsConfig(StrictModel):
    """Docker Hub credentials for the remote repository (avoids anonymous pull-rate limits)."""

    username: str = Field(min_length=1)
    password_secret_version: Annotated[str, AfterValidator(_secret_version)]


class RegistryConfig(StrictModel):
    """The Artifact Registry remote repository tiers pull Docker Hub images through."""

    repository_id: Annotated[str, AfterValidator(_repository_id)] | None = Field(
        default=None, description="Defaults to '<prefix>-dockerhub'."
    )
    upstream_credentials: UpstreamCredentialsConfig | None = None


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
    image: PinnedImage = DEFAULT_VLLM_IMAGE
    registry: RegistryConfig = Field(default_factory=RegistryConfig)


def _preset_fields(preset_id: str) -> dict[str, Any]:
    preset = PRESETS.get(preset_id)
    if preset is None:
        raise FieldError("preset", f"{preset_id!r} is not a known preset (allowed: {', '.join(sorted(PRESETS))})")
    return preset.fields()


class ModelConfig(StrictModel):
    """The model a tier serves: a preset from `components/serving/presets.py`, any field overridden,
    or every architecture field given explicitly (numbers from the model's config.json)."""

    preset: str | None = None
    name: Annotated[str, AfterValidator(_model_name)] = Field(
        description="Model id, e.g. meta-llama/Llama-3.1-8B-Instruct: the served name requests select"
    )
    aliases: list[Annotated[str, AfterValidator(_model_name)]] = Field(
        default_factory=list, max_length=8, description="More names the tier serves and the gateway routes to it."
    )
    path: str | None = Field(
        default=None, description="Folder under the model store's mount; defaults to the model id."
    )
    parameters_billion: float = Field(gt=0, le=10000)
    layers: int = Field(gt=0, le=1000)
    kv_heads: int = Field(gt=0, le=1024)
    head_dim: int = Field(gt=0, le=1024)
    weight_dtype: tpu.Dtype = Field(
        default="bf16", description="The checkpoint's weights: a preset's own, or a pre-quantized checkpoint's."
    )
    quantization: str | None = Field(
        default=None,
        description="vLLM's --quantization: the pre-quantized checkpoint's method (fp8 weights default to fp8).",
    )
    kv_cache_dtype: tpu.Dtype = "bf16"
    max_model_len: int = Field(default=8192, ge=256, le=2_000_000)
    max_num_seqs: int = Field(default=64, ge=1, le=4096)
    max_position_embeddings: int | None = Field(default=None, ge=256, le=10_000_000)
    source: ModelSource | None = Field(
        default=None, description="Fetch the weights from the Hugging Face Hub; unset: uploaded by hand."
    )

    @model_validator(mode="before")
    @classmethod
    def _apply_preset(cls, data: Any) -> Any:
        """Preset values fill every field the tier does not set itself."""
        if not isinstance(data, dict) or data.get("preset") is None:
            return data
        merged = dict(data)
        for field, value in _preset_fields(str(data["preset"])).items():
            if field not in data and to_camel(field) not in data:
                merged[to_camel(field)] = value
        return merged

    @model_validator(mode="after")
    def _servable(self) -> ModelConfig:
        preset = PRESETS.get(self.preset) if self.preset else None
        weights = server_settings.weight_problems(
            self.weight_dtype, self.quantization, preset.weight_dtype if preset else None
        )
        problems = [FieldError(key, message) for key, message in weights]
        kv_problem = server_settings.kv_cache_problem(self.weight_dtype, self.kv_cache_dtype)
        if kv_problem:
            problems.append(FieldError("kvCacheDtype", kv_problem))
        if self.max_position_embeddings is not None and self.max_model_len > self.max_position_embeddings:
            problems.append(
                FieldError(
                    "maxModelLen",
                    f"{self.max_model_len} is above the model's context of {self.max_position_embeddings} tokens "
                    f"(allowed: at most {self.max_position_embeddings})",
                )
            )
        if self.path is not None and (self.path.startswith("/") or ".." in self.path.split("/")):
            problems.append(
                FieldError("path", f"{self.path!r} is not a folder inside the model store (allowed: e.g. org/model)")
            )
        if self.source is not None and self.source.hub.repo is None and hub_repo_problem(self.name):
            problems.append(
                FieldError(
                    "source.huggingFace.repo",
                    f"is not set and the model's name {self.name!r} is not a Hub repository (allowed: "
                    "namespace/name, e.g. meta-llama/Llama-3.1-8B-Instruct)",
                )
            )
        raise_all(problems)
        return self

    @property
    def folder(self) -> str:
        """The folder under the store's prefix: a fetched model's carries its revision, so a new revision is a
        new folder beside the one running replicas still read."""
        base = (self.path or self.name).rstrip("/")
        return f"{base}/{self.source.hub.revision}" if self.source else base

    @property
    def hub_repo(self) -> str | None:
        """The Hub repository the weights are fetched from, or None when they are uploaded by hand."""
        return (self.source.hub.repo or self.name) if self.source else None

    def settings(self, memory_utilization: float, tensor_parallel: int, data_parallel: int) -> ServerSettings:
        """What the server runs with and the estimates assume (server_settings.py): one value each."""
        return ServerSettings(
            weight_dtype=self.weight_dtype,
            quantization=server_settings.quantization_of(self.weight_dtype, self.quantization),
            kv_cache_dtype=self.kv_cache_dtype,
            max_model_len=self.max_model_len,
            max_num_seqs=self.max_num_seqs,
            memory_utilization=memory_utilization,
            tensor_parallel=tensor_parallel,
            data_parallel=data_parallel,
        )

    def spec(self, settings: ServerSettings) -> tpu.ModelSpec:
        """The estimates' view of the model: its architecture with the server's settings."""
        return settings.model(self.parameters_billion, self.layers, self.kv_heads, self.head_dim)


class AutoscalingConfig(StrictModel):
    """Single-host tiers: an HPA on vLLM's queue (`vllm:num_requests_waiting`) through Managed Prometheus."""

    target_waiting_requests: int = Field(
        default=10, ge=1, le=10000, description="Average waiting requests per replica the HPA aims for."
    )
    scale_down_stabilization_seconds: int = Field(
        default=900,
        ge=0,
        le=3600,
        description="A replica takes many minutes to start: do not give one back on a short lull.",
    )


def _env(value: dict[str, str]) -> dict[str, str]:
    for name in value:
        if not _ENV_NAME.match(name):
            raise ValueError(f"{name!r} is not an environment variable name (allowed: [A-Za-z_][A-Za-z0-9_]*)")
        if name in PLATFORM_ENV:
            raise ValueError(f"{name} is set by the platform (allowed: any name but {', '.join(sorted(PLATFORM_ENV))})")
    return value


class TierConfig(StrictModel):
    """One serving tier: a TPU7x node pool of one topology, the model it serves and how."""

    machine_type: str
    topology: str
    capacity: CapacityConfig = Field(default_factory=CapacityConfig)
    min_replicas: int = Field(default=1, ge=0, le=1000)
    max_replicas: int = Field(default=1, ge=1, le=1000)
    memory_utilization: float = Field(default=0.9, ge=0.5, le=0.98)
    model: ModelConfig
    image: PinnedImage | None = Field(default=None, description="Defaults to serving.image.")
    data_parallel_size: int = Field(default=1, ge=1, le=512)
    vllm_args: list[str] = Field(default_factory=list, description="Extra vLLM flags (escape hatch).")
    env: Annotated[dict[str, str], AfterValidator(_env)] = Field(default_factory=dict)
    autoscaling: AutoscalingConfig = Field(default_factory=AutoscalingConfig)
    startup_timeout_seconds: int | None = Field(
        default=None,
        ge=cold_start.MIN_STARTUP_S,
        le=6 * 3600,
        description="How long a replica may take to load and compile; defaults to 1800 s, 7200 s for 100B+ models.",
    )

    @model_validator(mode="after")
    def _shape_and_fit(self) -> TierConfig:
        try:
            shape = tpu.slice_shape(self.topology, self.machine_type)
        except tpu.SizingError as exc:
            raise FieldError(_SIZING_KEYS[exc.input], str(exc)) from None
        try:
            vllm_args.parallelism(shape.chips, self.data_parallel_size)
        except vllm_args.ParallelismError as exc:
            raise FieldError("dataParallelSize", str(exc)) from None
        try:
            tpu.check_fit(shape, self.model.spec(self.settings), self.memory_utilization)
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
        if self.capacity.type == "flex-start" and self.min_replicas != 0 and not self.capacity.fallback:
            problems.append(
                FieldError(
                    "minReplicas",
                    f"{self.min_replicas}: flex-start capacity has no static node count (allowed: 0, or a "
                    "capacity.fallback chain, whose pools all scale from zero)",
                )
            )
        if shape.multi_host and self.data_parallel_size != 1:
            problems.append(
                FieldError(
                    "dataParallelSize",
                    f"{self.data_parallel_size}: a multi-host tier runs one tensor-parallel engine over the slice "
                    "with Ray (allowed: 1)",
                )
            )
        problems.extend(pool_upgrades.pool_problems(shape, self.capacity, self.min_replicas, self.max_replicas))
        if repeated := vllm_args.repeated_derived_flags(self.vllm_args):
            problems.append(
                FieldError(
                    "vllmArgs",
                    f"sets {', '.join(repeated)}, which the platform derives from the tier (allowed: any other vLLM "
                    "flag; change the tier's own keys instead, e.g. model.maxModelLen, dataParallelSize)",
                )
            )
        raise_all(problems)
        return self

    @property
    def shape(self) -> tpu.SliceShape:
        return tpu.slice_shape(self.topology, self.machine_type)

    @property
    def settings(self) -> ServerSettings:
        """The one source of the server's arguments and the tier's estimates."""
        tensor_parallel, data_parallel = vllm_args.parallelism(self.shape.chips, self.data_parallel_size)
        return self.model.settings(self.memory_utilization, tensor_parallel, data_parallel)

    @property
    def estimate(self) -> tpu.TierEstimate:
        settings = self.settings
        return tpu.estimate(self.shape, self.model.spec(settings), settings.memory_utilization)

    @property
    def startup_seconds(self) -> int:
        if self.startup_timeout_seconds is not None:
            return self.startup_timeout_seconds
        return cold_start.default_startup_seconds(self.model.parameters_billion)

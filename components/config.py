"""Typed stack configuration: one pydantic model tree, validated once.

`load_platform_config()` is the only place in the program that reads Pulumi config.
It gathers the project's own namespace (`llm-platform:*`) plus the standard
`gcp:project`, `gcp:region` and `gcp:zone` keys, validates everything at once, and
raises `pulumi.RunError` listing every problem as `key.path: what is wrong`.
A `RunError` makes `pulumi preview` print the message without a Python traceback,
and because it is raised before any resource is constructed, nothing is registered.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Mapping
from types import UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import pulumi
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic.alias_generators import to_camel

from components import tpu

NAMESPACE = "llm-platform"
GCP_KEYS = {"project": "gcp:project", "region": "gcp:region", "zone": "gcp:zone"}

_PROJECT_ID = re.compile(r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$")
_REGION = re.compile(r"^[a-z]+-[a-z]+[0-9]+$")
_ZONE = re.compile(r"^([a-z]+-[a-z]+[0-9]+)-[a-z0-9]+$")
_LABEL_KEY = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")
_LABEL_VALUE = re.compile(r"^[a-z0-9_-]{0,63}$")
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$")


class ConfigError(ValueError):
    """A stack configuration that cannot be deployed; the message lists every problem."""


# --- field checks (each message says what is allowed) -------------------------------------


def _project_id(value: str) -> str:
    if not _PROJECT_ID.match(value):
        raise ValueError(
            f"{value!r} is not a Google Cloud project id "
            "(allowed: 6-30 characters, lowercase letters, digits and hyphens, starting with a letter)"
        )
    return value


def _region(value: str) -> str:
    if not _REGION.match(value):
        raise ValueError(f"{value!r} is not a Compute Engine region (allowed: e.g. us-central1)")
    return value


def _zone(value: str) -> str:
    if not _ZONE.match(value):
        raise ValueError(f"{value!r} is not a Compute Engine zone (allowed: e.g. us-central1-c)")
    return value


def _ipv4_cidr(value: str) -> str:
    try:
        network = ipaddress.IPv4Network(value, strict=True)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not an IPv4 CIDR block ({exc}; allowed: e.g. 10.0.0.0/20)") from None
    if not network.is_private:
        raise ValueError(f"{value!r} is not a private range (allowed: RFC 1918 or other private ranges)")
    return value


def _dns_label(value: str) -> str:
    if not _DNS_LABEL.match(value):
        raise ValueError(
            f"{value!r} is not a Kubernetes name (allowed: lowercase letters, digits and '-', "
            "1-63 characters, starting and ending with a letter or digit)"
        )
    return value


def _bucket_name(value: str) -> str:
    if not _BUCKET_NAME.match(value) or "goog" in value:
        raise ValueError(
            f"{value!r} is not a valid bucket name (allowed: 3-63 lowercase letters, digits, '-' "
            "and '_', starting and ending with a letter or digit, not containing 'goog')"
        )
    return value


def _bucket_location(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z]+[A-Za-z0-9-]*[0-9A-Za-z]", value):
        raise ValueError(
            f"{value!r} is not a Cloud Storage location (allowed: a region such as us-central1, a dual-region "
            "such as NAM4, or a multi-region such as US)"
        )
    return value


def _labels(value: dict[str, str]) -> dict[str, str]:
    for key, label in value.items():
        if not _LABEL_KEY.match(key):
            raise ValueError(f"label key {key!r} is invalid (allowed: lowercase letter first, then [a-z0-9_-], max 63)")
        if not _LABEL_VALUE.match(label):
            raise ValueError(f"label {key}={label!r} has an invalid value (allowed: [a-z0-9_-], max 63)")
    return value


ProjectId = Annotated[str, AfterValidator(_project_id)]
Region = Annotated[str, AfterValidator(_region)]
Zone = Annotated[str, AfterValidator(_zone)]
Ipv4Cidr = Annotated[str, AfterValidator(_ipv4_cidr)]
KubernetesName = Annotated[str, AfterValidator(_dns_label)]
BucketName = Annotated[str, AfterValidator(_bucket_name)]
Labels = Annotated[dict[str, str], AfterValidator(_labels)]


class StrictModel(BaseModel):
    """Unknown keys are errors; YAML keys are camelCase like every Pulumi config key."""

    model_config = ConfigDict(extra="forbid", frozen=True, alias_generator=to_camel, populate_by_name=True)


# --- the model tree -------------------------------------------------------------------------


class NetworkConfig(StrictModel):
    """The VPC. MTU is fixed at 8896, the value Parallelstore requires."""

    subnet_cidr: Ipv4Cidr = "10.10.0.0/20"
    pods_cidr: Ipv4Cidr = "10.16.0.0/14"
    services_cidr: Ipv4Cidr = "10.20.0.0/20"
    private_services_cidr_prefix: int = Field(
        default=20,
        ge=8,
        le=24,
        description="Prefix length of the private services access range (a /24 or larger block).",
    )
    flow_log_sampling: float = Field(default=0.5, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _ranges_do_not_overlap(self) -> NetworkConfig:
        ranges = {
            "subnetCidr": ipaddress.IPv4Network(self.subnet_cidr),
            "podsCidr": ipaddress.IPv4Network(self.pods_cidr),
            "servicesCidr": ipaddress.IPv4Network(self.services_cidr),
        }
        names = list(ranges)
        for i, first in enumerate(names):
            for second in names[i + 1 :]:
                if ranges[first].overlaps(ranges[second]):
                    raise ValueError(
                        f"{first} {ranges[first]} overlaps {second} {ranges[second]} (allowed: disjoint ranges)"
                    )
        return self


class ModelBucketConfig(StrictModel):
    """The Cloud Storage bucket that holds model weights (the source of truth)."""

    name: BucketName | None = Field(default=None, description="Defaults to '<project>-<stack>-models'.")
    location: Annotated[str, AfterValidator(_bucket_location)] | None = Field(
        default=None,
        description="Defaults to the stack's region; a dual-region containing it (e.g. NAM4) adds HA.",
    )
    noncurrent_version_retention_days: int = Field(default=30, ge=1, le=3650)
    max_noncurrent_versions: int = Field(default=3, ge=1, le=100)


class ServingConfig(StrictModel):
    """Where the model servers run in Kubernetes; the identity component grants this KSA."""

    namespace: KubernetesName = "llm-serving"
    service_account: KubernetesName = "model-server"
    port: int = Field(default=8000, ge=1024, le=65535)


_GKE_VERSION = re.compile(r"^1\.(\d+)\.(\d+)-gke\.(\d+)$")
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def _gke_version(value: str) -> str:
    match = _GKE_VERSION.match(value)
    floor = _GKE_VERSION.match(tpu.MIN_TPU7X_GKE_VERSION)
    assert floor is not None
    if not match:
        raise ValueError(f"{value!r} is not a GKE version (allowed: e.g. {tpu.MIN_GKE_VERSION})")
    if tuple(map(int, match.groups())) < tuple(map(int, floor.groups())):
        raise ValueError(f"{value} predates TPU7x support (allowed: {tpu.MIN_TPU7X_GKE_VERSION} or later)")
    return value


def _rfc3339(value: str) -> str:
    if not _RFC3339.match(value):
        raise ValueError(f"{value!r} is not an RFC 3339 UTC time (allowed: e.g. 2025-01-04T03:00:00Z)")
    return value


GkeVersion = Annotated[str, AfterValidator(_gke_version)]
UtcTime = Annotated[str, AfterValidator(_rfc3339)]


def _any_ipv4_cidr(value: str) -> str:
    try:
        return str(ipaddress.IPv4Network(value, strict=True))
    except ValueError as exc:
        raise ValueError(f"{value!r} is not an IPv4 CIDR block ({exc}; allowed: e.g. 203.0.113.0/24)") from None


class AuthorizedNetwork(StrictModel):
    """A range allowed to reach the control plane's public endpoint (your VPN, office or CI egress)."""

    cidr: Annotated[str, AfterValidator(_any_ipv4_cidr)]
    name: str = Field(min_length=1)


class SystemPoolConfig(StrictModel):
    """The small CPU pool for controllers (CSI, Gateway, LeaderWorkerSet, metrics adapter)."""

    machine_type: str = "e2-standard-4"
    min_nodes: int = Field(default=1, ge=1, le=100)
    max_nodes: int = Field(default=3, ge=1, le=100)
    disk_size_gb: int = Field(default=100, ge=20, le=2000)

    @model_validator(mode="after")
    def _bounds(self) -> SystemPoolConfig:
        if self.min_nodes > self.max_nodes:
            raise ValueError(f"minNodes {self.min_nodes} is above maxNodes {self.max_nodes} (allowed: min <= max)")
        return self


class MaintenanceConfig(StrictModel):
    """A recurring window (RFC 5545 RRULE); GKE needs 48 hours of windows per 32 days."""

    start_time: UtcTime = "2025-01-04T03:00:00Z"
    end_time: UtcTime = "2025-01-04T11:00:00Z"
    recurrence: str = "FREQ=WEEKLY;BYDAY=SA,SU"

    @model_validator(mode="after")
    def _order(self) -> MaintenanceConfig:
        if self.end_time <= self.start_time:
            raise ValueError(f"endTime {self.end_time} is not after startTime {self.start_time} (allowed: end > start)")
        if not self.recurrence.startswith("FREQ="):
            raise ValueError(f"recurrence {self.recurrence!r} is not an RRULE (allowed: e.g. FREQ=WEEKLY;BYDAY=SA,SU)")
        return self


class ClusterConfig(StrictModel):
    regional: bool | None = Field(
        default=None,
        description="Regional control plane (HA); defaults to true in prod. TPU pools stay in gcp:zone either way.",
    )
    release_channel: Literal["RAPID", "REGULAR", "STABLE"] = "REGULAR"
    min_master_version: GkeVersion = tpu.MIN_GKE_VERSION
    master_ipv4_cidr: Ipv4Cidr = "172.16.0.0/28"
    master_authorized_networks: list[AuthorizedNetwork] = Field(default_factory=list)
    system_pool: SystemPoolConfig = Field(default_factory=SystemPoolConfig)
    maintenance: MaintenanceConfig = Field(default_factory=MaintenanceConfig)

    @model_validator(mode="after")
    def _master_range(self) -> ClusterConfig:
        if ipaddress.IPv4Network(self.master_ipv4_cidr).prefixlen != 28:
            raise ValueError(f"masterIpv4Cidr {self.master_ipv4_cidr} is not a /28 (allowed: a private /28)")
        return self


class CapacityConfig(StrictModel):
    """How a tier's TPUs are obtained."""

    type: Literal["on-demand", "reservation", "flex-start", "spot"] = "on-demand"
    reservation: str | None = Field(default=None, description="Reservation name; required for type reservation.")
    queued_provisioning: bool = Field(
        default=False, description="flex-start only: nodes come only through ProvisioningRequests (DWS queued mode)."
    )

    @model_validator(mode="after")
    def _reservation(self) -> CapacityConfig:
        if self.type == "reservation" and not self.reservation:
            raise ValueError("type reservation needs a reservation name (allowed: reservation: <name>)")
        if self.type != "reservation" and self.reservation:
            raise ValueError(f"reservation is set but type is {self.type} (allowed: only with type reservation)")
        if self.queued_provisioning and self.type != "flex-start":
            raise ValueError(f"queuedProvisioning needs type flex-start, not {self.type} (allowed: flex-start)")
        return self


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
            raise ValueError(str(exc)) from None
        if self.min_replicas > self.max_replicas:
            raise ValueError(
                f"minReplicas {self.min_replicas} is above maxReplicas {self.max_replicas} (allowed: min <= max)"
            )
        if shape.multi_host and self.max_replicas != 1:
            raise ValueError(
                f"a multi-host tier is one {shape.topology} slice ({shape.vms} VMs) per node pool "
                f"(allowed: maxReplicas 1; add a tier for another slice)"
            )
        if self.capacity.type == "flex-start" and self.min_replicas != 0:
            raise ValueError("flex-start capacity has no static node count (allowed: minReplicas 0)")
        return self

    @property
    def shape(self) -> tpu.SliceShape:
        return tpu.slice_shape(self.topology, self.machine_type)

    @property
    def estimate(self) -> tpu.TierEstimate:
        return tpu.estimate(self.shape, self.model.spec(), self.memory_utilization)


PARALLELSTORE_MIN_GIB, PARALLELSTORE_MAX_GIB, PARALLELSTORE_STEP_GIB = 12000, 100000, 4000
StripeLevel = Literal["min", "balanced", "max"]


def _parallelstore_capacity(value: int) -> int:
    if not PARALLELSTORE_MIN_GIB <= value <= PARALLELSTORE_MAX_GIB or value % PARALLELSTORE_STEP_GIB:
        raise ValueError(
            f"{value} GiB is not a Parallelstore capacity (allowed: {PARALLELSTORE_MIN_GIB} to "
            f"{PARALLELSTORE_MAX_GIB} in steps of {PARALLELSTORE_STEP_GIB}: 12000, 16000, 20000, ...)"
        )
    return value


def _bucket_prefix(value: str) -> str:
    if value.startswith("/") or not value.endswith("/") or "//" in value or value == "/":
        raise ValueError(f"{value!r} is not a bucket folder (allowed: a relative path ending in '/', e.g. models/)")
    return value


def _absolute_path(value: str) -> str:
    if not value.startswith("/") or value.rstrip("/") in ("", "/dev", "/proc", "/sys", "/etc"):
        raise ValueError(f"{value!r} is not a usable mount path (allowed: an absolute path such as /models)")
    return value


class ParallelstoreConfig(StrictModel):
    """A Parallelstore instance the CSI driver provisions and the Volume Populator fills."""

    capacity_gib: Annotated[int, AfterValidator(_parallelstore_capacity)] = PARALLELSTORE_MIN_GIB
    # Weights are few, large, read-mostly files: stripe each file over every server, keep
    # directory metadata compact.
    file_stripe_level: StripeLevel = "max"
    directory_stripe_level: StripeLevel = "min"
    mount_locality: Literal["node", "pod"] = Field(
        default="node", description="node: one dfuse per node shared by its pods (GKE 1.32.3+)."
    )


class GcsFuseConfig(StrictModel):
    """Cloud Storage FUSE with a file cache and parallel downloads."""

    file_cache_medium: Literal["memory", "disk"] = Field(
        default="memory", description="Where the file cache lives: node RAM (fastest) or node ephemeral disk."
    )
    parallel_downloads_per_file: int = Field(default=100, ge=1, le=1000)
    download_chunk_size_mb: int = Field(default=10, ge=1, le=1024)


class ModelStoreConfig(StrictModel):
    type: Literal["parallelstore", "gcsfuse"] | None = Field(
        default=None, description="Defaults to parallelstore in prod, gcsfuse elsewhere."
    )
    prefix: Annotated[str, AfterValidator(_bucket_prefix)] = "models/"
    mount_path: Annotated[str, AfterValidator(_absolute_path)] = "/models"
    parallelstore: ParallelstoreConfig = Field(default_factory=ParallelstoreConfig)
    gcsfuse: GcsFuseConfig = Field(default_factory=GcsFuseConfig)


MAX_TIER_NAME = 20


class PlatformConfig(StrictModel):
    environment: Literal["dev", "staging", "prod"]
    project: ProjectId
    region: Region
    zone: Zone
    deletion_protection: bool | None = Field(
        default=None, description="Protect stateful resources; defaults to true in prod and cannot be false there."
    )
    labels: Labels = Field(default_factory=dict)
    network: NetworkConfig = Field(default_factory=NetworkConfig)
    model_bucket: ModelBucketConfig = Field(default_factory=ModelBucketConfig)
    serving: ServingConfig = Field(default_factory=ServingConfig)
    cluster: ClusterConfig = Field(default_factory=ClusterConfig)
    tiers: dict[KubernetesName, TierConfig] = Field(min_length=1)
    model_store: ModelStoreConfig = Field(default_factory=ModelStoreConfig)

    @model_validator(mode="after")
    def _cross_checks(self) -> PlatformConfig:
        problems = self.cross_field_problems()
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def cross_field_problems(self) -> list[str]:
        """Checks that span several keys; each message starts with the fully qualified key."""
        problems = []
        match = _ZONE.match(self.zone)
        if match and match.group(1) != self.region:
            problems.append(
                f"gcp:zone: {self.zone} is not in region {self.region} (allowed: zones named {self.region}-*)"
            )
        if self.zone not in tpu.ZONES:
            problems.append(f"gcp:zone: {self.zone} has no TPU7x capacity (allowed: {', '.join(tpu.ZONES)})")
        for tier in self.tiers:
            if len(tier) > MAX_TIER_NAME:
                problems.append(
                    f"{NAMESPACE}:tiers.{tier}: name is {len(tier)} characters "
                    f"(allowed: at most {MAX_TIER_NAME}, it becomes part of node pool names)"
                )
        if self.environment == "prod" and self.deletion_protection is False:
            problems.append(
                f"{NAMESPACE}:deletionProtection: false is not allowed when environment is prod (allowed: true)"
            )
        return problems

    @property
    def regional_cluster(self) -> bool:
        if self.cluster.regional is None:
            return self.environment == "prod"
        return self.cluster.regional

    @property
    def model_store_type(self) -> Literal["parallelstore", "gcsfuse"]:
        if self.model_store.type is None:
            return "parallelstore" if self.environment == "prod" else "gcsfuse"
        return self.model_store.type

    @property
    def protect(self) -> bool:
        """Whether stateful resources get deletion protection."""
        if self.deletion_protection is None:
            return self.environment == "prod"
        return self.deletion_protection


# --- reading and error formatting ----------------------------------------------------------


def _decode(value: Any) -> Any:
    """Pulumi hands structured config to the program as JSON text; scalars stay strings."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _key_for(loc: tuple[int | str, ...]) -> str:
    if not loc:
        return NAMESPACE
    head, *rest = (str(part) for part in loc if part != "[key]")
    root = GCP_KEYS.get(head, f"{NAMESPACE}:{head}")
    return ".".join([root, *rest])


def _unwrap(annotation: Any) -> Any:
    """`Annotated[X, ...]` -> X and `X | None` -> X."""
    while True:
        if get_origin(annotation) is Annotated:
            annotation = get_args(annotation)[0]
        elif get_origin(annotation) in (Union, UnionType):
            annotation = next(a for a in get_args(annotation) if a is not type(None))
        else:
            return annotation


def _model_at(loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The model class that the config path `loc` points into, if it is one."""
    current: Any = PlatformConfig
    for part in loc:
        if isinstance(current, type) and issubclass(current, BaseModel):
            fields = {field.alias or name: field for name, field in current.model_fields.items()}
            if str(part) not in fields:
                return None
            current = _unwrap(fields[str(part)].annotation)
        elif get_args(current):  # dict[str, Model] or list[Model]: the key or index selects the value
            current = _unwrap(get_args(current)[-1])
        else:
            return None
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _range_of(loc: tuple[int | str, ...]) -> str:
    model = _model_at(loc[:-1])
    if model is None:
        return ""
    fields = {field.alias or name: field for name, field in model.model_fields.items()}
    bounds: dict[str, Any] = {}
    for item in getattr(fields.get(str(loc[-1])), "metadata", []):
        for bound in ("ge", "gt", "le", "lt"):
            if getattr(item, bound, None) is not None:
                bounds[bound] = getattr(item, bound)
    low = f"{bounds['ge']} <= " if "ge" in bounds else f"{bounds['gt']} < " if "gt" in bounds else ""
    high = f" <= {bounds['le']}" if "le" in bounds else f" < {bounds['lt']}" if "lt" in bounds else ""
    return f"{low}value{high}" if low or high else ""


def _describe(error: Mapping[str, Any]) -> str:
    loc = tuple(error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        model = _model_at(loc[:-1])
        allowed = sorted(f.alias or n for n, f in model.model_fields.items() if n not in GCP_KEYS) if model else []
        return f"{_key_for(loc)}: unknown key (allowed: {', '.join(allowed)})"
    if kind == "missing":
        key = _key_for(loc)
        return f"{key}: required but not set (set it with `pulumi config set {key} <value>`)"
    message = str(error["msg"]).removeprefix("Value error, ")
    if kind == "too_short":
        message = f"is empty (allowed: at least {error['ctx']['min_length']} entry)"
    if not loc:  # whole-stack checks name their own keys
        return message
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal") and _range_of(loc):
        return f"{_key_for(loc)}: {error['input']!r} is out of range (allowed: {_range_of(loc)})"
    return f"{_key_for(loc)}: {message}"


def parse_platform_config(raw: Mapping[str, Any]) -> PlatformConfig:
    """Validate fully-qualified config (`{"llm-platform:network": "{...}", "gcp:zone": ...}`).

    Raises ConfigError listing every problem, one `key: what is wrong (allowed: ...)` per line.
    """
    data: dict[str, Any] = {}
    prefix = f"{NAMESPACE}:"
    for key, value in raw.items():
        if key.startswith(prefix):
            data[key[len(prefix) :]] = _decode(value)
    for field, key in GCP_KEYS.items():
        if field in data:
            raise ConfigError(f"{prefix}{field}: unknown key (set {key} instead)")
        if key in raw:
            data[field] = raw[key]
    try:
        return PlatformConfig.model_validate(data)
    except ValidationError as exc:
        problems = sorted({line for e in exc.errors() for line in _describe(e).splitlines()})
        raise ConfigError("invalid stack configuration:\n  " + "\n  ".join(problems)) from None


def current_config_values() -> dict[str, Any]:
    """Every config value the engine handed to this program (all namespaces)."""
    from pulumi.runtime import config as runtime_config

    values = dict(runtime_config.get_config_env())
    values.update(runtime_config.CONFIG.get())
    return values


def load_platform_config() -> PlatformConfig:
    """Read and validate the stack's config; a bad config raises `pulumi.RunError`."""
    try:
        return parse_platform_config(current_config_values())
    except ConfigError as exc:
        raise pulumi.RunError(str(exc)) from None

"""Config keys of the model bucket and model stores: `llm-platform:modelBucket.*`, `llm-platform:modelStore.*`."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from components.config import catalog
from components.config.fields import FieldError, StrictModel
from components.naming import label_value

_BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$")
# "Bucket names cannot begin with the goog prefix" and "cannot contain google or close misspellings,
# such as g00gle" (https://cloud.google.com/storage/docs/buckets#naming).
_GOOGLE_LIKE = re.compile(r"g[o0][o0]g(?:l|1)[e3]")


def bucket_name_problem(name: str) -> str | None:
    """Why Cloud Storage would refuse `name`, or None. Dotted names are refused too: they need a
    verified domain, which the program cannot check."""
    if "." in name:
        return "has dots, which need a verified domain (allowed: no dots)"
    if not _BUCKET_NAME.match(name):
        return "is not 3-63 lowercase letters, digits, '-' and '_', starting and ending with a letter or digit"
    if name.startswith("goog") or _GOOGLE_LIKE.search(name):
        return "begins with 'goog' or contains 'google' or a look-alike, which Cloud Storage reserves"
    return None


def default_bucket_name(project: str, stack: str) -> str:
    """Bucket names are global: prefix them with the project id (the config check proves Cloud Storage
    accepts the result, or asks for `modelBucket.name`)."""
    return f"{project}-{label_value(stack)}-models"[:63].rstrip("-_")


# First GKE version with the Cloud Storage FUSE profile StorageClasses (GoogleCloudPlatform/cluster-toolkit
# `minGCSFuseProfileGKEVersion`; GKE "Cloud Storage FUSE profiles" how-to).
PROFILE_MIN_VERSION = (1, 35, 1, 1616000)


def has_serving_profile(min_version: tuple[int, ...]) -> bool:
    """Whether every node the cluster may run has the profile StorageClasses (a `1.X` prefix means
    the newest 1.X patch, so it is compared on the parts it names)."""
    return min_version >= PROFILE_MIN_VERSION[: len(min_version)]


def _bucket_name(value: str) -> str:
    problem = bucket_name_problem(value)
    if problem:
        raise ValueError(f"{value!r} {problem} (allowed: e.g. acme-llm-models)")
    return value


def _bucket_location(value: str) -> str:
    if value.lower() not in catalog.REGIONS and value.upper() not in catalog.STORAGE_MULTI_LOCATIONS:
        raise ValueError(
            f"{value!r} is not a Cloud Storage location (allowed: a region such as us-central1, or one of "
            f"{', '.join(sorted(catalog.STORAGE_MULTI_LOCATIONS))}; {catalog.BEHIND_HINT})"
        )
    return value


BucketName = Annotated[str, AfterValidator(_bucket_name)]


class ModelBucketConfig(StrictModel):
    """The Cloud Storage bucket that holds model weights (the source of truth)."""

    name: BucketName | None = Field(default=None, description="Defaults to '<project>-<stack>-models'.")
    location: Annotated[str, AfterValidator(_bucket_location)] | None = Field(
        default=None,
        description="Defaults to the stack's region; a dual-region containing it (e.g. NAM4) adds HA.",
    )
    noncurrent_version_retention_days: int = Field(default=30, ge=1, le=3650)
    max_noncurrent_versions: int = Field(default=3, ge=1, le=100)
    data_access_logs: bool = Field(
        default=True,
        description="Cloud Audit Logs of reads and writes of Cloud Storage data in the project (authoritative "
        "for storage.googleapis.com's audit config).",
    )


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
    segments = value.rstrip("/").split("/")
    if (
        value.startswith("/")
        or not value.endswith("/")
        or "//" in value
        or value == "/"
        or any(segment in (".", "..") for segment in segments)
        or not value.isprintable()
        or len(value.encode()) > 512
    ):
        raise ValueError(
            f"{value!r} is not a bucket folder (allowed: a relative path of printable characters ending in '/', "
            "without '.' or '..' segments, e.g. models/)"
        )
    return value


def _absolute_path(value: str) -> str:
    if not value.startswith("/") or value.rstrip("/") in ("", "/dev", "/proc", "/sys", "/etc"):
        raise ValueError(f"{value!r} is not a usable mount path (allowed: an absolute path such as /models)")
    return value


class ParallelstoreConfig(StrictModel):
    """A Parallelstore instance the CSI driver provisions and the Volume Populator fills.

    Closed to new customers: only for projects that still have access, behind `optIn`."""

    opt_in: bool = Field(
        default=False,
        description="Confirms the project still has Parallelstore access (closed to new customers).",
    )
    capacity_gib: Annotated[int, AfterValidator(_parallelstore_capacity)] = PARALLELSTORE_MIN_GIB
    # Weights are few, large, read-mostly files: stripe each file over every server, keep
    # directory metadata compact.
    file_stripe_level: StripeLevel = "max"
    directory_stripe_level: StripeLevel = "min"
    mount_locality: Literal["node", "pod"] = Field(
        default="node", description="node: one dfuse per node shared by its pods (GKE 1.32.3+)."
    )


# Managed Lustre capacity per performance tier (MB/s per TiB): (minimum and small step, the largest
# capacity in small steps, the large step above it, the maximum), in GiB
# (https://docs.cloud.google.com/managed-lustre/docs/performance-tiers, November 2026).
LUSTRE_CAPACITY: dict[int, tuple[int, int, int, int]] = {
    1000: (9_000, 1_530_000, 72_000, 10_008_000),
    500: (18_000, 3_060_000, 144_000, 20_016_000),
    250: (36_000, 6_120_000, 288_000, 40_032_000),
    125: (72_000, 12_240_000, 72_000, 12_240_000),
}
_LUSTRE_FILESYSTEM = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,7}$")


def lustre_capacity_problem(capacity_gib: int, tier: int) -> str | None:
    """Why Managed Lustre would refuse `capacity_gib` on performance tier `tier`, or None."""
    step, small_max, large_step, maximum = LUSTRE_CAPACITY[tier]
    if step <= capacity_gib <= small_max and capacity_gib % step == 0:
        return None
    if small_max < capacity_gib <= maximum and capacity_gib % large_step == 0:
        return None
    return (
        f"{capacity_gib} GiB is not a Managed Lustre capacity at {tier} MB/s per TiB (allowed: {step:,} to "
        f"{small_max:,} in steps of {step:,}, or multiples of {large_step:,} up to {maximum:,})"
    )


def _lustre_filesystem(value: str) -> str:
    if not _LUSTRE_FILESYSTEM.match(value):
        raise ValueError(
            f"{value!r} is not a Lustre file system name (allowed: 1-8 letters and digits, a letter first)"
        )
    return value


class LustreConfig(StrictModel):
    """A Managed Lustre instance in the TPU zone, filled from the bucket through the ImportData API."""

    per_unit_storage_throughput: Literal[125, 250, 500, 1000] = Field(
        default=1000, description="Performance tier in MB/s per TiB of capacity; fixed once created."
    )
    capacity_gib: int = Field(default=9_000, description="Capacity; can only grow.")
    filesystem: Annotated[str, AfterValidator(_lustre_filesystem)] = "models"
    import_generation: int = Field(
        default=1,
        ge=1,
        description="Bump only to import again weights replaced in place under the same folder; a changed model "
        "path or revision is imported by itself.",
    )
    import_timeout_minutes: int = Field(default=180, ge=10, le=1440)

    @model_validator(mode="after")
    def _capacity_fits_the_tier(self) -> LustreConfig:
        problem = lustre_capacity_problem(self.capacity_gib, self.per_unit_storage_throughput)
        if problem:
            raise FieldError("capacityGib", problem)
        return self


class HyperdiskMlConfig(StrictModel):
    """A Hyperdisk ML volume the GKE Volume Populator fills from the bucket (read-only, many nodes)."""

    size_gib: int = Field(default=1024, ge=4, le=65_536, description="Must exceed the weights it holds.")
    provisioned_throughput_mibps: int = Field(
        default=2_400, ge=400, le=1_200_000, description="Aggregate read throughput of the volume."
    )
    transfer_machine_type: str = Field(
        default="c3-standard-44",
        description="Machine of the transfer node pool (compute class gcs-to-hdml-compute-class); scales from zero.",
    )


class GcsFuseConfig(StrictModel):
    """Cloud Storage FUSE with a file cache and parallel downloads."""

    file_cache_medium: Literal["memory", "disk"] = Field(
        default="memory", description="Where the file cache lives: node RAM (fastest) or node ephemeral disk."
    )
    file_cache_size_gib: int | None = Field(
        default=None,
        ge=1,
        le=4096,
        description="Cache size per pod; defaults to the largest tier's weights plus 10%.",
    )
    parallel_downloads_per_file: int = Field(default=100, ge=1, le=1000)
    download_chunk_size_mb: int = Field(default=10, ge=1, le=1024)


_HUB_REPO = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,95}/[A-Za-z0-9][A-Za-z0-9._-]{0,95}$")
_COMMIT = re.compile(r"^[0-9a-f]{40}$")
_SECRET_VERSION = re.compile(r"^projects/[^/]+/secrets/[A-Za-z0-9_-]{1,255}/versions/([0-9]+|latest)$")


def hub_repo_problem(value: str) -> str | None:
    """Why `value` is not a Hugging Face Hub model id (`namespace/name`), or None."""
    if _HUB_REPO.match(value) and ".." not in value and not value.endswith((".git", ".")):
        return None
    return (
        f"{value!r} is not a Hugging Face Hub repository (allowed: namespace/name, e.g. "
        "meta-llama/Llama-3.1-8B-Instruct)"
    )


def _hub_repo(value: str) -> str:
    problem = hub_repo_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def _commit(value: str) -> str:
    if not _COMMIT.match(value):
        raise ValueError(
            f"{value!r} is not a pinned revision: a branch or tag moves, and a new commit would be fetched under "
            "the same folder (allowed: the 40-character commit hash; `git ls-remote https://huggingface.co/REPO "
            "main` prints the current one)"
        )
    return value


def _ignore_pattern(value: str) -> str:
    if not value or not value.isprintable() or value.startswith("/"):
        raise ValueError(f"{value!r} is not a file pattern of the repository (allowed: e.g. original/*)")
    return value


def _secret_version(value: str) -> str:
    if not _SECRET_VERSION.match(value):
        raise ValueError(
            f"{value!r} is not a Secret Manager version (allowed: projects/PROJECT/secrets/SECRET/versions/N or "
            "/versions/latest)"
        )
    return value


class HuggingFaceSource(StrictModel):
    """One pinned commit of a Hugging Face Hub repository, fetched into the model bucket by a Job."""

    repo: Annotated[str, AfterValidator(_hub_repo)] | None = Field(
        default=None, description="Defaults to the model's name."
    )
    revision: Annotated[str, AfterValidator(_commit)]
    ignore_patterns: list[Annotated[str, AfterValidator(_ignore_pattern)]] = Field(
        default_factory=lambda: ["original/*"],
        description="Repository files not fetched (fnmatch); Llama repositories duplicate their weights "
        "under original/.",
    )


class ModelSource(StrictModel):
    """Where a tier's weights come from when the platform fetches them (unset: uploaded by hand)."""

    hugging_face: HuggingFaceSource | None = None

    @model_validator(mode="after")
    def _has_a_source(self) -> ModelSource:
        if self.hugging_face is None:
            raise FieldError(
                "huggingFace.revision",
                "required but not set: the Hugging Face Hub is the source a Job fetches from (allowed: the "
                "40-character commit to fetch; or no source at all for weights uploaded by hand)",
            )
        return self

    @property
    def hub(self) -> HuggingFaceSource:
        assert self.hugging_face is not None  # the validator guarantees it
        return self.hugging_face


class WeightsFetchConfig(StrictModel):
    """The Jobs that fetch weights into the bucket (or check a folder uploaded by hand) before tiers roll."""

    token_secret_version: Annotated[str, AfterValidator(_secret_version)] | None = Field(
        default=None,
        description="Secret Manager version holding a Hugging Face token (gated repositories need one); "
        "the Job reads it with its own identity, it never enters the graph.",
    )
    timeout_minutes: int = Field(default=360, ge=10, le=2880)
    parallel_files: int = Field(default=4, ge=1, le=32, description="Files a Job transfers at once.")


ModelStoreType = Literal["lustre", "gcsfuse", "hyperdisk-ml", "parallelstore"]


class ModelStoreConfig(StrictModel):
    type: ModelStoreType | None = Field(default=None, description="Defaults to lustre in prod, gcsfuse elsewhere.")
    prefix: Annotated[str, AfterValidator(_bucket_prefix)] = "models/"
    mount_path: Annotated[str, AfterValidator(_absolute_path)] = "/models"
    lustre: LustreConfig = Field(default_factory=LustreConfig)
    gcsfuse: GcsFuseConfig = Field(default_factory=GcsFuseConfig)
    hyperdisk_ml: HyperdiskMlConfig = Field(default_factory=HyperdiskMlConfig)
    parallelstore: ParallelstoreConfig = Field(default_factory=ParallelstoreConfig)
    fetch: WeightsFetchConfig = Field(default_factory=WeightsFetchConfig)

    @model_validator(mode="after")
    def _parallelstore_needs_opt_in(self) -> ModelStoreConfig:
        if self.type == "parallelstore" and not self.parallelstore.opt_in:
            raise FieldError(
                "parallelstore.optIn",
                "is not set, and Parallelstore is closed to new customers and its GKE driver is no longer "
                "supported (allowed: true only if your project still has Parallelstore access; otherwise use "
                "modelStore.type lustre)",
            )
        return self

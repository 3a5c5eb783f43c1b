"""Config keys of the model bucket and model stores: `llm-platform:modelBucket.*`, `llm-platform:modelStore.*`."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from components.config import catalog
from components.config.fields import StrictModel

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


ModelStoreType = Literal["parallelstore", "gcsfuse"]


class ModelStoreConfig(StrictModel):
    type: ModelStoreType | None = Field(
        default=None, description="Defaults to parallelstore in prod, gcsfuse elsewhere."
    )
    prefix: Annotated[str, AfterValidator(_bucket_prefix)] = "models/"
    mount_path: Annotated[str, AfterValidator(_absolute_path)] = "/models"
    parallelstore: ParallelstoreConfig = Field(default_factory=ParallelstoreConfig)
    gcsfuse: GcsFuseConfig = Field(default_factory=GcsFuseConfig)

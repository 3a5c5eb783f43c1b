"""The stack config: composes every concern's models into `PlatformConfig`, reads Pulumi config once.

`load_platform_config()` is the only place in the program that reads Pulumi config. It gathers
the project's own namespace (`llm-platform:*`) plus the standard `gcp:project`, `gcp:region` and
`gcp:zone` keys, validates everything at once, and raises `pulumi.RunError` listing every
problem as `key.path: what is wrong (allowed: ...)`. A `RunError` makes `pulumi preview` print
the message without a Python traceback, and because it is raised before any resource is
constructed, nothing is registered.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Literal

import pulumi
from pydantic import Field, ValidationError, model_validator

from components.config.errors import GCP_KEYS, NAMESPACE, ConfigError, describe
from components.config.fields import (
    ZONE_PATTERN,
    FieldError,
    KubernetesName,
    Labels,
    ProjectId,
    Region,
    StrictModel,
    Zone,
    raise_all,
)
from components.gke import tpu
from components.gke.config import ClusterConfig
from components.network.config import NetworkConfig, private_services_overflow
from components.operations import operations_problems, private_services_demands
from components.operations.config import BudgetConfig, CacheConfig, ObservabilityConfig
from components.serving.config import MAX_TIER_NAME, ServingConfig, TierConfig
from components.storage.config import ModelBucketConfig, ModelStoreConfig, ModelStoreType

Environment = Literal["dev", "staging", "prod"]


class PlatformConfig(StrictModel):
    """The whole stack: platform-wide keys here, each concern's keys in its own model."""

    environment: Environment
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
    cache: CacheConfig = Field(default_factory=CacheConfig)
    observability: ObservabilityConfig = Field(default_factory=ObservabilityConfig)
    budget: BudgetConfig = Field(default_factory=BudgetConfig)

    @model_validator(mode="after")
    def _cross_checks(self) -> PlatformConfig:
        """Checks that span several concerns; each names the key to edit."""
        problems = []
        match = ZONE_PATTERN.match(self.zone)
        if match and match.group(1) != self.region:
            problems.append(
                FieldError("zone", f"{self.zone} is not in region {self.region} (allowed: zones named {self.region}-*)")
            )
        if self.zone not in tpu.ZONES:
            problems.append(FieldError("zone", f"{self.zone} has no TPU7x capacity (allowed: {', '.join(tpu.ZONES)})"))
        for tier in self.tiers:
            if len(tier) > MAX_TIER_NAME:
                problems.append(
                    FieldError(
                        f"tiers.{tier}",
                        f"name is {len(tier)} characters (allowed: at most {MAX_TIER_NAME}, it becomes part of "
                        "node pool names)",
                    )
                )
        if self.environment == "prod" and self.deletion_protection is False:
            problems.append(
                FieldError("deletionProtection", "false is not allowed when environment is prod (allowed: true)")
            )
        problems += operations_problems(self)
        overflow = private_services_overflow(self.network.private_services_cidr_prefix, self.private_services_demands)
        if overflow:
            problems.append(FieldError("network.privateServicesCidrPrefix", overflow))
        raise_all(problems)
        return self

    @property
    def private_services_demands(self) -> list[tuple[str, int]]:
        """Every block placed in the private services range, (user, prefix length); each concern that
        places one (Memorystore, a Managed Lustre instance, ...) adds its own here."""
        return private_services_demands(self)

    @property
    def regional_cluster(self) -> bool:
        if self.cluster.regional is None:
            return self.environment == "prod"
        return self.cluster.regional

    @property
    def model_store_type(self) -> ModelStoreType:
        if self.model_store.type is None:
            return "parallelstore" if self.environment == "prod" else "gcsfuse"
        return self.model_store.type

    @property
    def protect(self) -> bool:
        """Whether stateful resources get deletion protection."""
        if self.deletion_protection is None:
            return self.environment == "prod"
        return self.deletion_protection


def _decode(value: Any) -> Any:
    """Pulumi hands structured config to the program as JSON text; scalars stay strings."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


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
        problems = sorted({line for e in exc.errors() for line in describe(e, PlatformConfig)})
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

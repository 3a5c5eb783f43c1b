"""The stack config: `PlatformConfig` composes every concern's config model under one root.

The root owns the platform-wide keys (`environment`, `deletionProtection`, `labels`, `gcp:project`,
`gcp:region`, `gcp:zone`) and composes the models each concern keeps in its own `config.py`; it
imports those models and the concerns' pure decisions, never a component or a concern package.
Checks that span concerns live in `components/config/checks.py`; reading the engine's config and
turning problems into messages is `components/config/loader.py`.
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import Field

from components.config.fields import KubernetesName, Labels, ProjectId, Region, StrictModel, Zone
from components.cost.config import PricingConfig
from components.gateway.config import GatewayConfig, RouteConfig
from components.gke import tpu
from components.gke.config import ClusterConfig, version_parts
from components.network.config import NetworkConfig
from components.operations.config import BudgetConfig, CacheConfig, ObservabilityConfig
from components.serving.config import ServingConfig, TierConfig
from components.storage.config import ModelBucketConfig, ModelStoreConfig, ModelStoreType, has_serving_profile

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
    gateway: GatewayConfig = Field(default_factory=GatewayConfig)
    cache: CacheConfig = Field(default_factory=CacheConfig)
    observability: ObservabilityConfig = Field(default_factory=ObservabilityConfig)
    budget: BudgetConfig = Field(default_factory=BudgetConfig)
    pricing: PricingConfig = Field(default_factory=PricingConfig)

    @property
    def smallest_tier(self) -> str:
        """The tier with the fewest chips (then by name): where /v1 goes when there is no medium tier."""
        return min(self.tiers, key=lambda name: (self.tiers[name].shape.chips, name))

    @property
    def multi_host(self) -> bool:
        """Whether any tier is a multi-host slice (the stack then runs the LeaderWorkerSet controller)."""
        return any(tier.shape.multi_host for tier in self.tiers.values())

    @property
    def routes(self) -> tuple[list[RouteConfig], str]:
        """The Gateway's path routes and the tier `/v1` goes to, for the tiers this stack has."""
        return self.gateway.resolve_routes(self.tiers, self.smallest_tier)

    @property
    def regional_cluster(self) -> bool:
        if self.cluster.regional is None:
            return self.environment == "prod"
        return self.cluster.regional

    @property
    def model_store_type(self) -> ModelStoreType:
        if self.model_store.type is None:
            return "lustre" if self.environment == "prod" else "gcsfuse"
        return self.model_store.type

    @property
    def gcsfuse_cache_gib(self) -> int:
        """The FUSE file cache per pod: as configured, or one replica's largest weights plus 10%."""
        configured = self.model_store.gcsfuse.file_cache_size_gib
        largest = max(tier.estimate.weights_gib for tier in self.tiers.values())
        return configured if configured is not None else math.ceil(largest * 1.1)

    @property
    def gcsfuse_serving_profile(self) -> bool:
        """Whether every node has GKE's Cloud Storage FUSE serving profile (from the minimum version)."""
        floor = self.cluster.min_master_version or tpu.MIN_TPU7X_GKE_VERSION
        return has_serving_profile(version_parts(floor))

    @property
    def protect(self) -> bool:
        """Whether stateful resources get deletion protection."""
        if self.deletion_protection is None:
            return self.environment == "prod"
        return self.deletion_protection

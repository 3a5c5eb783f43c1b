"""The stack config: composes every concern's models into `PlatformConfig`, reads Pulumi config once.

`load_platform_config()` is the only place in the program that reads Pulumi config. It takes
every key the engine hands the program, rejects keys of unknown namespaces and `gcp:` keys the
Google provider does not take, validates the project's own namespace (`llm-platform:*`) plus
`gcp:project`, `gcp:region` and `gcp:zone` at once, and raises `pulumi.RunError` listing every
problem as `key: what is wrong (allowed: ...)`. A `RunError` makes `pulumi preview` print the
message without a Python traceback, and because it is raised before any resource is constructed,
nothing is registered.
"""

from __future__ import annotations

import difflib
import importlib.util
import ipaddress
import json
import math
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any, Literal

import pulumi
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.settings import get_monitor
from pydantic import Field, ValidationError, ValidationInfo, model_validator

from components.config import catalog
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
from components.config.placeholders import placeholder_problems
from components.gateway.config import GatewayConfig
from components.gke import tpu
from components.gke.config import ClusterConfig, version_parts
from components.gke.pool_sizing import REGIONAL_POOL_ZONES, pool_sizing
from components.network.config import NetworkConfig, private_services_overflow
from components.operations import operations_problems
from components.operations.config import BudgetConfig, CacheConfig, ObservabilityConfig
from components.serving.compile_cache import COMPILE_CACHE_PREFIX
from components.serving.config import MAX_TIER_NAME, ServingConfig, TierConfig
from components.storage.bucket import default_bucket_name
from components.storage.config import ModelBucketConfig, ModelStoreConfig, ModelStoreType, bucket_name_problem
from components.storage.gcsfuse import has_serving_profile

Environment = Literal["dev", "staging", "prod"]
# GKE gives each node a pod range sized from its maximum pods: 110 by default on Standard, which is a
# /24 per node (https://cloud.google.com/kubernetes-engine/docs/how-to/flexible-pod-cidr).
POD_RANGE_PER_NODE = 24
# Compute Engine keeps four addresses of every subnet (https://cloud.google.com/vpc/docs/subnets#unusable-ip-addresses-in-every-subnet).
RESERVED_SUBNET_ADDRESSES = 4
# Namespaces of config keys a stack may use: this project's, the providers' and the engine's own.
KNOWN_NAMESPACES = (NAMESPACE, "gcp", "kubernetes", "pulumi")


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

    @model_validator(mode="after")
    def _cross_checks(self, info: ValidationInfo) -> PlatformConfig:
        """Checks that span several concerns; each names the key to edit."""
        stack = (info.context or {}).get("stack", "dev")
        raise_all(
            [
                *self._location_problems(),
                *self._tier_name_problems(),
                *self._protection_problems(),
                *self._range_problems(),
                *self._derived_name_problems(stack),
                *self._serving_checks(),
                *operations_problems(self),
            ]
        )
        return self

    def _location_problems(self) -> list[FieldError]:
        problems = []
        match = ZONE_PATTERN.match(self.zone)
        if match and match.group(1) != self.region:
            problems.append(
                FieldError("zone", f"{self.zone} is not in region {self.region} (allowed: zones named {self.region}-*)")
            )
        elif self.zone not in catalog.TPU7X_ZONES:
            problems.append(
                FieldError(
                    "zone",
                    f"{self.zone} has no TPU7x capacity (allowed: {', '.join(catalog.TPU7X_ZONES)}; "
                    f"{catalog.BEHIND_HINT})",
                )
            )
        return problems

    def _tier_name_problems(self) -> list[FieldError]:
        return [
            FieldError(
                f"tiers.{tier}",
                f"name is {len(tier)} characters (allowed: at most {MAX_TIER_NAME}: it is part of node pool names)",
            )
            for tier in self.tiers
            if len(tier) > MAX_TIER_NAME
        ]

    def _protection_problems(self) -> list[FieldError]:
        if self.environment != "prod":
            return []
        problems = []
        if self.deletion_protection is False:
            problems.append(
                FieldError("deletionProtection", "false is not allowed when environment is prod (allowed: true)")
            )
        for index, network in enumerate(self.cluster.master_authorized_networks):
            if ipaddress.IPv4Network(network.cidr).prefixlen == 0:
                problems.append(
                    FieldError(
                        f"cluster.masterAuthorizedNetworks.{index}.cidr",
                        f"{network.cidr} opens the control plane to the whole internet, which prod never does "
                        "(allowed: your CI / VPN egress ranges; deployers reach the DNS endpoint through IAM)",
                    )
                )
        return problems

    def _named_ranges(self) -> list[tuple[str, ipaddress.IPv4Network, bool]]:
        """(key, range, set explicitly in the stack file) for every IP range of the stack."""
        network, cluster = self.network, self.cluster
        return [
            (f"network.{key}", ipaddress.IPv4Network(getattr(network, field)), field in network.model_fields_set)
            for field, key in (
                ("subnet_cidr", "subnetCidr"),
                ("pods_cidr", "podsCidr"),
                ("services_cidr", "servicesCidr"),
                ("private_services_cidr", "privateServicesCidr"),
            )
        ] + [
            (
                "cluster.masterIpv4Cidr",
                ipaddress.IPv4Network(cluster.master_ipv4_cidr),
                "master_ipv4_cidr" in cluster.model_fields_set,
            )
        ]

    def _range_problems(self) -> list[FieldError]:
        problems = []
        ranges = self._named_ranges()
        for i, (first, first_range, first_set) in enumerate(ranges):
            for second, second_range, second_set in ranges[i + 1 :]:
                if first_range.overlaps(second_range):
                    # Name the range that is easier to move (the later one: private services and the control
                    # plane before pods and nodes), unless only the earlier one was set in the stack file.
                    edit, other = (first, second) if first_set and not second_set else (second, first)
                    edit_range, other_range = (
                        (second_range, first_range) if edit == second else (first_range, second_range)
                    )
                    problems.append(
                        FieldError(
                            edit,
                            f"{edit_range} overlaps {NAMESPACE}:{other} {other_range} (allowed: a range disjoint "
                            "from the node, pod, service, private services and control-plane ranges)",
                        )
                    )
        nodes = self.most_nodes()
        total = sum(count for _, count in nodes)
        breakdown = ", ".join(f"{count} {what}" for what, count in nodes)
        pods = ipaddress.IPv4Network(self.network.pods_cidr)
        per_node = 32 - POD_RANGE_PER_NODE
        if total << per_node > pods.num_addresses:
            needed = 32 - (total - 1).bit_length() - per_node
            problems.append(
                FieldError(
                    "network.podsCidr",
                    f"{pods} holds a /{POD_RANGE_PER_NODE} pod range for {pods.num_addresses >> per_node} nodes, but "
                    f"the pools can grow to {total} ({breakdown}) (allowed: a /{needed} or larger)",
                )
            )
        subnet = ipaddress.IPv4Network(self.network.subnet_cidr)
        if total > subnet.num_addresses - RESERVED_SUBNET_ADDRESSES:
            needed = 32 - (total + RESERVED_SUBNET_ADDRESSES - 1).bit_length()
            problems.append(
                FieldError(
                    "network.subnetCidr",
                    f"{subnet} has {subnet.num_addresses - RESERVED_SUBNET_ADDRESSES} usable addresses, but the pools "
                    f"can grow to {total} nodes ({breakdown}) (allowed: a /{needed} or larger)",
                )
            )
        problems += self._private_services_problems()
        return problems

    def most_nodes(self) -> list[tuple[str, int]]:
        """The most nodes each pool can have, system pool first."""
        zones = REGIONAL_POOL_ZONES if self.regional_cluster else 1
        system = self.cluster.system_pool.max_nodes
        nodes = [(f"in the system pool ({system} per zone x {zones})", system * zones)]
        for name, tier in sorted(self.tiers.items()):
            sizing = pool_sizing(tier.shape, tier.capacity, tier.min_replicas, tier.max_replicas)
            nodes.append((f"in tier {name}", sizing.most_nodes))
        return nodes

    def _private_services_problems(self) -> list[FieldError]:
        """The private services range must hold a block for everything that peers through it."""
        from components.concerns import declared

        psa = ipaddress.IPv4Network(self.network.private_services_cidr)
        overflow = private_services_overflow(psa.prefixlen, declared("private_services_demand", self), str(psa))
        return [FieldError("network.privateServicesCidr", overflow)] if overflow else []

    def _derived_name_problems(self, stack: str) -> list[FieldError]:
        problems = []
        if self.model_bucket.name is None:
            derived = default_bucket_name(self.project, stack)
            problem = bucket_name_problem(derived)
            if problem:
                problems.append(
                    FieldError(
                        "modelBucket.name",
                        f"not set, and the default name {derived!r} (from gcp:project and the stack name) {problem} "
                        "(allowed: set a valid bucket name here)",
                    )
                )
        return problems

    def _serving_checks(self) -> list[FieldError]:
        """Serving and edge checks that span tiers, the gateway, the environment and the model store."""
        problems = [
            FieldError(f"gateway.{p.field}", str(p))
            for p in self.gateway.routing_problems(self.tiers, self.smallest_tier)
        ]
        if self.environment == "prod" and self.gateway.auth.mode == "none":
            problems.append(
                FieldError("gateway.auth.mode", "none is not allowed when environment is prod (allowed: apiKey, iap)")
            )
        if self.environment == "prod" and self.gateway.domain is None:
            problems.append(
                FieldError(
                    "gateway.domain",
                    "is required when environment is prod: the API is served over HTTPS with a Google-managed "
                    "certificate (allowed: a domain you can point at the gateway's IP, e.g. llm.example.com)",
                )
            )
        prefix = self.model_store.prefix
        if prefix.startswith(COMPILE_CACHE_PREFIX) or COMPILE_CACHE_PREFIX.startswith(prefix):
            problems.append(
                FieldError(
                    "modelStore.prefix",
                    f"{prefix} overlaps the compile caches under {COMPILE_CACHE_PREFIX} (allowed: a disjoint "
                    "folder such as models/)",
                )
            )
        return problems

    @property
    def smallest_tier(self) -> str:
        """The tier with the fewest chips (then by name): where /v1 goes when there is no medium tier."""
        return min(self.tiers, key=lambda name: (self.tiers[name].shape.chips, name))

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


def _decode(value: Any) -> Any:
    """Pulumi hands structured config to the program as JSON text; scalars stay strings."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


@cache
def provider_keys(package: str) -> frozenset[str]:
    """The config keys a provider SDK takes, read from its generated `config/vars.py`."""
    spec = importlib.util.find_spec(f"pulumi_{package}")
    assert spec is not None and spec.origin is not None
    source = (Path(spec.origin).parent / "config" / "vars.py").read_text(encoding="utf-8")
    return frozenset(re.findall(r"__config__\.get(?:_bool|_int|_float|_object)?\('([A-Za-z0-9]+)'\)", source))


def _namespace_problems(raw: Mapping[str, Any]) -> list[str]:
    """Keys the program would silently ignore: unknown namespaces, and provider keys that do not exist."""
    problems = []
    for key in sorted(raw):
        namespace, _, name = key.partition(":")
        if namespace not in KNOWN_NAMESPACES:
            close = difflib.get_close_matches(namespace, KNOWN_NAMESPACES, n=1, cutoff=0.5)
            hint = f"did you mean {close[0]}:{name}? " if close else ""
            problems.append(
                f"{key}: unknown namespace {namespace!r}, so nothing reads this key ({hint}allowed namespaces: "
                f"{', '.join(KNOWN_NAMESPACES)})"
            )
        elif namespace == "gcp" and name not in provider_keys("gcp"):
            close = difflib.get_close_matches(name, sorted(provider_keys("gcp")), n=1)
            hint = f"did you mean gcp:{close[0]}? " if close else ""
            problems.append(
                f"{key}: the Google Cloud provider has no such setting ({hint}allowed: its documented keys)"
            )
        elif namespace == "kubernetes":
            problems.append(
                f"{key}: configures the default Kubernetes provider, which this program never uses: it builds its "
                "own from the cluster it creates (allowed: remove the key)"
            )
    return problems


def parse_platform_config(raw: Mapping[str, Any], stack: str = "dev") -> PlatformConfig:
    """Validate fully-qualified config (`{"llm-platform:network": "{...}", "gcp:zone": ...}`) of `stack`.

    Raises ConfigError listing every problem, one `key: what is wrong (allowed: ...)` per line.
    """
    problems = _namespace_problems(raw)
    data: dict[str, Any] = {}
    prefix = f"{NAMESPACE}:"
    for key, value in raw.items():
        if key.startswith(prefix):
            data[key[len(prefix) :]] = _decode(value)
    for field, key in GCP_KEYS.items():
        if field in data:
            problems.append(f"{prefix}{field}: unknown key (set {key} instead)")
            del data[field]
        if key in raw:
            data[field] = raw[key]
    try:
        config = PlatformConfig.model_validate(data, context={"stack": stack})
    except ValidationError as exc:
        problems += [line for e in exc.errors() for line in describe(e, PlatformConfig)]
    if problems:
        raise ConfigError("invalid stack configuration:\n  " + "\n  ".join(sorted(set(problems))))
    return config


def current_config_values() -> dict[str, Any]:
    """Every config value the engine handed to this program (all namespaces)."""
    from pulumi.runtime import config as runtime_config

    values = dict(runtime_config.get_config_env())
    values.update(runtime_config.CONFIG.get())
    return values


def offline() -> bool:
    """Whether the program runs under Pulumi's mock runtime (the offline preview and the tests)."""
    return isinstance(get_monitor(), MockMonitor)


def load_platform_config() -> PlatformConfig:
    """Read and validate the stack's config; a bad config raises `pulumi.RunError`.

    A real preview or update also refuses the committed stack files' placeholders."""
    try:
        config = parse_platform_config(current_config_values(), pulumi.get_stack())
    except ConfigError as exc:
        raise pulumi.RunError(str(exc)) from None
    placeholders = placeholder_problems(config)
    if placeholders and not offline():
        raise pulumi.RunError("stack configuration still holds placeholders:\n  " + "\n  ".join(placeholders))
    if placeholders:
        pulumi.log.warn("a real preview or up stops until these placeholders are set:\n  " + "\n  ".join(placeholders))
    return config

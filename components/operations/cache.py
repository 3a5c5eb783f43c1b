"""Memorystore for Redis on the stack's private services access peering, and its connection Secret.

What the cache is for here: per-tier response and prompt-prefix caching, rate-limit counters and
session state of clients in the serving namespace; it is never the source of truth (BASIC loses
everything on a restart, and RDB snapshots bound the loss in prod).

First `pulumi up` on a fresh project:
- `redis.googleapis.com` must be enabled first (the component inherits the API dependency).
- PRIVATE_SERVICE_ACCESS places the instance in the stack's allocated range through the existing
  Service Networking peering, so the instance depends on that connection; without it the API
  answers that the network has no private services connection. The Redis v1 API takes a /29 from
  the range, a /28 with read replicas enabled (`Instance.reservedIpRange`, discovery revision
  20261016); the config checks the range can hold it.
- `reserved_ip_range` is left for the service to choose inside the peered range: setting it to the
  range name would read back as a CIDR and plan a replacement.
- Destroy: pulumi-gcp 10 defaults `deletion_protection` to true on `redis.Instance`, which would
  make `pulumi destroy` fail on dev; it is set from the stack's protection flag, and prod adds
  `protect`.
- The AUTH string is an output the provider marks secret; the Secret's data is wrapped in
  `Output.secret` and listed in `additional_secret_outputs`, so it never reaches state or the
  preview in plain text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pulumi
import pulumi_gcp as gcp
import pulumi_kubernetes as k8s

from components.base import PlatformComponent
from components.gke.config import MaintenanceConfig
from components.naming import Naming
from components.operations.config import CacheConfig, RedisTier

# Redis v1 API `Instance.reservedIpRange`: a /29 by default, a /28 with read replicas enabled.
RESERVATION_PREFIX = 29
RESERVATION_PREFIX_READ_REPLICAS = 28
SECRET_NAME = "redis-cache"
SECRET_KEYS = ("host", "port", "auth", "ca.crt")

_RRULE_DAYS = {
    "MO": "MONDAY",
    "TU": "TUESDAY",
    "WE": "WEDNESDAY",
    "TH": "THURSDAY",
    "FR": "FRIDAY",
    "SA": "SATURDAY",
    "SU": "SUNDAY",
}


@dataclass(frozen=True)
class CacheSettings:
    """The cache's config with the environment's defaults resolved."""

    tier: RedisTier
    memory_size_gb: int
    read_replicas: int
    redis_version: str
    rdb: bool
    rdb_snapshot_period: str

    @property
    def read_replicas_enabled(self) -> bool:
        """Read replicas apply to STANDARD_HA only."""
        return self.tier == "STANDARD_HA" and self.read_replicas > 0

    @property
    def reservation_prefix(self) -> int:
        return RESERVATION_PREFIX_READ_REPLICAS if self.read_replicas else RESERVATION_PREFIX


def cache_settings(config: CacheConfig, environment: str) -> CacheSettings:
    prod = environment == "prod"
    tier: RedisTier = config.tier or ("STANDARD_HA" if prod else "BASIC")
    read_replicas = (
        config.read_replicas if config.read_replicas is not None else (1 if tier == "STANDARD_HA" and prod else 0)
    )
    persistence = config.persistence or ("rdb" if prod else "off")
    return CacheSettings(
        tier=tier,
        memory_size_gb=config.memory_size_gb,
        read_replicas=read_replicas,
        redis_version=config.redis_version,
        rdb=persistence == "rdb",
        rdb_snapshot_period=config.rdb_snapshot_period,
    )


def maintenance_window(maintenance: MaintenanceConfig) -> tuple[str, int, int]:
    """The stack's maintenance window as Memorystore's one weekly window: (day, hour, minute) in UTC.

    Memorystore takes one weekly one-hour window; it starts at the stack window's start time on the
    first day of its RRULE's BYDAY (or the start date's weekday when the rule names no day).
    """
    start = datetime.strptime(maintenance.start_time, "%Y-%m-%dT%H:%M:%SZ")
    match = re.search(r"BYDAY=([A-Z]{2})", maintenance.recurrence)
    day = _RRULE_DAYS[match.group(1)] if match and match.group(1) in _RRULE_DAYS else start.strftime("%A").upper()
    return day, start.hour, start.minute


def persistence_config(settings: CacheSettings) -> gcp.redis.InstancePersistenceConfigArgs:
    if settings.rdb:
        return gcp.redis.InstancePersistenceConfigArgs(
            persistence_mode="RDB", rdb_snapshot_period=settings.rdb_snapshot_period
        )
    return gcp.redis.InstancePersistenceConfigArgs(persistence_mode="DISABLED")


def maintenance_policy(maintenance: MaintenanceConfig) -> gcp.redis.InstanceMaintenancePolicyArgs:
    day, hour, minute = maintenance_window(maintenance)
    return gcp.redis.InstanceMaintenancePolicyArgs(
        weekly_maintenance_windows=[
            gcp.redis.InstanceMaintenancePolicyWeeklyMaintenanceWindowArgs(
                day=day,
                start_time=gcp.redis.InstanceMaintenancePolicyWeeklyMaintenanceWindowStartTimeArgs(
                    hours=hour, minutes=minute, seconds=0, nanos=0
                ),
            )
        ]
    )


def ca_bundle(certs: Sequence[gcp.redis.outputs.InstanceServerCaCert] | None) -> str:
    """The instance's server CA certificates as one PEM bundle."""
    return "\n".join(c.cert or "" for c in certs or [])


def connection_data(values: Mapping[str, Any]) -> dict[str, str]:
    """The connection Secret's keys (`SECRET_KEYS`) from the instance's host, port, AUTH string and CA."""
    return {
        "host": str(values["host"]),
        "port": str(values["port"]),
        "auth": str(values["auth"]),
        "ca.crt": str(values["ca"]),
    }


@dataclass(frozen=True)
class CacheArgs:
    project: str
    region: str
    naming: Naming
    settings: CacheSettings
    maintenance: MaintenanceConfig
    network_id: pulumi.Input[str]
    private_services_connection: pulumi.Resource
    namespace: pulumi.Input[str]
    provider: k8s.Provider
    protect: bool


class Cache(PlatformComponent):
    def __init__(self, name: str, args: CacheArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("operations:Cache", name, opts)
        self.instance = self._redis(name, args)
        self.secret = self._connection_secret(name, args)
        self.host = self.instance.host
        self.port = self.instance.port
        self.secret_name = self.secret.metadata.name
        self.register_outputs({"host": self.host, "port": self.port, "secret": self.secret_name})

    def _redis(self, name: str, args: CacheArgs) -> gcp.redis.Instance:
        settings = args.settings
        read_replicas = settings.read_replicas_enabled
        return gcp.redis.Instance(
            f"{name}-redis",
            name=args.naming.name("cache"),
            project=args.project,
            region=args.region,
            # No location_id: the service picks zones in the region (STANDARD_HA spreads primary and
            # replica over two). TPU7x zones such as us-central1-ai1a need not offer Memorystore.
            tier=settings.tier,
            memory_size_gb=settings.memory_size_gb,
            redis_version=settings.redis_version,
            authorized_network=args.network_id,
            connect_mode="PRIVATE_SERVICE_ACCESS",
            auth_enabled=True,
            transit_encryption_mode="SERVER_AUTHENTICATION",
            # Only sent when enabled: the API's default is disabled and the field applies to STANDARD_HA only.
            read_replicas_mode="READ_REPLICAS_ENABLED" if read_replicas else None,
            replica_count=settings.read_replicas if read_replicas else None,
            persistence_config=persistence_config(settings),
            maintenance_policy=maintenance_policy(args.maintenance),
            deletion_protection=args.protect,
            labels=args.naming.stateful_labels,
            opts=self.child(
                depends_on=[args.private_services_connection],
                protect=args.protect,
                additional_secret_outputs=["authString"],
            ),
        )

    def _connection_secret(self, name: str, args: CacheArgs) -> k8s.core.v1.Secret:
        values: pulumi.Output[dict[str, Any]] = pulumi.Output.all(
            host=self.instance.host,
            port=self.instance.port,
            auth=self.instance.auth_string,
            ca=self.instance.server_ca_certs.apply(ca_bundle),
        )
        data: pulumi.Output[dict[str, str]] = pulumi.Output.secret(values.apply(connection_data))
        return k8s.core.v1.Secret(
            f"{name}-connection",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=SECRET_NAME,
                namespace=args.namespace,
                labels={"app.kubernetes.io/part-of": "llm-platform", "app.kubernetes.io/component": "cache"},
            ),
            type="Opaque",
            string_data=data,
            opts=self.child(provider=args.provider, additional_secret_outputs=["data", "stringData"]),
        )

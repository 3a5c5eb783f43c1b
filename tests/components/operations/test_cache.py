"""The Cache component under mocks: Redis settings, ordering, protection and the secret Secret."""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp
import pulumi_kubernetes as k8s

from components.gke.config import MaintenanceConfig
from components.operations import Cache, CacheArgs, cache_settings
from components.operations.cache import (
    SECRET_KEYS,
    CacheSettings,
    ca_bundle,
    connection_data,
    maintenance_policy,
    maintenance_window,
    persistence_config,
)
from components.operations.config import CacheConfig, RedisTier
from tests.conftest import RunComponent
from tests.helpers import naming
from tools.graph import StackGraph
from tools.mocks import MOCK_REDIS_AUTH
from tools.stack_config import SECRET_PLACEHOLDER


def _cache(run_component: RunComponent, environment: str, protect: bool, **cache: object) -> StackGraph:
    def build() -> None:
        api = gcp.projects.Service("api", service="redis.googleapis.com")
        connection = gcp.servicenetworking.Connection(
            "psa", network="vpc", service="servicenetworking.googleapis.com", reserved_peering_ranges=["r"]
        )
        provider = k8s.Provider("cluster", kubeconfig="apiVersion: v1\nkind: Config\n")
        Cache(
            "cache",
            CacheArgs(
                project="example-project",
                region="us-central1",
                naming=naming(environment),
                settings=cache_settings(CacheConfig.model_validate(cache), environment),
                maintenance=MaintenanceConfig(),
                network_id="projects/example-project/global/networks/vpc",
                private_services_connection=connection,
                namespace="llm-serving",
                provider=provider,
                protect=protect,
            ),
            pulumi.ResourceOptions(depends_on=[api]),
        )

    return run_component(build)


def test_prod_cache_is_ha_with_a_read_replica_rdb_tls_auth_and_protected(run_component: RunComponent) -> None:
    graph = _cache(run_component, "prod", protect=True, memorySizeGb=5)
    redis = graph.one("gcp:redis/instance:Instance")
    inputs = redis.inputs
    assert inputs["tier"] == "STANDARD_HA"
    assert (inputs["readReplicasMode"], inputs["replicaCount"]) == ("READ_REPLICAS_ENABLED", 1)
    assert inputs["authEnabled"] is True
    assert inputs["transitEncryptionMode"] == "SERVER_AUTHENTICATION"
    assert inputs["connectMode"] == "PRIVATE_SERVICE_ACCESS"
    assert inputs["redisVersion"] == "REDIS_7_2"
    assert inputs["persistenceConfig"] == {"persistenceMode": "RDB", "rdbSnapshotPeriod": "TWELVE_HOURS"}
    assert "locationId" not in inputs  # the service picks zones; a TPU7x zone may have no Memorystore
    assert "reservedIpRange" not in inputs  # chosen inside the peered range; a name would read back as a CIDR
    assert redis.protect is True and inputs["deletionProtection"] is True
    window = inputs["maintenancePolicy"]["weeklyMaintenanceWindows"][0]
    assert window["day"] == "SATURDAY" and window["startTime"]["hours"] == 3


def test_dev_cache_is_basic_without_persistence_and_can_be_destroyed(run_component: RunComponent) -> None:
    redis = _cache(run_component, "dev", protect=False).one("gcp:redis/instance:Instance")
    assert redis.inputs["tier"] == "BASIC"
    assert "readReplicasMode" not in redis.inputs
    assert "replicaCount" not in redis.inputs
    assert redis.inputs["persistenceConfig"] == {"persistenceMode": "DISABLED"}
    # pulumi-gcp 10 defaults deletion_protection to true: unset, `pulumi destroy` would fail on dev
    assert redis.inputs["deletionProtection"] is False and redis.protect is False


def test_redis_waits_for_the_api_and_the_private_services_connection(run_component: RunComponent) -> None:
    graph = _cache(run_component, "dev", protect=False)
    redis = graph.one("gcp:redis/instance:Instance")
    assert graph.one("gcp:servicenetworking/connection:Connection").urn in redis.dependencies
    assert graph.one("gcp:projects/service:Service").urn in redis.dependencies
    assert redis.parent == graph.one("llm-platform:operations:Cache").urn


def test_connection_secret_is_created_with_the_cluster_provider_and_stays_secret(run_component: RunComponent) -> None:
    graph = _cache(run_component, "prod", protect=True)
    secret = graph.one("kubernetes:core/v1:Secret")
    assert secret.provider == graph.one("pulumi:providers:kubernetes").urn
    assert secret.inputs["metadata"]["namespace"] == "llm-serving"
    assert secret.inputs["stringData"] == SECRET_PLACEHOLDER
    assert graph.one("gcp:redis/instance:Instance").urn in secret.dependencies
    assert MOCK_REDIS_AUTH not in graph.to_json()


def test_maintenance_window_follows_the_stacks_rrule() -> None:
    assert maintenance_window(MaintenanceConfig()) == ("SATURDAY", 3, 0)
    daily = MaintenanceConfig(
        start_time="2025-01-07T22:30:00Z", end_time="2025-01-08T02:30:00Z", recurrence="FREQ=DAILY"
    )
    assert maintenance_window(daily) == ("TUESDAY", 22, 30)  # 2025-01-07 is a Tuesday
    weekdays = MaintenanceConfig(recurrence="FREQ=WEEKLY;BYDAY=WE,TH")
    assert maintenance_window(weekdays)[0] == "WEDNESDAY"


def _settings(tier: RedisTier, read_replicas: int, rdb: bool) -> CacheSettings:
    return CacheSettings(tier, 5, read_replicas, "REDIS_7_2", rdb, "SIX_HOURS")


def test_read_replicas_are_enabled_only_on_standard_ha_with_a_replica() -> None:
    assert _settings("STANDARD_HA", 1, True).read_replicas_enabled
    assert not _settings("STANDARD_HA", 0, True).read_replicas_enabled
    assert not _settings("BASIC", 1, False).read_replicas_enabled


def test_persistence_is_rdb_at_the_configured_period_or_disabled() -> None:
    rdb = persistence_config(_settings("STANDARD_HA", 0, rdb=True))
    assert (rdb.persistence_mode, rdb.rdb_snapshot_period) == ("RDB", "SIX_HOURS")
    off = persistence_config(_settings("BASIC", 0, rdb=False))
    assert (off.persistence_mode, off.rdb_snapshot_period) == ("DISABLED", None)


def test_maintenance_policy_is_one_weekly_window_at_the_stacks_start() -> None:
    daily = MaintenanceConfig(
        start_time="2025-01-07T22:30:00Z", end_time="2025-01-08T02:30:00Z", recurrence="FREQ=DAILY"
    )
    windows = maintenance_policy(daily).weekly_maintenance_windows
    assert isinstance(windows, list) and len(windows) == 1
    window = windows[0]
    assert isinstance(window, gcp.redis.InstanceMaintenancePolicyWeeklyMaintenanceWindowArgs)
    assert window.day == "TUESDAY"
    start = window.start_time
    assert isinstance(start, gcp.redis.InstanceMaintenancePolicyWeeklyMaintenanceWindowStartTimeArgs)
    assert (start.hours, start.minutes, start.seconds, start.nanos) == (22, 30, 0, 0)


def test_connection_data_holds_every_secret_key_as_text() -> None:
    certs = [
        gcp.redis.outputs.InstanceServerCaCert(cert="-----BEGIN CERTIFICATE-----\nA"),
        gcp.redis.outputs.InstanceServerCaCert(cert="-----BEGIN CERTIFICATE-----\nB"),
    ]
    bundle = ca_bundle(certs)
    assert bundle == "-----BEGIN CERTIFICATE-----\nA\n-----BEGIN CERTIFICATE-----\nB"
    assert ca_bundle(None) == ""
    data = connection_data({"host": "10.60.0.3", "port": 6378, "auth": "s3cret", "ca": bundle})
    assert tuple(data) == SECRET_KEYS
    assert data == {"host": "10.60.0.3", "port": "6378", "auth": "s3cret", "ca.crt": bundle}


def test_the_mock_marks_the_auth_string_secret_as_the_provider_does(run_component: RunComponent) -> None:
    """Without any wrapping of ours, the auth string reaches a consumer as a secret (the host does not).

    (A Kubernetes Secret is no control here: pulumi-kubernetes marks its data secret whatever it holds.)"""

    def build() -> None:
        instance = gcp.redis.Instance("redis", tier="BASIC", memory_size_gb=1, auth_enabled=True)
        gcp.pubsub.Topic("auth", name=instance.auth_string)
        gcp.pubsub.Topic("host", name=instance.host)

    graph = run_component(build)
    recorded = {r.name: r.inputs["name"] for r in graph.by_type("gcp:pubsub/topic:Topic")}
    assert recorded == {"auth": SECRET_PLACEHOLDER, "host": "10.60.0.3"}
    assert MOCK_REDIS_AUTH not in graph.to_json()

"""The Redis connection Secret's keys and values, read through the secret (the graph only shows it masked)."""

from __future__ import annotations

from typing import Any

import pulumi_gcp as gcp
import pulumi_kubernetes as k8s

from components.gke.config import MaintenanceConfig
from components.operations import Cache, CacheArgs, cache_settings
from components.operations.config import CacheConfig
from tests.conftest import RunComponent
from tests.helpers import naming


def test_connection_secret_holds_host_port_auth_and_ca(run_component: RunComponent) -> None:
    """Workloads read `auth` (and `host`, `port`, `ca.crt`) from the Secret: every key, with the instance's values."""
    seen: list[dict[str, Any]] = []

    def build() -> None:
        connection = gcp.servicenetworking.Connection(
            "psa", network="vpc", service="servicenetworking.googleapis.com", reserved_peering_ranges=["r"]
        )
        cache = Cache(
            "cache",
            CacheArgs(
                project="example-project",
                region="us-central1",
                naming=naming("prod"),
                settings=cache_settings(CacheConfig.model_validate({}), "prod"),
                maintenance=MaintenanceConfig(),
                network_id="projects/example-project/global/networks/vpc",
                private_services_connection=connection,
                namespace="llm-serving",
                provider=k8s.Provider("cluster", kubeconfig="apiVersion: v1\nkind: Config\n"),
                protect=True,
            ),
        )
        cache.secret.string_data.apply(lambda data: seen.append(dict(data or {})))

    run_component(build)
    (data,) = seen
    assert sorted(data) == ["auth", "ca.crt", "host", "port"]
    assert data["auth"] == "mock-redis-auth-5f1c9e"  # tools/mocks.py: the instance's authString
    assert data["host"] == "10.60.0.3" and data["port"] == "6378"  # the TLS port (SERVER_AUTHENTICATION)

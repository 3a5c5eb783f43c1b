"""The API list is the union of what every concern declares."""

from __future__ import annotations

from components.concerns import concern_packages, required_services
from tests.helpers import config


def test_every_concern_is_found() -> None:
    names = {package.__name__.rsplit(".", 1)[-1] for package in concern_packages()}
    assert names == {
        "cost",
        "gateway",
        "gke",
        "identity",
        "isolation",
        "network",
        "operations",
        "project",
        "serving",
        "storage",
    }


def test_the_union_is_sorted_and_deduplicated() -> None:
    services = required_services(config())
    assert services == sorted(set(services))
    assert {"compute.googleapis.com", "container.googleapis.com", "storage.googleapis.com"} <= set(services)


def test_store_apis_only_when_the_store_uses_them() -> None:
    assert {"parallelstore.googleapis.com", "lustre.googleapis.com"}.isdisjoint(required_services(config()))
    lustre = config({"llm-platform:modelStore": {"type": "lustre"}})
    assert "lustre.googleapis.com" in required_services(lustre)
    legacy = config({"llm-platform:modelStore": {"type": "parallelstore", "parallelstore": {"optIn": True}}})
    assert "parallelstore.googleapis.com" in required_services(legacy)


def test_edge_apis_follow_the_gateway_config() -> None:
    plain = set(required_services(config()))
    assert "certificatemanager.googleapis.com" not in plain and "iap.googleapis.com" not in plain
    assert "secretmanager.googleapis.com" not in plain
    https = set(required_services(config({"llm-platform:gateway": {"domain": "llm.example.com"}})))
    assert "certificatemanager.googleapis.com" in https
    iap = {
        "mode": "iap",
        "iap": {"clientId": "1-abc.apps.googleusercontent.com", "clientSecret": "s", "members": ["group:a@b.c"]},
    }
    assert "iap.googleapis.com" in required_services(
        config({"llm-platform:gateway": {"domain": "llm.example.com", "auth": iap}})
    )
    credentials = {"upstreamCredentials": {"username": "u", "passwordSecretVersion": "projects/p/secrets/s/versions/1"}}
    assert "secretmanager.googleapis.com" in required_services(
        config({"llm-platform:serving": {"registry": credentials}})
    )

"""Managed Lustre's pure decisions: the LNet rule, the instance, the static volume, the import Job."""

from __future__ import annotations

import pytest

from components.naming import Naming
from components.storage.config import LustreConfig
from components.storage.lustre import (
    claim_spec,
    instance_args,
    lnet_rule,
    server_ip,
    volume_handle,
    volume_spec,
)
from components.storage.lustre_import import import_job_spec, import_role, importer_member, importer_pod
from tests.unit.sdk_args import plain

NAMING = Naming(stack="prod", environment="prod")
VPC = "projects/acme-llm/global/networks/llm-prod-vpc"
CONFIG = LustreConfig(capacity_gib=18_000, import_timeout_minutes=90)


def test_lnet_is_open_from_the_private_services_range_to_serving_nodes_only() -> None:
    rule = plain(lnet_rule(NAMING, "acme-llm", VPC, "10.24.0.0/20", "llm-prod-serving-node"))
    assert rule["name"] == "llm-prod-allow-lustre"
    assert (rule["direction"], rule["source_ranges"]) == ("INGRESS", ["10.24.0.0/20"])
    assert rule["target_tags"] == ["llm-prod-serving-node"]
    assert rule["allows"] == [{"protocol": "tcp", "ports": ["988"]}]


@pytest.mark.parametrize(("protect", "policy"), [(True, "PREVENT"), (False, "DELETE")])
def test_a_protected_instance_refuses_deletion_in_the_provider_too(protect: bool, policy: str) -> None:
    instance = plain(instance_args(NAMING, "acme-llm", "us-central1-c", VPC, CONFIG, protect))
    assert instance["deletion_policy"] == policy
    assert (instance["instance_id"], instance["location"]) == ("llm-prod-weights", "us-central1-c")
    assert (instance["capacity_gib"], instance["per_unit_storage_throughput"]) == ("18000", "1000")
    assert instance["labels"]["managed-by"] == "pulumi"


def test_the_volume_names_the_instance_the_way_the_csi_driver_reads_it() -> None:
    assert volume_handle("acme-llm", "us-central1-c", "llm-prod-weights") == "acme-llm/us-central1-c/llm-prod-weights"
    assert server_ip("10.24.0.2@tcp:/models") == "10.24.0.2"


def test_the_static_volume_binds_only_to_its_read_only_claim() -> None:
    volume = plain(volume_spec(CONFIG, "serve", "llm-prod-weights-lustre", "handle", "10.24.0.2"))
    assert volume["capacity"] == {"storage": "18000Gi"}
    assert (volume["access_modes"], volume["persistent_volume_reclaim_policy"]) == (["ReadOnlyMany"], "Retain")
    assert volume["csi"] == {
        "driver": "lustre.csi.storage.gke.io",
        "volume_handle": "handle",
        "volume_attributes": {"ip": "10.24.0.2", "filesystem": "models"},
        "read_only": True,
    }
    assert volume["claim_ref"] == {"namespace": "serve", "name": "llm-prod-weights-lustre"}
    claim = plain(claim_spec(CONFIG, "llm-prod-weights-lustre"))
    assert claim == {
        "access_modes": ["ReadOnlyMany"],
        "storage_class_name": "",
        "volume_name": "llm-prod-weights-lustre",
        "resources": {"requests": {"storage": "18000Gi"}},
    }


def test_the_importer_identity_is_named_before_it_exists() -> None:
    assert import_role("acme-llm", NAMING) == "projects/acme-llm/roles/llm_prod_lustreImporter"
    assert (
        importer_member("acme-llm.svc.id.goog", "serve") == "serviceAccount:acme-llm.svc.id.goog[serve/lustre-importer]"
    )


def test_the_import_job_retries_twice_within_its_timeout() -> None:
    spec = plain(import_job_spec(CONFIG, importer_pod("acme-llm", "us-central1-c", {}, "i", "gs://b/models/m/", "/m/")))
    assert (spec["backoff_limit"], spec["active_deadline_seconds"]) == (2, 5400)
    assert spec["template"]["metadata"] == {"labels": {"app.kubernetes.io/name": "lustre-import"}}


def test_the_import_pod_is_restricted_and_runs_on_the_system_pool() -> None:
    pod = plain(
        importer_pod("acme-llm", "us-central1-c", {"llm-platform/pool": "system"}, "i", "gs://b/models/m/", "/m/")
    )
    assert pod["node_selector"] == {"llm-platform/pool": "system"}
    assert (pod["automount_service_account_token"], pod["restart_policy"]) == (False, "Never")
    assert pod["security_context"]["run_as_non_root"] is True
    (container,) = pod["containers"]
    assert container["security_context"] == {
        "allow_privilege_escalation": False,
        "read_only_root_filesystem": True,
        "capabilities": {"drop": ["ALL"]},
    }
    assert {env["name"]: env["value"] for env in container["env"]} == {
        "PROJECT": "acme-llm",
        "ZONE": "us-central1-c",
        "INSTANCE": "i",
        "SOURCE": "gs://b/models/m/",
        "LUSTRE_PATH": "/m/",
        "CLOUDSDK_CONFIG": "/tmp/gcloud",
    }

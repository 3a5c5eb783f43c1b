"""Whole-stack assertions on the graphs evaluated once per session."""

from __future__ import annotations

import pytest

from tools.graph import StackGraph, evaluate

PRIMITIVE_ROLES = {"roles/owner", "roles/editor", "roles/viewer"}
PROJECT_IAM_TYPES = (
    "gcp:projects/iAMMember:IAMMember",
    "gcp:projects/iAMBinding:IAMBinding",
    "gcp:projects/iAMPolicy:IAMPolicy",
)


@pytest.fixture(params=["dev", "prod"])
def graph(request: pytest.FixtureRequest, graphs: dict[str, StackGraph]) -> StackGraph:
    return graphs[request.param]


def test_vpc_is_custom_mode_with_mtu_8896(graph: StackGraph) -> None:
    vpc = graph.one("gcp:compute/network:Network")
    assert vpc.inputs["autoCreateSubnetworks"] is False
    assert vpc.inputs["mtu"] == 8896


def test_private_services_peering(graph: StackGraph) -> None:
    address = graph.one("gcp:compute/globalAddress:GlobalAddress")
    connection = graph.one("gcp:servicenetworking/connection:Connection")
    assert address.inputs["purpose"] == "VPC_PEERING"
    assert address.inputs["prefixLength"] <= 24
    assert connection.inputs["reservedPeeringRanges"] == [address.inputs["name"]]


def test_bucket_is_private_versioned_and_protected_only_in_prod(graph: StackGraph) -> None:
    bucket = graph.one("gcp:storage/bucket:Bucket")
    assert bucket.inputs["uniformBucketLevelAccess"] is True
    assert bucket.inputs["publicAccessPrevention"] == "enforced"
    assert bucket.inputs["versioning"] == {"enabled": True}
    prod = graph.stack == "prod"
    assert bucket.protect is prod
    assert bucket.inputs["forceDestroy"] is not prod


def test_serving_ksa_reads_only_the_model_bucket(graph: StackGraph) -> None:
    bucket = graph.one("gcp:storage/bucket:Bucket")
    (binding,) = graph.by_type("gcp:storage/bucketIAMMember:BucketIAMMember")
    assert binding.inputs["role"] == "roles/storage.objectViewer"
    assert binding.inputs["bucket"] == bucket.inputs["name"]
    assert binding.inputs["member"] == graph.outputs["servingPrincipal"]
    assert binding.inputs["member"].endswith("/subject/ns/llm-serving/sa/model-server")
    assert bucket.urn in binding.dependencies


def test_no_project_wide_storage_role_and_no_primitive_roles(graph: StackGraph) -> None:
    for resource in graph.resources:
        role = resource.inputs.get("role", "")
        assert role not in PRIMITIVE_ROLES, resource.urn
        if resource.type in PROJECT_IAM_TYPES:
            assert not role.startswith("roles/storage."), resource.urn


def test_every_resource_is_inside_a_component(graph: StackGraph) -> None:
    components = {r.urn for r in graph.resources if not r.custom}
    for resource in graph.resources:
        if resource.custom:
            assert resource.parent in components, resource.urn


def test_everything_labelled_carries_the_common_labels(graph: StackGraph) -> None:
    labelled = [r for r in graph.resources if "labels" in r.inputs]
    assert labelled
    for resource in labelled:
        labels = resource.inputs["labels"]
        assert labels["env"] == graph.stack
        assert labels["stack"] == graph.stack
        assert labels["app"] == "llm-platform"
        assert labels["managed-by"] == "pulumi"


def test_apis_are_enabled_before_anything_uses_them(graph: StackGraph) -> None:
    services = {r.urn for r in graph.by_type("gcp:projects/service:Service")}
    for resource in graph.resources:
        if resource.custom and resource.type != "gcp:projects/service:Service":
            assert services <= set(resource.dependencies), resource.urn


def test_evaluation_is_deterministic(graph: StackGraph) -> None:
    assert evaluate(graph.stack).to_json() == graph.to_json()

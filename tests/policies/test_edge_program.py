"""The edge program's Kubernetes objects are real API shapes, like the stacks' own."""

from __future__ import annotations

from dataclasses import replace

from tests.schemas import built_in_objects, built_in_problems, custom_resources, problems
from tools.stack_config import SECRET_PLACEHOLDER


def test_edge_objects_validate_against_their_schemas(policy_graphs) -> None:
    resources = policy_graphs["edge"].resources
    assert {r.inputs["kind"] for r in custom_resources(resources)} == {
        "LeaderWorkerSet",
        "GCPBackendPolicy",
        "Gateway",
        "HTTPRoute",
    }
    for resource in custom_resources(resources):
        assert problems(resource) == [], resource.urn
    for resource in built_in_objects(resources):
        # A secret field is masked as text in the recording; the schema needs its real shape.
        inputs = {k: ({} if v == SECRET_PLACEHOLDER else v) for k, v in resource.inputs.items()}
        assert built_in_problems(replace(resource, inputs=inputs)) == [], resource.urn

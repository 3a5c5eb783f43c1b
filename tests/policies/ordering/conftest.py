"""The creation-order cases: each removes one dependency a first `pulumi up` needs from a recorded stack.

The compliant side is every stack as recorded (`test_runner.py::test_stacks_pass_every_mandatory_policy`
runs the whole pack on each). One test module per module of `policies/rules/ordering/`.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from tests.policies.conftest import Case, changed
from tools.graph import Registration, StackGraph, evaluate
from tools.stack_config import load_stack_config

ORDER = "stack-creation-order"


def dropping(*names: str) -> Callable[[Registration], Registration]:
    """The resource without its direct dependencies on resources of these names."""

    def change(resource: Registration) -> Registration:
        kept = [urn for urn in resource.dependencies if urn.rsplit("::", 1)[-1] not in names]
        assert kept != resource.dependencies, f"{resource.name} has no dependency on {names}"
        return changed(resource, dependencies=kept)

    return change


def order(graph: str, target: tuple[str, str], drop: tuple[str, ...], expect: str, id: str) -> Case:
    return Case(ORDER, graph, target, dropping(*drop), stack=True, expect=expect, id=id)


@pytest.fixture(scope="session")
def ordering_graphs(policy_graphs: dict[str, StackGraph]) -> dict[str, StackGraph]:
    """The stacks, and dev with Docker Hub credentials (the registry's secret grant to its agent)."""
    values = load_stack_config("dev")
    values["llm-platform:serving"] = json.dumps(
        {
            "registry": {
                "upstreamCredentials": {"username": "bot", "passwordSecretVersion": "projects/p/secrets/hub/versions/1"}
            }
        }
    )
    return {**policy_graphs, "dev-credentials": evaluate("dev", config=values)}

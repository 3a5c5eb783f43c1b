"""policies/rules/ordering/engine.py and the table as a whole: APIs first, every type ruled, every rule sourced."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import re

import pytest

from policies.rules import ordering
from policies.rules.ordering import CONCERNS, RULED_TYPES, RULES
from tests.conftest import STACKS
from tests.policies.conftest import Case, changed, check_case
from tests.policies.ordering.conftest import ORDER
from tools.graph import StackGraph
from tools.policy import run_policies

CASES = [
    Case(
        "stack-creation-order-covered",
        "dev",
        ("gcp:compute/router:Router", "network-router"),
        lambda r: dataclasses.replace(r, type="gcp:compute/instance:Instance"),
        stack=True,
        expect="gcp:compute/instance:Instance has no creation-order rule",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy(pack, ordering_graphs, case: Case) -> None:
    check_case(pack, ordering_graphs, case)


def without_api(graph: StackGraph, api: str) -> StackGraph:
    """The graph with the Service enabling `api` gone (and every dependency on it)."""
    (service,) = [r for r in graph.by_type("gcp:projects/service:Service") if r.inputs["service"] == api]
    return dataclasses.replace(
        graph,
        resources=[
            changed(r, dependencies=[urn for urn in r.dependencies if urn != service.urn])
            for r in graph.resources
            if r.urn != service.urn
        ],
    )


@pytest.mark.parametrize(
    ("stack", "api", "resource"),
    [
        ("prod", "lustre.googleapis.com", "gcp:lustre/instance:Instance"),
        ("dev", "servicenetworking.googleapis.com", "gcp:servicenetworking/connection:Connection"),
        ("dev", "containerfilesystem.googleapis.com", "gcp:container/cluster:Cluster"),
        ("dev", "billingbudgets.googleapis.com", "gcp:billing/budget:Budget"),
    ],
)
def test_a_resource_whose_api_is_not_enabled_first_is_stopped(
    pack, graphs, stack: str, api: str, resource: str
) -> None:
    report = run_policies(
        pack, without_api(graphs[stack], api), config=pack.only(ORDER), resources=[], analyze_stack=True
    )
    # A URN ends in `<type>::<name>`: keep the violations on resources of that type.
    found = [v for v in report.by_policy(ORDER) if v.urn.rsplit("::", 1)[0].endswith(resource)]
    assert found and all(v.level == "mandatory" for v in found)
    assert any(api in v.message for v in found)


def test_every_type_of_every_stack_has_a_rule(graphs: dict[str, StackGraph]) -> None:
    for stack in STACKS:
        types = {r.type for r in graphs[stack].resources if r.custom or r.type.startswith("kubernetes:")}
        assert types - RULED_TYPES == set(), stack


def test_every_rule_with_prerequisites_cites_its_source() -> None:
    """A rule that orders resources says why with a document or an issue; the rest name the API that serves them."""
    for rule in RULES:
        if rule.after:
            assert re.search(r"https://|#\d+", rule.source), rule.type
        else:
            assert rule.source, rule.type


def test_every_module_of_rows_is_in_the_table() -> None:
    """A concern module whose RULES the table does not concatenate would order nothing."""
    with_rows = {
        module.name
        for module in pkgutil.iter_modules(ordering.__path__)
        if hasattr(importlib.import_module(f"{ordering.__name__}.{module.name}"), "RULES")
    }
    assert with_rows == {concern.__name__.rsplit(".", 1)[-1] for concern in CONCERNS}
    assert all(concern.RULES for concern in CONCERNS)

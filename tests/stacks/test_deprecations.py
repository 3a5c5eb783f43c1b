"""No field or enum value the program sends is deprecated in Google's pinned API definitions."""

from __future__ import annotations

import copy
import dataclasses

from tests.deprecations import ALLOWED, MAPPINGS, UNCHECKED, findings, revision, unreviewed
from tools.graph import StackGraph

CLUSTER = "gcp:container/cluster:Cluster"


def test_the_definitions_are_the_reviewed_revision() -> None:
    # A newer google-api-python-client brings newer definitions: review ALLOWED and this date together.
    assert revision("container.v1") == "20261027"


def test_every_google_resource_type_is_checked_or_says_why_not(graphs: dict[str, StackGraph]) -> None:
    types = {r.type for graph in graphs.values() for r in graph.resources if r.type.startswith("gcp:")}
    assert types - set(MAPPINGS) - set(UNCHECKED) == set()


def test_nothing_deprecated_is_sent_beyond_the_reviewed_allow_list(graphs: dict[str, StackGraph]) -> None:
    problems = [
        (graph.stack, r.urn, finding)
        for graph in graphs.values()
        for r in graph.resources
        if r.type in MAPPINGS
        for finding in unreviewed(r)
    ]
    assert problems == []


def test_the_allow_list_holds_only_what_the_provider_forces(prod: StackGraph, graphs: dict[str, StackGraph]) -> None:
    prod_cluster = {f.api_path for f in findings(prod.one(CLUSTER))}
    assert prod_cluster == {
        "initialNodeCount",
        "nodeConfig",
        "privateClusterConfig.enablePrivateNodes",
        "privateClusterConfig.enablePrivateEndpoint",
    }
    legacy_cluster = {f.api_path for f in findings(graphs["legacy"].one(CLUSTER))}
    assert legacy_cluster - prod_cluster == {"addonsConfig.parallelstoreCsiDriverConfig"}
    assert {path for kind, path in ALLOWED if kind == CLUSTER} >= prod_cluster | legacy_cluster


def test_a_planted_deprecated_field_or_value_fails(prod: StackGraph) -> None:
    cluster = prod.one(CLUSTER)
    inputs = copy.deepcopy(cluster.inputs)
    inputs["securityPostureConfig"]["vulnerabilityMode"] = "VULNERABILITY_BASIC"
    inputs["addonsConfig"]["kubernetesDashboard"] = {"disabled": True}
    inputs["releaseChannel"]["channel"] = "UNSPECIFIED"
    inputs["privateClusterConfig"]["enablePrivateNodez"] = True
    planted = {
        (f.kind, f.path, f.detail if f.kind == "deprecated value" else "")
        for f in unreviewed(dataclasses.replace(cluster, inputs=inputs))
    }
    assert planted == {
        ("deprecated field", "securityPostureConfig.vulnerabilityMode", ""),
        ("deprecated value", "securityPostureConfig.vulnerabilityMode", "VULNERABILITY_BASIC"),
        ("deprecated field", "addonsConfig.kubernetesDashboard", ""),
        ("deprecated value", "releaseChannel.channel", "UNSPECIFIED"),
        ("not in the API schema", "privateClusterConfig.enablePrivateNodez", ""),
    }

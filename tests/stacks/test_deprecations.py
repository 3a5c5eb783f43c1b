"""No field or enum value the program sends is deprecated in Google's pinned API definitions."""

from __future__ import annotations

import copy
import dataclasses
import json

from tests.deprecations import ALLOWED, MAPPINGS, UNCHECKED, findings, revision, unreviewed
from tools.graph import StackGraph, evaluate
from tools.stack_config import load_stack_config

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


def test_exclusions_and_blue_green_settings_are_current_api(prod: StackGraph) -> None:
    """What no committed stack sets: maintenance exclusions and a blue-green TPU pool upgrade."""
    config = load_stack_config("prod")
    cluster = json.loads(config["llm-platform:cluster"])
    cluster["maintenance"] = {
        "exclusions": [
            {"name": "hold", "startTime": "2026-12-01T00:00:00Z", "untilEndOfSupport": True},
            {
                "name": "freeze",
                "scope": "NO_UPGRADES",
                "startTime": "2026-12-20T00:00:00Z",
                "endTime": "2027-01-10T00:00:00Z",
            },
        ]
    }
    tiers = json.loads(config["llm-platform:tiers"])
    tiers["small"]["capacity"] = {"upgrade": {"strategy": "BLUE_GREEN", "blueGreen": {"nodePoolSoakSeconds": 600}}}
    config.update({"llm-platform:cluster": json.dumps(cluster), "llm-platform:tiers": json.dumps(tiers)})
    graph = evaluate("prod", config=config)
    checked = [*graph.by_type(CLUSTER), *graph.by_type("gcp:container/nodePool:NodePool")]
    assert [(r.name, f) for r in checked for f in unreviewed(r)] == []
    exclusions = graph.one(CLUSTER).inputs["maintenancePolicy"]["maintenanceExclusions"]
    assert [e["exclusionOptions"] for e in exclusions] == [
        {"scope": "NO_MINOR_OR_NODE_UPGRADES", "endTimeBehavior": "UNTIL_END_OF_SUPPORT"},
        {"scope": "NO_UPGRADES"},
    ]
    # A planted wrong scope is caught: the exclusion is walked, not skipped.
    planted = copy.deepcopy(graph.one(CLUSTER).inputs)
    planted["maintenancePolicy"]["maintenanceExclusions"][0]["exclusionOptions"]["scopez"] = "NO_UPGRADES"
    assert [f.path for f in unreviewed(dataclasses.replace(graph.one(CLUSTER), inputs=planted))] == [
        "maintenancePolicy.maintenanceExclusions.exclusionOptions.scopez"
    ]

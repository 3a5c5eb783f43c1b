"""Gaps mutation testing found in policies/rules/stack.py: every offender is reported, not only the first."""

from __future__ import annotations

from tests.policies.conftest import DELETE, changed, find, judge, swapped

BUCKET = ("gcp:storage/bucket:Bucket", "models-bucket")
CLUSTER = ("gcp:container/cluster:Cluster", "gke-cluster")
SUBNET = ("gcp:compute/subnetwork:Subnetwork", "network-subnet")
ROOT = "urn:pulumi:dev::llm-platform::pulumi:pulumi:Stack::llm-platform-dev"


def test_every_resource_without_labels_is_reported(pack, policy_graphs) -> None:
    graph = policy_graphs["prod"]
    bucket, cluster = find(graph, BUCKET), find(graph, CLUSTER)
    unlabelled = swapped(
        swapped(graph, bucket, changed(bucket, {"labels": DELETE})),
        cluster,
        changed(cluster, {"resourceLabels": DELETE}),
    )
    found = judge(pack, unlabelled, bucket, stack=True, policies=("stack-labels",)).by_policy("stack-labels")
    assert sorted(v.urn for v in found) == sorted([bucket.urn, cluster.urn])


def test_a_resource_named_default_is_no_default_provider(pack, policy_graphs) -> None:
    """Only the engine's default providers may sit at the top of the stack; a resource's name does not exempt it."""
    graph = policy_graphs["dev"]
    subnet = find(graph, SUBNET)
    top = changed(subnet, name="default-subnet", parent=ROOT)
    found = judge(
        pack, swapped(graph, subnet, top), top, stack=True, policies=("stack-resources-in-components",)
    ).by_policy("stack-resources-in-components")
    assert [v.urn for v in found] == [top.urn]

"""The creation-order table's match functions, held directly: which upstream resource counts as the
prerequisite. The pack cases drop the one right candidate; these give a wrong one beside it."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy import PolicyCustomTimeouts, PolicyResource, PolicyResourceOptions

from policies.rules.metadata import UNKNOWN
from policies.rules.ordering import engine, network, serving, storage
from policies.rules.ordering.resource_types import NODE_POOL

ACCESSOR = "roles/secretmanager.secretAccessor"
TOKEN = "projects/p/secrets/hf-token/versions/latest"


def resource(type_: str, props: dict[str, Any], name: str = "r") -> PolicyResource:
    opts = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])
    return PolicyResource(type_, props, f"urn:pulumi:s::p::{type_}::{name}", name, opts, None, None, [], {})


def job(*envs: dict[str, Any], labels: dict[str, str] | None = None) -> PolicyResource:
    containers = [
        {"name": f"c{i}", "env": [{"name": k, "value": v} for k, v in env.items()]} for i, env in enumerate(envs)
    ]
    props = {"metadata": {"labels": labels or {}}, "spec": {"template": {"spec": {"containers": containers}}}}
    return resource(storage.JOB, props)


def prerequisite(rules: tuple[engine.Rule, ...], type_: str, what: str) -> engine.Prerequisite:
    (found,) = [p for r in rules if r.type == type_ and not callable(r.after) for p in r.after if p.what == what]
    return found


@pytest.mark.parametrize(("a", "b", "expected"), [(1, 1, True), (1, 2, False), (UNKNOWN, 2, True), (1, UNKNOWN, True)])
def test_same_is_equal_or_not_yet_known(a: Any, b: Any, expected: bool) -> None:
    assert engine.same(a, b) is expected


@pytest.mark.parametrize(
    ("type_", "name", "expected"),
    [
        ("pulumi:pulumi:Stack", "llm-platform-dev", False),
        ("pulumi:providers:gcp", "default_9_1_0", False),  # the SDK's default provider
        ("pulumi:providers:kubernetes", "gke", True),  # one the program creates
        ("gcp:compute/network:Network", "default-network", True),
    ],
)
def test_only_what_the_program_creates_is_judged(type_: str, name: str, expected: bool) -> None:
    assert engine._is_resource(resource(type_, {}, name)) is expected


def test_the_env_read_is_the_first_containers() -> None:
    assert storage._env(job({"SOURCE": "gs://a/x"}, {"SOURCE": "gs://b/y"})) == {"SOURCE": "gs://a/x"}
    assert storage._env(job()) == {}


def test_the_token_grant_is_the_accessor_role_on_the_jobs_own_secret() -> None:
    subject = job({"TOKEN_SECRET": TOKEN})
    grant = resource(storage.SECRET_IAM_MEMBER, {"role": ACCESSOR, "secretId": "hf-token"})
    other_secret = resource(storage.SECRET_IAM_MEMBER, {"role": ACCESSOR, "secretId": "db-password"})
    other_role = resource(storage.SECRET_IAM_MEMBER, {"role": "roles/secretmanager.viewer", "secretId": "hf-token"})
    assert storage._token_secret(grant, subject)
    assert not storage._token_secret(other_secret, subject)
    assert not storage._token_secret(other_role, subject)
    # A version not yet known (from another resource's output) matches any accessor grant.
    assert storage._token_secret(other_secret, job({"TOKEN_SECRET": UNKNOWN}))


def test_an_import_follows_the_weights_job_that_fills_its_source() -> None:
    weights = {"app.kubernetes.io/name": storage.WEIGHTS_APP}
    subject = job({"SOURCE": "gs://models/llama/abc"})
    assert storage._fetches_its_folder(job({"BUCKET": "models", "DEST": "llama/abc"}, labels=weights), subject)
    assert not storage._fetches_its_folder(job({"BUCKET": "models", "DEST": "qwen/def"}, labels=weights), subject)
    assert not storage._fetches_its_folder(job({"BUCKET": "models", "DEST": "llama/abc"}), subject)  # not a weights Job
    assert storage._fetches_its_folder(job({"BUCKET": UNKNOWN, "DEST": "qwen/def"}, labels=weights), subject)


def test_a_pod_is_hosted_only_by_a_tpu_pool_carrying_its_own_selector_labels() -> None:
    selector = {"cloud.google.com/gke-tpu-accelerator": "tpu7x", "llm-platform/tier": "small"}
    pod = resource("kubernetes:apps/v1:Deployment", {"spec": {"template": {"spec": {"nodeSelector": selector}}}})

    def pool(node_config: dict[str, Any]) -> PolicyResource:
        return resource(NODE_POOL, {"nodeConfig": node_config})

    assert serving._pool_hosts(
        pool({"machineType": "tpu7x-standard-1t", "labels": {"llm-platform/tier": "small"}}), pod
    )
    assert not serving._pool_hosts(
        pool({"machineType": "tpu7x-standard-1t", "labels": {"llm-platform/tier": "large"}}), pod
    )
    assert not serving._pool_hosts(
        pool({"machineType": "e2-standard-4", "labels": {"llm-platform/tier": "small"}}), pod
    )
    assert not serving._pool_hosts(pool({"labels": {"llm-platform/tier": "small"}}), pod)  # no machine type


def test_the_connection_follows_a_peering_range_it_names() -> None:
    match = prerequisite(network.RULES, network.CONNECTION, "its reserved peering range").match
    connection = resource(network.CONNECTION, {"reservedPeeringRanges": ["psa-range"]})
    peering = {"purpose": "VPC_PEERING", "name": "psa-range"}
    assert match(resource("gcp:compute/globalAddress:GlobalAddress", peering), connection)
    assert not match(resource("gcp:compute/globalAddress:GlobalAddress", {**peering, "name": "other"}), connection)
    assert not match(
        resource("gcp:compute/globalAddress:GlobalAddress", {**peering, "purpose": "EXTERNAL"}), connection
    )

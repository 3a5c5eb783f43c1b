"""policies/rules/weights.py through the runner: a tier never starts on a path no step produced."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.policies.conftest import DELETE, Case, changed, check_case
from tests.policies.ordering.conftest import dropping
from tools.graph import Registration

POLICY = "tier-weights-produced"
DEV_TIER = ("kubernetes:apps/v1:Deployment", "serving-small-deployment")
DEV_FETCH = ("kubernetes:batch/v1:Job", "weights-c6033c3921-job")
PROD_LARGE = ("kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet", "serving-large-leader-worker-set")
PROD_IMPORT = ("kubernetes:batch/v1:Job", "model-store-import-6698ccb09b")
STAGING_CLAIM = ("kubernetes:core/v1:PersistentVolumeClaim", "model-store-claim")
STAGING_TIER = ("kubernetes:apps/v1:Deployment", "serving-medium-deployment")
DEV_PATH = "/models/meta-llama/Llama-3.1-8B-Instruct/0e9e39f249a16976918f6564b8830bc894c89659"
LARGE_PATH = "/models/meta-llama/Llama-3.1-405B-Instruct/069992c75aed59df00ec06c17177e76c63296a26"


def _args_without_model(resource: Registration) -> Registration:
    args = resource.inputs["spec"]["template"]["spec"]["containers"][0]["args"]
    return changed(resource, {"spec.template.spec.containers.0.args": [a for a in args if not a.startswith("--model")]})


def _serving(path: str) -> Callable[[Registration], Registration]:
    def change(resource: Registration) -> Registration:
        args = resource.inputs["spec"]["template"]["spec"]["containers"][0]["args"]
        model = [f"--model={path}" if a.startswith("--model=") else a for a in args]
        return changed(resource, {"spec.template.spec.containers.0.args": model})

    return change


CASES = [
    Case(
        POLICY,
        "dev",
        DEV_TIER,
        dropping("weights-c6033c3921-job"),
        stack=True,
        expect=f"tier small serves --model={DEV_PATH} but does not wait for weights-c6033c3921-job",
        id="fuse-tier-before-its-fetch",
    ),
    Case(
        POLICY,
        "prod",
        PROD_LARGE,
        dropping("model-store-import-6698ccb09b"),
        stack=True,
        expect=f"tier large serves --model={LARGE_PATH} but does not wait for model-store-import-6698ccb09b",
        id="multi-host-tier-before-its-import",
    ),
    Case(
        POLICY,
        "staging",
        STAGING_TIER,
        dropping("model-store-claim"),
        stack=True,
        expect="tier medium serves --model=/models/meta-llama/Llama-3.3-70B-Instruct/",
        id="populated-tier-before-its-claim",
    ),
    Case(
        POLICY,
        "prod",
        PROD_IMPORT,
        lambda r: changed(r, {"metadata.annotations.llm-platform/weights-paths": '["/models/other"]'}),
        stack=True,
        expect=f"tier large serves --model={LARGE_PATH}, which no step of the stack puts in place",
        id="import-of-another-path",
    ),
    Case(
        POLICY,
        "dev",
        DEV_FETCH,
        lambda r: changed(r, {"metadata.annotations.llm-platform/weights-paths": DELETE}),
        stack=True,
        expect=f"--model={DEV_PATH}, which no step of the stack puts in place",
        id="fetch-without-its-paths",
    ),
    Case(
        POLICY,
        "dev",
        DEV_FETCH,
        lambda r: changed(r, {"metadata.annotations.llm-platform/weights-paths": "/models/not-a-json-list"}),
        stack=True,
        expect="which no step of the stack puts in place",
        id="fetch-with-paths-that-are-not-a-list",
    ),
    Case(
        POLICY,
        "staging",
        STAGING_CLAIM,
        lambda r: changed(r, {"metadata.annotations": DELETE}),
        stack=True,
        expect="which no step of the stack puts in place",
        id="claim-without-annotations",
    ),
    Case(POLICY, "dev", DEV_TIER, _args_without_model, stack=True, expect="tier small names no --model", id="no-model"),
    Case(
        POLICY,
        "dev",
        DEV_TIER,
        _serving("/models/meta-llama/Llama-3.1-8B-Instruct"),  # the folder without its revision: never fetched
        stack=True,
        expect="serves --model=/models/meta-llama/Llama-3.1-8B-Instruct, which no step",
        id="tier-on-an-unfetched-path",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_policy(pack, policy_graphs, case: Case) -> None:
    check_case(pack, policy_graphs, case)

"""Every committed stack fetches its weights by config, and no tier rolls before its folder is in place."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import STACKS
from tools.graph import Registration, StackGraph

JOB = "kubernetes:batch/v1:Job"
REV_8B = "0e9e39f249a16976918f6564b8830bc894c89659"
REV_70B = "6f6073b423013f6a7d4d9f39144961bfbfbc386b"
REV_405B = "069992c75aed59df00ec06c17177e76c63296a26"
MODEL = re.compile(r"--model=(\S+)")


def upstream(graph: StackGraph, resource: Registration) -> set[str]:
    by_urn = {r.urn: r for r in graph.resources}
    found: set[str] = set()
    pending = list(resource.dependencies)
    while pending:
        urn = pending.pop()
        if urn not in found:
            found.add(urn)
            pending += by_urn[urn].dependencies if urn in by_urn else []
    return found


def workloads(graph: StackGraph) -> dict[str, tuple[Registration, str]]:
    """Tier -> (its Deployment or LeaderWorkerSet, the model path its server is given)."""
    found = {}
    for resource in graph.resources:
        if resource.type not in (
            "kubernetes:apps/v1:Deployment",
            "kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet",
        ):
            continue
        labels = resource.inputs["metadata"]["labels"]
        if labels.get("app.kubernetes.io/name") != "vllm":
            continue
        (path,) = set(MODEL.findall(json.dumps(resource.inputs["spec"]).replace('"', " ")))
        found[labels["llm-platform/tier"]] = (resource, path)
    return found


def producers(graph: StackGraph) -> dict[str, list[Registration]]:
    """Model path -> what says it puts that path where servers read it."""
    found: dict[str, list[Registration]] = {}
    for resource in graph.resources:
        annotations = (resource.inputs.get("metadata") or {}).get("annotations") or {}
        for path in json.loads(annotations.get("llm-platform/weights-paths", "[]")):
            found.setdefault(path, []).append(resource)
    return found


EXPECTED = {
    "dev": {"small": (f"/models/meta-llama/Llama-3.1-8B-Instruct/{REV_8B}", "fetch")},
    "staging": {"medium": (f"/models/meta-llama/Llama-3.3-70B-Instruct/{REV_70B}", "populate")},
    "prod": {
        "small": (f"/models/meta-llama/Llama-3.1-8B-Instruct/{REV_8B}", "import"),
        "medium": (f"/models/meta-llama/Llama-3.3-70B-Instruct/{REV_70B}", "import"),
        "large": (f"/models/meta-llama/Llama-3.1-405B-Instruct/{REV_405B}", "import"),
    },
    "legacy": {
        "small": (f"/models/meta-llama/Llama-3.1-8B-Instruct/{REV_8B}", "populate"),
        "medium": (f"/models/meta-llama/Llama-3.3-70B-Instruct/{REV_70B}", "populate"),
        "large": (f"/models/meta-llama/Llama-3.1-405B-Instruct/{REV_405B}", "populate"),
    },
}


@pytest.mark.parametrize("stack", STACKS)
def test_every_tier_rolls_only_after_the_step_that_puts_its_model_path_in_place(
    graphs: dict[str, StackGraph], stack: str
) -> None:
    graph = graphs[stack]
    made = producers(graph)
    served = workloads(graph)
    assert {tier: path for tier, (_, path) in served.items()} == {t: p for t, (p, _) in EXPECTED[stack].items()}
    for tier, (workload, path) in served.items():
        (producer,) = made[path]
        assert producer.inputs["metadata"]["annotations"]["llm-platform/weights-step"] == EXPECTED[stack][tier][1]
        assert producer.urn in upstream(graph, workload)


@pytest.mark.parametrize("stack", STACKS)
def test_every_served_folder_is_fetched_from_its_pinned_revision_before_any_copy(
    graphs: dict[str, StackGraph], stack: str
) -> None:
    graph = graphs[stack]
    fetches = [
        j for j in graph.by_type(JOB) if j.inputs["metadata"]["labels"]["app.kubernetes.io/name"] == "model-weights"
    ]
    envs = [
        {e["name"]: e["value"] for e in j.inputs["spec"]["template"]["spec"]["containers"][0]["env"]} for j in fetches
    ]
    assert {(e["MODE"], e["REPO"], e["REVISION"]) for e in envs} == {
        ("fetch", f"meta-llama/{path.split('/')[3]}", path.rsplit("/", 1)[1]) for path, _ in EXPECTED[stack].values()
    }
    assert all(
        e["TOKEN_SECRET"] == f"projects/replace-me-llm-{stack}/secrets/huggingface-token/versions/latest" for e in envs
    )
    copies = [
        r
        for r in graph.resources
        if (r.inputs.get("metadata") or {}).get("annotations", {}).get("llm-platform/weights-step")
        in ("import", "populate")
    ]
    for copy in copies:
        assert {f.urn for f in fetches} & upstream(graph, copy), copy.name


def test_the_secret_manager_api_is_enabled_where_a_job_reads_the_hub_token(dev: StackGraph) -> None:
    services = {s.inputs["service"] for s in dev.by_type("gcp:projects/service:Service")}
    assert "secretmanager.googleapis.com" in services


def test_each_tier_output_says_where_its_weights_come_from_and_land(prod: StackGraph) -> None:
    weights = prod.outputs["tiers"]["large"]["weights"]
    assert weights["source"] == f"hf://meta-llama/Llama-3.1-405B-Instruct@{REV_405B}"
    assert (
        weights["bucketFolder"]
        == f"gs://replace-me-llm-prod-prod-models/models/meta-llama/Llama-3.1-405B-Instruct/{REV_405B}/"
    )
    assert weights["modelPath"] == f"/models/meta-llama/Llama-3.1-405B-Instruct/{REV_405B}"
    assert weights["job"].startswith("llm-prod-weights-6698ccb09b-")

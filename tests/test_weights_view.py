"""What the preview and the diff say about weights: each step and the tiers that wait for it."""

from __future__ import annotations

import json

import pytest
from rich.console import Console

from tools.diff import diff_graphs, format_markdown, format_text
from tools.graph import StackGraph, evaluate
from tools.render import print_preview
from tools.stack_config import load_stack_config
from tools.weights import weights_steps

REV_8B = "0e9e39f249a16976918f6564b8830bc894c89659"
REV_405B = "069992c75aed59df00ec06c17177e76c63296a26"
NEW_405B = "1" * 40


def test_each_step_names_what_it_copies_and_the_tiers_that_wait_for_it(prod: StackGraph) -> None:
    lines = [step.line() for step in weights_steps(prod)]
    bucket = "gs://replace-me-llm-prod-prod-models/models"
    assert (
        f"weights: import of {bucket}/meta-llama/Llama-3.1-405B-Instruct/{REV_405B}/ into Lustre "
        f"/meta-llama/Llama-3.1-405B-Instruct/{REV_405B}/ before tier large rolls"
    ) in lines
    assert (
        f"weights: fetch of hf://meta-llama/Llama-3.1-8B-Instruct@{REV_8B} into "
        f"{bucket}/meta-llama/Llama-3.1-8B-Instruct/{REV_8B}/ before tier small rolls"
    ) in lines
    assert len(lines) == 6  # a fetch and an import per folder, each awaited by its own tier only


def test_a_folder_two_tiers_share_is_awaited_by_both() -> None:
    values = load_stack_config("dev")
    tiers = json.loads(values["llm-platform:tiers"])
    model = tiers["small"]["model"]
    repo = "meta-llama/Llama-3.1-8B-Instruct"  # the preset's repository, named: the twin serves it as its own model
    source = {"huggingFace": {**model["source"]["huggingFace"], "repo": repo}}
    tiers["twin"] = {**tiers["small"], "model": {**model, "name": "llama-8b-twin", "path": repo, "source": source}}
    values["llm-platform:tiers"] = json.dumps(tiers)
    values["llm-platform:gateway"] = json.dumps({"auth": {"mode": "apiKey"}})
    (step,) = weights_steps(evaluate("dev", config=values))
    assert step.tiers == ("small", "twin")
    assert step.line().endswith("before tiers small, twin roll")


def test_the_preview_prints_every_step(dev: StackGraph) -> None:
    console = Console(width=400, record=True)
    print_preview(dev, console)
    text = console.export_text()
    assert f"weights: fetch of hf://meta-llama/Llama-3.1-8B-Instruct@{REV_8B} into gs://" in text
    assert "before tier small rolls" in text


@pytest.fixture(scope="module")
def revised(prod: StackGraph) -> StackGraph:
    """prod with the large tier on a new revision of its model."""
    values = load_stack_config("prod")
    tiers = json.loads(values["llm-platform:tiers"])
    tiers["large"]["model"]["source"]["huggingFace"]["revision"] = NEW_405B
    values["llm-platform:tiers"] = json.dumps(tiers)
    return evaluate("prod", config=values)


def test_a_new_revision_shows_its_fetch_and_import_before_the_tier_rolls(prod: StackGraph, revised: StackGraph) -> None:
    diff = diff_graphs(prod, revised)
    bucket = "gs://replace-me-llm-prod-prod-models/models"
    assert diff.weights == [
        f"weights: fetch of hf://meta-llama/Llama-3.1-405B-Instruct@{NEW_405B} into "
        f"{bucket}/meta-llama/Llama-3.1-405B-Instruct/{NEW_405B}/ before tier large rolls",
        f"weights: import of {bucket}/meta-llama/Llama-3.1-405B-Instruct/{NEW_405B}/ into Lustre "
        f"/meta-llama/Llama-3.1-405B-Instruct/{NEW_405B}/ before tier large rolls",
    ]
    text = format_text(diff)
    assert text.splitlines()[1] == diff.weights[0]
    assert f"- {diff.weights[1]}" in format_markdown([diff])
    workload = next(c for c in diff.changes if c.name == "serving-large-leader-worker-set")
    assert workload.kind == "update"
    # the other tiers' folders, fetches and imports are untouched
    assert not [c for c in diff.changes if "c6033c3921" in c.urn or "d38906ef27" in c.urn]


def test_no_change_runs_no_weights_step(prod: StackGraph) -> None:
    assert diff_graphs(prod, prod).weights == []

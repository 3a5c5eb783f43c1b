"""The GitHub Actions workflows validate against the workflow schema and hold both pull-request jobs.

The stacks step is a shell script, so it is run as the runner runs it: bash in a checkout.
"""

from __future__ import annotations

import json
import os
import subprocess
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator

from tests.conftest import STACKS
from tools.stack_config import PROJECT_ROOT, available_stacks, load_stack_config

WORKFLOWS = sorted((PROJECT_ROOT / ".github" / "workflows").glob("*.yml"))


def _schema() -> dict[str, Any]:
    vendored = resources.files("check_jsonschema.builtin_schemas.vendor") / "github-workflows.json"
    return json.loads(vendored.read_text(encoding="utf-8"))


def _load(path: Path) -> dict[str, Any]:
    # YAML 1.1 reads the key `on` as True; GitHub reads it as the string "on".
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in document:
        document["on"] = document.pop(True)
    return document


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_matches_the_schema(path: Path) -> None:
    errors = sorted(Draft7Validator(_schema()).iter_errors(_load(path)), key=lambda e: list(e.path))
    assert [f"{'.'.join(map(str, e.path))}: {e.message}" for e in errors] == []


def test_pull_request_workflow_has_the_offline_and_the_credentialed_job() -> None:
    workflow = _load(PROJECT_ROOT / ".github" / "workflows" / "pull-request.yml")
    assert "pull_request" in workflow["on"]
    offline, preview = workflow["jobs"]["offline"], workflow["jobs"]["preview"]

    text = json.dumps(offline)
    assert "secrets." not in text and "id-token" not in text  # no cloud credential at all
    runs = "\n".join(step.get("run", "") for step in offline["steps"])
    assert "make test" in runs
    assert "python -m tools policy" in runs
    assert "python -m tools diff $STACKS --base" in runs and "--markdown" in runs
    assert 'for stack in $STACKS; do\n  .venv/bin/python -m tools policy "$stack"' in runs
    assert "--checkov" in runs
    comment = next(s for s in offline["steps"] if s.get("uses", "").startswith("actions/github-script@"))
    assert "updateComment" in comment["with"]["script"]  # one comment, updated on every push
    assert offline["steps"][0]["with"]["fetch-depth"] == 0  # the base branch must be there for the worktree

    assert preview["strategy"]["matrix"]["stack"] == "${{ fromJSON(needs.offline.outputs.preview-stacks) }}"
    assert offline["outputs"]["preview-stacks"] == "${{ steps.stacks.outputs.preview }}"
    assert preview["needs"] == "offline"
    assert "needs.offline.outputs.preview-stacks != '[]'" in preview["if"]  # an empty matrix is an error
    assert "vars.GCP_WORKLOAD_IDENTITY_PROVIDER" in preview["if"]
    assert preview["permissions"]["id-token"] == "write"
    (pulumi,) = [s for s in preview["steps"] if s.get("uses", "").startswith("pulumi/actions@")]
    assert pulumi["uses"] == "pulumi/actions@v7"
    assert pulumi["with"]["command"] == "preview"
    assert pulumi["with"]["comment-on-pr"] is True and pulumi["with"]["policyPacks"] == "policies"
    auth = next(s for s in preview["steps"] if s.get("uses", "").startswith("google-github-actions/auth@"))
    assert set(auth["with"]) == {"workload_identity_provider", "service_account"}


def _stacks_step() -> dict[str, Any]:
    workflow = _load(PROJECT_ROOT / ".github" / "workflows" / "pull-request.yml")
    return next(step for step in workflow["jobs"]["offline"]["steps"] if step.get("id") == "stacks")


def _run_stacks_step(
    directory: Path, offline_only: str, tmp_path: Path
) -> tuple[subprocess.CompletedProcess, str, str]:
    """The step's script as the runner runs it (bash), in `directory`; what it wrote to the env and outputs."""
    env_file, output_file = tmp_path / "env", tmp_path / "output"
    env_file.write_text("")
    output_file.write_text("")
    environment = {"PATH": os.environ["PATH"], "GITHUB_ENV": str(env_file), "GITHUB_OUTPUT": str(output_file)}
    result = subprocess.run(
        ["bash", "-e", "-c", _stacks_step()["run"]],
        cwd=directory,
        env={**environment, "OFFLINE_ONLY": offline_only},
        capture_output=True,
        text=True,
        check=False,
    )
    return result, env_file.read_text(), output_file.read_text()


def _uses_parallelstore(stack: str) -> bool:
    store = json.loads(load_stack_config(stack).get("llm-platform:modelStore", "{}"))
    return store.get("type") == "parallelstore"


def test_the_stack_list_comes_from_the_repository(tmp_path: Path) -> None:
    stacks = available_stacks()
    assert sorted(STACKS) == stacks  # the test suite evaluates every stack the repository has
    offline_only = _stacks_step()["env"]["OFFLINE_ONLY"]
    # A stack opts out of the credentialed preview when it needs Parallelstore (closed to new customers).
    assert offline_only.split() == [stack for stack in stacks if _uses_parallelstore(stack)]
    result, env, output = _run_stacks_step(PROJECT_ROOT, offline_only, tmp_path)
    assert result.returncode == 0, result.stderr
    assert env == f"STACKS={' '.join(stacks)}\n"
    assert output == f"preview={json.dumps([s for s in stacks if s not in offline_only.split()])}\n"


def test_a_new_stack_file_joins_the_matrix_and_a_typo_in_the_opt_out_fails(tmp_path: Path) -> None:
    repository = tmp_path / "repo"
    repository.mkdir()
    for name in ("Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.qa.yaml"):
        (repository / name).write_text("config: {}\n")
    result, env, output = _run_stacks_step(repository, "", tmp_path)
    assert (env, output) == ("STACKS=dev qa\n", 'preview=["dev", "qa"]\n')
    result, _, _ = _run_stacks_step(repository, "legacy", tmp_path)
    assert result.returncode != 0 and "OFFLINE_ONLY names stacks without a Pulumi.<stack>.yaml: legacy" in result.stderr


def test_a_broken_workflow_is_caught() -> None:
    broken = {"on": {"pull_request": {}}, "jobs": {"x": {"runs-on": "ubuntu-latest", "steps": [{"uses": 3}]}}}
    assert list(Draft7Validator(_schema()).iter_errors(broken))

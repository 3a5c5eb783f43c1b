"""The GitHub Actions workflows validate against the workflow schema and hold both pull-request jobs."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator

from tests.conftest import STACKS
from tools.stack_config import PROJECT_ROOT

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
    assert "python -m tools diff dev staging prod legacy --base" in runs and "--markdown" in runs
    assert "--checkov" in runs
    comment = next(s for s in offline["steps"] if s.get("uses", "").startswith("actions/github-script@"))
    assert "updateComment" in comment["with"]["script"]  # one comment, updated on every push
    assert offline["steps"][0]["with"]["fetch-depth"] == 0  # the base branch must be there for the worktree

    assert preview["strategy"]["matrix"]["stack"] == list(STACKS)
    assert preview["needs"] == "offline"
    assert "vars.GCP_WORKLOAD_IDENTITY_PROVIDER" in preview["if"]
    assert preview["permissions"]["id-token"] == "write"
    (pulumi,) = [s for s in preview["steps"] if s.get("uses", "").startswith("pulumi/actions@")]
    assert pulumi["uses"] == "pulumi/actions@v7"
    assert pulumi["with"]["command"] == "preview"
    assert pulumi["with"]["comment-on-pr"] is True and pulumi["with"]["policyPacks"] == "policies"
    auth = next(s for s in preview["steps"] if s.get("uses", "").startswith("google-github-actions/auth@"))
    assert set(auth["with"]) == {"workload_identity_provider", "service_account"}


def test_a_broken_workflow_is_caught() -> None:
    broken = {"on": {"pull_request": {}}, "jobs": {"x": {"runs-on": "ubuntu-latest", "steps": [{"uses": 3}]}}}
    assert list(Draft7Validator(_schema()).iter_errors(broken))

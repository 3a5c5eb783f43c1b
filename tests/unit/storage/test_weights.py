"""The weights plan and the Job's pure parts: folders, names, the grant's condition, the pod."""

from __future__ import annotations

import pytest

from components.storage.config import WeightsFetchConfig
from components.storage.weights import (
    PYTHON_IMAGE,
    ModelWeights,
    config_problems,
    folder_condition,
    job_environment,
    job_name,
    job_pod,
    job_spec,
    ksa_name,
    secret_of,
    step_annotations,
    weights_plan,
)
from tests.helpers import LLAMA_8B, LLAMA_70B, assert_rejected, config, naming, tier, values
from tests.unit.sdk_args import plain

REV_8B = "0e9e39f249a16976918f6564b8830bc894c89659"
FETCHED = ModelWeights(
    f"meta-llama/Llama-3.1-8B-Instruct/{REV_8B}",
    ("small",),
    "meta-llama/Llama-3.1-8B-Instruct",
    REV_8B,
    ("original/*",),
)
# The gateway routes a model name to one tier: a second tier serves the same folder under its own name.
TWIN_8B = {
    **LLAMA_8B,
    "name": "llama-8b-twin",
    "path": "meta-llama/Llama-3.1-8B-Instruct",
    "source": {"huggingFace": {"revision": REV_8B, "repo": "meta-llama/Llama-3.1-8B-Instruct"}},
}
UPLOADED = ModelWeights("meta-llama/Llama-3.3-70B-Instruct", ("medium",))


def _source(revision: str = REV_8B, **fields: object) -> dict[str, object]:
    return {"huggingFace": {"revision": revision, **fields}}


def test_the_plan_has_one_entry_per_folder_fetched_or_checked() -> None:
    tiers = {
        "small": tier(model={**LLAMA_8B, "source": _source()}),
        "twin": tier(model=TWIN_8B),
        "medium": tier(machineType="tpu7x-standard-4t", topology="2x2x1", model=LLAMA_70B),
    }
    plan = weights_plan(config({"llm-platform:tiers": tiers}))
    assert plan == [
        ModelWeights(
            f"meta-llama/Llama-3.1-8B-Instruct/{REV_8B}",
            ("small", "twin"),
            "meta-llama/Llama-3.1-8B-Instruct",
            REV_8B,
            ("original/*",),
        ),
        ModelWeights("meta-llama/Llama-3.3-70B-Instruct", ("medium",)),
    ]
    assert [w.mode for w in plan] == ["fetch", "verify"]


def test_a_source_with_its_own_repository_and_path_fetches_that_repository_into_that_path() -> None:
    source = _source(repo="acme/llama-8b-tuned", ignorePatterns=["*.pth", "original/*"])
    (weights,) = weights_plan(
        config({"llm-platform:tiers": {"small": tier(model={**LLAMA_8B, "path": "tuned", "source": source})}})
    )
    assert (weights.folder, weights.repo, weights.ignore_patterns) == (
        f"tuned/{REV_8B}",
        "acme/llama-8b-tuned",
        ("*.pth", "original/*"),
    )


def test_two_tiers_may_share_a_folder_only_with_the_same_source() -> None:
    tiers = {
        "small": tier(model={**LLAMA_8B, "path": f"shared/{REV_8B}"}),
        "twin": tier(model={**TWIN_8B, "path": "shared"}),
    }
    assert_rejected(
        values({"llm-platform:tiers": tiers}),
        f"llm-platform:tiers.twin.model.path: folder 'shared/{REV_8B}' is also tier small's, which expects it "
        "uploaded by hand (allowed: the same source as tier small, or another path)",
    )
    same = {"small": tier(model={**LLAMA_8B, "path": "shared", "source": _source()}), "twin": tiers["twin"]}
    assert config_problems(config({"llm-platform:tiers": same})) == []


def test_paths_and_names_derive_from_the_folder() -> None:
    assert FETCHED.object_prefix("models/") == f"models/meta-llama/Llama-3.1-8B-Instruct/{REV_8B}/"
    assert FETCHED.server_path("/models/") == f"/models/meta-llama/Llama-3.1-8B-Instruct/{REV_8B}"
    assert FETCHED.digest == "c6033c3921"
    assert ksa_name(naming(stack="prod"), FETCHED) == "llm-prod-weights-c6033c3921"
    assert FETCHED.describe("acme-models", "models/") == (
        f"fetch of hf://meta-llama/Llama-3.1-8B-Instruct@{REV_8B} into "
        f"gs://acme-models/models/meta-llama/Llama-3.1-8B-Instruct/{REV_8B}/"
    )
    assert (
        UPLOADED.describe("acme-models", "models/")
        == "check of gs://acme-models/models/meta-llama/Llama-3.3-70B-Instruct/"
    )


def test_the_job_name_changes_with_what_the_pod_runs_and_only_then() -> None:
    first = job_name(naming(stack="prod"), FETCHED, "image:1", "MODE=fetch")
    assert first.startswith("llm-prod-weights-c6033c3921-") and len(first) == len("llm-prod-weights-c6033c3921-") + 10
    assert job_name(naming(stack="prod"), FETCHED, "image:1", "MODE=fetch") == first
    assert job_name(naming(stack="prod"), FETCHED, "image:2", "MODE=fetch") != first


def test_the_grant_condition_covers_the_folder_and_nothing_beside_it() -> None:
    assert folder_condition("acme-models", "models/org/model/abc/") == (
        'resource.name.startsWith("projects/_/buckets/acme-models/objects/models/org/model/abc/")'
    )


def test_the_environment_names_the_token_secret_never_a_token() -> None:
    fetch = WeightsFetchConfig(token_secret_version="projects/p/secrets/hf/versions/3", parallel_files=8)
    assert job_environment(FETCHED, "acme-models", "models/", fetch) == {
        "MODE": "fetch",
        "BUCKET": "acme-models",
        "DEST": f"models/meta-llama/Llama-3.1-8B-Instruct/{REV_8B}/",
        "REPO": "meta-llama/Llama-3.1-8B-Instruct",
        "REVISION": REV_8B,
        "IGNORE": '["original/*"]',
        "PARALLEL": "8",
        "TOKEN_SECRET": "projects/p/secrets/hf/versions/3",
        "PYTHONUNBUFFERED": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    assert job_environment(UPLOADED, "acme-models", "models/", fetch) == {
        "MODE": "verify",
        "BUCKET": "acme-models",
        "DEST": "models/meta-llama/Llama-3.3-70B-Instruct/",
        "PYTHONUNBUFFERED": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def test_the_pod_is_restricted_runs_the_script_on_the_pinned_image_and_never_sees_the_kubernetes_api() -> None:
    pod = plain(
        job_pod("llm-prod-weights-c6033c3921", PYTHON_IMAGE, {"MODE": "verify"}, {"llm-platform/pool": "system"})
    )
    assert PYTHON_IMAGE.startswith("python:3.12.8-slim-bookworm@sha256:")
    assert (pod["service_account_name"], pod["automount_service_account_token"]) == (
        "llm-prod-weights-c6033c3921",
        False,
    )
    assert (pod["restart_policy"], pod["node_selector"]) == ("Never", {"llm-platform/pool": "system"})
    assert pod["security_context"] == {
        "run_as_non_root": True,
        "run_as_user": 10001,
        "run_as_group": 10001,
        "seccomp_profile": {"type": "RuntimeDefault"},
    }
    (container,) = pod["containers"]
    assert container["command"][:2] == ["python3", "-c"]
    assert "def main(" in container["command"][2]
    assert container["security_context"] == {
        "allow_privilege_escalation": False,
        "read_only_root_filesystem": True,
        "capabilities": {"drop": ["ALL"]},
    }
    assert container["env"] == [{"name": "MODE", "value": "verify"}]


def test_the_job_retries_twice_within_its_timeout() -> None:
    spec = plain(job_spec(FETCHED, WeightsFetchConfig(timeout_minutes=90), job_pod("k", PYTHON_IMAGE, {}, {})))
    assert (spec["backoff_limit"], spec["active_deadline_seconds"]) == (2, 5400)
    assert spec["template"]["metadata"]["labels"] == {
        "app.kubernetes.io/name": "model-weights",
        "llm-platform/weights": "c6033c3921",
    }


def test_a_step_says_what_it_does_and_the_paths_it_produces() -> None:
    assert step_annotations("import", "import of gs://b/m/ into Lustre /m/", ["/models/b", "/models/a"]) == {
        "llm-platform/weights-step": "import",
        "llm-platform/weights-source": "import of gs://b/m/ into Lustre /m/",
        "llm-platform/weights-paths": '["/models/a", "/models/b"]',
    }


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("projects/acme/secrets/hf-token/versions/latest", ("acme", "hf-token")),
        ("projects/1234/secrets/t/versions/2", ("1234", "t")),
    ],
)
def test_the_secret_is_read_off_its_version(version: str, expected: tuple[str, str]) -> None:
    assert secret_of(version) == expected

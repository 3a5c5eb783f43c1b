"""`python -m tools vllm-release` on a miniature vLLM and tpu-inference built in git by the test.

No network and no vLLM: the fixture repositories (tests/unit/tools/vllm_fixture.py) are written in
the shapes the real source uses, and the expected values below are read off that fixture by hand.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

from components.serving.vllm_release import VllmRelease, load
from tests.unit.tools import vllm_fixture
from tools.__main__ import main
from tools.vllm_release import notes, review
from tools.vllm_release.extract import image_commits, next_dev_version
from tools.vllm_release.git import GitError, GitTree
from tools.vllm_release.hints import HintReader, argparse_kwargs
from tools.vllm_release.pysource import SourceIndex


@pytest.fixture(scope="module")
def repos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("mirrors")
    vllm = vllm_fixture.init(root / "vllm")
    vllm_fixture.commit(vllm, vllm_fixture.VLLM, "vLLM at a release")
    vllm_fixture.tag(vllm, "v0.1.0")
    vllm_sha = vllm_fixture.commit(
        vllm, {"vllm/README": "one commit after the tag\n"}, "after", when="2026-01-02T08:00:00+00:00"
    )
    tpu = vllm_fixture.init(root / "tpu")
    tpu_sha = vllm_fixture.commit(
        tpu, {**vllm_fixture.TPU, ".buildkite/vllm_lkg.version": vllm_sha + "\n"}, "tpu-inference"
    )
    index = SourceIndex(GitTree(vllm / ".git", vllm_sha).read_many(list(vllm_fixture.VLLM)))
    digests = {k: v.digest for k, v in review.check(index, notes.ANCHORS, None).items()}
    return {
        "vllm": vllm,
        "tpu": tpu,
        "vllm_sha": vllm_sha,
        "tpu_sha": tpu_sha,
        "image": f"vllm/vllm-tpu:nightly-20260102-{tpu_sha[:7]}-{vllm_sha[:9]}",
        "digests": digests,
    }


def _run(repos: dict[str, Any], out: Path, *extra: str) -> int:
    return main(
        [
            "vllm-release",
            "--vllm-git",
            str(repos["vllm"] / ".git"),
            "--tpu-inference-git",
            str(repos["tpu"] / ".git"),
            "--image",
            repos["image"],
            "--date",
            "2026-01-03",
            "--out",
            str(out),
            *extra,
        ]
    )


@pytest.fixture(scope="module")
def extracted(repos: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("extract") / "vllm_release.json"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(notes, "REVIEWED", repos["digests"])
        assert _run(repos, out) == 0
    return out


@pytest.fixture(scope="module")
def release(extracted: Path) -> VllmRelease:
    return load(extracted)


def test_provenance_names_both_commits_the_image_and_the_version(release: VllmRelease, repos: dict) -> None:
    assert release.image == repos["image"]
    assert release.built == "2026-01-02"
    assert release.extracted == "2026-01-03"
    assert release.vllm.sha == repos["vllm_sha"]
    assert release.vllm.date == "2026-01-02T08:00:00+00:00"
    assert release.tpu_inference.sha == repos["tpu_sha"]
    assert release.tpu_vllm_lkg == repos["vllm_sha"]
    assert (release.version_tag, release.version) == ("v0.1.0", "0.1.1.dev1")


def test_metrics_come_from_every_way_vllm_defines_them(release: VllmRelease) -> None:
    assert set(release.metrics) == {
        "vllm:cache_config_info",
        "vllm:kv_offload_cpu_cache_usage_perc",
        "vllm:kv_offload_load_bytes",
        "vllm:kv_offload_total_bytes",
        "vllm:lora_requests_info",
        "vllm:num_requests_waiting",
        "vllm:prompt_tokens",
        "vllm:spec_decode_num_draft_tokens",
        "vllm:spec_decode_num_drafts",
        "vllm:time_to_first_token_seconds",
    }
    prompt = release.metric("vllm:prompt_tokens")
    assert (prompt.type, prompt.series) == ("counter", ("vllm:prompt_tokens_total",))
    assert prompt.monitoring_type == "prometheus.googleapis.com/vllm:prompt_tokens_total/counter"
    ttft = release.series("vllm:time_to_first_token_seconds_bucket")
    assert ttft.monitoring_type == "prometheus.googleapis.com/vllm:time_to_first_token_seconds/histogram"
    assert release.metric("vllm:kv_offload_cpu_cache_usage_perc").type == "gauge"
    assert release.metric("vllm:kv_offload_total_bytes").deprecated
    assert not release.metric("vllm:prompt_tokens").deprecated
    with pytest.raises(KeyError, match="vllm:time_per_output_token_seconds"):
        release.metric("vllm:time_per_output_token_seconds")


def test_metric_conditions_and_unresolved_constructors_are_recorded(extracted: Path) -> None:
    import json

    document = json.loads(extracted.read_text(encoding="utf-8"))
    metrics = {m["name"]: m for m in document["metrics"]}
    assert metrics["vllm:lora_requests_info"]["definitions"][0]["conditions"] == ["config.lora is not None"]
    assert metrics["vllm:cache_config_info"]["definitions"][0]["conditions"] == ["config.info"]
    assert metrics["vllm:num_requests_waiting"]["definitions"][0]["conditions"] == []
    assert document["unresolved_metric_definitions"] == [
        {"file": "vllm/v1/metrics/loggers.py", "line": 21, "name": "config.metric_name()"}
    ]


def test_flags_are_what_vllms_builder_makes_of_the_config_fields(release: VllmRelease) -> None:
    assert release.flag("--dtype").choices == ("auto", "bfloat16", "half")
    assert release.flag("--runner").choices == ("auto", "generate", "pooling")
    quantization = release.flag("-q")
    assert (quantization.name, quantization.choices, quantization.values) == (
        "--quantization",
        None,
        ("awq", "compressed-tensors", "fp8"),
    )
    assert quantization.optional
    assert release.flag("--served-model-name").takes_several
    assert release.flag("--api-key").nargs == "+"
    assert release.flag("--max-model-len").type == "human_readable_int_or_auto"
    seqs = release.flag("--max-num-seqs")
    assert (seqs.default, seqs.config_field, dict(seqs.constraints)) == (
        None,
        "SchedulerConfig.max_num_seqs",
        {"ge": 1},
    )
    assert release.flag("--enforce-eager").action == "BooleanOptionalAction"
    assert release.flag("--tensor_parallel_size") == release.flag("-tp")
    assert release.flag("--shutdown-timeout").type == "int" and release.flag("--shutdown-timeout").default == 0
    assert release.flag("--enable-log-requests").default is False
    middleware = release.flag("--middleware")
    assert (middleware.action, middleware.nargs, middleware.default) == ("append", None, [])
    assert (release.flag("--allowed-origins").type, release.flag("--allowed-origins").nargs) == ("json", None)
    assert release.flag("--response-role").default == "assistant"
    assert release.flag("--port").default == 8000
    assert release.flag("model_tag").nargs == "?"
    assert not release.has_flag("--limit")  # a ClassVar is no field


def test_tpu_facts_and_environment(release: VllmRelease) -> None:
    assert release.tpu_quantizations == ("compressed-tensors", "fp8")
    assert release.vllm_quantizations == ("awq", "compressed-tensors", "fp8")
    assert release.deprecated_quantizations == ("awq",)
    assert release.compile_cache_env == ("VLLM_XLA_CACHE_PATH",)
    assert release.reads_env("VLLM_API_KEY") and release.reads_env("TPU_MULTIHOST_BACKEND")
    assert not release.reads_env("VLLM_TORCH_COMPILE_CACHE_DIR")
    assert release.guarded_prefixes == ("/v1", "/v2")


def test_notes_point_at_the_lines_they_rest_on(release: VllmRelease) -> None:
    assert "(vllm/engine/arg_utils.py:39)" in release.notes["shutdown"]
    assert "(vllm/v1/engine/core.py:7)" in release.notes["shutdown"]  # _handle_shutdown
    assert "vllm/entrypoints/serve/utils/server_utils.py:1" in release.notes["api_key"]


def test_regenerating_at_the_same_commits_is_byte_identical(repos: dict, extracted: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.json"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(notes, "REVIEWED", repos["digests"])
        assert _run(repos, again) == 0
    assert again.read_bytes() == extracted.read_bytes()


def test_a_change_to_reviewed_code_stops_the_extraction(repos: dict, tmp_path: Path, capsys) -> None:
    changed = tmp_path / "changed"
    vllm_fixture.init(changed)
    engine = vllm_fixture.VLLM["vllm/v1/engine/core.py"].replace("self.abort_all()", "self.drain_all()")
    sha = vllm_fixture.commit(changed, {**vllm_fixture.VLLM, "vllm/v1/engine/core.py": engine}, "drain instead")
    out = tmp_path / "out.json"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(notes, "REVIEWED", repos["digests"])
        code = main(
            [
                "vllm-release",
                "--vllm-git",
                str(changed / ".git"),
                "--tpu-inference-git",
                str(repos["tpu"] / ".git"),
                "--image",
                f"vllm/vllm-tpu:nightly-20260102-{repos['tpu_sha'][:7]}-{sha[:7]}",
                "--vllm-release-tag",
                f"v0.1.0={sha}",
                "--out",
                str(out),
            ]
        )
    err = capsys.readouterr().err
    assert code == 1 and not out.exists()
    assert "engine_drain (vllm/v1/engine/core.py:" in err
    assert "shutdown_flag" not in err


def test_an_image_built_from_other_commits_is_refused(repos: dict, tmp_path: Path, capsys) -> None:
    code = main(
        [
            "vllm-release",
            "--vllm-git",
            str(repos["vllm"] / ".git"),
            "--tpu-inference-git",
            str(repos["tpu"] / ".git"),
            "--image",
            repos["image"],
            "--vllm-commit",
            "v0.1.0",
            "--out",
            str(tmp_path / "x.json"),
        ]
    )
    assert code == 1
    assert "the image is built from vLLM" in capsys.readouterr().err


def test_git_tree_reads_files_and_refuses_what_the_commit_lacks(repos: dict) -> None:
    tree = GitTree(repos["vllm"] / ".git", repos["vllm_sha"][:8])
    assert tree.commit == repos["vllm_sha"]
    assert tree.read("vllm/README") == "one commit after the tag\n"
    assert "vllm/v1/metrics/loggers.py" in tree.python_files("vllm")
    with pytest.raises(GitError, match="not in the commit"):
        tree.read("vllm/missing.py")
    with pytest.raises(GitError):
        GitTree(repos["vllm"] / ".git", "0" * 40)


@pytest.mark.parametrize(
    ("tag", "distance", "version"),
    [
        ("v0.23.1rc0", 462, "0.23.1rc1.dev462"),  # setuptools_scm guess-next-dev bumps the pre-release
        ("v0.24.0", 5, "0.24.1.dev5"),
        ("v0.24.0", 0, "0.24.0"),
    ],
)
def test_version_follows_setuptools_scm(tag: str, distance: int, version: str) -> None:
    assert next_dev_version(tag, distance) == version


def test_image_tag_names_date_and_commits() -> None:
    assert image_commits("vllm/vllm-tpu:nightly-20260626-c539adc-cc79815") == ("2026-06-26", "c539adc", "cc79815")
    with pytest.raises(ValueError, match="nightly-<yyyymmdd>"):
        image_commits("vllm/vllm-tpu:v0.11.0")


@pytest.mark.parametrize(
    ("annotation", "kwargs"),
    [
        ("bool | str | None", {"type": "str", "nargs": "?", "const": True}),
        ("tuple[int, int]", {"type": "int", "nargs": 2}),
        ("tuple[int, ...]", {"type": "int", "nargs": "+"}),
        ("list[int | str]", {"type": "str", "nargs": "+"}),
        (
            'list[Literal["a", "b"]] | None',
            {"type": "str", "choices": ["a", "b", "None"], "nargs": "+", "optional": True},
        ),
        ("dict[str, int] | str", {"type": "json_or_str"}),
        ("dict[str, int]", {"type": "json"}),
        ("float", {"type": "float"}),
        ('Literal["x", "y"] | str', {"type": "str", "metavar": ["x", "y"]}),
    ],
)
def test_argparse_settings_follow_vllms_rules(annotation: str, kwargs: dict) -> None:
    index = SourceIndex({"m.py": "from typing import Literal\n"})
    module = index.module("m")
    hints = HintReader(index, "runtime").hints(module, ast.parse(annotation, mode="eval").body)
    assert argparse_kwargs("field", hints) == kwargs

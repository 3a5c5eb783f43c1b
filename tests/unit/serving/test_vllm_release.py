"""The committed extract of the pinned vLLM release: its provenance, and what the program names in it.

Expected facts come from vLLM's documentation of its metrics and `vllm serve` arguments and from the
default image's tag, not from the extract itself.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from packaging.version import Version

from components.operations.metrics import VLLM_METRICS, prometheus_metric_type
from components.serving.images import DEFAULT_VLLM_IMAGE
from components.serving.vllm_args import DERIVED_FLAGS
from components.serving.vllm_release import load
from components.serving.workload import QUEUE_METRIC

RELEASE = load()
SHA = re.compile(r"^[0-9a-f]{40}$")


def _tag_parts() -> tuple[str, str, str]:
    _, day, tpu, vllm = DEFAULT_VLLM_IMAGE.rpartition(":")[2].split("-")
    return day, tpu, vllm


def test_extract_is_of_the_default_image() -> None:
    day, tpu_short, vllm_short = _tag_parts()
    assert RELEASE.image == DEFAULT_VLLM_IMAGE
    assert RELEASE.built == f"{day[:4]}-{day[4:6]}-{day[6:]}"
    assert SHA.match(RELEASE.vllm.sha) and RELEASE.vllm.sha.startswith(vllm_short)
    assert SHA.match(RELEASE.tpu_inference.sha) and RELEASE.tpu_inference.sha.startswith(tpu_short)
    assert (RELEASE.vllm.repository, RELEASE.tpu_inference.repository) == (
        "vllm-project/vllm",
        "vllm-project/tpu-inference",
    )


def test_provenance_dates_are_consistent() -> None:
    built = date.fromisoformat(RELEASE.built)
    for commit in (RELEASE.vllm, RELEASE.tpu_inference):
        assert datetime.fromisoformat(commit.date).astimezone(UTC).date() <= built
    assert date.fromisoformat(RELEASE.extracted) >= built


def test_tpu_inference_was_built_against_this_vllm() -> None:
    """tpu-inference's last-known-good vLLM at its commit is the vLLM the tag names."""
    assert RELEASE.tpu_vllm_lkg == RELEASE.vllm.sha


def test_version_is_a_development_build_after_its_tag() -> None:
    version = Version(RELEASE.version)
    assert version.is_devrelease
    assert version > Version(RELEASE.version_tag.removeprefix("v"))


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("vllm:num_requests_running", "gauge"),
        ("vllm:num_requests_waiting", "gauge"),
        ("vllm:kv_cache_usage_perc", "gauge"),
        ("vllm:time_to_first_token_seconds", "histogram"),
        ("vllm:inter_token_latency_seconds", "histogram"),
        ("vllm:request_time_per_output_token_seconds", "histogram"),
        ("vllm:e2e_request_latency_seconds", "histogram"),
        ("vllm:request_queue_time_seconds", "histogram"),
        ("vllm:prompt_tokens", "counter"),
        ("vllm:generation_tokens", "counter"),
    ],
)
def test_the_serving_metrics_exist_with_their_types(name: str, kind: str) -> None:
    assert RELEASE.metric(name).type == kind


def test_series_names_are_as_prometheus_exposes_them() -> None:
    assert RELEASE.series("vllm:generation_tokens_total").name == "vllm:generation_tokens"
    assert RELEASE.series("vllm:time_to_first_token_seconds_count").name == "vllm:time_to_first_token_seconds"
    assert RELEASE.metric("vllm:e2e_request_latency_seconds").series == (
        "vllm:e2e_request_latency_seconds_bucket",
        "vllm:e2e_request_latency_seconds_sum",
        "vllm:e2e_request_latency_seconds_count",
    )


def test_time_per_output_token_seconds_is_gone() -> None:
    with pytest.raises(KeyError, match="defines no metric"):
        RELEASE.metric("vllm:time_per_output_token_seconds")


def _undefined_allow_list_metrics() -> list[str]:
    types = (prometheus_metric_type(name, kind) for name, kind in VLLM_METRICS.items())
    return sorted(t for t in types if t not in RELEASE.monitoring_types)


def test_every_vllm_metric_in_the_allow_list_is_defined_by_the_pinned_release() -> None:
    assert _undefined_allow_list_metrics() == []


def test_the_autoscaler_queue_metric_exists() -> None:
    assert QUEUE_METRIC.replace("|", "/") in RELEASE.monitoring_types


@pytest.mark.parametrize("flag", DERIVED_FLAGS)
def test_every_flag_the_platform_derives_is_a_flag_of_the_release(flag: str) -> None:
    assert RELEASE.has_flag(flag)


def test_shutdown_timeout_defaults_to_abort() -> None:
    flag = RELEASE.flag("--shutdown-timeout")
    assert (flag.type, flag.default) == ("int", 0)
    assert "0 = abort" in flag.help


def test_several_api_keys_and_served_names_follow_one_flag() -> None:
    for name in ("--api-key", "--served-model-name"):
        flag = RELEASE.flag(name)
        assert flag.takes_several and flag.type == "str"
    assert RELEASE.reads_env("VLLM_API_KEY")
    assert "/v1" in RELEASE.guarded_prefixes and "/health" not in RELEASE.guarded_prefixes


def test_kv_cache_dtype_and_dtype_are_enforced_choices() -> None:
    assert {"auto", "bfloat16", "fp8"} <= set(RELEASE.flag("--kv-cache-dtype").choices or ())
    assert {"auto", "bfloat16"} <= set(RELEASE.flag("--dtype").choices or ())
    assert RELEASE.flag("--kv-cache-dtype").accepts("fp8") and not RELEASE.flag("--kv-cache-dtype").accepts("fp4")


def test_tpu_quantizations_are_methods_vllm_knows() -> None:
    assert RELEASE.tpu_quantizations
    assert set(RELEASE.tpu_quantizations) <= set(RELEASE.vllm_quantizations)
    assert "fp8" in RELEASE.tpu_quantizations


def test_the_compile_cache_is_read_from_vllm_xla_cache_path() -> None:
    assert RELEASE.compile_cache_env == ("VLLM_XLA_CACHE_PATH",)
    assert RELEASE.reads_env("VLLM_XLA_CACHE_PATH")


def test_flag_lookup_accepts_aliases_and_underscores_and_names_the_release_when_missing() -> None:
    assert RELEASE.flag("-tp").name == "--tensor-parallel-size"
    assert RELEASE.flag("--max_model_len").name == "--max-model-len"
    with pytest.raises(KeyError, match=RELEASE.version):
        RELEASE.flag("--no-such-flag")


def test_notes_name_the_code_they_describe() -> None:
    assert "vllm/v1/engine/core.py:" in RELEASE.notes["shutdown"]
    assert "vllm/entrypoints/openai/cli_args.py:" in RELEASE.notes["api_key"]

"""One source for the server and the estimates: every estimate input is in the server's arguments.

The property reads the `vllm serve` arguments a tier gets and recomputes the tier's HBM and
throughput estimate from them alone (plus the checkpoint's architecture and the slice): if a setting
changed the estimate without changing the arguments, the two would differ.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from components.gke import tpu
from components.serving.config import TierConfig
from components.serving.drain import drain_timings
from components.serving.server_settings import kv_cache_problem, tpu_quantizations, weight_problems
from components.serving.vllm_release import load
from components.serving.workload import PodInputs, server_args
from components.storage.mount import ModelMount
from tests.helpers import LLAMA_8B

# What the arguments say, decoded by vLLM's meaning of each flag (vLLM `vllm serve --help`).
DTYPE = {"bfloat16": "bf16", "float16": "fp16"}
QUANTIZED_WEIGHTS = {"fp8": {"fp8"}, "auto_awq": {"int4"}, "compressed-tensors": {"fp8", "int8", "int4"}}
SHAPES = [("1x1x1", "tpu7x-standard-1t"), ("2x2x1", "tpu7x-standard-4t"), ("2x2x2", "tpu7x-standard-4t")]
MOUNT = ModelMount(volumes=[], volume_mounts=[], pod_annotations={}, model_root="/models", store="gcsfuse")


def _weights() -> st.SearchStrategy[dict[str, Any]]:
    return st.sampled_from(
        [
            {"weightDtype": "bf16"},
            {"weightDtype": "fp16"},
            {"weightDtype": "fp8"},
            {"weightDtype": "fp8", "quantization": "fp8"},
            {"weightDtype": "fp8", "quantization": "compressed-tensors"},
            {"weightDtype": "int8", "quantization": "compressed-tensors"},
            {"weightDtype": "int4", "quantization": "compressed-tensors"},
            {"weightDtype": "int4", "quantization": "auto_awq"},
        ]
    )


@st.composite
def tiers(draw: st.DrawFn) -> TierConfig:
    topology, machine = draw(st.sampled_from(SHAPES))
    weights = draw(_weights())
    compute = "fp16" if weights["weightDtype"] == "fp16" else "bf16"
    model = {
        **LLAMA_8B,
        "name": "org/model",
        "parametersBillion": draw(st.floats(0.5, 120)),
        "layers": draw(st.integers(8, 96)),
        "kvHeads": draw(st.sampled_from([1, 2, 4, 8, 16])),
        "headDim": draw(st.sampled_from([64, 128, 256])),
        "maxModelLen": draw(st.integers(256, 65536)),
        "maxNumSeqs": draw(st.integers(1, 256)),
        "kvCacheDtype": draw(st.sampled_from(["fp8", compute])),
        **weights,
    }
    raw = {
        "machineType": machine,
        "topology": topology,
        "memoryUtilization": draw(st.floats(0.5, 0.98)),
        "dataParallelSize": draw(st.sampled_from([1, 2])) if topology != "2x2x2" else 1,
        "model": model,
    }
    try:
        return TierConfig.model_validate(raw)
    except ValidationError:
        assume(False)  # does not fit its slice: the config refuses it, nothing to compare
        raise


def _flags(args: list[str]) -> dict[str, str]:
    return dict(arg.split("=", 1) for arg in args if arg.startswith("--") and "=" in arg)


@settings(max_examples=150, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(tiers())
def test_every_estimate_input_is_in_the_servers_arguments(tier: TierConfig) -> None:
    inputs = PodInputs(
        tier="t",
        config=tier,
        service_account="sa",
        port=8000,
        image="i",
        mount=MOUNT,
        cache_bucket="b",
        drain=drain_timings(60),
    )
    flags = _flags(server_args(inputs))
    compute = DTYPE[flags["--dtype"]]
    if "--quantization" in flags:
        assert tier.model.weight_dtype in QUANTIZED_WEIGHTS[flags["--quantization"]]
        weights = (
            tier.model.weight_dtype
            if len(QUANTIZED_WEIGHTS[flags["--quantization"]]) > 1
            else next(iter(QUANTIZED_WEIGHTS[flags["--quantization"]]))
        )
    else:
        weights = compute
    tensor_parallel = int(flags["--tensor-parallel-size"]) * int(flags.get("--data-parallel-size", "1"))
    assert tensor_parallel == 2 * tier.shape.chips
    from_arguments = tpu.ModelSpec(
        parameters_billion=tier.model.parameters_billion,
        layers=tier.model.layers,
        kv_heads=tier.model.kv_heads,
        head_dim=tier.model.head_dim,
        weight_dtype=weights,  # type: ignore[arg-type]
        kv_cache_dtype="fp8" if flags["--kv-cache-dtype"] == "fp8" else compute,  # type: ignore[arg-type]
        max_model_len=int(flags["--max-model-len"]),
        max_num_seqs=int(flags["--max-num-seqs"]),
    )
    assert tpu.estimate(tier.shape, from_arguments, float(flags["--gpu-memory-utilization"])) == tier.estimate


def test_the_methods_the_sizing_models_are_ones_the_pinned_tpu_inference_loads() -> None:
    assert set(tpu_quantizations()) == {"fp8", "compressed-tensors", "auto_awq"}
    assert set(tpu_quantizations()) <= set(load().tpu_quantizations)


def test_every_flag_the_settings_set_takes_the_value_given() -> None:
    release = load()
    assert release.flag("--dtype").accepts("bfloat16") and release.flag("--dtype").accepts("float16")
    assert release.flag("--kv-cache-dtype").accepts("auto") and release.flag("--kv-cache-dtype").accepts("fp8")
    assert {"fp8", "compressed-tensors", "auto_awq"} <= set(release.flag("--quantization").values or ())


@pytest.mark.parametrize(
    ("weight_dtype", "quantization", "preset_dtype", "key", "says"),
    [
        ("bf16", None, "bf16", None, None),
        ("fp8", None, "fp8", None, None),  # an fp8 checkpoint: loaded as fp8
        ("fp8", "compressed-tensors", None, None, None),
        ("int8", "compressed-tensors", None, None, None),
        ("int4", "auto_awq", None, None, None),
        ("fp8", None, "bf16", "weightDtype", "fp8 but the preset's checkpoint is bf16"),
        ("int8", None, None, "quantization", "(allowed: compressed-tensors, as the checkpoint's config.json says)"),
        ("int4", None, None, "quantization", "(allowed: compressed-tensors, auto_awq, as"),
        ("int8", "auto_awq", None, "weightDtype", "int8 but quantization auto_awq stores int4 weights"),
        ("bf16", "fp8", None, "weightDtype", "bf16 but quantization fp8 stores fp8 weights"),
        ("fp8", "fbgemm_fp8", None, "quantization", "'fbgemm_fp8' is not a method vLLM TPU loads"),
        ("int4", "modelopt_fp4", None, "quantization", "'modelopt_fp4' is not a method vLLM TPU loads that the sizing"),
    ],
)
def test_weights_the_server_cannot_load_as_estimated_are_refused(
    weight_dtype: tpu.Dtype, quantization: str | None, preset_dtype: tpu.Dtype | None, key: str | None, says: str | None
) -> None:
    problems = weight_problems(weight_dtype, quantization, preset_dtype)
    if key is None:
        assert problems == []
    else:
        ((found_key, message),) = problems
        assert found_key == key and str(says) in message


@pytest.mark.parametrize(
    ("weights", "kv", "refused"),
    [
        ("bf16", "bf16", False),
        ("bf16", "fp8", False),
        ("fp16", "fp16", False),
        ("int4", "bf16", False),
        ("bf16", "fp16", True),
        ("fp16", "bf16", True),
        ("bf16", "int8", True),
        ("fp8", "int4", True),
    ],
)
def test_the_kv_cache_is_the_compute_dtype_or_fp8(weights: tpu.Dtype, kv: tpu.Dtype, refused: bool) -> None:
    assert (kv_cache_problem(weights, kv) is not None) is refused


def test_the_issue_case_fp8_on_a_bf16_preset_no_longer_fits_silently() -> None:
    """weightDtype fp8 on a bf16 preset made the tier 'fit' while the server loaded bf16."""
    with pytest.raises(ValidationError, match="fp8 but the preset's checkpoint is bf16"):
        TierConfig.model_validate(
            {
                "machineType": "tpu7x-standard-1t",
                "topology": "1x1x1",
                "model": {"preset": "llama-3.3-70b-instruct", "weightDtype": "fp8"},
            }
        )

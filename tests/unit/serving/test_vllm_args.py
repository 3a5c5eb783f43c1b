"""The server's command line: derived once, TP x DP = 2 x chips, no flag twice."""

from __future__ import annotations

import subprocess
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.serving import vllm_args
from components.serving.server_settings import ServerSettings
from components.serving.vllm_args import ParallelismError, ServerSpec, parallelism, repeated_derived_flags, server_args


@given(chips=st.sampled_from([1, 4, 8, 16, 32, 64, 128]), data_parallel=st.integers(min_value=1, max_value=256))
def test_tp_times_dp_is_twice_the_chips_or_rejected(chips: int, data_parallel: int) -> None:
    try:
        tensor_parallel, dp = parallelism(chips, data_parallel)
    except ParallelismError as exc:
        assert (2 * chips) % data_parallel != 0
        assert f"{data_parallel} does not divide" in str(exc)
    else:
        assert tensor_parallel * dp == 2 * chips
        assert dp == data_parallel


def test_recipe_splits_are_reproduced() -> None:
    assert parallelism(1, 1) == (2, 1)  # Qwen3-32B on 1x1x1
    assert parallelism(4, 1) == (8, 1)  # Qwen3-Coder-480B on 2x2x1
    assert parallelism(4, 4) == (2, 4)  # Gemma4 on 2x2x1
    assert parallelism(8, 1) == (16, 1)  # multi-host 2x2x2


SETTINGS = ServerSettings(
    weight_dtype="bf16",
    quantization=None,
    kv_cache_dtype="bf16",
    max_model_len=16384,
    max_num_seqs=64,
    memory_utilization=0.9,
    tensor_parallel=8,
    data_parallel=1,
)
SPEC = ServerSpec(
    model_path="/models/meta-llama/Llama-3.3-70B-Instruct",
    served_model_name="meta-llama/Llama-3.3-70B-Instruct",
    settings=SETTINGS,
    port=8000,
    shutdown_timeout=120,
)


def test_server_flags_are_derived_from_the_tier() -> None:
    assert server_args(SPEC) == [
        "--host=0.0.0.0",
        "--port=8000",
        "--model=/models/meta-llama/Llama-3.3-70B-Instruct",
        "--served-model-name=meta-llama/Llama-3.3-70B-Instruct",
        "--tensor-parallel-size=8",
        "--dtype=bfloat16",
        "--kv-cache-dtype=auto",
        "--max-model-len=16384",
        "--max-num-seqs=64",
        "--gpu-memory-utilization=0.9",
        "--shutdown-timeout=120",
    ]


def test_data_parallel_fp8_weights_and_cache_and_extra_flags() -> None:
    settings = replace(
        SETTINGS, weight_dtype="fp8", quantization="fp8", kv_cache_dtype="fp8", tensor_parallel=2, data_parallel=4
    )
    args = server_args(replace(SPEC, settings=settings, extra_args=("--async-scheduling",)))
    assert "--tensor-parallel-size=2" in args and "--data-parallel-size=4" in args
    assert "--dtype=bfloat16" in args and "--quantization=fp8" in args  # fp8 weights, bf16 activations
    assert "--kv-cache-dtype=fp8" in args
    assert args[-1] == "--async-scheduling"


@pytest.mark.parametrize(
    ("extra", "repeated"),
    [
        (["--max-model-len=4096"], ["--max-model-len"]),
        (["--max_model_len", "4096"], ["--max-model-len"]),
        (["-tp", "4"], ["--tensor-parallel-size"]),
        (["-q", "awq"], ["--quantization"]),
        (["--dtype=float32"], ["--dtype"]),
        (["--api-key=x", "--model", "y"], ["--api-key", "--model"]),
        (["--shutdown-timeout=0"], ["--shutdown-timeout"]),
        (["--shutdown_timeout", "0"], ["--shutdown-timeout"]),
        (["--block-size=256", "--enable-expert-parallel", "4096"], []),
    ],
)
def test_extra_args_may_not_repeat_a_derived_flag(extra: list[str], repeated: list[str]) -> None:
    assert repeated_derived_flags(extra) == repeated


def test_multi_host_bootstrap_waits_for_the_group_then_serves() -> None:
    leader = vllm_args.leader_script(["--model=/models/m", '--additional-config={"a": 1}'])
    assert leader.startswith(f"bash {vllm_args.RAY_BOOTSTRAP_SCRIPT} leader --ray_cluster_size=$(LWS_GROUP_SIZE) && ")
    # JSON in an extra flag survives the shell: it is quoted.
    assert leader.endswith("""exec vllm serve --model=/models/m '--additional-config={"a": 1}'""")
    assert vllm_args.worker_script() == (
        f"exec bash {vllm_args.RAY_BOOTSTRAP_SCRIPT} worker --ray_address=$(LWS_LEADER_ADDRESS)"
    )
    assert vllm_args.MULTI_HOST_ENV["TPU_MULTIHOST_BACKEND"] == "ray"
    assert vllm_args.MULTI_HOST_ENV["JAX_PLATFORMS"] == ""


def test_compile_cache_variables_point_at_one_persistent_directory() -> None:
    env = vllm_args.compile_cache_env("/var/cache/vllm")
    assert env["VLLM_XLA_CACHE_PATH"] == env["JAX_COMPILATION_CACHE_DIR"] == "/var/cache/vllm/xla"
    assert env["VLLM_TORCH_COMPILE_CACHE_DIR"] == "/var/cache/vllm/torch"


def test_tenant_keys_follow_one_flag_as_references() -> None:
    assert vllm_args.api_key_args(()) == [] and vllm_args.shell_api_key_args(()) == ""
    assert vllm_args.api_key_args(("VLLM_API_KEY_A", "VLLM_API_KEY_B")) == [
        "--api-key",
        "$(VLLM_API_KEY_A)",
        "$(VLLM_API_KEY_B)",
    ]
    leader = vllm_args.leader_script(["--model=/models/m"], api_key_envs=("VLLM_API_KEY_A", "VLLM_API_KEY_B"))
    assert leader.endswith('exec vllm serve --model=/models/m --api-key "${VLLM_API_KEY_A}" "${VLLM_API_KEY_B}"')
    assert vllm_args.leader_script(["--model=/models/m"]) == vllm_args.leader_script(
        ["--model=/models/m"], api_key_envs=()
    )


@given(
    st.lists(
        st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=32, max_size=40),
        min_size=1,
        max_size=3,
    )
)
def test_the_shell_passes_every_supplied_key_as_one_argument(keys: list[str]) -> None:
    # What the leader's /bin/sh does with the words after the flag: each key, whatever its quotes and
    # spaces, arrives as exactly one argument (a kubelet-expanded $(VAR) would be parsed by the shell).
    envs = [f"VLLM_API_KEY_T{index}" for index in range(len(keys))]
    script = f"printf '%s\\n' {vllm_args.shell_api_key_args(envs)}"
    done = subprocess.run(
        ["/bin/sh", "-c", script], env=dict(zip(envs, keys, strict=True)), capture_output=True, text=True, check=True
    )
    assert done.stdout.split("\n")[:-1] == ["--api-key", *keys]


@pytest.mark.parametrize(
    ("chips", "data_parallel", "message"),
    [
        (
            4,
            3,
            "3 does not divide the slice's 8 TensorCores (4 chips x 2), so TP x DP cannot equal 8 "
            "(allowed: 1, 2, 4, 8)",
        ),
        (1, 0, "0 does not divide the slice's 2 TensorCores (1 chips x 2), so TP x DP cannot equal 2 (allowed: 1, 2)"),
        (6, 5, "(allowed: 1, 2, 3, 4, 6, 12)"),
    ],
)
def test_a_data_parallel_size_that_does_not_divide_lists_the_ones_that_do(
    chips: int, data_parallel: int, message: str
) -> None:
    with pytest.raises(ParallelismError) as raised:
        parallelism(chips, data_parallel)
    assert message in str(raised.value)

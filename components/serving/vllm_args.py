"""The vLLM TPU server's command line and environment, derived from a tier: pure functions.

Every flag the platform derives is written once here, from the tier's shape and model; a tier's
`vllmArgs` adds flags but may not repeat a derived one (two values for one flag is how a tier ends up
serving with settings nobody configured).

Sources: AI-Hypercomputer/tpu-recipes `inference/ironwood/vLLM/*` (flags on TPU7x), vllm-project/
tpu-inference `examples/offload/gke/benchmarks/multi-host/deploy-baseline.yaml` (multi-host env and
the Ray bootstrap) and `tpu_inference/runner/compilation_manager.py` (the compile cache variable).
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass

from components.gke.tpu import TENSORCORES_PER_CHIP
from components.serving.server_settings import ServerSettings

# Flags the platform derives; a tier's vllmArgs may not set them again.
DERIVED_FLAGS = (
    "--host",
    "--port",
    "--model",
    "--served-model-name",
    "--tensor-parallel-size",
    "--data-parallel-size",
    "--max-model-len",
    "--max-num-seqs",
    "--gpu-memory-utilization",
    "--kv-cache-dtype",
    "--dtype",
    "--quantization",
    "--api-key",
    "--shutdown-timeout",
)
# Short forms vLLM accepts for the same settings.
_ALIASES = {"-tp": "--tensor-parallel-size", "-dp": "--data-parallel-size", "-q": "--quantization"}

# The image clones vLLM into /workspace/vllm (tpu-inference docker/Dockerfile); vLLM moved the
# multi-node bootstrap from examples/online_serving/ to examples/ray_serving/ in its May 2026
# examples refactor (vllm#41082, #41084), so images from then on (the default nightly-20260626 too)
# carry it here, as tpu-inference's multi-host example uses it.
RAY_BOOTSTRAP_SCRIPT = "/workspace/vllm/examples/ray_serving/multi-node-serving.sh"

# tpu-inference's multi-host example sets these on leader and workers alike: Ray as the multi-host
# backend, JAX left to pick its platform, and Ray health and heartbeat timeouts long enough for a
# worker busy compiling for many minutes.
MULTI_HOST_ENV = {
    "TPU_MULTIHOST_BACKEND": "ray",
    "JAX_PLATFORMS": "",
    "RAY_RESERVE_CPU_FOR_RAYLET": "1",
    "RAY_health_check_failure_threshold": "100",
    "RAY_health_check_timeout_ms": "20000",
    "RAY_health_check_period_ms": "10000",
    "RAY_num_heartbeats_timeout": "300000",
    "RAY_raylet_heartbeat_timeout_milliseconds": "3000000",
    "RAY_grpc_keepalive_timeout_ms": "3000000",
    "RAY_CGRAPH_get_timeout": "30000",
    "RAY_CGRAPH_submit_timeout": "30000",
}


class ParallelismError(ValueError):
    """TP x DP cannot equal the slice's TensorCores."""


def parallelism(chips: int, data_parallel: int) -> tuple[int, int]:
    """(tensor parallel, data parallel) with TP x DP = 2 x chips: vLLM sees two devices per TPU7x chip."""
    devices = TENSORCORES_PER_CHIP * chips
    if data_parallel < 1 or devices % data_parallel:
        divisors = [d for d in range(1, devices + 1) if devices % d == 0]
        raise ParallelismError(
            f"{data_parallel} does not divide the slice's {devices} TensorCores ({chips} chips x "
            f"{TENSORCORES_PER_CHIP}), so TP x DP cannot equal {devices} (allowed: {', '.join(map(str, divisors))})"
        )
    return devices // data_parallel, data_parallel


def flag_name(arg: str) -> str | None:
    """`--max-model-len=8192` -> `--max-model-len`; underscores normalised as vLLM's parser does."""
    if not arg.startswith("-"):
        return None
    name = arg.split("=", 1)[0]
    name = _ALIASES.get(name, name)
    return "--" + name.lstrip("-").replace("_", "-") if name.startswith("--") else name


def repeated_derived_flags(extra_args: Sequence[str]) -> list[str]:
    """The derived flags a tier's extra arguments would set a second time."""
    return sorted({name for arg in extra_args if (name := flag_name(arg)) in DERIVED_FLAGS})


@dataclass(frozen=True)
class ServerSpec:
    """What the server command line is derived from: where the model is, what it is called, and the
    settings the tier's estimates assume (server_settings.py)."""

    model_path: str
    served_model_name: str
    settings: ServerSettings
    port: int
    shutdown_timeout: int  # seconds vLLM drains running requests after SIGTERM (components/serving/drain.py)
    extra_args: tuple[str, ...] = ()
    # More names the server answers to (vLLM's --served-model-name takes several; responses carry the first).
    aliases: tuple[str, ...] = ()


def server_args(spec: ServerSpec) -> list[str]:
    """`vllm serve` arguments: the derived flags, then the tier's own."""
    args = [
        "--host=0.0.0.0",
        f"--port={spec.port}",
        f"--model={spec.model_path}",
        *(
            ["--served-model-name", spec.served_model_name, *spec.aliases]
            if spec.aliases
            else [f"--served-model-name={spec.served_model_name}"]
        ),
        *spec.settings.arguments(),
        f"--shutdown-timeout={spec.shutdown_timeout}",
    ]
    return [*args, *spec.extra_args]


SERVE_COMMAND = ("vllm", "serve")
API_KEY_FLAG = "--api-key"


def api_key_args(envs: Sequence[str]) -> list[str]:
    """`--api-key $(A) $(B)`: every tenant's key after ONE flag (nargs '+'; a repeated flag would replace
    the earlier keys, vllm_release notes "api_key"). The kubelet expands `$(VAR)` in a container's args
    from its environment (kubernetes.io "Define a Command and Arguments for a Container", "Use
    environment variables to define arguments"), so the pod spec holds only the references."""
    return [API_KEY_FLAG, *(f"$({env})" for env in envs)] if envs else []


def shell_api_key_args(envs: Sequence[str]) -> str:
    """The same flag in a shell script: `--api-key "${A}" "${B}"`, expanded by the shell inside double
    quotes, so a supplied key with a quote or a space stays one argument (a kubelet-expanded `$(A)`
    would be pasted into the script's text and parsed by the shell)."""
    return " ".join([API_KEY_FLAG, *(f'"${{{env}}}"' for env in envs)]) if envs else ""


def leader_script(args: Sequence[str], script: str = RAY_BOOTSTRAP_SCRIPT, api_key_envs: Sequence[str] = ()) -> str:
    """The multi-host leader: start the Ray head, wait for every worker, then serve.

    The bootstrap exits 0 once the Ray cluster has `LWS_GROUP_SIZE` nodes (non-zero after its
    timeout), so `&&` never starts vLLM on a partial cluster; `exec` makes vLLM the container's main
    process so it receives SIGTERM. `$(LWS_GROUP_SIZE)` is expanded by the kubelet from the env the
    LeaderWorkerSet webhook injects. Tenants' keys follow as shell variables (`shell_api_key_args`).
    """
    serve = shlex.join([*SERVE_COMMAND, *args])
    keys = f" {shell_api_key_args(api_key_envs)}" if api_key_envs else ""
    return f"bash {script} leader --ray_cluster_size=$(LWS_GROUP_SIZE) && exec {serve}{keys}"


def worker_script(script: str = RAY_BOOTSTRAP_SCRIPT) -> str:
    """A multi-host worker joins the leader's Ray cluster and blocks (`ray start --block`)."""
    return f"exec bash {script} worker --ray_address=$(LWS_LEADER_ADDRESS)"


def compile_cache_env(cache_dir: str) -> dict[str, str]:
    """Where the XLA / JAX and torch compile caches live.

    tpu-inference turns the JAX persistent compilation cache on at `VLLM_XLA_CACHE_PATH`
    (`compilation_manager.py`: `jax.config.update("jax_compilation_cache_dir", VLLM_XLA_CACHE_PATH)`);
    `JAX_COMPILATION_CACHE_DIR` catches code paths that bypass it (tpu-inference's own CI sets both).
    `VLLM_TORCH_COMPILE_CACHE_DIR` serves the PyTorch backend (vllm-torchtpu) if a tier's image is one.
    """
    xla = f"{cache_dir}/xla"
    return {
        "VLLM_XLA_CACHE_PATH": xla,
        "JAX_COMPILATION_CACHE_DIR": xla,
        "VLLM_TORCH_COMPILE_CACHE_DIR": f"{cache_dir}/torch",
    }

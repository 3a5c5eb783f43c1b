"""A miniature vLLM and tpu-inference, as git repositories, for the extractor's tests.

Written in the shapes the real source uses at the pinned commit (factories and prometheus_client
constructors, names from class constants and loops, KV-offload metadata, `get_kwargs(Config)` with
`**{**k["f"], "default": None}`, the frontend's per-field loop and `_customize_cli_kwargs` through
`super()`, `TYPE_CHECKING` aliases, nested Literals), plus every code path the notes anchor to.
"""

from __future__ import annotations

import os
import subprocess
import textwrap
from pathlib import Path

_ARG_UTILS = """
import argparse
from dataclasses import dataclass
from vllm.config import ModelConfig, ParallelConfig, SchedulerConfig

def literal_to_kwargs(type_hints):
    return {}

def collection_to_kwargs(type_hints, type):
    return {"nargs": "+"}

def get_type_hints(type_hint):
    return {type_hint}

def _compute_kwargs(cls):
    return {}

def get_kwargs(cls):
    return _compute_kwargs(cls)

@dataclass
class EngineArgs:
    model: str = ModelConfig.model

    @staticmethod
    def add_cli_args(parser):
        model_kwargs = get_kwargs(ModelConfig)
        group = parser.add_argument_group(title="ModelConfig")
        group.add_argument("--model", **model_kwargs["model"])
        group.add_argument("--dtype", **model_kwargs["dtype"])
        group.add_argument("--runner", **model_kwargs["runner"])
        group.add_argument("--max-model-len", **model_kwargs["max_model_len"])
        group.add_argument("--quantization", "-q", **model_kwargs["quantization"])
        group.add_argument("--served-model-name", **model_kwargs["served_model_name"])
        group.add_argument("--enforce-eager", **model_kwargs["enforce_eager"])
        parallel_kwargs = get_kwargs(ParallelConfig)
        group.add_argument("--tensor-parallel-size", "-tp", **parallel_kwargs["tensor_parallel_size"])
        scheduler_kwargs = get_kwargs(SchedulerConfig)
        group.add_argument("--max-num-seqs", **{**scheduler_kwargs["max_num_seqs"], "default": None})
        parser.add_argument(
            "--shutdown-timeout",
            type=int,
            default=0,
            help="Shutdown timeout in seconds. 0 = abort, >0 = wait.",
        )
        return parser

@dataclass
class AsyncEngineArgs(EngineArgs):
    enable_log_requests: bool = False

    @staticmethod
    def add_cli_args(parser, async_args_only=False):
        if not async_args_only:
            parser = EngineArgs.add_cli_args(parser)
        parser.add_argument(
            "--enable-log-requests",
            action=argparse.BooleanOptionalAction,
            default=AsyncEngineArgs.enable_log_requests,
            help="Log requests.",
        )
        return parser
"""

_CLI_ARGS = '''
import json
from dataclasses import field
from vllm.config import config
from vllm.engine.arg_utils import AsyncEngineArgs

@config
class BaseFrontendArgs:
    response_role: str = "assistant"
    """The role name."""

    @classmethod
    def _customize_cli_kwargs(cls, frontend_kwargs):
        frontend_kwargs["response_role"]["metavar"] = "ROLE"
        return frontend_kwargs

    @classmethod
    def add_cli_args(cls, parser):
        from vllm.engine.arg_utils import get_kwargs
        frontend_kwargs = get_kwargs(cls)
        frontend_kwargs = cls._customize_cli_kwargs(frontend_kwargs)
        frontend_group = parser.add_argument_group(title="Frontend")
        for key, value in frontend_kwargs.items():
            extra_flags = value.pop("flags", [])
            frontend_group.add_argument(*extra_flags, f"--{key.replace('_', '-')}", **value)
        return parser

@config
class FrontendArgs(BaseFrontendArgs):
    host: str | None = None
    """Host name."""
    port: int = 8000
    """Port number."""
    api_key: list[str] | None = None
    """If provided, the server will require one of these keys."""
    allowed_origins: list[str] = field(default_factory=lambda: ["*"])
    """Allowed origins."""
    middleware: list[str] = field(default_factory=lambda: [])
    """Additional ASGI middleware."""

    @classmethod
    def _customize_cli_kwargs(cls, frontend_kwargs):
        frontend_kwargs = super()._customize_cli_kwargs(frontend_kwargs)
        frontend_kwargs["allowed_origins"]["type"] = json.loads
        del frontend_kwargs["allowed_origins"]["nargs"]
        frontend_kwargs["middleware"]["action"] = "append"
        del frontend_kwargs["middleware"]["nargs"]
        return frontend_kwargs

def make_arg_parser(parser):
    parser.add_argument("model_tag", type=str, nargs="?", help="The model tag to serve.")
    parser = FrontendArgs.add_cli_args(parser)
    parser = AsyncEngineArgs.add_cli_args(parser)
    return parser
'''

VLLM = {
    "vllm/__init__.py": "",
    "vllm/envs.py": """
        import os
        environment_variables = {
            "VLLM_API_KEY": lambda: os.environ.get("VLLM_API_KEY", None),
            "VLLM_XLA_CACHE_PATH": lambda: os.path.expanduser(os.getenv("VLLM_XLA_CACHE_PATH", "~/.cache/xla")),
        }
    """,
    "vllm/config/__init__.py": """
        from vllm.config.model import ModelConfig
        from vllm.config.parallel import ParallelConfig
        from vllm.config.scheduler import SchedulerConfig
        from vllm.config.utils import config
    """,
    "vllm/config/utils.py": "def config(cls):\n    return cls\n",
    "vllm/config/model.py": """
        from typing import TYPE_CHECKING, ClassVar, Literal
        from pydantic import Field
        from vllm.config.utils import config
        if TYPE_CHECKING:
            from vllm.model_executor.layers.quantization import QuantizationMethods
        else:
            QuantizationMethods = str
        ModelDType = Literal["auto", "half", "bfloat16"]
        RunnerType = Literal["generate", "pooling"]
        RunnerOption = Literal["auto", RunnerType]

        @config
        class ModelConfig:
            LIMIT: ClassVar[int] = 3
            model: str = "Qwen/Qwen3-0.6B"
            \"\"\"Name or path of the model.\"\"\"
            dtype: ModelDType = "auto"
            \"\"\"Data type.\"\"\"
            runner: RunnerOption = "auto"
            \"\"\"Runner.\"\"\"
            max_model_len: int = Field(default=None, ge=-1)
            \"\"\"Context length.\"\"\"
            quantization: QuantizationMethods | str | None = None
            \"\"\"Quantization method.\"\"\"
            served_model_name: str | list[str] | None = None
            \"\"\"The model name(s) used in the API.\"\"\"
            enforce_eager: bool = False
            \"\"\"Eager mode.\"\"\"
    """,
    "vllm/config/parallel.py": """
        from pydantic import Field
        from vllm.config.utils import config

        @config
        class ParallelConfig:
            tensor_parallel_size: int = Field(default=1, ge=1)
            \"\"\"Number of tensor parallel groups.\"\"\"
    """,
    "vllm/config/scheduler.py": """
        from typing import ClassVar
        from pydantic import Field
        from vllm.config.utils import config

        @config
        class SchedulerConfig:
            DEFAULT_MAX_NUM_SEQS: ClassVar[int] = 128
            max_num_seqs: int = Field(default=DEFAULT_MAX_NUM_SEQS, ge=1)
            \"\"\"Maximum number of sequences per iteration.\"\"\"
    """,
    "vllm/config/vllm.py": """
        from pydantic import Field

        class VllmConfig:
            shutdown_timeout: int = Field(default=0, ge=0)
            \"\"\"Shutdown grace period.\"\"\"
    """,
    "vllm/model_executor/layers/quantization/__init__.py": """
        from typing import Literal
        QuantizationMethods = Literal["fp8", "awq", "compressed-tensors"]
        DEPRECATED_QUANTIZATION_METHODS = ["awq"]
    """,
    "vllm/engine/arg_utils.py": _ARG_UTILS,
    "vllm/entrypoints/openai/cli_args.py": _CLI_ARGS,
    "vllm/v1/metrics/loggers.py": """
        from prometheus_client import Counter, Gauge, Histogram

        class PrometheusStatLogger:
            _gauge_cls = Gauge
            _counter_cls = Counter
            _histogram_cls = Histogram

            def __init__(self, config, labelnames):
                self._gauge_cls(name="vllm:num_requests_waiting", documentation="Waiting.", labelnames=labelnames)
                self._counter_cls(name="vllm:prompt_tokens", documentation="Prompt tokens.")
                self._histogram_cls(name="vllm:time_to_first_token_seconds", documentation="TTFT.")
                if config.lora is not None:
                    self._gauge_cls(name="vllm:lora_requests_info", documentation="LoRA.")
                specs = [("vllm:spec_decode_num_drafts", "Drafts."), ("vllm:spec_decode_num_draft_tokens", "Tokens.")]
                self.counters = [self._counter_cls(name=name, documentation=doc) for name, doc in specs]
                name = None
                if config.info:
                    name = "vllm:cache_config_info"
                self._gauge_cls(name=name, documentation="Info.")
                Counter(name="http_requests_total", documentation="Not vLLM's.")
                Counter(name=config.metric_name(), documentation="Computed.")
    """,
    "vllm/kv/names.py": """
        class Names:
            LOAD_BYTES = "vllm:kv_offload_load_bytes"
            USAGE = "vllm:kv_offload_cpu_cache_usage_perc"
    """,
    "vllm/kv/metrics.py": """
        from vllm.kv.names import Names
        _DEPRECATED_TOTAL = "vllm:kv_offload_total_bytes"

        def definitions():
            found = {Names.LOAD_BYTES: OffloadingCounterMetadata(documentation="Loaded bytes.")}
            found[Names.USAGE] = OffloadingGaugeMetadata(documentation="Usage.")
            return found

        class Prom:
            def __init__(self):
                self._counter_cls(name=_DEPRECATED_TOTAL, documentation="Old total.")
    """,
    "vllm/v1/metrics/ray_wrappers.py": """
        from ray.util import metrics as ray_metrics

        def gauge(name):
            return ray_metrics.Gauge(name=name)
    """,
    "vllm/entrypoints/launcher.py": """
        async def serve_http(app, engine_client, server):
            def signal_handler():
                shutdown_event.set()

            async def handle_shutdown():
                timeout = engine_client.vllm_config.shutdown_timeout
                engine_client.shutdown(timeout=timeout)
                server.should_exit = True
    """,
    "vllm/v1/utils.py": """
        def shutdown(procs, timeout=None):
            for proc in procs:
                proc.terminate()
    """,
    "vllm/v1/engine/core.py": """
        class EngineCoreProc:
            @staticmethod
            def run_engine_core(engine_core):
                def signal_handler(signum, frame):
                    engine_core.shutdown_state = 1

            def _handle_shutdown(self):
                if self.vllm_config.shutdown_timeout == 0:
                    self.abort_all()
                return self.has_work()

            def _reject_add_in_shutdown(self, request):
                return self.shutdown_state != 0
    """,
    "vllm/entrypoints/serve/instrumentator/health.py": """
        async def health(raw_request):
            return 200
    """,
    "vllm/v1/engine/async_llm.py": """
        class AsyncLLM:
            async def check_health(self):
                if self.errored:
                    raise self.dead_error

            @property
            def errored(self):
                return self.engine_dead
    """,
    "vllm/entrypoints/cli/serve.py": """
        def run_headless(vllm_config):
            timeout = vllm_config.shutdown_timeout

        def run_multi_api_server(vllm_config):
            timeout = vllm_config.shutdown_timeout
    """,
    "vllm/entrypoints/openai/api_server.py": """
        import vllm.envs as envs

        def build_app(args, app):
            if tokens := [key for key in (args.api_key or [envs.VLLM_API_KEY]) if key]:
                app.add_middleware(tokens=tokens)
    """,
    "vllm/entrypoints/serve/utils/server_utils.py": """
        GUARDED_PREFIX = ("/v1", "/v2")

        class AuthenticationMiddleware:
            def __init__(self, app, tokens):
                self.tokens = tokens
    """,
    "vllm/utils/argparse_utils.py": """
        class FlexibleArgumentParser:
            def parse_args(self, args):
                try:
                    model_idx = args.index("--model")
                except StopIteration:
                    pass
                if duplicates:
                    logger.warning("Found duplicate keys %s", duplicates)
    """,
}

TPU = {
    "tpu_inference/__init__.py": "",
    "tpu_inference/platforms/tpu_platform.py": """
        class TpuPlatform(Platform):
            device_name: str = "tpu"
            supported_quantization: list[str] = ["compressed-tensors", "fp8"]
    """,
    "tpu_inference/layers/common/quant_methods.py": 'FP8 = "fp8"\nCOMPRESSED_TENSORS = "compressed-tensors"\n',
    "tpu_inference/layers/vllm/quantization/__init__.py": """
        from tpu_inference.layers.common import quant_methods

        def get_tpu_quantization_config(vllm_config, mesh):
            method_to_config = {
                None: Unquantized,
                quant_methods.COMPRESSED_TENSORS: CompressedTensors,
                quant_methods.FP8: Fp8,
            }
            return method_to_config[vllm_config.quantization]
    """,
    "tpu_inference/envs.py": """
        import os
        environment_variables = {
            "TPU_MULTIHOST_BACKEND": lambda: os.getenv("TPU_MULTIHOST_BACKEND", ""),
        }
    """,
    "tpu_inference/runner/compilation_manager.py": """
        import jax
        from vllm import envs as vllm_envs

        class CompilationManager:
            def __init__(self):
                if not vllm_envs.VLLM_DISABLE_COMPILE_CACHE:
                    jax.config.update("jax_compilation_cache_dir", vllm_envs.VLLM_XLA_CACHE_PATH)
    """,
}


def _git(repo: Path, *args: str, when: str = "2026-01-01T12:00:00+00:00") -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "fixture",
        "GIT_AUTHOR_EMAIL": "fixture@example.invalid",
        "GIT_COMMITTER_NAME": "fixture",
        "GIT_COMMITTER_EMAIL": "fixture@example.invalid",
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
    }
    done = subprocess.run(["git", "-C", str(repo), *args], env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def write_files(repo: Path, files: dict[str, str]) -> None:
    for path, text in files.items():
        target = repo / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def commit(repo: Path, files: dict[str, str], message: str, when: str = "2026-01-01T12:00:00+00:00") -> str:
    """Write `files` into the repository's work tree and commit them; returns the full sha."""
    write_files(repo, files)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", message, when=when)
    return _git(repo, "rev-parse", "HEAD")


def init(repo: Path) -> Path:
    repo.mkdir(parents=True)
    _git(repo, "init", "-q", "-b", "main")
    return repo


def tag(repo: Path, name: str) -> None:
    _git(repo, "tag", name)

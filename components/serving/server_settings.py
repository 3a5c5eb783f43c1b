"""One source for what a tier's server runs and what its estimates assume. Pure.

The HBM fit and the decode ceiling (`components/gke/tpu.py`) read the weights' and the KV cache's
dtypes, the context length, the batch, the memory share and the parallelism; the `vllm serve`
arguments (`vllm_args.py`) set each of them. Both come from one `ServerSettings`, so a setting that
changes an estimate changes the server, and a combination the server cannot run is refused here,
on the key to edit, before anything is registered.

What vLLM TPU can do with weights (the pinned tpu-inference, `vllm_release.json`):
- It loads a checkpoint in its own dtype (bf16, fp16), or pre-quantized with one of the methods
  tpu-inference lists (`tpu_platform.py` supported_quantization). Of those, the sizing models
  `fp8` (fp8 weights), `compressed-tensors` (fp8, int8 or int4: the checkpoint says which) and
  `auto_awq` (int4); the 4-bit float methods (`gpt_oss_mxfp4`, `modelopt_fp4`) and the
  model-specific `deepseek_v4_fp8` have no dtype in the sizing and are refused.
- No documented online quantization on vLLM TPU was found, and third-party evidence says a bf16
  checkpoint with `--quantization fp8` starts and then serves garbage (a public tpu-inference
  fork's fail-closed guard test: the offline FP8 method is dispatched and ships uninitialised
  scales). So a preset's weights keep the preset's dtype; fp8 weights need an fp8 checkpoint (its
  own `model.name` / `path`), which vLLM loads as `--quantization=fp8`.
- The KV cache is the compute dtype (`--kv-cache-dtype=auto`) or fp8.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from components.gke import tpu
from components.serving.vllm_release import load

ComputeDtype = Literal["bf16", "fp16"]
# The weight dtypes each modelled quantization method stores (a checkpoint's config.json names its method).
QUANTIZED_DTYPES: dict[str, tuple[tpu.Dtype, ...]] = {
    "fp8": ("fp8",),
    "compressed-tensors": ("fp8", "int8", "int4"),
    "auto_awq": ("int4",),
}
# vLLM's --dtype values for the compute (and unquantized weight) dtype.
DTYPE_FLAG: dict[ComputeDtype, str] = {"bf16": "bfloat16", "fp16": "float16"}
QUANTIZED = ("fp8", "int8", "int4")


def tpu_quantizations() -> tuple[str, ...]:
    """What the pinned tpu-inference loads, and the sizing models."""
    return tuple(method for method in load().tpu_quantizations if method in QUANTIZED_DTYPES)


@dataclass(frozen=True)
class ServerSettings:
    """Every value both the server and the estimates use, once."""

    weight_dtype: tpu.Dtype
    quantization: str | None
    kv_cache_dtype: tpu.Dtype
    max_model_len: int
    max_num_seqs: int
    memory_utilization: float
    tensor_parallel: int  # TP x DP = 2 x chips (vllm_args.parallelism)
    data_parallel: int

    @property
    def compute_dtype(self) -> ComputeDtype:
        """Activations (and unquantized weights): the checkpoint's dtype, bf16 under a quantization."""
        return "fp16" if self.weight_dtype == "fp16" else "bf16"

    def model(self, parameters_billion: float, layers: int, kv_heads: int, head_dim: int) -> tpu.ModelSpec:
        """The estimates' view: the checkpoint's architecture (config.json) with these settings."""
        return tpu.ModelSpec(
            parameters_billion=parameters_billion,
            layers=layers,
            kv_heads=kv_heads,
            head_dim=head_dim,
            weight_dtype=self.weight_dtype,
            kv_cache_dtype=self.kv_cache_dtype,
            max_model_len=self.max_model_len,
            max_num_seqs=self.max_num_seqs,
        )

    def arguments(self) -> list[str]:
        """The `vllm serve` flags these settings set (vllm_args adds host, port, model and names)."""
        args = [f"--tensor-parallel-size={self.tensor_parallel}"]
        if self.data_parallel > 1:
            args.append(f"--data-parallel-size={self.data_parallel}")
        args.append(f"--dtype={DTYPE_FLAG[self.compute_dtype]}")
        if self.quantization:
            args.append(f"--quantization={self.quantization}")
        kv = "fp8" if self.kv_cache_dtype == "fp8" else "auto"  # auto: the compute dtype
        return [
            *args,
            f"--kv-cache-dtype={kv}",
            f"--max-model-len={self.max_model_len}",
            f"--max-num-seqs={self.max_num_seqs}",
            f"--gpu-memory-utilization={self.memory_utilization}",
        ]


def quantization_of(weight_dtype: tpu.Dtype, quantization: str | None) -> str | None:
    """The method the server loads the weights with: as configured, or `fp8` for fp8 weights."""
    if quantization is None and weight_dtype == "fp8":
        return "fp8"
    return quantization


def weight_problems(
    weight_dtype: tpu.Dtype, quantization: str | None, preset_dtype: tpu.Dtype | None
) -> list[tuple[str, str]]:
    """(key, message) for weights the server cannot load as the estimate assumes."""
    methods = tpu_quantizations()
    if quantization is not None and quantization not in methods:
        return [
            (
                "quantization",
                f"{quantization!r} is not a method vLLM TPU loads that the sizing models (allowed: "
                f"{', '.join(methods)}; the pinned tpu-inference lists {', '.join(load().tpu_quantizations)})",
            )
        ]
    if preset_dtype is not None and weight_dtype != preset_dtype:
        return [
            (
                "weightDtype",
                f"{weight_dtype} but the preset's checkpoint is {preset_dtype}, and vLLM TPU does not quantize "
                f"weights while loading (allowed: {preset_dtype}; for {weight_dtype} weights serve a checkpoint "
                "quantized to it, with its own name, path and quantization)",
            )
        ]
    method = quantization_of(weight_dtype, quantization)
    if weight_dtype in QUANTIZED and method is None:
        allowed = [m for m in methods if weight_dtype in QUANTIZED_DTYPES[m]]
        return [
            (
                "quantization",
                f"is not set, and {weight_dtype} weights are a pre-quantized checkpoint whose method vLLM must be told "
                f"(allowed: {', '.join(allowed)}, as the checkpoint's config.json says)",
            )
        ]
    if method is not None and weight_dtype not in QUANTIZED_DTYPES[method]:
        return [
            (
                "weightDtype",
                f"{weight_dtype} but quantization {method} stores {' or '.join(QUANTIZED_DTYPES[method])} weights "
                f"(allowed: {', '.join(QUANTIZED_DTYPES[method])})",
            )
        ]
    return []


def kv_cache_problem(weight_dtype: tpu.Dtype, kv_cache_dtype: tpu.Dtype) -> str | None:
    compute: ComputeDtype = "fp16" if weight_dtype == "fp16" else "bf16"
    if kv_cache_dtype in ("fp8", compute):
        return None
    return (
        f"{kv_cache_dtype} is neither fp8 nor the model's compute dtype {compute}, the two KV caches vLLM TPU keeps "
        f"(allowed: fp8, {compute})"
    )

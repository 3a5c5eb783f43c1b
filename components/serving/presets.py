"""Model presets: the architecture numbers of well-known open models, from each model's config.json.

A tier says `model: {preset: llama-3.3-70b-instruct}` and may override any field. The numbers feed
the HBM fit check and the vLLM arguments; a wrong number here is a wrong sizing, so every entry
names where it was read.

Sources (Hugging Face itself is not reachable from this workspace, so the config.json values were
read from faithful transcriptions):
- (M) AI-Hypercomputer/maxtext @ e591f30c `src/maxtext/checkpoint_conversion/utils/hf_model_configs.py`:
  transformers `*Config(...)` objects transcribed from the Hugging Face config.json files.
- (R) AI-Hypercomputer/tpu-recipes @ c8cfe2f6
  `training/archive/trillium/Llama3.1-405B-PyTorch/GCE/config.json`: a verbatim Llama 3.1 405B config.json.
- (T) huggingface/transformers @ 008f5c8c `models/gemma3/configuration_gemma3.py` (Gemma3TextConfig
  defaults for keys the Gemma 3 config.json omits).
Parameter counts are the totals the dimensions give (embeddings, attention, MLP or experts, norms);
they match the advertised sizes.

Not in the catalog: `meta-llama/Llama-3.1-405B-Instruct-FP8`. Its weights are `fbgemm_fp8`, which
vLLM TPU does not load (tpu-inference b8692ff0 `tpu_platform.py` lists compressed-tensors, auto_awq,
fp8, gpt_oss_mxfp4, modelopt_fp4, deepseek_v4_fp8). Serve the BF16 checkpoint on a slice large
enough for it (2x2x2) or a compressed-tensors FP8 export with explicit fields.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from components.gke.tpu import Dtype


@dataclass(frozen=True)
class ModelPreset:
    name: str  # the Hugging Face id, used as the served model name and the folder in the model store
    parameters_billion: float
    layers: int
    kv_heads: int
    head_dim: int
    weight_dtype: Dtype
    max_position_embeddings: int  # the longest context the model supports: maxModelLen cannot exceed it
    source: str

    def fields(self) -> dict[str, object]:
        """The preset as ModelConfig field values (snake_case), without its citation."""
        values = asdict(self)
        values.pop("source")
        return values


PRESETS: dict[str, ModelPreset] = {
    preset_id: preset
    for preset_id, preset in (
        (
            "llama-3.1-8b-instruct",
            ModelPreset(
                name="meta-llama/Llama-3.1-8B-Instruct",
                parameters_billion=8.03,
                layers=32,
                kv_heads=8,
                head_dim=128,  # hidden 4096 / 32 heads
                weight_dtype="bf16",
                max_position_embeddings=131072,
                source="(M) llama31_8b_config",
            ),
        ),
        (
            "llama-3.3-70b-instruct",
            ModelPreset(
                name="meta-llama/Llama-3.3-70B-Instruct",
                parameters_billion=70.6,
                layers=80,
                kv_heads=8,
                head_dim=128,  # hidden 8192 / 64 heads
                weight_dtype="bf16",
                max_position_embeddings=131072,
                source="(M) llama31_70b_config and configs/models/llama3.3-70b.yml (same architecture as 3.1 70B)",
            ),
        ),
        (
            "llama-3.1-405b-instruct",
            ModelPreset(
                name="meta-llama/Llama-3.1-405B-Instruct",
                parameters_billion=405.9,
                layers=126,
                kv_heads=8,
                head_dim=128,  # hidden 16384 / 128 heads
                weight_dtype="bf16",
                max_position_embeddings=131072,
                source="(R) Llama3.1-405B config.json and (M) llama31_405b_config",
            ),
        ),
        (
            "qwen3-32b",
            ModelPreset(
                name="Qwen/Qwen3-32B",
                parameters_billion=32.8,
                layers=64,
                kv_heads=8,
                head_dim=128,  # explicit in config.json (hidden / heads would give 80)
                weight_dtype="bf16",
                max_position_embeddings=40960,
                source="(M) qwen3_32b_config",
            ),
        ),
        (
            "qwen3-coder-480b-a35b-instruct-fp8",
            ModelPreset(
                name="Qwen/Qwen3-Coder-480B-A35B-Instruct-FP8",
                parameters_billion=480.2,  # all 160 experts are resident; 35.5 B are active per token
                layers=62,
                kv_heads=8,
                head_dim=128,
                weight_dtype="fp8",  # quant_method fp8, e4m3, 128x128 blocks: loaded by vLLM TPU as is
                max_position_embeddings=262144,
                source="(M) qwen3_coder_480b_a35b_config; FP8 layout as served by tpu-recipes' TPU7x recipe",
            ),
        ),
        (
            "gemma-3-27b-it",
            ModelPreset(
                name="google/gemma-3-27b-it",
                parameters_billion=27.4,  # 27.0 B text + 0.4 B SigLIP vision tower
                layers=62,
                kv_heads=16,
                head_dim=128,
                weight_dtype="bf16",
                max_position_embeddings=131072,
                source="(M) gemma3_27b_config (text_config) and (T) Gemma3TextConfig default max_position_embeddings",
            ),
        ),
    )
}

"""The preset catalog: cited, consistent, and each model fits the slice its recipes use."""

from __future__ import annotations

import pytest

from components.gke import tpu
from components.serving.config import ModelConfig
from components.serving.presets import PRESETS

# A slice each preset is served on (bf16 KV, 8k context, 16 sequences) by the TPU7x recipes or by
# the HBM arithmetic in the preset's docstring.
SLICES = {
    "llama-3.1-8b-instruct": "1x1x1",
    "llama-3.3-70b-instruct": "2x2x1",
    "llama-3.1-405b-instruct": "2x2x2",
    "qwen3-32b": "1x1x1",
    "qwen3-coder-480b-a35b-instruct-fp8": "2x2x1",
    "gemma-3-27b-it": "1x1x1",
}


def test_the_issue_s_models_are_in_the_catalog() -> None:
    assert set(PRESETS) == set(SLICES)
    assert all(p.source for p in PRESETS.values())
    assert "meta-llama/Llama-3.1-405B-Instruct-FP8" not in {p.name for p in PRESETS.values()}


@pytest.mark.parametrize("preset_id", sorted(PRESETS))
def test_each_preset_fits_its_recipe_slice(preset_id: str) -> None:
    model = ModelConfig.model_validate({"preset": preset_id, "maxModelLen": 8192, "maxNumSeqs": 16})
    topology = SLICES[preset_id]
    machine = "tpu7x-standard-1t" if topology == "1x1x1" else "tpu7x-standard-4t"
    chips = tpu.slice_shape(topology, machine).chips
    tpu.check_fit(tpu.slice_shape(topology, machine), model.spec(model.settings(0.9, 2 * chips, 1)), 0.9)


def test_preset_fields_can_be_overridden_and_the_explicit_form_still_works() -> None:
    model = ModelConfig.model_validate({"preset": "llama-3.3-70b-instruct", "kvCacheDtype": "fp8", "path": "llama70"})
    assert (model.name, model.layers, model.kv_cache_dtype, model.folder) == (
        "meta-llama/Llama-3.3-70B-Instruct",
        80,
        "fp8",
        "llama70",
    )
    explicit = ModelConfig.model_validate(
        {"name": "org/custom", "parametersBillion": 7, "layers": 28, "kvHeads": 4, "headDim": 128}
    )
    assert (explicit.folder, explicit.max_position_embeddings) == ("org/custom", None)


def test_kv_bytes_per_token_match_the_config_json_figures() -> None:
    # Q10 of the serving research: 128 KiB / token for Llama 3.1 8B, 504 KiB for 405B (bf16).
    for preset_id, kib in (("llama-3.1-8b-instruct", 128), ("llama-3.1-405b-instruct", 504), ("qwen3-32b", 256)):
        model = ModelConfig.model_validate({"preset": preset_id})
        spec = model.spec(model.settings(0.9, 2, 1))
        assert spec.kv_bytes_per_token == kib * 1024

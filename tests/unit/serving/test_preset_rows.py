"""Each preset row, literally: a changed number is a wrong sizing, so every field is written out here."""

from __future__ import annotations

from components.serving.presets import PRESETS

ROWS = {
    "llama-3.1-8b-instruct": ("meta-llama/Llama-3.1-8B-Instruct", 8.03, 32, 8, 128, "bf16", 131072),
    "llama-3.3-70b-instruct": ("meta-llama/Llama-3.3-70B-Instruct", 70.6, 80, 8, 128, "bf16", 131072),
    "llama-3.1-405b-instruct": ("meta-llama/Llama-3.1-405B-Instruct", 405.9, 126, 8, 128, "bf16", 131072),
    "qwen3-32b": ("Qwen/Qwen3-32B", 32.8, 64, 8, 128, "bf16", 40960),
    "qwen3-coder-480b-a35b-instruct-fp8": ("Qwen/Qwen3-Coder-480B-A35B-Instruct-FP8", 480.2, 62, 8, 128, "fp8", 262144),
    "gemma-3-27b-it": ("google/gemma-3-27b-it", 27.4, 62, 16, 128, "bf16", 131072),
}


def test_every_preset_row_as_read_from_its_config_json() -> None:
    found = {
        preset_id: (
            p.name,
            p.parameters_billion,
            p.layers,
            p.kv_heads,
            p.head_dim,
            p.weight_dtype,
            p.max_position_embeddings,
        )
        for preset_id, p in PRESETS.items()
    }
    assert found == ROWS
    assert all(p.source for p in PRESETS.values())

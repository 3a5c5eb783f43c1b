"""The published sizing estimate, figure by figure, computed by hand (not from the module's own
constants): 8B parameters in bf16, 32 layers x 8 KV heads x 128 dims, 16 sequences of 8,192 tokens
on a 2x2x1 slice (4 chips x 192 GiB HBM, 7,380 GB/s each) at 90% memory utilisation."""

from __future__ import annotations

from dataclasses import replace

import pytest

from components.gke.pool_sizing import PoolSizing
from components.gke.tpu import ModelSpec, SizingError, check_fit, estimate, slice_shape

MODEL = ModelSpec(
    parameters_billion=8,
    layers=32,
    kv_heads=8,
    head_dim=128,
    weight_dtype="bf16",
    kv_cache_dtype="bf16",
    max_model_len=8192,
    max_num_seqs=16,
)


def test_the_estimate_of_a_known_model_on_a_known_slice() -> None:
    # weights 8e9 x 2 B = 14.90 GiB; KV 2 x 32 x 8 x 128 x 2 B x 8192 x 16 = 16 GiB exactly;
    # decode ceiling 16 seqs x 4 x 7380e9 B/s / (30.90 GiB in bytes) = 14,235 tokens/s.
    assert estimate(slice_shape("2x2x1", "tpu7x-standard-4t"), MODEL, 0.9).as_output() == {
        "chips": 4,
        "vms": 1,
        "tensorParallelSize": 8,
        "tpuPerPod": 4,
        "hbmNeedGiB": 30.9,
        "hbmUsableGiB": 691.2,
        "hbmTotalGiB": 768,
        "weightsGiB": 14.9,
        "kvCacheGiB": 16.0,
        "estimatedDecodeTokensPerSecondCeiling": 14235,
        "note": "estimates: HBM from parameter count and full KV cache; decode ceiling from HBM bandwidth",
    }


@pytest.mark.parametrize(
    ("dtype", "weights_gib"), [("bf16", 14.901), ("fp16", 14.901), ("fp8", 7.451), ("int8", 7.451), ("int4", 3.725)]
)
def test_bytes_per_weight_by_dtype(dtype: str, weights_gib: float) -> None:
    model = ModelSpec(8, 32, 8, 128, dtype, "bf16", 8192, 16)  # type: ignore[arg-type]
    assert model.weights_gib == pytest.approx(weights_gib, abs=1e-3)


def test_a_pool_without_a_count_or_bounds_has_no_nodes_at_most() -> None:
    assert PoolSizing(None, None, None, None, None).most_nodes == 0
    assert PoolSizing(None, 1, 3, 1, "ANY").most_nodes == 3
    assert PoolSizing(2, None, None, None, None).most_nodes == 2


def test_a_model_that_fills_the_usable_hbm_exactly_fits() -> None:
    # weights 4.294967296e9 x 2 B = 8 GiB; KV 128 KiB a token x 8,192 tokens x 88 sequences = 88 GiB;
    # one chip's 192 GiB at 50% is 96 GiB usable: need equal to usable fits, one sequence more does not.
    fits = replace(MODEL, parameters_billion=4.294967296, max_num_seqs=88)
    shape = slice_shape("1x1x1", "tpu7x-standard-1t")
    assert check_fit(shape, fits, 0.5).hbm_need_gib == 96.0
    with pytest.raises(SizingError, match=r"needs 97\.0 GiB HBM .* has 96\.0 GiB usable"):
        check_fit(shape, replace(fits, max_num_seqs=89), 0.5)


def test_the_published_hbm_figures_keep_one_decimal() -> None:
    # weights 8.03e9 x 2 B = 14.957 GiB, shown as 15.0; KV 131,072 B a token x 1,100 tokens x 16
    # sequences = 2.148 GiB, shown as 2.1; need 17.106 GiB, shown as 17.1; usable 4 chips x 192 GiB x
    # 0.93 = 714.24 GiB, shown as 714.2. Each would read otherwise at 0 or 2 decimals.
    model = replace(MODEL, parameters_billion=8.03, max_model_len=1100)
    output = estimate(slice_shape("2x2x1", "tpu7x-standard-4t"), model, 0.93).as_output()
    shown = (output["weightsGiB"], output["kvCacheGiB"], output["hbmNeedGiB"], output["hbmUsableGiB"])
    assert shown == (15.0, 2.1, 17.1, 714.2)

"""TPU7x shapes and sizing: direct cases and properties."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.gke.tpu import (
    HBM_GIB_PER_CHIP,
    MAX_CHIPS,
    ModelSpec,
    SizingError,
    check_fit,
    estimate,
    slice_shape,
)
from components.serving.config import TierConfig
from tests.helpers import LLAMA_8B, tier


@pytest.mark.parametrize(
    ("topology", "machine_type", "chips", "vms", "tp", "tpu_per_pod"),
    [
        ("1x1x1", "tpu7x-standard-1t", 1, 1, 2, 1),
        ("2x2x1", "tpu7x-standard-4t", 4, 1, 8, 4),
        ("2x2x2", "tpu7x-standard-4t", 8, 2, 16, 4),
        ("2x2x4", "tpu7x-standard-4t", 16, 4, 32, 4),
        ("2x4x4", "tpu7x-standard-4t", 32, 8, 64, 4),
        ("4x4x4", "tpu7x-standard-4t", 64, 16, 128, 4),
        ("8x16x16", "tpu7x-standard-4t", 2048, 512, 4096, 4),
        ("16x24x24", "tpu7x-standard-4t", 9216, 2304, 18432, 4),  # a full pod: the largest slice
    ],
)
def test_known_shapes(topology: str, machine_type: str, chips: int, vms: int, tp: int, tpu_per_pod: int) -> None:
    shape = slice_shape(topology, machine_type)
    assert (shape.chips, shape.vms, shape.tensor_parallel_size, shape.tpu_per_pod) == (chips, vms, tp, tpu_per_pod)
    assert shape.multi_host is (vms > 1)


@pytest.mark.parametrize(
    ("topology", "machine_type", "message"),
    [
        ("2x2x1", "tpu7x-standard-1t", "topology 2x2x1 runs on tpu7x-standard-4t, not tpu7x-standard-1t"),
        ("1x1x1", "tpu7x-standard-4t", "topology 1x1x1 runs on tpu7x-standard-1t, not tpu7x-standard-4t"),
        ("2x2x2", "tpu7x-standard-1t", "multi-host topology 2x2x2 needs tpu7x-standard-4t"),
        ("3x3x3", "tpu7x-standard-4t", "topology 3x3x3 (27 chips) is not a TPU7x slice"),
        ("4x2x2", "tpu7x-standard-4t", "topology 4x2x2 (16 chips) is not a TPU7x slice"),
        ("8x4x4", "tpu7x-standard-4t", "A<=B<=C"),
        ("16x16x40", "tpu7x-standard-4t", f"at most {MAX_CHIPS} chips"),
        ("2x2", "tpu7x-standard-4t", "is not AxBxC"),
        ("0x2x2", "tpu7x-standard-4t", "is not AxBxC"),
        ("2x2x1", "ct6e-standard-4t", "machine type 'ct6e-standard-4t' is not TPU7x"),
    ],
)
def test_invalid_shapes_say_why(topology: str, machine_type: str, message: str) -> None:
    with pytest.raises(SizingError, match=None) as raised:
        slice_shape(topology, machine_type)
    assert message in str(raised.value)


multiples_of_four = st.integers(min_value=1, max_value=64).map(lambda n: 4 * n)


@given(st.lists(multiples_of_four, min_size=3, max_size=3))
def test_large_slices_follow_the_cube_rule(dims: list[int]) -> None:
    dims.sort()
    topology = "x".join(map(str, dims))
    chips = math.prod(dims)
    if chips > MAX_CHIPS:
        with pytest.raises(SizingError):
            slice_shape(topology, "tpu7x-standard-4t")
        return
    shape = slice_shape(topology, "tpu7x-standard-4t")
    assert shape.chips == chips
    assert shape.vms * 4 == chips
    assert shape.tensor_parallel_size == 2 * chips
    assert shape.hbm_gib == HBM_GIB_PER_CHIP * chips
    assert shape.multi_host


dtypes = st.sampled_from(["bf16", "fp8", "int4"])
models = st.builds(
    ModelSpec,
    parameters_billion=st.floats(min_value=0.5, max_value=1000),
    layers=st.integers(1, 200),
    kv_heads=st.integers(1, 64),
    head_dim=st.sampled_from([64, 128, 256]),
    weight_dtype=dtypes,
    kv_cache_dtype=dtypes,
    max_model_len=st.integers(256, 131072),
    max_num_seqs=st.integers(1, 512),
)
shapes = st.sampled_from(
    [
        slice_shape(t, m)
        for t, m in [
            ("1x1x1", "tpu7x-standard-1t"),
            ("2x2x1", "tpu7x-standard-4t"),
            ("2x2x2", "tpu7x-standard-4t"),
            ("4x4x4", "tpu7x-standard-4t"),
        ]
    ]
)


@given(shapes, models, st.floats(min_value=0.5, max_value=0.98))
def test_fit_check_agrees_with_the_estimate(shape, model: ModelSpec, utilization: float) -> None:
    figures = estimate(shape, model, utilization)
    assert figures.hbm_need_gib == pytest.approx(figures.weights_gib + figures.kv_cache_gib)
    assert figures.hbm_usable_gib == pytest.approx(shape.chips * HBM_GIB_PER_CHIP * utilization)
    if figures.hbm_need_gib <= figures.hbm_usable_gib:
        assert check_fit(shape, model, utilization) == figures
    else:
        with pytest.raises(SizingError) as raised:
            check_fit(shape, model, utilization)
        assert f"{figures.hbm_need_gib:.1f} GiB" in str(raised.value)
        assert shape.topology in str(raised.value)


@given(shapes, models)
def test_more_chips_never_lower_the_decode_ceiling(shape, model: ModelSpec) -> None:
    bigger = slice_shape("4x4x4", "tpu7x-standard-4t")
    assert (
        estimate(bigger, model, 0.9).decode_tokens_per_s_ceiling
        >= estimate(shape, model, 0.9).decode_tokens_per_s_ceiling
    )


def test_llama_70b_figures() -> None:
    model = ModelSpec(70.6, 80, 8, 128, "bf16", "bf16", max_model_len=16384, max_num_seqs=64)
    figures = check_fit(slice_shape("2x2x1", "tpu7x-standard-4t"), model, 0.9)
    assert round(figures.weights_gib, 1) == 131.5  # 70.6e9 x 2 bytes
    assert round(figures.kv_cache_gib, 1) == 320.0  # 2 x 80 x 8 x 128 x 2 bytes x 16384 x 64
    assert round(figures.hbm_usable_gib, 1) == 691.2


def test_too_big_a_model_names_both_numbers() -> None:
    model = ModelSpec(405.9, 126, 8, 128, "bf16", "bf16", max_model_len=8192, max_num_seqs=8)
    with pytest.raises(SizingError) as raised:
        check_fit(slice_shape("2x2x1", "tpu7x-standard-4t"), model, 0.9)
    assert "model needs 787.5 GiB HBM (weights 756.0 + KV cache 31.5)" in str(raised.value)
    assert "2x2x1 has 691.2 GiB usable" in str(raised.value)


def test_small_model_on_a_big_slice_is_fine() -> None:
    parsed = TierConfig.model_validate(tier(machineType="tpu7x-standard-4t", topology="4x4x4", model=LLAMA_8B))
    assert parsed.shape.vms == 16

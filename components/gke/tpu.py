"""TPU7x (Ironwood) facts and sizing: pure functions, no Pulumi calls.

Figures from https://docs.cloud.google.com/tpu/docs/tpu7x and the GKE Ironwood guide;
topology rules from AI-Hypercomputer/xpk `system_characteristics.py`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from components.config.catalog import TPU7X_ZONES

ACCELERATOR = "tpu7x"
TPU_RESOURCE = "google.com/tpu"
CHIPS_PER_VM = {"tpu7x-standard-1t": 1, "tpu7x-standard-4t": 4}
MACHINE_TYPES = tuple(CHIPS_PER_VM)
SINGLE_HOST_TOPOLOGIES = {"1x1x1": "tpu7x-standard-1t", "2x2x1": "tpu7x-standard-4t"}
MULTI_HOST_SMALL_TOPOLOGIES = ("2x2x2", "2x2x4", "2x4x4")
MAX_CHIPS = 9216  # one full pod: 144 cubes of 64 chips (xpk's encoding)
TENSORCORES_PER_CHIP = 2  # vLLM sees two devices per chip: TP = 2 x chips
HBM_GIB_PER_CHIP = 192
HBM_BANDWIDTH_GB_PER_S_PER_CHIP = 7380
ZONES = TPU7X_ZONES  # dated and sourced in components/config/catalog.py
# GKE Standard supports TPU7x from 1.34.0-gke.2201000 (cluster-toolkit's TPU7x example asks for
# 1.34.3-gke.1318000 on REGULAR). `cluster.minMasterVersion` may not go below it; unset, the cluster
# takes its release channel's default, a version GKE keeps current (and well past this floor).
MIN_TPU7X_GKE_VERSION = "1.34.0-gke.2201000"

BYTES_PER_VALUE = {"bf16": 2.0, "fp16": 2.0, "fp8": 1.0, "int8": 1.0, "int4": 0.5}
Dtype = Literal["bf16", "fp16", "fp8", "int8", "int4"]
GIB = 1024**3


class SizingError(ValueError):
    """A TPU shape or model fit that cannot work; the message carries the numbers.

    `input` says which input to change: `topology`, `machine_type` or (for fit) `topology` too,
    since a larger slice is the first way out.
    """

    def __init__(self, message: str, input: Literal["topology", "machine_type"] = "topology") -> None:
        super().__init__(message)
        self.input = input


@dataclass(frozen=True)
class SliceShape:
    topology: str
    machine_type: str
    chips: int
    vms: int
    chips_per_vm: int

    @property
    def multi_host(self) -> bool:
        return self.vms > 1

    @property
    def tpu_per_pod(self) -> int:
        """The `google.com/tpu` request of each serving pod: every chip of its VM."""
        return self.chips_per_vm

    @property
    def tensor_parallel_size(self) -> int:
        return TENSORCORES_PER_CHIP * self.chips

    @property
    def hbm_gib(self) -> int:
        return HBM_GIB_PER_CHIP * self.chips


def parse_topology(topology: str) -> tuple[int, int, int]:
    parts = topology.split("x")
    if len(parts) != 3 or not all(p.isdigit() and int(p) > 0 for p in parts):
        raise SizingError(f"topology {topology!r} is not AxBxC with positive integers (allowed: e.g. 2x2x1, 2x2x2)")
    a, b, c = (int(p) for p in parts)
    return a, b, c


def _is_valid_multi_host(dims: tuple[int, int, int]) -> bool:
    topology = "x".join(map(str, dims))
    if topology in MULTI_HOST_SMALL_TOPOLOGIES:
        return True
    return all(d % 4 == 0 for d in dims) and list(dims) == sorted(dims) and math.prod(dims) <= MAX_CHIPS


def slice_shape(topology: str, machine_type: str) -> SliceShape:
    """Chips and VMs of a TPU7x slice; raises SizingError when the pair is not a real TPU7x shape."""
    if machine_type not in CHIPS_PER_VM:
        raise SizingError(
            f"machine type {machine_type!r} is not TPU7x (allowed: {', '.join(MACHINE_TYPES)})", "machine_type"
        )
    dims = parse_topology(topology)
    chips = math.prod(dims)
    if topology in SINGLE_HOST_TOPOLOGIES:
        expected = SINGLE_HOST_TOPOLOGIES[topology]
        if machine_type != expected:
            raise SizingError(
                f"topology {topology} runs on {expected}, not {machine_type} (allowed: {expected})", "machine_type"
            )
        return SliceShape(topology, machine_type, chips=chips, vms=1, chips_per_vm=CHIPS_PER_VM[machine_type])
    if not _is_valid_multi_host(dims):
        raise SizingError(
            f"topology {topology} ({chips} chips) is not a TPU7x slice (allowed: 1x1x1, 2x2x1, "
            f"{', '.join(MULTI_HOST_SMALL_TOPOLOGIES)}, or AxBxC with A<=B<=C all multiples of 4 "
            f"and at most {MAX_CHIPS} chips)"
        )
    if machine_type != "tpu7x-standard-4t":
        raise SizingError(
            f"multi-host topology {topology} needs tpu7x-standard-4t, not {machine_type} (allowed: tpu7x-standard-4t)",
            "machine_type",
        )
    return SliceShape(topology, machine_type, chips=chips, vms=chips // 4, chips_per_vm=4)


@dataclass(frozen=True)
class ModelSpec:
    """What the HBM estimate needs to know about a model (from its config.json)."""

    parameters_billion: float
    layers: int
    kv_heads: int
    head_dim: int
    weight_dtype: Dtype
    kv_cache_dtype: Dtype
    max_model_len: int
    max_num_seqs: int

    @property
    def weights_gib(self) -> float:
        return self.parameters_billion * 1e9 * BYTES_PER_VALUE[self.weight_dtype] / GIB

    @property
    def kv_bytes_per_token(self) -> float:
        """Keys and values of every layer for one token."""
        return 2 * self.layers * self.kv_heads * self.head_dim * BYTES_PER_VALUE[self.kv_cache_dtype]

    @property
    def kv_cache_gib(self) -> float:
        """A full KV cache: every concurrent sequence at the maximum context length."""
        return self.kv_bytes_per_token * self.max_model_len * self.max_num_seqs / GIB


@dataclass(frozen=True)
class TierEstimate:
    """Per-tier figures shown in the preview; the throughput number is an estimate."""

    chips: int
    vms: int
    tensor_parallel_size: int
    tpu_per_pod: int
    weights_gib: float
    kv_cache_gib: float
    hbm_need_gib: float
    hbm_usable_gib: float
    hbm_total_gib: int
    decode_tokens_per_s_ceiling: float

    def as_output(self) -> dict[str, float | int | str]:
        return {
            "chips": self.chips,
            "vms": self.vms,
            "tensorParallelSize": self.tensor_parallel_size,
            "tpuPerPod": self.tpu_per_pod,
            "hbmNeedGiB": round(self.hbm_need_gib, 1),
            "hbmUsableGiB": round(self.hbm_usable_gib, 1),
            "hbmTotalGiB": self.hbm_total_gib,
            "weightsGiB": round(self.weights_gib, 1),
            "kvCacheGiB": round(self.kv_cache_gib, 1),
            "estimatedDecodeTokensPerSecondCeiling": round(self.decode_tokens_per_s_ceiling),
            "note": "estimates: HBM from parameter count and full KV cache; decode ceiling from HBM bandwidth",
        }


def estimate(shape: SliceShape, model: ModelSpec, memory_utilization: float) -> TierEstimate:
    """HBM need versus what the slice offers, and a memory-bandwidth ceiling on decode throughput.

    Each decode step reads every weight once and, at worst, the whole KV cache; with the batch of
    `max_num_seqs` sequences spread over all chips, tokens/s <= seqs x bandwidth / bytes per step.
    """
    need = model.weights_gib + model.kv_cache_gib
    usable = shape.hbm_gib * memory_utilization
    bytes_per_step = (model.weights_gib + model.kv_cache_gib) * GIB
    bandwidth = shape.chips * HBM_BANDWIDTH_GB_PER_S_PER_CHIP * 1e9
    ceiling = model.max_num_seqs * bandwidth / bytes_per_step
    return TierEstimate(
        chips=shape.chips,
        vms=shape.vms,
        tensor_parallel_size=shape.tensor_parallel_size,
        tpu_per_pod=shape.tpu_per_pod,
        weights_gib=model.weights_gib,
        kv_cache_gib=model.kv_cache_gib,
        hbm_need_gib=need,
        hbm_usable_gib=usable,
        hbm_total_gib=shape.hbm_gib,
        decode_tokens_per_s_ceiling=ceiling,
    )


def check_fit(shape: SliceShape, model: ModelSpec, memory_utilization: float) -> TierEstimate:
    """The estimate, or SizingError naming both numbers when the model does not fit."""
    figures = estimate(shape, model, memory_utilization)
    if figures.hbm_need_gib > figures.hbm_usable_gib:
        raise SizingError(
            f"model needs {figures.hbm_need_gib:.1f} GiB HBM (weights {figures.weights_gib:.1f} + KV cache "
            f"{figures.kv_cache_gib:.1f}) but {shape.topology} has {figures.hbm_usable_gib:.1f} GiB usable "
            f"({shape.chips} chips x {HBM_GIB_PER_CHIP} GiB x {memory_utilization}) (allowed: a larger topology, "
            "a smaller maxModelLen or maxNumSeqs, kvCacheDtype fp8, or a checkpoint quantized to fp8: vLLM TPU "
            "does not quantize weights while loading)"
        )
    return figures

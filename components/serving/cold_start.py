"""Estimated cold start of one replica, from a ready node to serving: pure functions.

Estimates, not measurements: every figure comes with the assumption it rests on, and the stack
output says so. The data points behind the assumptions:
- image: `vllm/vllm-tpu` nightlies are 19.5 GB uncompressed (tpu-inference PR #1245, "raw image
  size (uncompressed) reduce from 25.9GB to 19.5GB"); the compressed size on Docker Hub was not found.
- compile: on TPU7x a 397B FP8 model on 2x2x1 initialises in about 10 minutes with a warm compile
  cache and needs about 90 minutes more cold (tpu-inference `.buildkite/xla_autotune/README.md`);
  the Gemma4-31B TPU7x recipe allows 30 minutes for a cold engine start
  (`VLLM_ENGINE_READY_TIMEOUT_S=1800`); small models initialise in a few minutes warm
  (tpu-inference #898: 140 s).
- weights: the model store's aggregate read bandwidth (`ModelStore.read_gib_s`); not estimated
  where the store cannot say (Cloud Storage FUSE depends on each VM's network and its cache).
"""

from __future__ import annotations

from dataclasses import dataclass

IMAGE_GB = 19.5
# Pull and unpack through an in-region Artifact Registry repository, one image per node. Image
# streaming (on in this cluster) can start the container sooner; the first pull through the remote
# repository also waits for Docker Hub.
IMAGE_PULL_MB_S = 150
LARGE_MODEL_BILLION = 100  # above this, compile figures of the 397B class apply
COMPILE_COLD_S = {"small": 1800, "large": 5400}
COMPILE_WARM_S = {"small": 300, "large": 600}
# The startup probe must outlast a cold start, or the kubelet restarts a replica that is compiling.
MIN_STARTUP_S = 1800
LARGE_STARTUP_S = 7200  # tpu-inference's autotuner allows 7200 s for a cold compile


def model_class(parameters_billion: float) -> str:
    return "large" if parameters_billion >= LARGE_MODEL_BILLION else "small"


def default_startup_seconds(parameters_billion: float) -> int:
    """How long the startup probe waits by default: 30 minutes, 2 hours for 100B+ models."""
    return LARGE_STARTUP_S if model_class(parameters_billion) == "large" else MIN_STARTUP_S


@dataclass(frozen=True)
class ColdStartEstimate:
    model_class: str
    image_pull_s: int
    weights_read_s: float | None
    compile_without_cache_s: int
    compile_with_cache_s: int

    def total(self, cached: bool) -> float | None:
        if self.weights_read_s is None:
            return None
        compile_s = self.compile_with_cache_s if cached else self.compile_without_cache_s
        return round(self.image_pull_s + self.weights_read_s + compile_s, 1)

    def as_output(self) -> dict[str, object]:
        return {
            "imagePullSeconds": self.image_pull_s,
            "weightsReadSeconds": self.weights_read_s,
            "compileWithoutCacheSeconds": self.compile_without_cache_s,
            "compileWithCacheSeconds": self.compile_with_cache_s,
            "totalFirstStartSeconds": self.total(cached=False),
            "totalWithCacheSeconds": self.total(cached=True),
            "note": "ESTIMATE, not a measurement",
            "assumptions": [
                f"image {IMAGE_GB} GB uncompressed pulled and unpacked at {IMAGE_PULL_MB_S} MB/s",
                "weights read once at the model store's aggregate bandwidth (null: not estimated for this store)",
                f"compile for a {self.model_class} model ({LARGE_MODEL_BILLION}B+ parameters is large): "
                f"{self.compile_without_cache_s} s cold, {self.compile_with_cache_s} s with a warm cache "
                "(tpu-inference and tpu-recipes TPU7x data points)",
                "a new image tag, model, parallelism or length limit starts the cache cold again",
            ],
        }


def estimate(parameters_billion: float, weights_read_s: float | None) -> ColdStartEstimate:
    size = model_class(parameters_billion)
    return ColdStartEstimate(
        model_class=size,
        image_pull_s=round(IMAGE_GB * 1000 / IMAGE_PULL_MB_S),
        weights_read_s=weights_read_s,
        compile_without_cache_s=COMPILE_COLD_S[size],
        compile_with_cache_s=COMPILE_WARM_S[size],
    )

"""Cold-start estimates, held literally: 19.5 GB of image at 150 MB/s is 130 s; a small model
compiles in 1,800 s cold and 300 s warm, a model of 100B parameters or more in 5,400 s and 600 s."""

from __future__ import annotations

import pytest

from components.serving.cold_start import default_startup_seconds, estimate


def test_estimate_adds_image_weights_and_compile() -> None:
    assert estimate(70.6, 12.34).as_output() == {
        "imagePullSeconds": 130,
        "weightsReadSeconds": 12.34,
        "compileWithoutCacheSeconds": 1800,
        "compileWithCacheSeconds": 300,
        "totalFirstStartSeconds": 1942.3,  # 130 + 12.34 + 1800, to a tenth
        "totalWithCacheSeconds": 442.3,
        "note": "ESTIMATE, not a measurement",
        "assumptions": [
            "image 19.5 GB uncompressed pulled and unpacked at 150 MB/s",
            "weights read once at the model store's aggregate bandwidth (null: not estimated for this store)",
            "compile for a small model (100B+ parameters is large): 1800 s cold, 300 s with a warm cache "
            "(tpu-inference and tpu-recipes TPU7x data points)",
            "a new image tag, model, parallelism or length limit starts the cache cold again",
        ],
    }


def test_unknown_store_bandwidth_is_not_guessed() -> None:
    output = estimate(8.0, None).as_output()
    assert (output["totalFirstStartSeconds"], output["totalWithCacheSeconds"]) == (None, None)


@pytest.mark.parametrize(
    ("billion", "model_class", "cold", "warm", "startup"),
    [(8.0, "small", 1800, 300, 1800), (99.9, "small", 1800, 300, 1800), (100, "large", 5400, 600, 7200)],
)
def test_models_of_100b_or_more_compile_longer_and_get_a_longer_startup_probe(
    billion: float, model_class: str, cold: int, warm: int, startup: int
) -> None:
    figures = estimate(billion, 1.0)
    assert (figures.model_class, figures.compile_without_cache_s, figures.compile_with_cache_s) == (
        model_class,
        cold,
        warm,
    )
    assert default_startup_seconds(billion) == startup

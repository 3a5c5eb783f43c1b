"""Cold-start estimates are labelled and add up."""

from __future__ import annotations

from components.serving.cold_start import default_startup_seconds, estimate


def test_estimate_adds_image_weights_and_compile() -> None:
    figures = estimate(70.6, 10.0)
    output = figures.as_output()
    assert output["note"] == "ESTIMATE, not a measurement"
    assert output["totalFirstStartSeconds"] == figures.image_pull_s + 10.0 + figures.compile_without_cache_s
    assert output["totalWithCacheSeconds"] == figures.image_pull_s + 10.0 + figures.compile_with_cache_s
    assert output["totalWithCacheSeconds"] < output["totalFirstStartSeconds"]
    assumptions = output["assumptions"]
    assert isinstance(assumptions, list) and any("cache" in line for line in assumptions)


def test_unknown_store_bandwidth_is_not_guessed() -> None:
    assert estimate(8.0, None).as_output()["totalFirstStartSeconds"] is None


def test_large_models_compile_longer_and_get_a_longer_startup_probe() -> None:
    assert estimate(405.9, 1.0).compile_without_cache_s > estimate(8.0, 1.0).compile_without_cache_s
    assert default_startup_seconds(8.0) == 1800
    assert default_startup_seconds(405.9) == 7200

"""Boundaries of the cross-concern checks that mutation testing found unheld (`components/config/checks.py`)."""

from __future__ import annotations

from tests.helpers import LLAMA_8B, assert_rejected, config, tier, values

# A short namespace, so the Gateway's backend-service name limit (namespace + tier + port) is not
# what stops a long tier name; a second model name, so the two tiers do not serve the same model.
SHORT_NAMESPACE = {"llm-platform:serving": {"namespace": "ml"}}


def tiers(name: str) -> dict[str, object]:
    model = {**LLAMA_8B, "name": "copy"}
    return {"llm-platform:tiers": {"small": tier(), name: tier(model=model)}}


def test_a_tier_name_of_20_characters_is_accepted_and_21_refused() -> None:
    assert "t" * 20 in config({**SHORT_NAMESPACE, **tiers("t" * 20)}).tiers
    assert_rejected(
        values({**SHORT_NAMESPACE, **tiers("t" * 21)}),
        f"llm-platform:tiers.{'t' * 21}: name is 21 characters (allowed: at most 20",
    )


def test_a_model_folder_inside_the_compile_caches_is_refused() -> None:
    assert_rejected(
        values({"llm-platform:modelStore": {"prefix": "compile-cache/llama/"}}),
        "llm-platform:modelStore.prefix: compile-cache/llama/ overlaps the compile caches under compile-cache/",
    )
    assert config({"llm-platform:modelStore": {"prefix": "compile/"}}).model_store.prefix == "compile/"

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


def test_a_subnet_exactly_full_is_accepted_and_one_node_more_refused() -> None:
    # A /28 has 16 addresses, 4 of them reserved: 12 nodes fit. The system pool is 3 nodes; the small
    # tier's pool grows to maxReplicas plus one surge node.
    subnet = {"llm-platform:network": {"subnetCidr": "10.10.0.0/28"}}
    full = config({**subnet, "llm-platform:tiers": {"small": tier(maxReplicas=8)}})
    assert full.network.subnet_cidr == "10.10.0.0/28"
    assert_rejected(
        values({**subnet, "llm-platform:tiers": {"small": tier(maxReplicas=9)}}),
        "llm-platform:network.subnetCidr: 10.10.0.0/28 has 12 usable addresses, but the pools can grow to 13 nodes",
    )


def test_a_pod_range_exactly_full_is_accepted_and_one_node_more_refused() -> None:
    # A /20 holds sixteen /24 node pod ranges: 3 system nodes and the small tier's 12 replicas plus a
    # surge node fill it.
    pods = {"llm-platform:network": {"podsCidr": "10.16.0.0/20"}}
    assert config({**pods, "llm-platform:tiers": {"small": tier(maxReplicas=12)}}).network.pods_cidr == "10.16.0.0/20"
    assert_rejected(
        values({**pods, "llm-platform:tiers": {"small": tier(maxReplicas=13)}}),
        "llm-platform:network.podsCidr: 10.16.0.0/20 holds a /24 pod range for 16 nodes, but the pools can grow to 17",
    )

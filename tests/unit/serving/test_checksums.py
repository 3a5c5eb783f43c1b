"""Secret checksums: a new value changes the pod template; the value itself never shows."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s
from hypothesis import given
from hypothesis import strategies as st

from components.serving import checksums
from tests.conftest import RunComponent

KEY = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=32, max_size=48)


def test_checksum_and_annotation() -> None:
    # sha256(b"llm-platform secret checksum v1\0key-one"), computed outside the module
    assert checksums.checksum("key-one") == "138db6a66fec9f0add16689781d7d7227571a962608e767655d9436db42e5705"
    assert checksums.annotation("vllm-api-key", "api-key") == "llm-platform/checksum.vllm-api-key.api-key"


@given(KEY, KEY)
def test_different_keys_give_different_checksums_without_showing_either(first: str, second: str) -> None:
    assert (checksums.checksum(first) == checksums.checksum(second)) is (first == second)
    assert first not in checksums.checksum(first)


def test_the_checksum_of_a_secret_is_shown_and_the_secret_is_not(run_component: RunComponent) -> None:
    def build() -> None:
        value = pulumi.Output.secret("key-one-0123456789abcdef0123456789")
        k8s.core.v1.ConfigMap("shown", data={"checksum": checksums.checksum_output(value)})

    graph = run_component(build)
    shown = graph.one("kubernetes:core/v1:ConfigMap").inputs["data"]["checksum"]
    assert shown == checksums.checksum("key-one-0123456789abcdef0123456789")  # not masked as a secret
    assert "key-one" not in graph.to_json()

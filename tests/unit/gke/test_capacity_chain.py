"""components/gke/capacity_chain.py and the chain's sizing: pure decisions."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from components.gke import capacity_chain
from components.gke.config import CapacityConfig
from components.gke.pool_sizing import chain_sizings
from components.gke.tpu import slice_shape
from components.naming import Naming
from tests.schemas import cel_report, problems
from tools.graph import Registration

FALLBACK = ("on-demand", "flex-start", "spot")
NAMING = Naming(stack="a-rather-long-stack-name", environment="dev")


def _class(spec: dict[str, object]) -> Registration:
    inputs = {"apiVersion": "cloud.google.com/v1", "kind": "ComputeClass", "metadata": {"name": "c"}, "spec": spec}
    return Registration(
        urn="urn:test",
        type="kubernetes:cloud.google.com/v1:ComputeClass",
        name="c",
        parent="",
        custom=True,
        dependencies=[],
        inputs=inputs,
        protect=False,
        retainOnDelete=False,
        aliases=[],
        ignoreChanges=[],
        provider="",
    )


def test_one_mode_is_no_chain_and_keeps_its_sizing() -> None:
    capacity = CapacityConfig(type="on-demand")
    assert capacity.modes == ["on-demand"] and not capacity_chain.has_chain(capacity)
    ((step, sizing),) = chain_sizings(slice_shape("1x1x1", "tpu7x-standard-1t"), capacity, 2, 4, 1)
    assert step is capacity and (sizing.min_nodes, sizing.max_nodes) == (2, 5)
    # Without a surge the ceiling is the replicas' own.
    ((_, sizing),) = chain_sizings(slice_shape("1x1x1", "tpu7x-standard-1t"), capacity, 2, 4)
    assert (sizing.min_nodes, sizing.max_nodes) == (2, 4)


def test_a_chain_sizes_every_pool_from_zero() -> None:
    capacity = CapacityConfig(type="reservation", reservation="r", fallback=["on-demand", "flex-start", "spot"])
    chain = chain_sizings(slice_shape("2x2x2", "tpu7x-standard-4t"), capacity, 1, 1)
    assert [step.type for step, _ in chain] == ["reservation", "on-demand", "flex-start", "spot"]
    assert chain[0][0].reservation == "r" and all(step.reservation is None for step, _ in chain[1:])
    assert [(s.min_nodes, s.max_nodes, s.location_policy) for _, s in chain] == [(0, 2, "ANY")] * 4


@pytest.mark.parametrize(
    "fallback", [["reservation"], ["on-demand"], ["spot", "spot"], ["flex-start", "on-demand", "flex-start"]]
)
def test_chains_gke_cannot_follow_are_refused(fallback: list[str]) -> None:
    with pytest.raises(ValidationError) as raised:
        CapacityConfig(type="on-demand", fallback=fallback)
    text = str(raised.value)
    assert "already step" in text or "cannot be a fallback" in text


@settings(max_examples=25)
@given(
    first=st.sampled_from(["on-demand", "flex-start", "spot"]),
    rest=st.lists(st.sampled_from(FALLBACK), unique=True, max_size=3),
    tier=st.from_regex(r"[a-z][a-z0-9]{0,11}", fullmatch=True),
)
def test_every_valid_chain_compiles_to_a_class_the_crd_accepts(first: str, rest: list[str], tier: str) -> None:
    fallback = [mode for mode in rest if mode != first]
    capacity = CapacityConfig(type=first, fallback=fallback)
    base = f"{NAMING.name(f'tpu-{tier}')[:40]}".rstrip("-")
    names = [capacity_chain.step_pool_name(base, i, m) for i, m in enumerate(capacity.modes)]
    assert len(set(names)) == len(names) and all(len(n) <= 40 for n in names)
    resource = _class(capacity_chain.compute_class_spec(names))
    assert problems(resource) == []
    assert cel_report(resource).violations == ()
    assert [step["mode"] for step in capacity_chain.chain_output(capacity)] == capacity.modes
    assert len(capacity_chain.compute_class_name(NAMING, tier)) <= 63

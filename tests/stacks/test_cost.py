"""Each committed stack's monthly estimate: a snapshot, the command line, and what it prices or not.

The graphs are the session's (`graphs` fixture); the command line reads them back from a file.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from components.cost import tier_cost
from components.cost.arithmetic import Range
from tests.conftest import STACKS
from tests.helpers import config
from tools.__main__ import main
from tools.cost.estimate import estimate
from tools.cost.inventory import Assumptions
from tools.cost.report import format_json
from tools.graph import StackGraph


class EstimateJson(SingleFileSnapshotExtension):
    _write_mode = WriteMode.TEXT
    file_extension = "json"


@pytest.mark.parametrize("stack", STACKS)
def test_estimate_matches_committed_snapshot(
    stack: str, graphs: dict[str, StackGraph], snapshot: SnapshotAssertion
) -> None:
    assert format_json(estimate(graphs[stack])) == snapshot(extension_class=EstimateJson), (
        f"the {stack} estimate changed: review it, then refresh with --snapshot-update"
    )


@pytest.mark.parametrize("stack", STACKS)
def test_cost_command_prints_a_range_per_component_and_its_assumptions(
    stack: str, graphs: dict[str, StackGraph], tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    recorded = tmp_path / "graph.json"
    recorded.write_text(graphs[stack].to_json(), encoding="utf-8")
    assert main(["cost", stack, "--graph", str(recorded)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"monthly cost estimate of stack {stack} (us-central1")
    for component in ("gke:", "network:", "gateway:", "storage:", "cache:"):
        assert f"\n{component} " in out
    assert "730 hours a month" in out and "total of priced lines: $" in out
    assert "TPU chip-hour (llm-platform:pricing)" in out  # no committed stack prices TPU7x


def test_assumptions_are_overridable(graphs: dict[str, StackGraph], tmp_path: Path, capsys) -> None:
    recorded = tmp_path / "graph.json"
    recorded.write_text(graphs["dev"].to_json(), encoding="utf-8")
    assert main(["cost", "dev", "--graph", str(recorded), "--hours", "365", "--json"]) == 0
    half = capsys.readouterr().out
    assert '"hours": "365 hours a month' in half
    full = estimate(graphs["dev"]).monthly()
    assert estimate(graphs["dev"], Assumptions(hours=365)).monthly().high == pytest.approx(full.high / 2, rel=0.01)
    with pytest.raises(SystemExit) as refused:
        main(["cost", "dev", "--graph", str(recorded), "--rps", "-1"])
    assert refused.value.code == 2 and "--rps: -1 is negative" in capsys.readouterr().err


def test_prod_prices_what_the_graph_holds(prod: StackGraph) -> None:
    """By hand, from the stack file and the table: regional fee, 1-3 e2-standard-8 per zone in 3 zones."""
    result = estimate(prod)
    assert result.monthly("gke").low == pytest.approx(73.0 + 3 * 730 * 0.26804568 + 3 * 100 * 0.10)
    assert result.monthly("gke").high == pytest.approx(73.0 + 9 * 730 * 0.26804568 + 9 * 100 * 0.10)
    # HTTP + HTTPS rules, LB data, Cloud Armor: one policy, 10 rules, 1 request/s for 730 hours
    armor = 5.0 + 10 * 1.0 + 730 * 3600 / 1e6 * 0.75
    assert result.monthly("gateway").low == pytest.approx(2 * 730 * 0.025 + 0.2406 + armor, abs=0.01)
    assert result.monthly("storage").low == pytest.approx(902.5 * 0.044)  # the NAM4 bucket; Lustre not priced
    lustre = next(line for line in result.lines if line.item.price_key == "lustre.1000")
    assert lustre.item.quantity.low == 9000 and not lustre.priced


def test_a_cache_with_read_replicas_is_billed_per_node(prod: StackGraph, dev: StackGraph) -> None:
    """prod: 5 GB Standard Tier (M2) with one read replica = two nodes; dev: 1 GB Basic Tier (M1)."""
    (cache,) = [line for line in estimate(prod).lines if line.item.component == "cache"]
    assert cache.item.price_key == "redis.standard-node.m2"
    assert cache.item.quantity.low == 5 * 2 * 730 and not cache.priced
    (cache,) = [line for line in estimate(dev).lines if line.item.component == "cache"]
    assert cache.item.price_key == "redis.basic.m1"
    assert cache.monthly is not None and cache.monthly.low == pytest.approx(1 * 730 * 0.049)


def test_staging_prices_the_hyperdisk_ml_store_and_its_throughput(graphs: dict[str, StackGraph]) -> None:
    """512 GiB at $0.08 and 2,400 MiB/s at $0.12 a month, and the c3-standard-44 transfer pool at 0-1 VMs."""
    lines = {line.item.price_key: line for line in estimate(graphs["staging"]).lines}
    assert lines["disk.hyperdisk-ml"].monthly == Range.exactly(512 * 0.08)
    assert lines["disk.hyperdisk-ml.throughput"].monthly == Range.exactly(2400 * 0.12)
    assert lines["compute.c3-standard-44"].monthly == Range(0.0, 730 * 2.217688)


def test_a_configured_price_reaches_the_tier_lines(prod: StackGraph) -> None:
    """The inventory prices TPU from the program's tier output: give the output a priced `cost`."""
    pricing = config(
        {"llm-platform:pricing": {"tpuChipHour": {"onDemand": 10, "reservation": 6, "flexStart": 7}}}
    ).pricing
    tiers = {
        name: {**figures, "cost": tier_cost(pricing, figures["cost"]["capacityModes"], figures["chips"], 1000)}
        for name, figures in prod.outputs["tiers"].items()
    }
    priced = estimate(replace(prod, outputs={**prod.outputs, "tiers": tiers}))
    disk = 200 * 0.08  # a 200 GB Hyperdisk Balanced boot disk per VM
    assert priced.monthly("tier small").low == pytest.approx(1 * 730 * 10 + 1 * disk)  # 1-4 single-chip VMs
    assert priced.monthly("tier small").high == pytest.approx(4 * 730 * 10 + 4 * disk)
    # one 8-chip slice on its chain's cheapest step (reservation), at most on its dearest (on-demand)
    assert priced.monthly("tier large").low == pytest.approx(8 * 730 * 6 + 2 * disk)
    assert priced.monthly("tier large").high == pytest.approx(8 * 730 * 10 + 2 * disk)
    unpriced = estimate(prod)
    assert priced.monthly().low == pytest.approx(unpriced.monthly().low + 730 * (10 + 4 * 10 + 8 * 6))


def test_dev_parks_its_tier_at_zero(dev: StackGraph) -> None:
    (tpu,) = [line for line in estimate(dev).lines if line.item.unit == "chip-hour"]
    assert tpu.item.quantity.low == 0 and tpu.item.quantity.high == 730


def test_the_regional_edge_is_priced_as_regional(graphs: dict[str, StackGraph]) -> None:
    """A regional Gateway adds its proxy instances (not priced: no figure was read) and its regional Cloud
    Armor policy; the global edge (legacy) has no proxy line and keeps its global policy."""

    def keys(stack: str) -> list[str]:
        return [line.item.price_key or "" for line in estimate(graphs[stack]).lines if line.item.component == "gateway"]

    assert keys("prod").count("lb.regional-proxy") == 1 and "armor.policy" in keys("prod")
    assert "lb.regional-proxy" not in keys("legacy") and "armor.policy" in keys("legacy")
    (proxy,) = [line for line in estimate(graphs["prod"]).lines if line.item.price_key == "lb.regional-proxy"]
    assert proxy.monthly is None

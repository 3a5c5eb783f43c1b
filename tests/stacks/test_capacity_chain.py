"""Prod's large tier falls back reservation -> on-demand -> flex-start through a ComputeClass."""

from __future__ import annotations

from rich.console import Console

from tests.schemas import cel_report, problems
from tools.graph import StackGraph
from tools.render import capacity_table

CLASS = "kubernetes:cloud.google.com/v1:ComputeClass"
KEY = "cloud.google.com/compute-class"


def _pools(graph: StackGraph, names: list[str]) -> list:
    by_name = {p.inputs["name"]: p for p in graph.by_type("gcp:container/nodePool:NodePool")}
    return [by_name[name] for name in names]


def _classes(graph: StackGraph) -> list:
    return [c for c in graph.by_type(CLASS) if c.inputs["metadata"]["name"] != "gcs-to-hdml-compute-class"]


def test_the_class_names_one_pool_per_mode_in_chain_order(prod: StackGraph) -> None:
    large = prod.outputs["tiers"]["large"]
    (compute_class,) = _classes(prod)
    assert compute_class.inputs["metadata"]["name"] == large["computeClass"] == "llm-prod-tpu-large"
    spec = compute_class.inputs["spec"]
    assert spec["priorities"] == [{"nodepools": [name]} for name in large["nodePools"]]
    assert large["nodePools"] == ["llm-prod-tpu-large", "llm-prod-tpu-large-on-demand", "llm-prod-tpu-large-flex-start"]
    assert spec["activeMigration"] == {"optimizeRulePriority": True}
    assert spec["whenUnsatisfiable"] == "DoNotScaleUp" and spec["nodePoolAutoCreation"] == {"enabled": False}
    assert problems(compute_class) == []
    assert cel_report(compute_class).violations == ()
    pools = _pools(prod, large["nodePools"])
    assert set(compute_class.dependencies) >= {p.urn for p in pools}


def test_each_pool_carries_its_mode_and_the_class_label_and_taint(prod: StackGraph) -> None:
    large = prod.outputs["tiers"]["large"]
    reservation, on_demand, flex = (p.inputs["nodeConfig"] for p in _pools(prod, large["nodePools"]))
    assert reservation["reservationAffinity"]["consumeReservationType"] == "SPECIFIC_RESERVATION"
    assert reservation["reservationAffinity"]["values"] == ["replace-me-tpu7x-reservation"]
    assert on_demand["reservationAffinity"] == {"consumeReservationType": "NO_RESERVATION"}
    assert not on_demand.get("spot") and not on_demand.get("flexStart")
    assert flex["flexStart"] is True and not flex.get("spot")
    for pool in _pools(prod, large["nodePools"]):
        config = pool.inputs["nodeConfig"]
        assert config["labels"][KEY] == large["computeClass"]
        assert {"key": KEY, "value": large["computeClass"], "effect": "NO_SCHEDULE"} in config["taints"]
        # Every step scales from zero: pending pods, not node floors, walk the chain.
        assert pool.inputs["autoscaling"]["minNodeCount"] == 0 and pool.inputs["autoscaling"]["maxNodeCount"] == 2


def test_the_tier_pods_select_and_tolerate_the_class_and_wait_for_it(prod: StackGraph) -> None:
    large = prod.outputs["tiers"]["large"]
    (lws,) = prod.by_type("kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet")
    template = lws.inputs["spec"]["leaderWorkerTemplate"]
    for role in ("leaderTemplate", "workerTemplate"):
        spec = template[role]["spec"]
        assert spec["nodeSelector"][KEY] == large["computeClass"]
        assert {"key": KEY, "operator": "Equal", "value": large["computeClass"], "effect": "NoSchedule"} in spec[
            "tolerations"
        ]
    (compute_class,) = _classes(prod)
    assert compute_class.urn in lws.dependencies


def test_single_mode_tiers_keep_one_pool_and_no_class(prod: StackGraph, dev: StackGraph) -> None:
    for graph in (prod, dev):
        for name, tier in graph.outputs["tiers"].items():
            if tier["computeClass"] is None:
                assert tier["nodePools"] is None and len(tier["capacityChain"]) == 1, name
    assert _classes(dev) == []


def test_the_preview_and_the_cost_show_the_whole_chain(prod: StackGraph) -> None:
    large = prod.outputs["tiers"]["large"]
    assert [step["mode"] for step in large["capacityChain"]] == ["reservation", "on-demand", "flex-start"]
    assert large["cost"]["capacityModes"] == ["reservation", "on-demand", "flex-start"]
    assert large["rollout"]["strategy"] == "replace"
    console = Console(width=400, record=True)
    table = capacity_table(prod)
    assert table is not None
    console.print(table)
    text = console.export_text()
    assert "flex-start" in text and "7 days per node" in text and "preemptible at any time" not in text

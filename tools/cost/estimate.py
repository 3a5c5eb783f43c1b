"""A stack's monthly estimate: the graph's inventory priced with the table, and the delta of two.

Each line is a range (minimum to maximum replicas, cheapest to dearest capacity mode); a line
without a price is kept, marked not priced, and left out of the totals, which say so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from components.cost.arithmetic import Delta, Range, total
from tools.cost.inventory import Assumptions, Item, node_pool_items, pool_nodes, region_of
from tools.cost.prices import PRICES
from tools.cost.services import (
    bucket_gib,
    cache_items,
    cluster_items,
    gateway_items,
    nat_items,
    operations_items,
    registry_items,
    storage_items,
)
from tools.graph import StackGraph

# What the estimate does not price at all (docs/cost.md says why).
LEFT_OUT = (
    "internet egress of responses and cross-region traffic",
    "Cloud Logging ingestion beyond the free allotment, Pub/Sub, Secret Manager, Certificate Manager, "
    "Cloud KMS and the budget (small or free at this scale)",
    "Cloud Storage operations, the noncurrent object versions the lifecycle rules keep and the inter-region "
    "replication a dual-region bucket pays per GB written",
    "Hyperdisk Balanced IOPS and throughput provisioned above what a volume includes",
    "sustained-use and committed-use discounts on CPU VMs, credits and free tiers",
    "taxes; prices are USD list prices",
)


@dataclass(frozen=True)
class Line:
    item: Item
    unit_price: Range | None
    monthly: Range | None  # None: not priced

    @property
    def priced(self) -> bool:
        return self.monthly is not None


@dataclass(frozen=True)
class Estimate:
    stack: str
    region: str
    assumptions: dict[str, str]
    lines: list[Line] = field(default_factory=list)

    def components(self) -> list[str]:
        return sorted({line.item.component for line in self.lines})

    def monthly(self, component: str | None = None) -> Range:
        """The priced lines' sum (of one component, or of the stack)."""
        return total(
            line.monthly for line in self.lines if line.monthly is not None and component in (None, line.item.component)
        )

    def not_priced(self, component: str | None = None) -> list[Line]:
        return [line for line in self.lines if not line.priced and component in (None, line.item.component)]


def price_item(item: Item) -> Line:
    """An item's monthly range: quantity x unit price (its own, for TPU, or the table's at its location)."""
    unit_price = item.unit_price
    if unit_price is None and item.price_key is not None and item.price_key in PRICES:
        value = PRICES[item.price_key].at(item.location)
        unit_price = None if value is None else Range.exactly(value)
    return Line(item, unit_price, None if unit_price is None else item.quantity.times(unit_price))


def inventory(graph: StackGraph, assumptions: Assumptions) -> list[Item]:
    region = region_of(graph)
    pools = list(node_pool_items(graph, region, assumptions.hours))
    clusters = graph.by_type("gcp:container/cluster:Cluster")
    vms = (
        total(pool_nodes(p, clusters[0]) for p in graph.by_type("gcp:container/nodePool:NodePool"))
        if clusters
        else Range(0, 0)
    )
    return [
        *cluster_items(graph, region, assumptions),
        *pools,
        *nat_items(graph, region, assumptions, vms),
        *gateway_items(graph, region, assumptions),
        *storage_items(graph, region, assumptions),
        *cache_items(graph, region, assumptions),
        *registry_items(graph, region, assumptions),
        *operations_items(graph, region, assumptions),
    ]


def estimate(graph: StackGraph, assumptions: Assumptions | None = None) -> Estimate:
    assumptions = assumptions or Assumptions()
    lines = [price_item(item) for item in inventory(graph, assumptions)]
    described = assumptions.described(bucket_gib(graph, assumptions))
    return Estimate(graph.stack, region_of(graph), described, lines)


@dataclass(frozen=True)
class CostDelta:
    """What a change adds per month: per component and in total, over the priced lines."""

    base: Estimate
    head: Estimate

    def by_component(self) -> dict[str, Delta]:
        names = sorted(set(self.base.components()) | set(self.head.components()))
        changes = {name: self.head.monthly(name) - self.base.monthly(name) for name in names}
        return {name: delta for name, delta in changes.items() if (delta.low, delta.high) != (0, 0)}

    @property
    def total(self) -> Delta:
        return self.head.monthly() - self.base.monthly()

    def unpriced_changes(self) -> list[str]:
        """Not-priced lines that appear, go or change quantity: the delta cannot include them."""

        def keyed(lines: Iterable[Line]) -> dict[tuple[str, str], Any]:
            return {(line.item.component, line.item.price_key or "TPU chip-hour"): line.item.quantity for line in lines}

        before, after = keyed(self.base.not_priced()), keyed(self.head.not_priced())
        return sorted(f"{c}: {k}" for c, k in set(before) | set(after) if before.get((c, k)) != after.get((c, k)))


def cost_delta(base: StackGraph, head: StackGraph, assumptions: Assumptions | None = None) -> CostDelta:
    return CostDelta(estimate(base, assumptions), estimate(head, assumptions))

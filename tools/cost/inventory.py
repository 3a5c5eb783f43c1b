"""What a recorded graph bills for: one `Item` per priced quantity, read from the resources' inputs.

The inventory reads only the graph (as a plan-based estimator reads a plan), so the same code
prices a stack being previewed, a recorded `--graph` file and both sides of `tools diff`. Node
counts come from each pool's autoscaling bounds (or fixed `nodeCount`), per zone; a regional
cluster's pools without `nodeLocations` run in three zones, GKE's default. TPU chip-hour prices
come from the program's own `tiers.<name>.cost` output (from `llm-platform:pricing`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from components.cost.arithmetic import HOURS_PER_MONTH, Range
from components.serving.cold_start import IMAGE_GB
from tools.graph import Registration, StackGraph

GIB = 2**30
KIB = 2**10
DEFAULT_ZONES_OF_A_REGIONAL_POOL = 3
DEFAULT_BOOT_DISK_GB = 100
_TPU_MACHINE = re.compile(r"^tpu7x-standard-(\d+)t$")
_QUANTITY = re.compile(r"^(\d+(?:\.\d+)?)(Gi|Ti|G|T)$")


@dataclass(frozen=True)
class Assumptions:
    """What the graph cannot say; every figure is printed with the estimate and overridable."""

    hours: float = HOURS_PER_MONTH
    bucket_gib: float | None = None  # None: the distinct served models' weights, once each
    requests_per_second: float = 1.0
    request_kib: float = 8.0
    response_kib: float = 4.0
    nat_gib: float = 10.0
    image_gb: float = IMAGE_GB
    samples_per_second_per_replica: float = 20.0
    log_entry_kib: float = 2.0

    def described(self, bucket_gib: float) -> dict[str, str]:
        return {
            "hours": f"{self.hours:g} hours a month, every resource up all month",
            "bucket": f"{bucket_gib:g} GiB stored in the model bucket"
            + (" (the tiers' distinct models, once each)" if self.bucket_gib is None else ""),
            "requests": f"{self.requests_per_second:g} requests/s through the Gateway, "
            f"{self.request_kib:g} KiB in and {self.response_kib:g} KiB out each",
            "nat": f"{self.nat_gib:g} GiB a month through Cloud NAT",
            "images": f"{self.image_gb:g} GB per distinct model-server image cached in Artifact Registry",
            "metrics": f"{self.samples_per_second_per_replica:g} Prometheus samples/s per serving replica",
            "logs": f"{self.log_entry_kib:g} KiB per request-log entry kept for the dataset's partition expiry",
        }


@dataclass(frozen=True)
class Item:
    component: str
    what: str
    price_key: str | None  # a line of tools/cost/prices.py; None: TPU, priced by `unit_price`
    quantity: Range  # in `unit`s for the month
    unit: str
    location: str
    unit_price: Range | None = None
    note: str = ""


def region_of(graph: StackGraph) -> str:
    # The node subnet: a regional edge adds a proxy-only subnet (purpose REGIONAL_MANAGED_PROXY) beside it.
    (subnet,) = [s for s in graph.by_type("gcp:compute/subnetwork:Subnetwork") if "purpose" not in s.inputs]
    return str(subnet.inputs["region"])


def _zones(pool: Registration, cluster: Registration) -> int:
    if pool.inputs.get("nodeLocations"):
        return len(pool.inputs["nodeLocations"])
    return DEFAULT_ZONES_OF_A_REGIONAL_POOL if str(cluster.inputs["location"]).count("-") == 1 else 1


def pool_nodes(pool: Registration, cluster: Registration) -> Range:
    """The pool's node count bounds over all its zones."""
    scaling = pool.inputs.get("autoscaling")
    per_zone = (
        Range(float(scaling["minNodeCount"]), float(scaling["maxNodeCount"]))
        if scaling
        else Range.exactly(float(pool.inputs.get("nodeCount", 0)))
    )
    return per_zone.scaled(_zones(pool, cluster))


def steady_nodes(pool: Registration, cluster: Registration, figures: dict[str, Any]) -> Range:
    """A tier pool's node bounds outside rollouts: its maximum keeps room for the rollout's surge
    replica (the tier output's `rollout.maxSurge`), which runs only while a rollout does."""
    nodes = pool_nodes(pool, cluster)
    surge = int((figures.get("rollout") or {}).get("maxSurge") or 0) * int(figures.get("vms") or 1)
    return Range(nodes.low, max(nodes.low, nodes.high - surge))


def _capacity_mode(node_config: dict[str, Any]) -> str:
    if node_config.get("spot"):
        return "spot"
    if node_config.get("flexStart"):
        return "flex-start"
    if (node_config.get("reservationAffinity") or {}).get("consumeReservationType") == "SPECIFIC_RESERVATION":
        return "reservation"
    return "on-demand"


def _fallback_pool(pool: Registration, tiers: dict[str, Any]) -> bool:
    """A later step of a tier's capacity chain: the tier's replicas run on one step at a time, so the
    chain is priced once, on its first pool, over every mode of the chain."""
    name = pool.inputs.get("name")
    return any(name in (f.get("nodePools") or [])[1:] for f in tiers.values())


def chain_floor(nodes: Range, tier: tuple[str, dict[str, Any]] | None) -> Range:
    """A chain's pools scale from zero, yet the tier always holds its minimum replicas on some step:
    the chain's first pool (the one priced) carries that floor."""
    if tier is None or not tier[1].get("nodePools"):
        return nodes
    floor = float((tier[1].get("replicas") or {}).get("min", 0) * int(tier[1].get("vms") or 1))
    return Range(max(nodes.low, floor), max(nodes.high, floor))


def _tier_of(pool: Registration, tiers: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    for name, figures in tiers.items():
        if figures.get("nodePool") == pool.inputs.get("name"):
            return name, figures
    return None


def _tpu_item(
    pool: Registration, nodes: Range, chips: int, tier: tuple[str, dict[str, Any]] | None, hours: float
) -> Item:
    name, figures = tier if tier else (str(pool.inputs.get("name")), {})
    cost = figures.get("cost") or {}
    modes = cost.get("capacityModes") or [_capacity_mode(pool.inputs.get("nodeConfig", {}))]
    prices = cost.get("chipHourUsd") or {}
    unit_price = Range.spanning(prices[m] for m in modes) if all(m in prices for m in modes) else None
    note = "" if unit_price else f"TPU: not priced (no llm-platform:pricing.tpuChipHour for {', '.join(modes)})"
    return Item(
        f"tier {name}",
        f"TPU7x {pool.inputs['nodeConfig']['machineType']}: {nodes.low:g}-{nodes.high:g} VMs x {chips} chips, "
        f"{'/'.join(modes)}",
        None,
        nodes.scaled(chips * hours),
        "chip-hour",
        region_of_pool(pool),
        unit_price,
        note,
    )


def region_of_pool(pool: Registration) -> str:
    locations = pool.inputs.get("nodeLocations") or []
    return re.sub(r"-[a-z0-9]+$", "", locations[0]) if locations else ""


def node_pool_items(graph: StackGraph, region: str, hours: float) -> Iterator[Item]:
    """Per pool: its VMs (TPU chips or CPU machine) and their boot disks."""
    clusters = graph.by_type("gcp:container/cluster:Cluster")
    if not clusters:
        return
    cluster, tiers = clusters[0], graph.outputs.get("tiers") or {}
    for pool in sorted(graph.by_type("gcp:container/nodePool:NodePool"), key=lambda r: r.name):
        if _fallback_pool(pool, tiers):
            continue
        tier = _tier_of(pool, tiers)
        nodes = chain_floor(steady_nodes(pool, cluster, tier[1]), tier) if tier else pool_nodes(pool, cluster)
        node_config = pool.inputs.get("nodeConfig", {})
        machine = str(node_config.get("machineType"))
        component = f"tier {tier[0]}" if tier else ("gke" if pool.name == "gke-system" else "storage")
        if match := _TPU_MACHINE.match(machine):
            yield _tpu_item(pool, nodes, int(match.group(1)), tier, hours)
        else:
            zones = _zones(pool, cluster)
            spread = f" ({nodes.low / zones:g}-{nodes.high / zones:g} per zone x {zones} zones)" if zones > 1 else ""
            what = f"{pool.name}: {nodes.low:g}-{nodes.high:g} x {machine}{spread}"
            yield Item(component, what, f"compute.{machine}", nodes.scaled(hours), "VM-hour", region)
        disk_gb = float(node_config.get("diskSizeGb") or DEFAULT_BOOT_DISK_GB)
        disk_type = str(node_config.get("diskType") or "pd-balanced")
        yield Item(
            component,
            f"{pool.name}: boot disks, {disk_gb:g} GB {disk_type} per node",
            f"disk.{disk_type}",
            nodes.scaled(disk_gb * hours / HOURS_PER_MONTH),
            "GB-month",
            region,
        )


def serving_replicas(graph: StackGraph) -> Range:
    """Model-server replicas over every tier: a single-host replica is one VM, a multi-host one a slice."""
    clusters, tiers = graph.by_type("gcp:container/cluster:Cluster"), graph.outputs.get("tiers") or {}
    found = Range(0.0, 0.0)
    for pool in graph.by_type("gcp:container/nodePool:NodePool"):
        tier = _tier_of(pool, tiers)
        if tier and clusters:
            found = found + steady_nodes(pool, clusters[0], tier[1]).scaled(1 / int(tier[1].get("vms") or 1))
    return found


def quantity_gib(text: str) -> float:
    """A Kubernetes storage quantity (`512Gi`, `10Ti`) in GiB."""
    match = _QUANTITY.match(text)
    if not match:
        raise ValueError(f"not a storage quantity this estimate reads: {text!r}")
    value, suffix = float(match.group(1)), match.group(2)
    return value * {"Gi": 1, "Ti": 1024, "G": 1e9 / GIB, "T": 1e12 / GIB}[suffix]

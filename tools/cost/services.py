"""Inventory of everything but node pools: cluster fee, NAT, load balancer, Cloud Armor, storage,
cache, registry, monitoring and request analytics (one function per concern, read from the graph)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from components.cost.arithmetic import HOURS_PER_MONTH, Range
from tools.cost.inventory import GIB, KIB, Assumptions, Item, quantity_gib, serving_replicas
from tools.cost.prices import redis_tier
from tools.graph import Registration, StackGraph

SECONDS_PER_HOUR = 3600
NAT_VM_CAP = 32  # above 32 VMs the gateway is billed at a flat hourly rate
_REGISTRY_IMAGE = re.compile(r'"image": "([a-z0-9-]+-docker\.pkg\.dev/[^"]+)"')
_MIBPS = re.compile(r"^(\d+(?:\.\d+)?)Mi$")  # a StorageClass's provisioned-throughput-on-create
# What runs model servers: the weights Jobs' small Python image is not a model-server image.
_SERVING_WORKLOADS = ("kubernetes:apps/v1:Deployment", "kubernetes:leaderworkerset.x-k8s.io/v1:LeaderWorkerSet")


def cluster_items(graph: StackGraph, region: str, a: Assumptions) -> Iterator[Item]:
    for cluster in graph.by_type("gcp:container/cluster:Cluster"):
        where = "regional" if str(cluster.inputs["location"]).count("-") == 1 else "zonal"
        yield Item(
            "gke", f"cluster management fee ({where})", "gke.cluster", Range.exactly(a.hours), "cluster-hour", region
        )


def nat_items(graph: StackGraph, region: str, a: Assumptions, vms: Range) -> Iterator[Item]:
    for nat in graph.by_type("gcp:compute/routerNat:RouterNat"):
        capped = Range(min(vms.low, NAT_VM_CAP), min(vms.high, NAT_VM_CAP))
        yield Item(
            "network",
            f"{nat.name}: gateway for {vms.low:g}-{vms.high:g} VMs",
            "nat.vm",
            capped.scaled(a.hours),
            "VM-hour",
            region,
        )
        yield Item("network", f"{nat.name}: data processed", "nat.data", Range.exactly(a.nat_gib), "GiB", region)


def _requests(a: Assumptions) -> float:
    return a.requests_per_second * a.hours * SECONDS_PER_HOUR


REGIONAL_CLASSES = ("gke-l7-regional-external-managed", "gke-l7-rilb")
ARMOR_POLICIES = ("gcp:compute/securityPolicy:SecurityPolicy", "gcp:compute/regionSecurityPolicy:RegionSecurityPolicy")


def gateway_items(graph: StackGraph, region: str, a: Assumptions) -> Iterator[Item]:
    """One forwarding rule per Gateway listener (HTTP and HTTPS), the LB's data, a regional load balancer's
    proxies, Cloud Armor (a global or a regional policy)."""
    for gateway in graph.by_type("kubernetes:gateway.networking.k8s.io/v1:Gateway"):
        spec = gateway.inputs.get("spec", {})
        listeners = len(spec.get("listeners", []))
        rules = Range.exactly(listeners * a.hours)
        yield Item(
            "gateway",
            f"{listeners} forwarding rule(s), one per listener",
            "lb.forwarding-rule",
            rules,
            "rule-hour",
            region,
        )
        data_gib = _requests(a) * (a.request_kib + a.response_kib) * KIB / GIB
        yield Item(
            "gateway", "load balancer data processed (in + out)", "lb.data", Range.exactly(data_gib), "GiB", region
        )
        if spec.get("gatewayClassName") in REGIONAL_CLASSES:
            yield Item(
                "gateway",
                "regional load balancer proxy instances (one counted; traffic adds more)",
                "lb.regional-proxy",
                Range.exactly(a.hours),
                "proxy-hour",
                region,
            )
    for policy in (p for kind in ARMOR_POLICIES for p in graph.by_type(kind)):
        rule_count = len(policy.inputs.get("rules", []))
        months = a.hours / HOURS_PER_MONTH
        yield Item(
            "gateway",
            f"{policy.name}: Cloud Armor policy",
            "armor.policy",
            Range.exactly(months),
            "policy-month",
            region,
        )
        yield Item(
            "gateway",
            f"{policy.name}: {rule_count} rules",
            "armor.rule",
            Range.exactly(rule_count * months),
            "rule-month",
            region,
        )
        yield Item(
            "gateway",
            "Cloud Armor requests",
            "armor.requests",
            Range.exactly(_requests(a) / 1e6),
            "million requests",
            region,
        )


def _models_gib(graph: StackGraph) -> float:
    tiers = graph.outputs.get("tiers") or {}
    weights = {figures.get("servedModelName"): float(figures.get("weightsGiB") or 0) for figures in tiers.values()}
    return sum(weights.values())


def bucket_gib(graph: StackGraph, a: Assumptions) -> float:
    return a.bucket_gib if a.bucket_gib is not None else round(_models_gib(graph), 1)


def _claim_class(graph: StackGraph, claim: Registration) -> Registration | None:
    name = claim.inputs.get("spec", {}).get("storageClassName")
    for storage_class in graph.by_type("kubernetes:storage.k8s.io/v1:StorageClass"):
        if storage_class.inputs.get("metadata", {}).get("name") == name:
            return storage_class
    return None


def storage_items(graph: StackGraph, region: str, a: Assumptions) -> Iterator[Item]:
    """The model bucket and the model store behind the weights claim (Lustre, Hyperdisk ML, Parallelstore)."""
    months = a.hours / HOURS_PER_MONTH
    for bucket in graph.by_type("gcp:storage/bucket:Bucket"):
        location, storage_class = str(bucket.inputs.get("location", region)), str(bucket.inputs.get("storageClass"))
        gib = bucket_gib(graph, a)
        what = f"{bucket.name}: {gib:g} GiB {storage_class} in {location}"
        yield Item(
            "storage",
            what,
            f"storage.{storage_class.lower()}",
            Range.exactly(gib * months),
            "GB-month",
            location.lower(),
        )
    for lustre in graph.by_type("gcp:lustre/instance:Instance"):
        gib, tier = float(lustre.inputs["capacityGib"]), str(lustre.inputs["perUnitStorageThroughput"])
        what = f"{lustre.name}: Managed Lustre {gib:g} GiB at {tier} MBps/TiB"
        yield Item("storage", what, f"lustre.{tier}", Range.exactly(gib * months), "GiB-month", region)
    for claim in graph.by_type("kubernetes:core/v1:PersistentVolumeClaim"):
        claim_class = _claim_class(graph, claim)
        if claim_class is None:
            continue
        parameters = claim_class.inputs.get("parameters") or {}
        size = quantity_gib(str(claim.inputs["spec"]["resources"]["requests"]["storage"]))
        if parameters.get("type") == "hyperdisk-ml":
            yield from _hyperdisk_ml_items(claim.name, size, parameters, months, region)
        elif "parallelstore" in str(claim_class.inputs.get("provisioner")):
            what = f"{claim.name}: Parallelstore {size:g} GiB"
            yield Item("storage", what, "parallelstore", Range.exactly(size * months), "GiB-month", region)


def _hyperdisk_ml_items(
    name: str, size: float, parameters: dict[str, str], months: float, region: str
) -> Iterator[Item]:
    """A Hyperdisk ML volume bills its capacity and its provisioned throughput."""
    throughput = str(parameters.get("provisioned-throughput-on-create"))
    what = f"{name}: Hyperdisk ML {size:g} GiB, {throughput}/s"
    yield Item("storage", what, "disk.hyperdisk-ml", Range.exactly(size * months), "GiB-month", region)
    if match := _MIBPS.match(throughput):
        mibps = float(match.group(1))
        yield Item(
            "storage",
            f"{name}: Hyperdisk ML throughput, {mibps:g} MiB/s provisioned",
            "disk.hyperdisk-ml.throughput",
            Range.exactly(mibps * months),
            "MiB/s-month",
            region,
        )


def cache_items(graph: StackGraph, region: str, a: Assumptions) -> Iterator[Item]:
    """Memorystore for Redis by capacity tier; Standard Tier with read replicas is billed per node."""
    for redis in graph.by_type("gcp:redis/instance:Instance"):
        tier, gb = str(redis.inputs.get("tier")), float(redis.inputs["memorySizeGb"])
        capacity_tier = redis_tier(gb)
        what = f"{redis.name}: {gb:g} GB {tier} ({capacity_tier.upper()})"
        key, nodes = f"redis.basic.{capacity_tier}", 1
        if tier == "STANDARD_HA" and redis.inputs.get("readReplicasMode") == "READ_REPLICAS_ENABLED":
            replicas = int(redis.inputs.get("replicaCount") or 1)
            key, nodes = f"redis.standard-node.{capacity_tier}", 1 + replicas
            what += f", {nodes} nodes: primary + {replicas} read replica(s)"
        elif tier == "STANDARD_HA":
            key = f"redis.standard.{capacity_tier}"
        yield Item("cache", what, key, Range.exactly(gb * nodes * a.hours), "GB-hour", region)


def registry_items(graph: StackGraph, region: str, a: Assumptions) -> Iterator[Item]:
    workloads = [r for r in graph.resources if r.type in _SERVING_WORKLOADS]
    images = {image for r in workloads for image in _REGISTRY_IMAGE.findall(json.dumps(r.inputs))}
    for repository in graph.by_type("gcp:artifactregistry/repository:Repository"):
        gb = len(images) * a.image_gb * a.hours / HOURS_PER_MONTH
        what = f"{repository.name}: {len(images)} model-server image(s) cached"
        yield Item("registry", what, "artifactregistry.storage", Range.exactly(gb), "GB-month", region)


def operations_items(graph: StackGraph, region: str, a: Assumptions) -> Iterator[Item]:
    """Managed Prometheus samples from the serving replicas; request logs kept in BigQuery."""
    replicas = serving_replicas(graph)
    samples = replicas.scaled(a.samples_per_second_per_replica * a.hours * SECONDS_PER_HOUR / 1e6)
    what = f"Managed Prometheus samples from {replicas.low:g}-{replicas.high:g} serving replicas"
    yield Item("operations", what, "monitoring.samples", samples, "million samples", region)
    for dataset in graph.by_type("gcp:bigquery/dataset:Dataset"):
        days = float(dataset.inputs.get("defaultPartitionExpirationMs") or 0) / 86_400_000
        gib = a.requests_per_second * 86_400 * days * a.log_entry_kib * KIB / GIB
        what = f"{dataset.name}: request logs, {days:g} days kept"
        location = str(dataset.inputs.get("location") or region).lower()
        yield Item("operations", what, "bigquery.storage", Range.exactly(gib), "GiB-month", location)

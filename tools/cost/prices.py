"""The price table: one dated, sourced line per price the estimate uses (USD list prices).

Every line says what it prices, its unit, the locations it holds for (a price is looked up by
the resource's region or bucket location; a location the line does not list is not priced),
the day it was read and where. A line without a value is one no current public price was found
for: the estimate reports it as "not priced" instead of guessing. TPU7x is not here: it has no
public list price, so `llm-platform:pricing.tpuChipHour.*` in the stack config prices it.

Updating: read the source again, change the value and the `read` date together (the tests hold
every line to a date, an https source and a unit); docs/cost.md says how.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

GLOBAL = "global"  # a price that is the same wherever the resource is
# The Cloud Billing Catalog API's SKU prices as the google-cloud-pricing-cost-calculator project
# exports them (pricing.yml, generated 2026-08-20 at this commit); read 2026-12-02.
CATALOG = (
    "https://github.com/Cyclenerd/google-cloud-pricing-cost-calculator/blob/"
    "dac31281f2a4575f0a8bff20ac04fc71a5ff2190/pricing.yml"
)
NOT_FOUND = "no current public price was found on the day it was looked for (pricing page not reachable offline)"


@dataclass(frozen=True)
class Price:
    what: str
    unit: str
    usd: Mapping[str, float] = field(default_factory=dict)  # location (or GLOBAL) -> USD per unit; empty: not priced
    read: str = "2026-12-02"
    source: str = ""
    note: str = ""

    def at(self, location: str) -> float | None:
        """The price where the resource is, or None when this line has none for that location."""
        key = location.lower()
        return self.usd.get(GLOBAL, self.usd.get(key))

    @property
    def scope(self) -> str:
        return "every location" if GLOBAL in self.usd else ", ".join(sorted(self.usd)) or "none"


PRICES: dict[str, Price] = {
    "gke.cluster": Price(
        "GKE cluster management fee (Standard edition, zonal or regional)",
        "cluster-hour",
        {GLOBAL: 0.10},
        source="https://cloud.google.com/kubernetes-engine/pricing",
        note="the free tier's $74.40/month credit per billing account (zonal clusters only) is not subtracted",
    ),
    "compute.e2-standard-4": Price(
        "e2-standard-4 VM (4 vCPU, 16 GB), on-demand",
        "VM-hour",
        {"us-central1": 0.13402284, "us-east1": 0.13402284, "europe-west4": 0.14754408},
        source=CATALOG,
    ),
    "compute.e2-standard-8": Price(
        "e2-standard-8 VM (8 vCPU, 32 GB), on-demand",
        "VM-hour",
        {"us-central1": 0.26804568, "us-east1": 0.26804568, "europe-west4": 0.29508816},
        source=CATALOG,
        note="twice e2-standard-4: the same E2 core and RAM SKUs for twice the vCPUs and memory",
    ),
    "compute.c3-standard-44": Price(
        "c3-standard-44 VM (the Hyperdisk ML transfer pool), on-demand", "VM-hour", source=CATALOG, note=NOT_FOUND
    ),
    "disk.pd-balanced": Price(
        "Balanced persistent disk (node boot disks)",
        "GB-month",
        {"us-central1": 0.10, "us-east1": 0.10, "europe-west4": 0.11},
        source=CATALOG,
    ),
    "disk.hyperdisk-balanced": Price(
        "Hyperdisk Balanced capacity (TPU node boot disks; 3,000 IOPS and 140 MiB/s included)",
        "GiB-month",
        source="https://cloud.google.com/compute/disks-image-pricing",
        note=NOT_FOUND + "; the catalog export lists no Hyperdisk Balanced SKU",
    ),
    "disk.hyperdisk-ml": Price(
        "Hyperdisk ML capacity and provisioned throughput (model store)",
        "GiB-month",
        source="https://cloud.google.com/compute/disks-image-pricing",
        note=NOT_FOUND + "; the catalog export lists no Hyperdisk ML SKU",
    ),
    "lustre.125": Price(
        "Managed Lustre capacity, 125 MBps per TiB tier",
        "GiB-month",
        {GLOBAL: 0.145},
        source="https://stack3979.rssing.com/chan-67933748/article635.html",
        note="The New Stack (July 2025) quoting Google's pricing page at GA, region not stated; the primary "
        "source, https://cloud.google.com/products/managed-lustre/pricing, was not reachable offline",
    ),
    **{
        f"lustre.{tier}": Price(
            f"Managed Lustre capacity, {tier} MBps per TiB tier",
            "GiB-month",
            source="https://cloud.google.com/products/managed-lustre/pricing",
            note=NOT_FOUND,
        )
        for tier in (250, 500, 1000)
    },
    "parallelstore": Price(
        "Parallelstore capacity", "GiB-month", source="https://cloud.google.com/parallelstore/pricing", note=NOT_FOUND
    ),
    "redis.basic": Price(
        "Memorystore for Redis, Basic tier capacity",
        "GB-hour",
        source="https://cloud.google.com/memorystore/docs/redis/pricing",
        note=NOT_FOUND,
    ),
    "redis.standard": Price(
        "Memorystore for Redis, Standard tier capacity (per node: primary and each replica)",
        "GB-hour",
        source="https://cloud.google.com/memorystore/docs/redis/pricing",
        note=NOT_FOUND,
    ),
    **{
        f"storage.{storage_class.lower()}": Price(
            f"Cloud Storage, {storage_class.title()} class, regional bucket",
            "GB-month",
            usd,
            source="https://cloud.google.com/storage/pricing",
            note="dual-region and multi-region locations (NAM4, US, ...) have other prices, not in this table",
        )
        for storage_class, usd in (
            ("STANDARD", {"us-central1": 0.020, "us-east1": 0.020, "europe-west1": 0.020}),
            ("NEARLINE", {"us-central1": 0.010, "us-east1": 0.010, "europe-west1": 0.010}),
            ("COLDLINE", {"us-central1": 0.004, "us-east1": 0.004, "europe-west1": 0.004}),
            ("ARCHIVE", {"us-central1": 0.0012, "us-east1": 0.0012, "europe-west1": 0.0012}),
        )
    },
    "nat.vm": Price(
        "Cloud NAT gateway, per VM using it (up to 32 VMs; a flat $0.0448/hour above)",
        "VM-hour",
        {GLOBAL: 0.0014},
        source=CATALOG,
        note="the catalog's gateway-hour SKU is $0.0448 (= 32 x $0.0014) in every region",
    ),
    "nat.data": Price("Cloud NAT data processing", "GiB", {GLOBAL: 0.045}, source=CATALOG),
    "lb.forwarding-rule": Price(
        "Global forwarding rule (first 5; $0.01/hour each after)",
        "rule-hour",
        {GLOBAL: 0.025},
        source="https://cloud.google.com/load-balancing/pricing",
    ),
    "lb.data": Price(
        "Application Load Balancer data processing, inbound and outbound",
        "GiB",
        {GLOBAL: 0.008},
        source="https://cloud.google.com/load-balancing/pricing",
        note="internet egress of the responses is billed separately (network pricing), not in this table",
    ),
    "armor.policy": Price(
        "Cloud Armor Standard: security policy",
        "policy-month",
        source="https://cloud.google.com/armor/pricing",
        note=NOT_FOUND,
    ),
    "armor.rule": Price(
        "Cloud Armor Standard: rule", "rule-month", source="https://cloud.google.com/armor/pricing", note=NOT_FOUND
    ),
    "armor.requests": Price(
        "Cloud Armor Standard: requests evaluated",
        "million requests",
        source="https://cloud.google.com/armor/pricing",
        note=NOT_FOUND,
    ),
    "artifactregistry.storage": Price(
        "Artifact Registry storage (the remote repository's cached images)",
        "GB-month",
        source="https://cloud.google.com/artifact-registry/pricing",
        note=NOT_FOUND,
    ),
    "monitoring.samples": Price(
        "Managed Service for Prometheus samples ingested (vLLM and kube state metrics)",
        "million samples",
        source="https://cloud.google.com/stackdriver/pricing",
        note=NOT_FOUND,
    ),
    "bigquery.storage": Price(
        "BigQuery active logical storage (request logs)",
        "GiB-month",
        source="https://cloud.google.com/bigquery/pricing",
        note=NOT_FOUND,
    ),
}


def price(key: str) -> Price:
    return PRICES[key]

"""The price table: one dated, sourced line per price the estimate uses (USD list prices).

Every line says what it prices, its unit, the locations it holds for (a price is looked up by
the resource's region or bucket location; a location the line does not list is not priced),
the day it was read and where (tools/cost/price_sources.py), and whether that source is Google's
own figure or a transcription of it (`secondary`). A line without a value is one no current
public price was found for: the estimate reports it as "not priced" instead of guessing. TPU7x
is not here: it has no public list price, so `llm-platform:pricing.tpuChipHour.*` in the stack
config prices it.

Updating: read the source again, change the value and the `read` date together (the tests hold
every line to a date, an https source and a unit); docs/cost.md says how.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from tools.cost.price_sources import (
    ARMOR_PAGE,
    BIGQUERY_PAGE,
    CATALOG,
    DISK_PAGE,
    HYPERDISK_INCLUDED,
    INFRACOST_REDIS,
    LUSTRE_PAGE,
    MEMORYSTORE_PAGE,
    MEMORYSTORE_TIERS,
    NOT_FOUND,
    OBSERVABILITY_PAGE,
    PARALLELSTORE_PAGE,
    READ,
    REGISTRY_PAGE,
    SEARCHED,
    STORAGE_LOCATIONS,
)

GLOBAL = "global"  # a price that is the same wherever the resource is
# Memorystore for Redis capacity tiers: (name, largest provisioned GB in the tier).
REDIS_CAPACITY_TIERS = (("m1", 4), ("m2", 10), ("m3", 35), ("m4", 100), ("m5", None))


@dataclass(frozen=True)
class Price:
    what: str
    unit: str
    usd: Mapping[str, float] = field(default_factory=dict)  # location (or GLOBAL) -> USD per unit; empty: not priced
    read: str = READ
    source: str = ""
    note: str = ""
    secondary: bool = False  # the value is a transcription of Google's figure, not Google's own page or catalog

    def at(self, location: str) -> float | None:
        """The price where the resource is, or None when this line has none for that location."""
        key = location.lower()
        return self.usd.get(GLOBAL, self.usd.get(key))

    @property
    def scope(self) -> str:
        return "every location" if GLOBAL in self.usd else ", ".join(sorted(self.usd)) or "none"


def redis_tier(memory_gb: float) -> str:
    """The capacity tier a Memorystore for Redis instance of this size is billed in."""
    return next(name for name, largest in REDIS_CAPACITY_TIERS if largest is None or memory_gb <= largest)


def _redis_lines() -> dict[str, Price]:
    """Basic and Standard Tier capacity per tier, and Standard Tier per node when read replicas are on."""
    lines: dict[str, Price] = {}
    for tier, _ in REDIS_CAPACITY_TIERS:
        label = tier.upper()
        lines[f"redis.basic.{tier}"] = Price(
            f"Memorystore for Redis, Basic Tier {label} capacity",
            "GB-hour",
            source=MEMORYSTORE_PAGE,
            note=f"{NOT_FOUND}; {SEARCHED}; {MEMORYSTORE_TIERS}",
        )
        lines[f"redis.standard.{tier}"] = Price(
            f"Memorystore for Redis, Standard Tier {label} capacity (read replicas disabled)",
            "GB-hour",
            source=MEMORYSTORE_PAGE,
            note=f"{NOT_FOUND}; {SEARCHED}; {MEMORYSTORE_TIERS}",
        )
        if tier != "m1":  # read replicas need 5 GB or more
            lines[f"redis.standard-node.{tier}"] = Price(
                f"Memorystore for Redis, Standard Tier {label} node capacity (read replicas enabled, per node)",
                "GB-hour",
                source=MEMORYSTORE_PAGE,
                note=f"{NOT_FOUND}; {SEARCHED}; {MEMORYSTORE_TIERS}",
            )
    lines["redis.basic.m1"] = Price(
        "Memorystore for Redis, Basic Tier M1 capacity",
        "GB-hour",
        {"us-central1": 0.049},
        source=INFRACOST_REDIS,
        secondary=True,
        note="secondary: Infracost's us-central1 test (last changed 2024-07-01) prices a 1 GB Basic instance "
        "at $35.77 a month ($0.049 x 730 hours); a public us-central1 rate table of 2026-07-26 also states "
        f"Memorystore Basic M1 at $0.049/GiB-hour; the pricing page ({MEMORYSTORE_PAGE}) was not read offline",
    )
    return lines


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
        "c3-standard-44 VM (44 vCPU, 176 GB; the Hyperdisk ML transfer pool), on-demand",
        "VM-hour",
        {"us-central1": 2.217688, "us-east1": 2.217688, "europe-west4": 2.3285724},
        source=CATALOG,
    ),
    "disk.pd-balanced": Price(
        "Balanced persistent disk (node boot disks)",
        "GB-month",
        {"us-central1": 0.10, "us-east1": 0.10, "europe-west4": 0.11},
        source=CATALOG,
    ),
    "disk.hyperdisk-balanced": Price(
        "Hyperdisk Balanced provisioned capacity (TPU node boot disks)",
        "GiB-month",
        {"us-central1": 0.08},
        source=DISK_PAGE,
        note=f"$0.000109589 per GiB-hour on the page x 730 hours; {HYPERDISK_INCLUDED}",
    ),
    "disk.hyperdisk-balanced.iops": Price(
        "Hyperdisk Balanced provisioned IOPS above the 3,000 a volume includes",
        "IOPS-month",
        {"us-central1": 0.005},
        source=DISK_PAGE,
        note=f"$0.000006849 per IOPS-hour on the page x 730 hours; {HYPERDISK_INCLUDED}",
    ),
    "disk.hyperdisk-balanced.throughput": Price(
        "Hyperdisk Balanced provisioned throughput above the 140 MiB/s a volume includes",
        "MiB/s-month",
        {"us-central1": 0.04},
        source=DISK_PAGE,
        note=f"$0.000054795 per MiB/s-hour on the page x 730 hours; {HYPERDISK_INCLUDED}",
    ),
    "disk.hyperdisk-ml": Price(
        "Hyperdisk ML provisioned capacity (model store)",
        "GiB-month",
        {"us-central1": 0.08},
        source=DISK_PAGE,
        note="$0.000109589 per GiB-hour on the page x 730 hours",
    ),
    "disk.hyperdisk-ml.throughput": Price(
        "Hyperdisk ML provisioned throughput (model store)",
        "MiB/s-month",
        {"us-central1": 0.12},
        source=DISK_PAGE,
        note="$0.000164384 per MiB/s-hour on the page x 730 hours; all of it is priced (the row names no included "
        "throughput)",
    ),
    "lustre.125": Price(
        "Managed Lustre capacity, 125 MBps per TiB tier",
        "GiB-month",
        {GLOBAL: 0.145},
        source="https://stack3979.rssing.com/chan-67933748/article635.html",
        secondary=True,
        note="secondary: The New Stack (July 2025) quoting Google's pricing page at GA, region not stated; the "
        f"primary source, {LUSTRE_PAGE}, was not read offline ({SEARCHED})",
    ),
    **{
        f"lustre.{tier}": Price(
            f"Managed Lustre capacity, {tier} MBps per TiB tier",
            "GiB-month",
            source=LUSTRE_PAGE,
            note=f"{NOT_FOUND}; {SEARCHED}; The New Stack's GA article shows these tiers only in a screenshot",
        )
        for tier in (250, 500, 1000)
    },
    "parallelstore": Price(
        "Parallelstore capacity", "GiB-month", source=PARALLELSTORE_PAGE, note=f"{NOT_FOUND}; {SEARCHED}"
    ),
    **_redis_lines(),
    **{
        f"storage.{storage_class.lower()}": Price(
            f"Cloud Storage, {storage_class.title()} class",
            "GB-month",
            usd,
            source=CATALOG,
            note=STORAGE_LOCATIONS,
        )
        for storage_class, usd in (
            (
                "STANDARD",
                {"us-central1": 0.020, "us-east1": 0.020, "europe-west1": 0.020}
                | {"nam4": 0.044, "eur4": 0.044, "asia1": 0.0506, "us": 0.026, "eu": 0.026, "asia": 0.026},
            ),
            (
                "NEARLINE",
                {"us-central1": 0.010, "us-east1": 0.010, "europe-west1": 0.010}
                | {"nam4": 0.022, "eur4": 0.022, "asia1": 0.0352, "us": 0.015, "eu": 0.015, "asia": 0.015},
            ),
            (
                "COLDLINE",
                {"us-central1": 0.004, "us-east1": 0.004, "europe-west1": 0.004}
                | {"nam4": 0.0088, "eur4": 0.0088, "asia1": 0.0132, "us": 0.007, "eu": 0.007, "asia": 0.00875},
            ),
            (
                "ARCHIVE",
                {"us-central1": 0.0012, "us-east1": 0.0012, "europe-west1": 0.0012}
                | {"nam4": 0.0028, "eur4": 0.0028, "asia1": 0.0056, "us": 0.0024, "eu": 0.0024, "asia": 0.003},
            ),
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
        "Forwarding rule (first 5; $0.01/hour each after)",
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
    "lb.regional-proxy": Price(
        "Regional (Envoy-based) Application Load Balancer: proxy instance",
        "proxy-hour",
        source="https://cloud.google.com/load-balancing/pricing",
        note=f"{NOT_FOUND}; {SEARCHED}; the page bills the regional load balancers per proxy instance-hour, as many "
        "instances as the traffic needs (at least one while the load balancer exists)",
    ),
    "armor.policy": Price(
        "Cloud Armor Standard: security policy",
        "policy-month",
        {GLOBAL: 5.0},
        source=ARMOR_PAGE,
        secondary=True,
        note="secondary: two public cost write-ups (checked 2026-09-28 and 2026-10-04 against this page and the "
        "Networking catalog) quote SKU 4B13-E64F-4A2B at $5 a policy-month; the page was not read offline",
    ),
    "armor.rule": Price(
        "Cloud Armor Standard: rule (the default rule counts)",
        "rule-month",
        {GLOBAL: 1.0},
        source=ARMOR_PAGE,
        secondary=True,
        note="secondary: the same write-ups quote SKU A321-89BD-F5BC at $1 a rule-month",
    ),
    "armor.requests": Price(
        "Cloud Armor Standard: requests evaluated by a policy (global or regional)",
        "million requests",
        {GLOBAL: 0.75},
        source=ARMOR_PAGE,
        secondary=True,
        note="secondary: the same write-ups quote SKU 1A87-DEB9-C4BE at $0.75 per million requests",
    ),
    "artifactregistry.storage": Price(
        "Artifact Registry storage (the remote repository's cached images)",
        "GB-month",
        {GLOBAL: 0.10},
        source=REGISTRY_PAGE,
        note="the same for regional and multi-regional repositories; the first 0.5 GB a month per billing account "
        "is free, not subtracted",
    ),
    "monitoring.samples": Price(
        "Managed Service for Prometheus samples ingested (vLLM and kube state metrics), first 50 billion a month",
        "million samples",
        {GLOBAL: 0.06},
        source=OBSERVABILITY_PAGE,
        secondary=True,
        note='secondary: public write-ups quote this page ("dropped by 60 percent"): $0.06 per million for the first '
        "0-50 billion samples a month per billing account, $0.048 for 50-250 billion, $0.036 for 250-500 billion, "
        "$0.024 above; the 2023 page (archived) had $0.15 for the first tier; the page was not read offline",
    ),
    "bigquery.storage": Price(
        "BigQuery active logical storage (request logs)",
        "GiB-month",
        {"us-central1": 0.023, "us": 0.02},
        source=BIGQUERY_PAGE,
        secondary=True,
        note="secondary: a public write-up checked this page on 2026-09-20 for Iowa (us-central1): $0.000031507 per "
        "GiB-hour x 730 hours = $0.023; another lists SKU 947D-3B46-7781 (US multi-region) at $0.02; the first 10 GiB "
        "a month are free, not subtracted",
    ),
    "bigquery.storage.long-term": Price(
        "BigQuery long-term logical storage (tables or partitions unmodified for 90 days)",
        "GiB-month",
        source=BIGQUERY_PAGE,
        note=f"{NOT_FOUND} for us-central1; {SEARCHED}; the request-log partitions expire at 90 days, before they "
        "would turn long-term",
    ),
}


def price(key: str) -> Price:
    return PRICES[key]

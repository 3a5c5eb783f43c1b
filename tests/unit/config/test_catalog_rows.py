"""components/config/catalog.py: the rows the program decides from, written out (a dropped row fails here)."""

from __future__ import annotations

from components.config import catalog


def test_tpu7x_zones() -> None:
    assert catalog.TPU7X_ZONES == ("us-central1-c", "us-central1-ai1a")


def test_predefined_dual_regions_and_multi_regions() -> None:
    duals = {
        name: sorted(regions)
        for name, regions in catalog.STORAGE_MULTI_LOCATIONS.items()
        if name not in ("US", "EU", "ASIA")
    }
    assert duals == {
        "ASIA1": ["asia-northeast1", "asia-northeast2"],
        "EUR4": ["europe-north1", "europe-west4"],
        "EUR5": ["europe-west1", "europe-west2"],
        "EUR7": ["europe-west2", "europe-west3"],
        "EUR8": ["europe-west3", "europe-west6"],
        "NAM4": ["us-central1", "us-east1"],
    }
    assert {"us-central1", "us-east5", "us-west4"} <= catalog.STORAGE_MULTI_LOCATIONS["US"]
    assert (
        "europe-west4" in catalog.STORAGE_MULTI_LOCATIONS["EU"]
        and "asia-south1" in catalog.STORAGE_MULTI_LOCATIONS["ASIA"]
    )
    assert not catalog.STORAGE_MULTI_LOCATIONS["US"] & catalog.STORAGE_MULTI_LOCATIONS["EU"]


def test_regions() -> None:
    assert len(catalog.REGIONS) == 42
    assert {"us-central1", "europe-west4", "asia-southeast1", "me-central2", "northamerica-south1"} <= catalog.REGIONS


def test_machine_families_and_shared_core_types() -> None:
    families = ["c2", "c2d", "c3", "c3d", "c4", "c4d", "e2", "n1", "n2", "n2d", "n4", "n4d", "t2d"]
    assert sorted(catalog.CPU_MACHINE_FAMILIES) == families
    assert catalog.E2_SHARED_CORE == {"e2-micro": 0.25, "e2-small": 0.5, "e2-medium": 2}

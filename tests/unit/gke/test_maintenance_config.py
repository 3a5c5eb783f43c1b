"""`cluster.maintenance` at the edge of GKE's rule: exactly 48 hours in the worst 32 days is enough."""

from __future__ import annotations

import pytest

from components.gke.config import MaintenanceConfig
from tests.helpers import assert_rejected, values


def window(end: str, recurrence: str = "FREQ=WEEKLY;BYDAY=SA,SU") -> dict[str, str]:
    return {"startTime": "2025-01-04T03:00:00Z", "endTime": end, "recurrence": recurrence}


@pytest.mark.parametrize(
    "config",
    [
        window("2025-01-04T09:00:00Z"),  # 6-hour weekend windows: 8 in the worst 32 days, 48 hours exactly
        window("2025-01-04T07:00:00Z", "FREQ=DAILY"),  # 4-hour windows count (the rule says "at least four")
        window("2025-01-05T03:00:00Z", "FREQ=WEEKLY;BYDAY=SA"),  # the longest window: 24 hours
    ],
)
def test_windows_gke_accepts(config: dict[str, str]) -> None:
    MaintenanceConfig.model_validate(config)


@pytest.mark.parametrize(
    ("config", "field", "message"),
    [
        (window("2025-01-04T08:59:00Z"), "recurrence", "with 5:59:00 windows gives only 47.8667 hours"),
        (window("2025-01-04T06:59:00Z", "FREQ=DAILY"), "recurrence", "gives only 0 hours"),
        (window("2025-01-05T03:01:00Z", "FREQ=WEEKLY;BYDAY=SA"), "endTime", "at most 24 hours"),
        (window("2025-01-04T03:00:00Z"), "endTime", "is not after startTime"),
    ],
)
def test_windows_gke_refuses(config: dict[str, str], field: str, message: str) -> None:
    bad = values({"llm-platform:cluster": {"maintenance": config}})
    assert_rejected(bad, f"llm-platform:cluster.maintenance.{field}: ")
    assert_rejected(bad, message)

"""Maintenance exclusions: GKE's limits offline, and the cluster's policy as GKE reads it back."""

from __future__ import annotations

from typing import Any

import pytest

from components.gke.cluster_settings import maintenance_policy
from components.gke.config import MaintenanceConfig, MaintenanceExclusionConfig
from components.gke.exclusions import exclusion_problems
from tests.unit.sdk_args import plain

HOLIDAYS = {"name": "holidays", "scope": "NO_UPGRADES", "startTime": "2026-12-20T00:00:00Z"}
HOLD = {"name": "hold-1.34", "startTime": "2026-12-01T00:00:00Z", "untilEndOfSupport": True}


def _config(*exclusions: dict[str, Any]) -> MaintenanceConfig:
    return MaintenanceConfig.model_validate({"exclusions": list(exclusions)})


def test_exclusions_reach_the_cluster_in_the_provider_s_form() -> None:
    policy = plain(maintenance_policy(_config({**HOLIDAYS, "endTime": "2027-01-19T00:00:00Z"}, HOLD)))
    assert policy["maintenance_exclusions"] == [
        {
            "exclusion_name": "holidays",
            "start_time": "2026-12-20T00:00:00Z",
            "end_time": "2027-01-19T00:00:00Z",
            "exclusion_options": {"scope": "NO_UPGRADES"},
        },
        {
            "exclusion_name": "hold-1.34",
            "start_time": "2026-12-01T00:00:00Z",
            "exclusion_options": {"scope": "NO_MINOR_OR_NODE_UPGRADES", "end_time_behavior": "UNTIL_END_OF_SUPPORT"},
        },
    ]


def test_no_exclusions_send_nothing() -> None:
    assert "maintenance_exclusions" not in plain(maintenance_policy(MaintenanceConfig()))


def test_thirty_days_is_the_longest_no_upgrades_exclusion() -> None:
    _config({**HOLIDAYS, "endTime": "2027-01-19T00:00:00Z"})  # 30 days exactly


@pytest.mark.parametrize(
    ("exclusions", "key"),
    [
        ([{**HOLIDAYS, "endTime": "2027-01-19T00:00:01Z"}], "exclusions.0.endTime"),
        ([{**HOLIDAYS, "untilEndOfSupport": True}], "exclusions.0.untilEndOfSupport"),
        ([{**HOLD, "endTime": "2027-01-01T00:00:00Z"}], "exclusions.0.endTime"),
        ([{**HOLIDAYS}], "exclusions.0.endTime"),
        ([{**HOLIDAYS, "endTime": "2026-12-20T00:00:00Z"}], "exclusions.0.endTime"),
        ([{**HOLD, "name": "-hold"}], "exclusions.0.name"),
        ([HOLD, HOLD], "exclusions.1.name"),
        ([{**HOLD, "name": f"hold-{i}"} for i in range(21)], "exclusions"),
    ],
    ids=["over-30-days", "no-upgrades-until-eos", "end-and-eos", "no-end", "empty", "bad-name", "twice", "21"],
)
def test_exclusions_gke_refuses(exclusions: list[dict[str, Any]], key: str) -> None:
    parsed = [MaintenanceExclusionConfig.model_validate(e) for e in exclusions]
    assert [problem.field for problem in exclusion_problems(parsed)] == [key]


def test_twenty_exclusions_are_allowed() -> None:
    assert len(_config(*({**HOLD, "name": f"hold-{i}"} for i in range(20))).exclusions) == 20

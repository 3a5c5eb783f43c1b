"""GKE's limits on maintenance exclusions, decided offline (pure). Checked December 2026.

An exclusion holds automatic upgrades back for a while (container v1 `MaintenanceWindow.
maintenanceExclusions`, a `TimeWindow` with `maintenanceExclusionOptions`):
- scope (`MaintenanceExclusionOptions.scope`, container v1 discovery revision 20261027):
  NO_UPGRADES (no patch or minor upgrade of the control plane or nodes), NO_MINOR_UPGRADES (patches
  only), NO_MINOR_OR_NODE_UPGRADES (control-plane patches only; node pools stay where they are);
- end: a fixed `endTime`, or `endTimeBehavior: UNTIL_END_OF_SUPPORT` (the exclusion lasts until the
  cluster's minor version leaves support); the provider takes exactly one of the two (pulumi-gcp
  10.2 `ClusterMaintenancePolicyMaintenanceExclusionArgs`). GKE offers the end-of-support form for
  the minor scopes only (`gcloud container clusters update --add-maintenance-exclusion-until-end-of-
  support` goes with `no_minor_upgrades` or `no_minor_or_node_upgrades`);
- a NO_UPGRADES exclusion lasts at most 30 days (GKE "Maintenance windows and exclusions"; secondary
  sources report 90 days since mid-2026, which no Google page we could read confirms, so the
  stricter limit stands); the minor scopes last until the version's end of support, which depends
  on the version GKE picks and is checked by the API;
- at most 20 exclusions per cluster (pulumi-gcp 10.2 `ClusterMaintenancePolicyArgs`; older GKE
  pages said three).
GKE deletes an exclusion once it has ended, so an ended one left in the stack file would be planned
back on every update: remove it from the config after its end.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import timedelta
from typing import Literal, Protocol

from components.config.fields import FieldError, utc

ExclusionScope = Literal["NO_UPGRADES", "NO_MINOR_UPGRADES", "NO_MINOR_OR_NODE_UPGRADES"]
UNTIL_END_OF_SUPPORT = "UNTIL_END_OF_SUPPORT"
MINOR_SCOPES = ("NO_MINOR_UPGRADES", "NO_MINOR_OR_NODE_UPGRADES")
MAX_NO_UPGRADES = timedelta(days=30)
MAX_EXCLUSIONS = 20
# A name the API keys the exclusion map with; kept to what gcloud examples use.
EXCLUSION_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,62}$")


class Exclusion(Protocol):
    """What `cluster.maintenance.exclusions[]` holds (`MaintenanceExclusionConfig`)."""

    @property
    def name(self) -> str: ...
    @property
    def start_time(self) -> str: ...
    @property
    def end_time(self) -> str | None: ...
    @property
    def until_end_of_support(self) -> bool: ...
    @property
    def scope(self) -> ExclusionScope: ...


def _one_problems(index: int, exclusion: Exclusion) -> list[FieldError]:
    key = f"exclusions.{index}"
    problems = []
    if not EXCLUSION_NAME.match(exclusion.name):
        problems.append(
            FieldError(
                f"{key}.name",
                f"{exclusion.name!r} is not an exclusion name (allowed: letters, digits, space, '.', '_', '-', "
                "starting with a letter or digit, at most 63)",
            )
        )
    if exclusion.until_end_of_support:
        if exclusion.end_time is not None:
            problems.append(FieldError(f"{key}.endTime", "is set with untilEndOfSupport (allowed: one of the two)"))
        if exclusion.scope not in MINOR_SCOPES:
            problems.append(
                FieldError(
                    f"{key}.untilEndOfSupport",
                    f"true needs a minor scope, not {exclusion.scope} (allowed: {' or '.join(MINOR_SCOPES)}; a "
                    f"NO_UPGRADES exclusion has an endTime at most {MAX_NO_UPGRADES.days} days after its start)",
                )
            )
        return problems
    if exclusion.end_time is None:
        problems.append(
            FieldError(f"{key}.endTime", "is required (allowed: an RFC 3339 UTC time, or untilEndOfSupport: true)")
        )
        return problems
    start, end = utc(exclusion.start_time), utc(exclusion.end_time)
    if end <= start:
        problems.append(
            FieldError(
                f"{key}.endTime",
                f"{exclusion.end_time} is not after startTime {exclusion.start_time} (allowed: end > start)",
            )
        )
    elif exclusion.scope == "NO_UPGRADES" and end - start > MAX_NO_UPGRADES:
        problems.append(
            FieldError(
                f"{key}.endTime",
                f"{exclusion.end_time} is {end - start} after startTime: a NO_UPGRADES exclusion lasts at most "
                f"{MAX_NO_UPGRADES.days} days (allowed: an earlier endTime, or scope NO_MINOR_OR_NODE_UPGRADES with "
                "untilEndOfSupport: true)",
            )
        )
    return problems


def exclusion_problems(exclusions: Sequence[Exclusion]) -> list[FieldError]:
    """Every problem GKE would refuse, with keys relative to `cluster.maintenance`."""
    problems = []
    if len(exclusions) > MAX_EXCLUSIONS:
        problems.append(
            FieldError("exclusions", f"has {len(exclusions)} entries (allowed: at most {MAX_EXCLUSIONS} per cluster)")
        )
    seen: set[str] = set()
    for index, exclusion in enumerate(exclusions):
        problems.extend(_one_problems(index, exclusion))
        if exclusion.name in seen:
            problems.append(
                FieldError(f"exclusions.{index}.name", f"{exclusion.name!r} is used twice (allowed: unique names)")
            )
        seen.add(exclusion.name)
    return problems

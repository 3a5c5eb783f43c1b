"""Operations: day-2 concerns off the request path (cache, observability, budget).

Creates: nothing yet; Memorystore, Cloud Monitoring dashboards, SLOs and alerts, and the billing
budget land here.
Config keys: none yet.
APIs: none yet.
Outputs: none yet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from components.config.platform import PlatformConfig

__all__ = ["required_services"]


def required_services(config: PlatformConfig) -> set[str]:
    return set()

"""Project: the Google Cloud APIs the stack needs, enabled before anything uses them.

Creates: one `gcp.projects.Service` per API (`llm-platform:project:Services`), never disabled on destroy.
Config keys: none of its own; the API list is the union of every concern's `required_services`.
APIs: cloudresourcemanager and serviceusage, which every other API enablement needs first (and
which must be enabled out of band on a fresh project: README).
Outputs: `ProjectServices.resources`, what API-backed resources depend on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from components.project.services import BOOTSTRAP_SERVICES, ProjectServices, ProjectServicesArgs

if TYPE_CHECKING:
    from components.config.platform import PlatformConfig

__all__ = ["ProjectServices", "ProjectServicesArgs", "required_services"]


def required_services(config: PlatformConfig) -> set[str]:
    return set(BOOTSTRAP_SERVICES)

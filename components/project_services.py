"""The Google Cloud APIs the platform needs, enabled and left enabled on destroy."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from components.base import PlatformComponent

BASE_SERVICES: tuple[str, ...] = (
    "artifactregistry.googleapis.com",  # serving images (remote repository of Docker Hub)
    "cloudresourcemanager.googleapis.com",  # project number lookup
    "compute.googleapis.com",
    "container.googleapis.com",
    "containerfilesystem.googleapis.com",  # image streaming
    "iam.googleapis.com",
    "logging.googleapis.com",
    "monitoring.googleapis.com",  # managed Prometheus, dashboards, alerts
    "servicenetworking.googleapis.com",  # private services access
    "storage.googleapis.com",
)


def required_services(extra: Sequence[str] = ()) -> list[str]:
    """The sorted, de-duplicated API list for a stack."""
    return sorted(set(BASE_SERVICES) | set(extra))


@dataclass(frozen=True)
class ProjectServicesArgs:
    project: str
    services: Sequence[str]


class ProjectServices(PlatformComponent):
    """One `gcp.projects.Service` per API. `disable_on_destroy=False`: destroying a stack
    must never switch off an API that other workloads in the project may use."""

    def __init__(self, name: str, args: ProjectServicesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("project:Services", name, opts)
        self.services: dict[str, gcp.projects.Service] = {
            api: gcp.projects.Service(
                f"{name}-{api.split('.')[0]}",
                project=args.project,
                service=api,
                disable_on_destroy=False,
                disable_dependent_services=False,
                opts=self.child(),
            )
            for api in args.services
        }
        self.register_outputs({"services": sorted(self.services)})

    @property
    def resources(self) -> list[pulumi.Resource]:
        """Everything API-backed should depend on these."""
        return list(self.services.values())

"""The Google Cloud APIs the platform needs, enabled and left enabled on destroy."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from components.base import PlatformComponent


@dataclass(frozen=True)
class ProjectServicesArgs:
    project: str
    services: Sequence[str]


# Enabling an API goes through Service Usage and reads the project through Cloud Resource Manager:
# neither can enable itself, so both are a documented prerequisite (README, "Deploying for real") and
# are declared here first; every other API waits for them (terraform-provider-google #6101, #11435,
# #16883).
BOOTSTRAP_SERVICES = ("cloudresourcemanager.googleapis.com", "serviceusage.googleapis.com")


class ProjectServices(PlatformComponent):
    """One `gcp.projects.Service` per API. `disable_on_destroy=False`: destroying a stack
    must never switch off an API that other workloads in the project may use."""

    def __init__(self, name: str, args: ProjectServicesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("project:Services", name, opts)

        def service(api: str, after: list[pulumi.Resource]) -> gcp.projects.Service:
            return gcp.projects.Service(
                f"{name}-{api.split('.')[0]}",
                project=args.project,
                service=api,
                disable_on_destroy=False,
                disable_dependent_services=False,
                opts=self.child(depends_on=after),
            )

        bootstrap = {api: service(api, []) for api in BOOTSTRAP_SERVICES}
        self.services: dict[str, gcp.projects.Service] = {
            **bootstrap,
            **{api: service(api, list(bootstrap.values())) for api in args.services if api not in BOOTSTRAP_SERVICES},
        }
        self.register_outputs({"services": sorted(self.services)})

    @property
    def resources(self) -> list[pulumi.Resource]:
        """Everything API-backed should depend on these: the component itself, which the SDK expands
        to exactly its children (the services) at each registration. One entry rather than one per
        API keeps each dependent's `depends_on` short: the SDK resolves every entry as an Output."""
        return [self]

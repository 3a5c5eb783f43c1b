"""Creation order of the project's APIs and service agents (components/project, and every ServiceIdentity)."""

from __future__ import annotations

from .engine import Prerequisite, Rule, named_by, value_at
from .resource_types import SERVICE, SERVICE_IDENTITY

BOOTSTRAP_APIS = ("cloudresourcemanager.googleapis.com", "serviceusage.googleapis.com")

RULES: tuple[Rule, ...] = (
    Rule(
        SERVICE,
        "Enabling an API goes through Service Usage and reads the project through Cloud Resource Manager "
        "(terraform-provider-google #6101, #11435, #16883)",
        apis=BOOTSTRAP_APIS,
        when=lambda r: value_at(r, "service") not in BOOTSTRAP_APIS,
    ),
    Rule(
        SERVICE_IDENTITY,
        "services.generateServiceIdentity is a Service Usage call for an enabled service "
        "(https://cloud.google.com/service-usage/docs/reference/rest/v1beta1/services/generateServiceIdentity)",
        apis=("serviceusage.googleapis.com",),
        after=(
            Prerequisite(
                "the Service enabling its own API",
                SERVICE,
                named_by("service", "service"),
            ),
        ),
    ),
)

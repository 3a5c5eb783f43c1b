"""Google service agents: the per-project accounts Google services act as.

A service agent exists only once its service creates it; a component that grants one a role first
creates it with `gcp.projects.ServiceIdentity` (its `email` output may be empty, says the provider),
then names it by the documented form built here (https://cloud.google.com/iam/docs/service-agents).
"""

from __future__ import annotations

import pulumi


def service_agent(project_number: pulumi.Input[str], domain: str) -> pulumi.Output[str]:
    """The IAM member `serviceAccount:service-NUMBER@DOMAIN.iam.gserviceaccount.com`."""
    return pulumi.Output.from_input(project_number).apply(
        lambda number: f"serviceAccount:service-{number}@{domain}.iam.gserviceaccount.com"
    )

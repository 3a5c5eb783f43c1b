"""The Google service agents a grant can name, and what brings each into being.

A per-project service agent exists only once its service creates it; a grant to one that is merely
assumed fails on a fresh project. `AGENT_ORIGINS` maps each agent domain the platform grants to the
resource that creates the agent; a grant to an agent with no origin here is reported.
"""

from __future__ import annotations

import re
from typing import Any

from pulumi_policy import PolicyResource

from ..metadata import UNKNOWN
from .engine import Prerequisite, value_at
from .resource_types import SERVICE_IDENTITY

# A per-project Google service agent: `serviceAccount:service-NUMBER@<agent domain>.iam.gserviceaccount.com`.
SERVICE_AGENT = re.compile(r"^serviceAccount:service-\d+@([a-z0-9-]+)\.iam\.gserviceaccount\.com$")


def _agent(service: str, name: str) -> Prerequisite:
    return Prerequisite(
        f"the {name} service agent (ServiceIdentity {service})",
        SERVICE_IDENTITY,
        lambda candidate, _: value_at(candidate, "service") == service,
    )


AGENT_ORIGINS: dict[str, Prerequisite] = {
    "gcp-sa-lustre": _agent("lustre.googleapis.com", "Managed Lustre"),
    "service-networking": _agent("servicenetworking.googleapis.com", "Service Networking"),
    "gcp-sa-monitoring-notification": _agent("monitoring.googleapis.com", "Cloud Monitoring notification"),
    "gcp-sa-artifactregistry": _agent("artifactregistry.googleapis.com", "Artifact Registry"),
    # A project sink's writer identity is the Logging agent, which the sink's creation returns.
    "gcp-sa-logging": Prerequisite("the log sink whose writer identity it is", "gcp:logging/projectSink:ProjectSink"),
}


def agent_origin(resource: PolicyResource) -> tuple[Prerequisite, ...]:
    domain = agent_domain(resource) or ""
    unknown = Prerequisite(f"an origin for the agent domain {domain!r} (add it to AGENT_ORIGINS)", "(none)")
    return (AGENT_ORIGINS.get(domain, unknown),)


def agent_domain(resource: PolicyResource) -> Any:
    """The agent domain of a grant to a service agent; None for other members; UNKNOWN if not known yet."""
    member = value_at(resource, "member")
    if member is UNKNOWN:
        return UNKNOWN
    found = SERVICE_AGENT.match(member) if isinstance(member, str) else None
    return found.group(1) if found else None

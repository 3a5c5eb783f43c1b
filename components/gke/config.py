"""Config keys of the cluster and of TPU capacity: `llm-platform:cluster.*`, `tiers.<name>.capacity.*`."""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from components.config.fields import AnyIpv4Cidr, FieldError, Ipv4Cidr, StrictModel, UtcTime
from components.gke import tpu

_GKE_VERSION = re.compile(r"^1\.(\d+)\.(\d+)-gke\.(\d+)$")


def _gke_version(value: str) -> str:
    match = _GKE_VERSION.match(value)
    floor = _GKE_VERSION.match(tpu.MIN_TPU7X_GKE_VERSION)
    assert floor is not None
    if not match:
        raise ValueError(f"{value!r} is not a GKE version (allowed: e.g. {tpu.MIN_GKE_VERSION})")
    if tuple(map(int, match.groups())) < tuple(map(int, floor.groups())):
        raise ValueError(f"{value} predates TPU7x support (allowed: {tpu.MIN_TPU7X_GKE_VERSION} or later)")
    return value


GkeVersion = Annotated[str, AfterValidator(_gke_version)]


class AuthorizedNetwork(StrictModel):
    """A range allowed to reach the control plane's public endpoint (your VPN, office or CI egress)."""

    cidr: AnyIpv4Cidr
    name: str = Field(min_length=1)


class SystemPoolConfig(StrictModel):
    """The small CPU pool for controllers (CSI, Gateway, LeaderWorkerSet, metrics adapter)."""

    machine_type: str = "e2-standard-4"
    min_nodes: int = Field(default=1, ge=1, le=100)
    max_nodes: int = Field(default=3, ge=1, le=100)
    disk_size_gb: int = Field(default=100, ge=20, le=2000)

    @model_validator(mode="after")
    def _bounds(self) -> SystemPoolConfig:
        if self.min_nodes > self.max_nodes:
            raise FieldError("minNodes", f"{self.min_nodes} is above maxNodes {self.max_nodes} (allowed: min <= max)")
        return self


class MaintenanceConfig(StrictModel):
    """A recurring window (RFC 5545 RRULE); GKE needs 48 hours of windows per 32 days."""

    start_time: UtcTime = "2025-01-04T03:00:00Z"
    end_time: UtcTime = "2025-01-04T11:00:00Z"
    recurrence: str = "FREQ=WEEKLY;BYDAY=SA,SU"

    @model_validator(mode="after")
    def _order(self) -> MaintenanceConfig:
        if self.end_time <= self.start_time:
            raise FieldError(
                "endTime", f"{self.end_time} is not after startTime {self.start_time} (allowed: end > start)"
            )
        if not self.recurrence.startswith("FREQ="):
            raise FieldError(
                "recurrence", f"{self.recurrence!r} is not an RRULE (allowed: e.g. FREQ=WEEKLY;BYDAY=SA,SU)"
            )
        return self


class ClusterConfig(StrictModel):
    regional: bool | None = Field(
        default=None,
        description="Regional control plane (HA); defaults to true in prod. TPU pools stay in gcp:zone either way.",
    )
    release_channel: Literal["RAPID", "REGULAR", "STABLE"] = "REGULAR"
    min_master_version: GkeVersion = tpu.MIN_GKE_VERSION
    master_ipv4_cidr: Ipv4Cidr = "172.16.0.0/28"
    master_authorized_networks: list[AuthorizedNetwork] = Field(default_factory=list)
    system_pool: SystemPoolConfig = Field(default_factory=SystemPoolConfig)
    maintenance: MaintenanceConfig = Field(default_factory=MaintenanceConfig)

    @model_validator(mode="after")
    def _master_range(self) -> ClusterConfig:
        if ipaddress.IPv4Network(self.master_ipv4_cidr).prefixlen != 28:
            raise FieldError("masterIpv4Cidr", f"{self.master_ipv4_cidr} is not a /28 (allowed: a private /28)")
        return self


CapacityType = Literal["on-demand", "reservation", "flex-start", "spot"]


class CapacityConfig(StrictModel):
    """How a tier's TPUs are obtained."""

    type: CapacityType = "on-demand"
    reservation: str | None = Field(default=None, description="Reservation name; required for type reservation.")
    queued_provisioning: bool = Field(
        default=False, description="flex-start only: nodes come only through ProvisioningRequests (DWS queued mode)."
    )

    @model_validator(mode="after")
    def _reservation(self) -> CapacityConfig:
        if self.type == "reservation" and not self.reservation:
            raise FieldError("reservation", "is required when type is reservation (allowed: reservation: <name>)")
        if self.type != "reservation" and self.reservation:
            raise FieldError("reservation", f"is set but type is {self.type} (allowed: only with type reservation)")
        if self.queued_provisioning and self.type != "flex-start":
            raise FieldError("queuedProvisioning", f"needs type flex-start, not {self.type} (allowed: flex-start)")
        return self

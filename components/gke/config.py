"""Config keys of the cluster and of TPU capacity: `llm-platform:cluster.*`, `tiers.<name>.capacity.*`."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from components.config import catalog
from components.config.fields import AnyIpv4Cidr, FieldError, Ipv4Cidr, StrictModel, UtcTime, raise_all, utc
from components.gke import exclusions, maintenance, tpu

# `1.X`, `1.X.Y` or `1.X.Y-gke.N`: the API takes a prefix and picks the newest version it matches.
_GKE_VERSION = re.compile(r"^1\.(\d+)(?:\.(\d+)(?:-gke\.(\d+))?)?$")


def version_parts(value: str) -> tuple[int, ...]:
    match = _GKE_VERSION.match(value)
    if not match:
        raise ValueError(value)
    return (1, *(int(part) for part in match.groups() if part is not None))


def _gke_version(value: str) -> str:
    if not _GKE_VERSION.match(value):
        raise ValueError(
            f"{value!r} is not a GKE version (allowed: a minor version such as 1.34, a patch such as 1.34.3, or an "
            "exact version such as 1.34.3-gke.1318000)"
        )
    given = version_parts(value)
    floor = version_parts(tpu.MIN_TPU7X_GKE_VERSION)[: len(given)]
    if given < floor:
        raise ValueError(f"{value} predates TPU7x support (allowed: {tpu.MIN_TPU7X_GKE_VERSION} or later)")
    return value


GkeVersion = Annotated[str, AfterValidator(_gke_version)]


class AuthorizedNetwork(StrictModel):
    """A range allowed to reach the control plane's public endpoint (your VPN, office or CI egress)."""

    cidr: AnyIpv4Cidr
    name: str = Field(min_length=1)


_MACHINE_TYPE = re.compile(r"^([a-z][a-z0-9]*)-(standard|highmem|highcpu)-(\d+)$")


def _cpu_machine_type(value: str) -> str:
    """A CPU machine type GKE can run system pods on: a known x86 family and at least 2 vCPUs."""
    match = _MACHINE_TYPE.match(value)
    vcpus = float(match.group(3)) if match else catalog.E2_SHARED_CORE.get(value)
    family = match.group(1) if match else value.split("-")[0]
    if vcpus is None or family not in catalog.CPU_MACHINE_FAMILIES:
        raise ValueError(
            f"{value!r} is not a Compute Engine machine type (allowed: FAMILY-standard|highmem|highcpu-VCPUS with "
            f"FAMILY one of {', '.join(sorted(catalog.CPU_MACHINE_FAMILIES))}, e.g. e2-standard-4; "
            f"{catalog.BEHIND_HINT})"
        )
    if vcpus < 2:
        raise ValueError(f"{value!r} has {vcpus:g} vCPU (allowed: at least 2 vCPUs, e.g. e2-standard-2)")
    return value


class SystemPoolConfig(StrictModel):
    """The small CPU pool for controllers (CSI, Gateway, LeaderWorkerSet, metrics adapter)."""

    machine_type: Annotated[str, AfterValidator(_cpu_machine_type)] = "e2-standard-4"
    min_nodes: int = Field(default=1, ge=1, le=100)
    max_nodes: int = Field(default=3, ge=1, le=100)
    disk_size_gb: int = Field(default=100, ge=20, le=2000)

    @model_validator(mode="after")
    def _bounds(self) -> SystemPoolConfig:
        if self.min_nodes > self.max_nodes:
            raise FieldError("minNodes", f"{self.min_nodes} is above maxNodes {self.max_nodes} (allowed: min <= max)")
        return self


class MaintenanceExclusionConfig(StrictModel):
    """A time GKE upgrades nothing in the scope (`components/gke/exclusions.py` has GKE's limits)."""

    name: str
    start_time: UtcTime
    end_time: UtcTime | None = Field(default=None, description="Required unless untilEndOfSupport is true.")
    until_end_of_support: bool = Field(
        default=False, description="Minor scopes only: hold until the cluster's minor version leaves support."
    )
    scope: exclusions.ExclusionScope = "NO_MINOR_OR_NODE_UPGRADES"


class MaintenanceConfig(StrictModel):
    """A recurring window (RFC 5545 RRULE) that GKE accepts: 48 hours of windows of 4 hours or more in
    every 32 days (`components/gke/maintenance.py`), and the exclusions that hold upgrades back."""

    start_time: UtcTime = "2025-01-04T03:00:00Z"
    end_time: UtcTime = "2025-01-04T11:00:00Z"
    recurrence: str = "FREQ=WEEKLY;BYDAY=SA,SU"
    exclusions: list[MaintenanceExclusionConfig] = Field(
        default_factory=list, description="At most 20; remove one from the config once it has ended."
    )

    @model_validator(mode="after")
    def _gke_accepts_it(self) -> MaintenanceConfig:
        start, end = utc(self.start_time), utc(self.end_time)
        if end <= start:
            raise FieldError(
                "endTime", f"{self.end_time} is not after startTime {self.start_time} (allowed: end > start)"
            )
        if end - start > timedelta(days=1):
            raise FieldError(
                "endTime", f"{self.end_time} is {end - start} after startTime (allowed: a window of at most 24 hours)"
            )
        try:
            least = maintenance.least_availability(start, end, self.recurrence)
        except ValueError as exc:
            raise FieldError("recurrence", f"{self.recurrence!r} {exc}") from None
        if least < maintenance.MIN_AVAILABILITY:
            hours = least.total_seconds() / 3600
            raise FieldError(
                "recurrence",
                f"{self.recurrence!r} with {end - start} windows gives only {hours:g} hours of maintenance in some "
                "32-day period, and GKE counts only windows of 4 hours or more (allowed: at least 48 hours per 32 "
                "days, e.g. FREQ=WEEKLY;BYDAY=SA,SU with 6-hour windows)",
            )
        raise_all(exclusions.exclusion_problems(self.exclusions))
        return self


_SECURITY_GROUP = re.compile(r"^gke-security-groups@[a-z0-9.-]+\.[a-z]{2,}$")


def _security_group(value: str) -> str:
    if not _SECURITY_GROUP.match(value):
        raise ValueError(
            f"{value!r} is not the Google Groups for RBAC group (allowed: gke-security-groups@YOUR-DOMAIN, the group "
            "your Google Workspace or Cloud Identity domain must name exactly so)"
        )
    return value


class ClusterConfig(StrictModel):
    regional: bool | None = Field(
        default=None,
        description="Regional control plane (HA); defaults to true in prod. TPU pools stay in gcp:zone either way.",
    )
    release_channel: Literal["RAPID", "REGULAR", "STABLE", "EXTENDED"] = "REGULAR"
    min_master_version: GkeVersion | None = Field(
        default=None,
        description="A floor for the control plane (1.X, 1.X.Y or an exact version); unset, the cluster starts "
        "at the release channel's default, which is newer than TPU7x's minimum.",
    )
    master_ipv4_cidr: Ipv4Cidr = "172.16.0.0/28"
    master_authorized_networks: list[AuthorizedNetwork] = Field(
        default_factory=list,
        description="Opens the IP endpoint's public side to these ranges only; empty keeps it private "
        "(deployers use the DNS endpoint, authorized by IAM).",
    )
    binary_authorization: bool = Field(
        default=True, description="Enforce the project's Binary Authorization policy, which this stack owns."
    )
    rbac_security_group: Annotated[str, AfterValidator(_security_group)] | None = Field(
        default=None, description="Google Groups for RBAC: the gke-security-groups@ group of your domain."
    )
    system_pool: SystemPoolConfig = Field(default_factory=SystemPoolConfig)
    maintenance: MaintenanceConfig = Field(default_factory=MaintenanceConfig)

    @model_validator(mode="after")
    def _master_range(self) -> ClusterConfig:
        if ipaddress.IPv4Network(self.master_ipv4_cidr).prefixlen != 28:
            raise FieldError("masterIpv4Cidr", f"{self.master_ipv4_cidr} is not a /28 (allowed: a private /28)")
        return self


CapacityType = Literal["on-demand", "reservation", "flex-start", "spot"]
# A reservation of the project (`NAME`) or shared from another (`projects/P/reservations/NAME`), or its
# full resource path (`projects/P/zones/Z/reservations/NAME`, as `gcloud compute reservations describe`
# prints it), with an optional block (`.../reservationBlocks/BLOCK`); names are Compute Engine resource
# names (RFC 1035). A zone in the path must be the stack's (`components/gke/reservations.py`).
_NAME = r"[a-z]([-a-z0-9]{0,61}[a-z0-9])?"
RESERVATION = re.compile(
    r"^(projects/(?P<project>[a-z][a-z0-9-]{4,28}[a-z0-9])/(zones/(?P<zone>[a-z][-a-z0-9]{0,62})/)?reservations/)?"
    rf"(?P<name>{_NAME})(/reservationBlocks/(?P<block>{_NAME}))?$"
)


@dataclass(frozen=True)
class ReservationRef:
    """A configured reservation's parts: its owner project and zone when the value names them."""

    name: str
    project: str | None = None
    zone: str | None = None
    block: str | None = None

    def affinity_path(self) -> str:
        """The form GKE's reservation affinity takes: `NAME` or `projects/P/reservations/NAME`, block
        appended; a zone is never part of it (the pool's zone is the reservation's)."""
        path = f"projects/{self.project}/reservations/{self.name}" if self.project else self.name
        return f"{path}/reservationBlocks/{self.block}" if self.block else path


def reservation_ref(value: str) -> ReservationRef:
    """The parts of a value `RESERVATION` matches (the model has checked it)."""
    match = RESERVATION.match(value)
    if match is None:
        raise ValueError(f"{value!r} is not a reservation name")
    return ReservationRef(match["name"], match["project"], match["zone"], match["block"])


class BlueGreenConfig(StrictModel):
    """GKE's blue-green node upgrade: a green pool as large as the blue one, then the blue drained in batches."""

    batch_node_count: int = Field(default=1, ge=1, le=1000)
    batch_soak_seconds: int = Field(default=0, ge=0, le=7 * 24 * 3600)
    node_pool_soak_seconds: int = Field(default=3600, ge=0, le=7 * 24 * 3600)


class NodeUpgradeConfig(StrictModel):
    """How GKE replaces the tier's TPU nodes on an upgrade (the pool's `upgradeSettings`); what a tier's
    shape and capacity allow is checked in `components/gke/pool_upgrades.py`."""

    strategy: Literal["SURGE", "BLUE_GREEN"] = "SURGE"
    max_surge: int = Field(default=0, ge=0, le=100, description="SURGE: nodes created beyond the pool's size.")
    max_unavailable: int | None = Field(
        default=None,
        ge=0,
        le=100,
        description="SURGE: nodes down at once; defaults to 1, or the whole slice on a multi-host tier.",
    )
    blue_green: BlueGreenConfig | None = None

    @model_validator(mode="after")
    def _strategy_fields(self) -> NodeUpgradeConfig:
        problems = []
        if self.strategy == "SURGE" and self.blue_green is not None:
            problems.append(
                FieldError("strategy", "SURGE does not read blueGreen (allowed: BLUE_GREEN, or remove blueGreen)")
            )
        if self.strategy == "SURGE" and self.max_surge == 0 and self.max_unavailable == 0:
            problems.append(
                FieldError(
                    "maxUnavailable", "0 with maxSurge 0 upgrades nothing (allowed: maxSurge + maxUnavailable >= 1)"
                )
            )
        if self.strategy == "BLUE_GREEN":
            for field, key in (("max_surge", "maxSurge"), ("max_unavailable", "maxUnavailable")):
                if field in self.model_fields_set:
                    problems.append(FieldError(key, "is set but strategy is BLUE_GREEN (allowed: only with SURGE)"))
        raise_all(problems)
        return self


class CapacityConfig(StrictModel):
    """How a tier's TPUs are obtained."""

    type: CapacityType = "on-demand"
    reservation: str | None = Field(default=None, description="Reservation name; required for type reservation.")
    reserved_vms: int | None = Field(
        default=None,
        ge=1,
        le=100_000,
        description="reservation only: the VMs it holds for this tier (its specificReservation.count); a surge "
        "rollout needs one replica more than maxReplicas.",
    )
    queued_provisioning: bool = Field(
        default=False, description="flex-start only: nodes come only through ProvisioningRequests (DWS queued mode)."
    )
    fallback: list[CapacityType] = Field(
        default_factory=list,
        description="The modes to fall back to, in order, when `type` cannot be had: a ComputeClass with one "
        "node pool per mode (components/gke/capacity_chain.py); empty keeps the tier on `type` alone.",
    )
    upgrade: NodeUpgradeConfig = Field(default_factory=NodeUpgradeConfig)

    @model_validator(mode="after")
    def _reservation(self) -> CapacityConfig:
        if self.type == "reservation" and not self.reservation:
            raise FieldError("reservation", "is required when type is reservation (allowed: reservation: <name>)")
        if self.type != "reservation" and self.reservation:
            raise FieldError("reservation", f"is set but type is {self.type} (allowed: only with type reservation)")
        if self.reservation and not RESERVATION.match(self.reservation):
            raise FieldError(
                "reservation",
                f"{self.reservation!r} is not a reservation name (allowed: NAME, projects/PROJECT/reservations/NAME "
                "for a shared one, or projects/PROJECT/zones/ZONE/reservations/NAME, each optionally with "
                "/reservationBlocks/BLOCK; names are lowercase letters, "
                "digits and '-', at most 63)",
            )
        if self.reserved_vms is not None and self.type != "reservation":
            raise FieldError("reservedVms", f"is set but type is {self.type} (allowed: only with type reservation)")
        if self.queued_provisioning and self.type != "flex-start":
            raise FieldError("queuedProvisioning", f"needs type flex-start, not {self.type} (allowed: flex-start)")
        raise_all(self._fallback_problems())
        return self

    def _fallback_problems(self) -> list[FieldError]:
        """A chain GKE could not follow: each mode once, a reservation only first, no queued pool in it."""
        problems = []
        seen = [self.type]
        for index, mode in enumerate(self.fallback):
            key = f"fallback.{index}"
            if mode == "reservation":
                problems.append(
                    FieldError(
                        key,
                        "reservation cannot be a fallback: reserved VMs are paid for whether used or not, so they "
                        "go first (allowed: on-demand, flex-start, spot; put the reservation in type and name it "
                        "in reservation)",
                    )
                )
            elif mode in seen:
                step = seen.index(mode) + 1
                problems.append(
                    FieldError(key, f"{mode} is already step {step} of the chain (allowed: each mode once)")
                )
            seen.append(mode)
        if self.fallback and self.queued_provisioning:
            problems.append(
                FieldError(
                    "queuedProvisioning",
                    "a queued pool gets nodes only through ProvisioningRequests, which a ComputeClass never makes "
                    "when it falls back (allowed: false with fallback, or remove fallback)",
                )
            )
        return problems

    @property
    def modes(self) -> list[CapacityType]:
        """The chain: `type` first, then each fallback mode in order."""
        return [self.type, *self.fallback]

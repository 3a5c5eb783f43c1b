"""A tier's reservation must be one its node pool can consume: in the stack's zone, of the tier's
TPU7x machine type, consumed only by name. Checked twice, both times before anything is registered.

- Offline, with the other config checks (`config_problems`, handed to the loader by
  `components/concerns.py`): a reservation given as a full resource path
  (`projects/P/zones/Z/reservations/NAME`) must name `gcp:zone`. A node pool consumes only
  reservations of its own zone, and every TPU pool of the stack runs in `gcp:zone`
  (`node_locations=[zone]`); GKE's affinity names no zone, so a path to another zone would
  otherwise be consumed as a same-named reservation of the pool's zone, or as none.
- At preview (`lookup_problems`, run by `concerns.load_config()` once the config is valid): the
  plain `gcp.compute.get_reservation` invoke reads the reservation in `gcp:zone` of its owner
  project. It must exist, reserve the tier's machine type (`specificReservation.instanceProperties
  .machineType`) and be `specificReservationRequired`: the pools consume it by name
  (`SPECIFIC_RESERVATION`), and a reservation that is consumed automatically is also taken by any VM
  of the project with the default `ANY_RESERVATION` affinity, so the tier could find it used up.
  `reservedVms` must not exceed what it holds (`specificReservation.count`).

Why the plain invoke, not `get_reservation_output`: an Output-based check resolves after the
program has gone on to register resources, so its failure would come after the registrations, not
instead of them; the plain call blocks, and its answer is judged with the other config problems.
The provider reports a missing reservation with an empty answer, not an error (the Terraform data
source's read clears the id on 404 and returns no error: hashicorp/terraform-provider-google
`resource_compute_reservation.go`, `HandleNotFoundError`): an answer without `selfLink` is "not
found". The data source does not return `shareSettings` (hashicorp/terraform-provider-google#18248),
so whether another project's reservation is shared with this one is left to GKE.
Committed stacks' placeholders are never looked up: a real run refuses them before this runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import pulumi_gcp as gcp

from components.config.errors import NAMESPACE
from components.config.fields import FieldError
from components.config.placeholders import PLACEHOLDER_PREFIX
from components.gke.config import CapacityConfig, reservation_ref

if TYPE_CHECKING:
    from components.config.platform import PlatformConfig

# Reads one reservation: (name, zone, project) -> the invoke's answer.
Lookup = Callable[[str, str, str], Any]
ALLOWED = "a specific reservation (created with --require-specific-reservation) of {machine} VMs in {zone}"


def _reserved(config: PlatformConfig) -> Iterable[tuple[str, CapacityConfig, str]]:
    """Each tier that names a reservation: tier name, capacity, the tier's machine type."""
    for name, tier in sorted(config.tiers.items()):
        if tier.capacity.reservation:
            yield name, tier.capacity, tier.machine_type


def config_problems(config: PlatformConfig) -> list[FieldError]:
    """A reservation's full path must name the stack's zone: the pools consume reservations of theirs only."""
    problems = []
    for name, capacity, _ in _reserved(config):
        assert capacity.reservation is not None
        zone = reservation_ref(capacity.reservation).zone
        if zone is not None and zone != config.zone:
            problems.append(
                FieldError(
                    f"tiers.{name}.capacity.reservation",
                    f"{capacity.reservation!r} is in zone {zone}, but the stack's TPU pools run in gcp:zone "
                    f"{config.zone} and consume reservations of their own zone only (allowed: a reservation in "
                    f"{config.zone}: projects/PROJECT/zones/{config.zone}/reservations/NAME, or NAME / "
                    "projects/PROJECT/reservations/NAME, which GKE reads in the pool's zone)",
                )
            )
    return problems


def _get_reservation(name: str, zone: str, project: str) -> Any:
    return gcp.compute.get_reservation(name=name, zone=zone, project=project)


def _last(path: str | None) -> str:
    """`https://.../zones/us-central1-c` -> `us-central1-c` (the provider returns zones as links)."""
    return (path or "").rstrip("/").rsplit("/", 1)[-1]


def judge(found: Any, capacity: CapacityConfig, machine_type: str, zone: str, project: str) -> list[str]:
    """What is wrong with the reservation the lookup returned, for a tier on `machine_type` in `zone`."""
    value = capacity.reservation
    if not getattr(found, "self_link", None):
        return [
            f"{value!r} does not exist in zone {zone} of project {project} (allowed: a reservation "
            f"`gcloud compute reservations list --project {project} --filter=zone:{zone}` lists)"
        ]
    allowed = ALLOWED.format(machine=machine_type, zone=zone)
    problems = []
    if _last(found.zone) != zone:
        problems.append(f"{value!r} is in zone {_last(found.zone)}, not the pools' zone {zone} (allowed: {allowed})")
    specific = list(found.specific_reservations or [])
    reserved = sorted({p.machine_type for s in specific for p in (s.instance_properties or []) if p.machine_type})
    if reserved and reserved != [machine_type]:
        problems.append(
            f"{value!r} reserves {', '.join(reserved)} VMs, but the tier runs on {machine_type}, so its pool would "
            f"find nothing to consume (allowed: {allowed})"
        )
    if not found.specific_reservation_required:
        problems.append(
            f"{value!r} is consumed automatically (specificReservationRequired false): any VM of the project with "
            "the default ANY_RESERVATION affinity can take what the tier's pool consumes by name "
            f"(allowed: {allowed})"
        )
    held = sum(s.count or 0 for s in specific)
    if capacity.reserved_vms is not None and specific and capacity.reserved_vms > held:
        problems.append(
            f"{value!r} holds {held} VMs, fewer than capacity.reservedVms {capacity.reserved_vms} "
            f"(allowed: reservedVms <= {held}, or a larger reservation)"
        )
    return problems


def lookup_problems(config: PlatformConfig, lookup: Lookup = _get_reservation) -> list[str]:
    """One `key: problem` line per tier whose reservation the cloud does not hold as the tier needs.
    Placeholders are skipped (a real run has refused them already; the offline preview warns)."""
    problems = []
    for name, capacity, machine_type in _reserved(config):
        assert capacity.reservation is not None
        if PLACEHOLDER_PREFIX in capacity.reservation:
            continue
        key = f"{NAMESPACE}:tiers.{name}.capacity.reservation"
        ref = reservation_ref(capacity.reservation)
        project = ref.project or config.project
        try:
            found = lookup(ref.name, config.zone, project)
        except Exception as exc:  # the provider's error (permission, API disabled): shown, not a traceback
            problems.append(
                f"{key}: {capacity.reservation!r} could not be read in zone {config.zone} of project {project} "
                f"({exc}) (allowed: a reservation the deploying identity may read: compute.reservations.get)"
            )
            continue
        problems += [f"{key}: {line}" for line in judge(found, capacity, machine_type, config.zone, project)]
    return problems

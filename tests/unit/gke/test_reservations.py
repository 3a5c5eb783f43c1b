"""A tier's reservation: its parts, the form GKE's affinity takes, and the zone check (pure)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.gke.config import RESERVATION, reservation_ref
from components.gke.pool_sizing import reservation_value
from tests.helpers import assert_rejected, config, tier, values

NAMES = st.from_regex(r"\A[a-z]([-a-z0-9]{0,20}[a-z0-9])?\Z")
PROJECTS = st.from_regex(r"\A[a-z][a-z0-9-]{4,12}[a-z0-9]\Z")
ZONES = st.sampled_from(["us-central1-c", "us-central1-a", "europe-west4-b"])


@given(name=NAMES, project=PROJECTS, zone=ZONES, block=st.none() | NAMES)
def test_a_full_path_names_what_the_short_form_does(name: str, project: str, zone: str, block: str | None) -> None:
    tail = f"/reservationBlocks/{block}" if block else ""
    full, shared = (
        f"projects/{project}/zones/{zone}/reservations/{name}{tail}",
        f"projects/{project}/reservations/{name}{tail}",
    )
    assert RESERVATION.match(full) and RESERVATION.match(shared)
    ref = reservation_ref(full)
    assert (ref.name, ref.project, ref.zone, ref.block) == (name, project, zone, block)
    assert reservation_value("stack-project", full) == reservation_value("stack-project", shared) == shared
    assert reservation_value(project, full) == f"{name}{tail}"  # the stack's own: the short name GKE reads back


def test_a_bare_name_has_no_project_or_zone() -> None:
    assert (reservation_ref("tpu-res").project, reservation_ref("tpu-res").zone) == (None, None)
    with pytest.raises(ValueError):
        reservation_ref("zones/us-central1-c/reservations/tpu-res")


def _reserved(reservation: str) -> dict[str, object]:
    return {
        "llm-platform:environment": "dev",
        "llm-platform:tiers": {"small": tier(capacity={"type": "reservation", "reservation": reservation})},
    }


@pytest.mark.parametrize(
    "reservation",
    [
        "tpu-res",
        "projects/acme-capacity/reservations/tpu-res",
        "projects/acme-capacity/zones/us-central1-c/reservations/r",
    ],
)
def test_a_reservation_in_the_stack_zone_is_accepted(reservation: str) -> None:
    assert config(_reserved(reservation)).tiers["small"].capacity.reservation == reservation


def test_a_full_path_to_another_zone_is_refused_at_its_key() -> None:
    bad = values(_reserved("projects/acme-capacity/zones/us-central1-a/reservations/r"))
    assert_rejected(
        bad,
        "llm-platform:tiers.small.capacity.reservation: 'projects/acme-capacity/zones/us-central1-a/reservations/r' "
        "is in zone us-central1-a, but the stack's TPU pools run in gcp:zone us-central1-c",
    )

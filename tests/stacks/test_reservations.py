"""A reservation tier's lookup at preview (components/gke/reservations.py) through the mocked invoke.

Each case runs only the program's config phase (`concerns.load_config`) on Pulumi's mock runtime,
with `tools/mocks.py` answering `gcp:compute/getReservation:getReservation`: cheap, and the same
invoke path a real preview takes. One case runs the whole program to show a failed lookup stops it
before anything is registered.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest

import tools.mocks
from components import concerns
from tests.stacks.test_placeholders import _real_values
from tools.graph import ProgramError, evaluate, record
from tools.mocks import ReservationAnswer
from tools.stack_config import load_stack_config, project_name

KEY = "llm-platform:tiers.large.capacity.reservation"
NAME = "tpu7x-ironwood-1"  # the name _real_values gives prod's reserved tier


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The arguments of every getReservation invoke the mocks answer."""
    calls: list[dict[str, Any]] = []
    answer = tools.mocks.reservation_answer

    def recording(args: Mapping[str, Any], override: ReservationAnswer) -> dict[str, Any] | str:
        calls.append(dict(args))
        return answer(args, override)

    monkeypatch.setattr(tools.mocks, "reservation_answer", recording)
    return calls


def _values(reservation: str = NAME, **capacity: object) -> dict[str, str]:
    values = _real_values("prod")
    tiers = json.loads(values["llm-platform:tiers"])
    tiers["large"]["capacity"].update({"reservation": reservation, **capacity})
    values["llm-platform:tiers"] = json.dumps(tiers)
    return values


def _load(values: dict[str, str], reservations: Mapping[str, ReservationAnswer] | None = None) -> None:
    record(concerns.load_config, stack="prod", project=project_name(), config=values, reservations=reservations)


def _refused(values: dict[str, str], reservations: Mapping[str, ReservationAnswer]) -> list[str]:
    with pytest.raises(ProgramError) as raised:
        _load(values, reservations)
    assert raised.value.registered == 0
    head, *lines = str(raised.value).splitlines()
    assert head == "the stack configuration names what the cloud does not hold:"
    return [line.strip() for line in lines]


def test_a_reservation_of_the_tier_in_the_stack_zone_passes(asked: list[dict[str, Any]]) -> None:
    _load(_values())
    assert asked == [{"name": NAME, "zone": "us-central1-c", "project": "acme-llm-prod"}]


def test_a_shared_reservation_is_read_in_its_owner_project(asked: list[dict[str, Any]]) -> None:
    _load(_values("projects/acme-capacity/zones/us-central1-c/reservations/ironwood/reservationBlocks/b1"))
    assert asked == [{"name": "ironwood", "zone": "us-central1-c", "project": "acme-capacity"}]


def test_placeholders_are_never_looked_up(asked: list[dict[str, Any]]) -> None:
    _load(load_stack_config("prod"))  # offline: the placeholder warns, and nothing asks the cloud
    assert asked == []


@pytest.mark.parametrize(
    ("answer", "expect"),
    [
        pytest.param(
            None, f"{KEY}: '{NAME}' does not exist in zone us-central1-c of project acme-llm-prod", id="absent"
        ),
        pytest.param(
            {"specificReservations": [{"count": 4, "instanceProperties": [{"machineType": "tpu7x-standard-1t"}]}]},
            f"{KEY}: '{NAME}' reserves tpu7x-standard-1t VMs, but the tier runs on tpu7x-standard-4t",
            id="other-machine-type",
        ),
        pytest.param(
            {"zone": "https://www.googleapis.com/compute/v1/projects/acme-llm-prod/zones/us-central1-a"},
            f"{KEY}: '{NAME}' is in zone us-central1-a, not the pools' zone us-central1-c",
            id="other-zone",
        ),
        pytest.param(
            {"specificReservationRequired": False},
            f"{KEY}: '{NAME}' is consumed automatically (specificReservationRequired false)",
            id="automatic-consumption",
        ),
        pytest.param(
            "googleapi: Error 403: Required 'compute.reservations.get' permission",
            f"{KEY}: '{NAME}' could not be read in zone us-central1-c of project acme-llm-prod (invoke of "
            "gcp:compute/getReservation:getReservation failed: googleapi: Error 403",
            id="unreadable",
        ),
    ],
)
def test_a_reservation_the_pool_cannot_consume_is_a_keyed_error(answer: ReservationAnswer, expect: str) -> None:
    (line,) = _refused(_values(), {NAME: answer})
    assert line.startswith(expect), line
    assert "Traceback" not in line


def test_reserved_vms_beyond_what_the_reservation_holds() -> None:
    held = {"specificReservations": [{"count": 4, "instanceProperties": [{"machineType": "tpu7x-standard-4t"}]}]}
    (line,) = _refused(_values(reservedVms=6), {NAME: held})
    assert line.startswith(f"{KEY}: '{NAME}' holds 4 VMs, fewer than capacity.reservedVms 6"), line


def test_a_failed_lookup_stops_the_program_before_anything_is_registered() -> None:
    with pytest.raises(ProgramError) as raised:
        evaluate("prod", config=_values(), reservations={NAME: None})
    assert raised.value.registered == 0
    assert f"{KEY}: '{NAME}' does not exist" in str(raised.value)

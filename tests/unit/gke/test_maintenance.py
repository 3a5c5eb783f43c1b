"""GKE's maintenance-window rule: 48 hours of windows of 4 hours or more in every 32 days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.gke.maintenance import MIN_AVAILABILITY, _merged, least_availability, parse_recurrence

START = datetime(2025, 1, 4, 3, tzinfo=UTC)  # a Saturday


@pytest.mark.parametrize(
    ("hours", "recurrence", "least"),
    [
        (8, "FREQ=WEEKLY;BYDAY=SA,SU", 64),  # the default: 8 windows in the worst 32 days
        (6, "FREQ=WEEKLY;BYDAY=SA,SU", 48),  # the smallest weekend window GKE accepts
        (4, "FREQ=WEEKLY;BYDAY=SA", 16),  # one short window a week is not enough
        (4, "FREQ=DAILY", 128),
        (3, "FREQ=DAILY", 0),  # windows under 4 hours do not count at all
        (24, "FREQ=MONTHLY;BYMONTHDAY=1", 24),
    ],
)
def test_known_windows(hours: int, recurrence: str, least: int) -> None:
    assert least_availability(START, START + timedelta(hours=hours), recurrence) == timedelta(hours=least)


def test_windows_that_end_count_as_none() -> None:
    assert least_availability(START, START + timedelta(hours=8), "FREQ=WEEKLY;BYDAY=SA,SU;COUNT=10") == timedelta()


@pytest.mark.parametrize(
    ("recurrence", "reason"),
    [
        ("WEEKLY", "must start with FREQ="),
        ("FREQ=HOURLY", "is not supported by GKE"),
        ("FREQ=MINUTELY;INTERVAL=30", "FREQ=MINUTELY is not supported by GKE"),  # the frequency, not the rest
        ("FREQ=WEEKLY;BYDAY=SAT", "is not an RFC 5545 RRULE"),
        ("FREQ=FORTNIGHTLY", "is not an RFC 5545 RRULE"),
    ],
)
def test_recurrences_gke_refuses(recurrence: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_recurrence(recurrence, START)


@given(
    st.integers(min_value=4, max_value=24),
    st.sets(st.sampled_from(["MO", "TU", "WE", "TH", "FR", "SA", "SU"]), min_size=1),
)
def test_weekly_windows_pass_exactly_when_their_worst_month_has_48_hours(hours: int, days: set[str]) -> None:
    recurrence = f"FREQ=WEEKLY;BYDAY={','.join(sorted(days))}"
    least = least_availability(START, START + timedelta(hours=hours), recurrence)
    # A 32-day window holds at least four whole weeks of every weekday, and at most five.
    assert 4 * len(days) * hours <= least.total_seconds() / 3600 <= 5 * len(days) * hours
    if 4 * len(days) * hours >= MIN_AVAILABILITY.total_seconds() / 3600:
        assert least >= MIN_AVAILABILITY


def test_touching_and_nested_windows_merge_into_one() -> None:
    def at(hour: int) -> datetime:
        return datetime(2026, 1, 3, hour, tzinfo=UTC)

    # Two 3-hour windows back to back count as one of 6 hours (each alone is under the 4 counted).
    assert _merged([(at(0), at(3)), (at(3), at(6))]) == [(at(0), at(6))]
    assert _merged([(at(0), at(10)), (at(2), at(4)), (at(5), at(6))]) == [(at(0), at(10))]
    assert _merged([(at(5), at(6)), (at(0), at(2))]) == [(at(0), at(2)), (at(5), at(6))]
    # A window is merged into the last one kept, not the first.
    assert _merged([(at(0), at(1)), (at(5), at(6)), (at(6), at(7))]) == [(at(0), at(1)), (at(5), at(7))]
    # A window nested in the last one kept leaves that one's end, not the first one's.
    assert _merged([(at(0), at(1)), (at(5), at(10)), (at(6), at(7))]) == [(at(0), at(1)), (at(5), at(10))]

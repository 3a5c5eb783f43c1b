"""GKE's maintenance-window rule, decided offline (pure).

"You must allow at least 48 hours of maintenance availability in a 32-day rolling window. Only
contiguous availability windows of at least four hours are considered."
(https://cloud.google.com/kubernetes-engine/docs/maintenance-window); the API rejects anything
less with "maintenance policy would go longer than 32d without 48h maintenance availability".
The recurrence is an RFC 5545 RRULE, parsed with python-dateutil.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from dateutil.rrule import rrule, rrulestr

MIN_AVAILABILITY = timedelta(hours=48)
ROLLING_WINDOW = timedelta(days=32)
MIN_COUNTED_WINDOW = timedelta(hours=4)
# Far enough to see every weekly and monthly pattern, and a COUNT or UNTIL that ends the windows.
HORIZON = timedelta(days=400)
UNSUPPORTED_FREQUENCIES = ("HOURLY", "MINUTELY", "SECONDLY")


def parse_recurrence(recurrence: str, start: datetime) -> rrule:
    """The RRULE as dateutil reads it; ValueError with the reason when GKE or RFC 5545 would refuse it."""
    if not recurrence.startswith("FREQ="):
        raise ValueError("must start with FREQ= (allowed: an RFC 5545 RRULE such as FREQ=WEEKLY;BYDAY=SA,SU)")
    frequency = recurrence.split(";", 1)[0].removeprefix("FREQ=")
    if frequency in UNSUPPORTED_FREQUENCIES:
        raise ValueError(f"FREQ={frequency} is not supported by GKE (allowed: DAILY, WEEKLY, MONTHLY, YEARLY)")
    try:
        rule = rrulestr(recurrence, dtstart=start)
    except ValueError as exc:
        raise ValueError(f"is not an RFC 5545 RRULE ({exc}; allowed: e.g. FREQ=WEEKLY;BYDAY=SA,SU)") from None
    if not isinstance(rule, rrule):
        raise ValueError("must be a single RRULE (allowed: e.g. FREQ=WEEKLY;BYDAY=SA,SU)")
    return rule


def _merged(windows: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for begin, end in sorted(windows):
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((begin, end))
    return merged


def least_availability(start: datetime, end: datetime, recurrence: str) -> timedelta:
    """The least maintenance time GKE counts in any 32-day window over the next 400 days."""
    rule = parse_recurrence(recurrence, start)
    length = end - start
    occurrences = rule.between(start, start + HORIZON + ROLLING_WINDOW, inc=True)
    windows = [w for w in _merged([(o, o + length) for o in occurrences]) if w[1] - w[0] >= MIN_COUNTED_WINDOW]
    least = None
    # The count is lowest for a 32-day window that begins where a maintenance window ends.
    for begin in [start, *(w[1] for w in windows)]:
        if begin > start + HORIZON:
            break
        stop = begin + ROLLING_WINDOW
        total = sum((min(e, stop) - max(b, begin) for b, e in windows if b < stop and e > begin), timedelta())
        least = total if least is None else min(least, total)
    return least or timedelta()

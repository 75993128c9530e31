"""Working-day arithmetic for "read within N working days".  Pure: no Flask, no database.

A working day is Monday to Friday in Danish local time (Europe/Copenhagen).  Public holidays are
*not* known here and count as working days — the stricter reading: an answer comes due sooner,
never later.

The rule (:func:`read_deadline`): an answer given on a working day is due at the same time of
day ``n`` working days later (Thursday 10:00 + 2 → Monday 10:00).  An answer given on a Saturday
or Sunday counts as given at the start of the Monday after (Saturday + 2 → the end of Tuesday,
i.e. Wednesday 00:00).  ``n = 0`` means due at once (on a weekend: at the start of Monday).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Europe/Copenhagen")
_SATURDAY = 5


def is_working_day(day: date) -> bool:
    return day.weekday() < _SATURDAY


def read_deadline(given_at: datetime, working_days: int, tz: ZoneInfo = LOCAL) -> datetime:
    """When an answer given at ``given_at`` (aware) must have been read, in UTC."""
    if given_at.tzinfo is None:
        raise ValueError("given_at must be timezone-aware")
    if working_days < 0:
        raise ValueError("working_days must not be negative")
    local = given_at.astimezone(tz)
    day, clock = local.date(), local.timetz().replace(tzinfo=None)
    while day.weekday() >= _SATURDAY:  # weekend: counts from the start of Monday
        day += timedelta(days=1)
        clock = time(0, 0)
    remaining = working_days
    while remaining:
        day += timedelta(days=1)
        if day.weekday() < _SATURDAY:
            remaining -= 1
    # Wall-clock time on the due day (DST-safe: the zone decides the offset of that day).
    return datetime.combine(day, clock, tzinfo=tz).astimezone(UTC)


def is_overdue(given_at: datetime, now: datetime, working_days: int, tz: ZoneInfo = LOCAL) -> bool:
    return now > read_deadline(given_at, working_days, tz)

"""Working-day deadlines for reading free text (kidsvoice/workdays.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kidsvoice.workdays import LOCAL, is_overdue, is_working_day, read_deadline


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=LOCAL)  # type: ignore[misc]


# 2027-03-01 is a Monday.
@pytest.mark.parametrize(
    ("given_at", "days", "due"),
    [
        (local(2027, 3, 1, 10, 0), 2, local(2027, 3, 3, 10, 0)),    # Mon → Wed
        (local(2027, 3, 3, 9, 30), 2, local(2027, 3, 5, 9, 30)),    # Wed → Fri
        (local(2027, 3, 4, 10, 0), 2, local(2027, 3, 8, 10, 0)),    # Thu → Mon
        (local(2027, 3, 5, 10, 0), 2, local(2027, 3, 9, 10, 0)),    # Fri → Tue
        (local(2027, 3, 5, 23, 59), 1, local(2027, 3, 8, 23, 59)),  # Fri night → Mon night
        (local(2027, 3, 6, 15, 0), 2, local(2027, 3, 10, 0, 0)),    # Sat → end of Tue
        (local(2027, 3, 7, 0, 1), 2, local(2027, 3, 10, 0, 0)),     # Sun → end of Tue
        (local(2027, 3, 6, 15, 0), 0, local(2027, 3, 8, 0, 0)),     # Sat, 0 days → Mon 00:00
        (local(2027, 3, 2, 8, 0), 0, local(2027, 3, 2, 8, 0)),      # 0 days: due at once
        (local(2027, 3, 1, 10, 0), 5, local(2027, 3, 8, 10, 0)),    # a whole week
        (local(2027, 3, 1, 10, 0), 10, local(2027, 3, 15, 10, 0)),
    ],
)
def test_read_deadline(given_at: datetime, days: int, due: datetime) -> None:
    assert read_deadline(given_at, days) == due.astimezone(UTC)


def test_the_deadline_is_in_utc_and_keeps_local_wall_time_across_dst() -> None:
    # Summer time starts on Sunday 2027-03-28: Friday 10:00 CET + 2 → Tuesday 10:00 CEST.
    due = read_deadline(local(2027, 3, 26, 10, 0), 2)
    assert due.tzinfo == UTC
    assert due == datetime(2027, 3, 30, 8, 0, tzinfo=UTC)


def test_utc_input_counts_the_danish_day() -> None:
    # Friday 23:30 UTC is already Saturday 00:30 in Copenhagen (winter): a weekend answer.
    given_at = datetime(2027, 3, 5, 23, 30, tzinfo=UTC)
    assert read_deadline(given_at, 2) == local(2027, 3, 10, 0, 0).astimezone(UTC)


def test_overdue() -> None:
    given_at = local(2027, 3, 5, 10, 0)  # Friday
    assert not is_overdue(given_at, local(2027, 3, 8, 18, 0), 2)  # Monday evening
    assert not is_overdue(given_at, local(2027, 3, 9, 10, 0), 2)  # exactly due
    assert is_overdue(given_at, local(2027, 3, 9, 10, 1), 2)


def test_bad_input() -> None:
    with pytest.raises(ValueError, match="aware"):
        read_deadline(datetime(2027, 3, 1, 10, 0), 2)  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError, match="negative"):
        read_deadline(local(2027, 3, 1), -1)


def test_is_working_day() -> None:
    days = [local(2027, 3, 1) + timedelta(days=n) for n in range(7)]
    assert [is_working_day(d) for d in days] == [True] * 5 + [False] * 2


@given(st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1),
                    timezones=st.just(UTC)),
       st.integers(min_value=0, max_value=15))
def test_properties(given_at: datetime, days: int) -> None:
    due = read_deadline(given_at, days)
    local_due = due.astimezone(LOCAL)
    assert due >= given_at
    assert local_due.weekday() < 5  # always due on a working day
    # never sooner than n calendar days, never later than n working days allow (+ a weekend)
    assert due - given_at >= timedelta(days=days) - timedelta(hours=1)
    assert due - given_at <= timedelta(days=days + 2 + 2 * (days // 5 + 1), hours=1)
    # one more working day is strictly later
    assert read_deadline(given_at, days + 1) > due

"""The free-slot search takes shortcuts (arithmetic on days without a clock change, a binary
search over merged bookings that skips a busy stretch whole, stopping at the first free start);
it must offer exactly the starts of the plain rule: every candidate start, in the notice and
horizon, that fits one window on the trainer's clock and overlaps no booking."""

import datetime as dt
import zoneinfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trainers.availability import (
    Schedule,
    _Busy,
    _candidate_starts,
    _fits,
    _free_starts,
    _steady_offset,
)

UTC = dt.UTC
# Clock changes of an hour in spring and autumn (New York, London, Sydney), none (Tokyo), half
# an hour (Lord Howe), at midnight (Havana), and offsets off the hour (Kathmandu, Chatham).
ZONES = [
    "America/New_York",
    "Asia/Tokyo",
    "Europe/London",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "America/Havana",
    "Asia/Kathmandu",
    "Pacific/Chatham",
]
# Days around 2027's changes in those zones, and ordinary days.
DAYS = [
    dt.date(2027, 3, 14),
    dt.date(2027, 3, 13),
    dt.date(2027, 3, 28),
    dt.date(2027, 4, 4),
    dt.date(2027, 9, 26),
    dt.date(2027, 10, 3),
    dt.date(2027, 10, 31),
    dt.date(2027, 11, 7),
    dt.date(2027, 6, 15),
]


def plain_rule(schedule, day, bookings, duration, earliest, latest):
    return [
        start
        for start in _candidate_starts(schedule.windows_on(day), schedule.tz, day)
        if earliest <= start <= latest
        and _fits(schedule, start, start + duration)
        and not any(b_s < start + duration and b_e > start for b_s, b_e in bookings)
    ]


def times(draw):
    minute = draw(st.integers(0, 24 * 60 - 1))
    second = draw(st.sampled_from([0, 0, 0, 30]))
    return dt.time(minute // 60, minute % 60, second)


@st.composite
def cases(draw):
    tz = zoneinfo.ZoneInfo(draw(st.sampled_from(ZONES)))
    day = draw(st.sampled_from(DAYS))
    windows = []
    for _ in range(draw(st.integers(1, 3))):
        a, b = sorted([times(draw), times(draw)])
        if a != b:
            windows.append((a, b))
    midnight = dt.datetime.combine(day, dt.time.min, tz).astimezone(UTC)
    bookings = []
    for _ in range(draw(st.integers(0, 12))):
        start = midnight + dt.timedelta(minutes=draw(st.integers(-300, 28 * 60)))
        bookings.append((start, start + dt.timedelta(minutes=draw(st.sampled_from([30, 60, 90])))))
    earliest = midnight + dt.timedelta(minutes=draw(st.integers(-600, 20 * 60)))
    latest = earliest + dt.timedelta(hours=draw(st.sampled_from([2, 12, 48])))
    duration = dt.timedelta(minutes=draw(st.sampled_from([30, 60, 90, 120])))
    return Schedule(tz, {day.weekday(): windows}), day, bookings, duration, earliest, latest


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_the_search_offers_the_starts_of_the_plain_rule(case):
    schedule, day, bookings, duration, earliest, latest = case
    expected = plain_rule(schedule, day, bookings, duration, earliest, latest)
    windows = schedule.windows_on(day)
    offset = _steady_offset(schedule.tz, day)
    args = (schedule, day, offset, windows, _Busy(bookings), duration, earliest, latest)
    assert _free_starts(*args, first_only=False) == expected
    assert _free_starts(*args, first_only=True) == expected[:1]


def test_a_day_with_a_clock_change_takes_the_exact_path():
    new_york = zoneinfo.ZoneInfo("America/New_York")
    assert _steady_offset(new_york, dt.date(2027, 11, 7)) is None  # falls back
    assert _steady_offset(new_york, dt.date(2027, 3, 14)) is None  # springs forward
    assert _steady_offset(new_york, dt.date(2027, 11, 8)) == dt.timedelta(hours=-5)
    assert _steady_offset(zoneinfo.ZoneInfo("Asia/Tokyo"), dt.date(2027, 3, 14)) == dt.timedelta(
        hours=9
    )


def test_touching_bookings_make_one_busy_stretch():
    nine = dt.datetime(2027, 6, 15, 9, tzinfo=UTC)
    hour = dt.timedelta(hours=1)
    busy = _Busy([(nine + hour, nine + 2 * hour), (nine, nine + hour)])
    assert busy.blocked_until(nine + hour / 2, nine + 1.5 * hour) == nine + 2 * hour
    assert busy.blocked_until(nine - hour, nine) is None
    assert busy.blocked_until(nine + 2 * hour, nine + 3 * hour) is None

"""Date overrides change the slots a trainer offers, in their own time zone, across DST."""

import datetime as dt

import pytest

from trainers.availability import free_slots, free_slots_by_day, is_within_availability
from trainers.models import AvailabilityOverride
from trainers.tests.helpers import every_day, trainer_with, utc

pytestmark = pytest.mark.django_db

NOW = utc(2026, 10, 1, 0)


def off(trainer, date):
    return AvailabilityOverride.objects.create(trainer=trainer, date=date, kind="day_off")


def extra(trainer, date, start, end):
    return AvailabilityOverride.objects.create(
        trainer=trainer,
        date=date,
        kind="extra",
        start_time=dt.time.fromisoformat(start),
        end_time=dt.time.fromisoformat(end),
    )


def test_a_day_off_takes_away_that_dates_weekly_windows_only():
    trainer = trainer_with(every_day("09:00", "11:00"), tz="America/New_York")
    day = dt.date(2026, 10, 14)
    off(trainer, day)

    assert free_slots(trainer, day, 60, now=NOW) == []
    assert free_slots(trainer, day + dt.timedelta(days=1), 60, now=NOW)[0] == utc(2026, 10, 15, 13)


def test_extra_hours_open_a_date_with_no_weekly_window():
    monday_only = trainer_with([(0, "09:00", "10:00")], tz="Asia/Tokyo")
    saturday = dt.date(2026, 10, 17)
    extra(monday_only, saturday, "07:00", "08:30")

    # 07:00 in Tokyo (UTC+9, no daylight saving) is 22:00Z the day before.
    assert free_slots(monday_only, saturday, 60, now=NOW) == [
        utc(2026, 10, 16, 22, 0),
        utc(2026, 10, 16, 22, 15),
        utc(2026, 10, 16, 22, 30),
    ]


def test_a_day_off_with_extra_hours_leaves_only_the_extra_hours():
    trainer = trainer_with(every_day("09:00", "17:00"), tz="Asia/Tokyo")
    day = dt.date(2026, 10, 20)
    off(trainer, day)
    extra(trainer, day, "18:00", "19:00")

    assert free_slots(trainer, day, 60, now=NOW) == [utc(2026, 10, 20, 9, 0)]


def test_extra_hours_on_the_night_new_york_sets_its_clocks_back():
    trainer = trainer_with([], tz="America/New_York")
    day = dt.date(2026, 11, 1)  # 02:00 EDT becomes 01:00 EST
    extra(trainer, day, "01:00", "02:00")

    # 01:00-02:00 happens twice, 05:00-06:00Z (EDT) then 06:00-07:00Z (EST): an hour from 01:15
    # EDT ends at 01:15 EST, never leaving the window's wall-clock hours.
    assert free_slots(trainer, day, 60, now=NOW) == [
        utc(2026, 11, 1, 5, 0),
        utc(2026, 11, 1, 5, 15),
        utc(2026, 11, 1, 5, 30),
        utc(2026, 11, 1, 5, 45),
        utc(2026, 11, 1, 6, 0),
    ]


def test_extra_hours_on_the_day_new_york_springs_forward():
    trainer = trainer_with([], tz="America/New_York")
    day = dt.date(2027, 3, 14)  # 02:00 EST becomes 03:00 EDT: 02:xx does not exist
    extra(trainer, day, "01:00", "04:00")
    now = utc(2027, 3, 1)

    starts = free_slots(trainer, day, 60, now=now)
    # 01:00 EST = 06:00Z; the next wall time is 03:00 EDT = 07:00Z; a 60-minute session from
    # 01:15 EST ends at 03:15 EDT, inside 01:00-04:00 on the wall clock.
    assert starts[0] == utc(2027, 3, 14, 6, 0)
    assert utc(2027, 3, 14, 7, 0) in starts
    assert starts[-1] == utc(2027, 3, 14, 7, 0)  # 03:00 EDT; 03:15 + 1 h is past 04:00


def test_overrides_only_change_their_own_date_in_the_trainers_zone():
    # 23:00 on the 14th in New York is already the 15th in UTC: the override is the local date.
    trainer = trainer_with(every_day("22:00", "23:30"), tz="America/New_York")
    off(trainer, dt.date(2026, 10, 15))

    assert free_slots(trainer, dt.date(2026, 10, 14), 60, now=NOW) == [
        utc(2026, 10, 15, 2, 0),
        utc(2026, 10, 15, 2, 15),
        utc(2026, 10, 15, 2, 30),
    ]
    assert free_slots(trainer, dt.date(2026, 10, 15), 60, now=NOW) == []


def test_is_within_availability_follows_the_overrides():
    trainer = trainer_with(every_day("09:00", "17:00"), tz="America/New_York")
    off(trainer, dt.date(2026, 10, 14))
    extra(trainer, dt.date(2026, 10, 15), "18:00", "20:00")

    assert not is_within_availability(trainer, utc(2026, 10, 14, 14), utc(2026, 10, 14, 15))
    assert is_within_availability(trainer, utc(2026, 10, 15, 22), utc(2026, 10, 15, 23))
    assert not is_within_availability(trainer, utc(2026, 10, 16, 22), utc(2026, 10, 16, 23))


def test_a_week_of_slots_costs_the_same_queries_as_a_day(django_assert_num_queries):
    trainer = trainer_with(every_day("09:00", "11:00"), tz="Asia/Tokyo")
    days = [dt.date(2026, 10, 12) + dt.timedelta(days=i) for i in range(7)]
    off(trainer, days[2])
    extra(trainer, days[3], "18:00", "19:00")

    with django_assert_num_queries(3):  # windows, overrides, bookings
        week = free_slots_by_day(trainer, days, 60, now=NOW)

    assert [len(week[d]) for d in days] == [5, 5, 0, 6, 5, 5, 5]

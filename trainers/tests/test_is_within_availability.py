import datetime as dt
import zoneinfo

import pytest

from trainers.availability import is_within_availability
from trainers.tests.helpers import every_day, trainer_with, utc

pytestmark = pytest.mark.django_db

NY = zoneinfo.ZoneInfo("America/New_York")


def test_it_accepts_a_session_inside_a_window():
    # 2026-12-07 is a Monday.
    trainer = trainer_with([(0, "09:00", "17:00")])
    assert is_within_availability(trainer, utc(2026, 12, 7, 9), utc(2026, 12, 7, 10))
    assert is_within_availability(trainer, utc(2026, 12, 7, 16), utc(2026, 12, 7, 17))


def test_it_refuses_a_session_outside_or_overhanging_a_window():
    trainer = trainer_with([(0, "09:00", "17:00")])
    assert not is_within_availability(trainer, utc(2026, 12, 7, 8), utc(2026, 12, 7, 9))
    assert not is_within_availability(trainer, utc(2026, 12, 7, 8, 30), utc(2026, 12, 7, 9, 30))
    assert not is_within_availability(trainer, utc(2026, 12, 7, 16, 30), utc(2026, 12, 7, 17, 30))
    # Same hours on a Tuesday: no window that day.
    assert not is_within_availability(trainer, utc(2026, 12, 8, 10), utc(2026, 12, 8, 11))


def test_it_requires_one_window_not_two_touching_ones():
    trainer = trainer_with([(0, "09:00", "12:00"), (0, "12:00", "15:00")])
    assert is_within_availability(trainer, utc(2026, 12, 7, 11), utc(2026, 12, 7, 12))
    assert not is_within_availability(trainer, utc(2026, 12, 7, 11, 30), utc(2026, 12, 7, 12, 30))


def test_it_refuses_a_session_that_crosses_midnight():
    trainer = trainer_with(every_day("00:00", "23:59"))
    assert not is_within_availability(trainer, utc(2026, 12, 7, 23, 30), utc(2026, 12, 8, 0, 30))


def test_it_refuses_empty_reversed_or_naive_ranges():
    trainer = trainer_with(every_day("00:00", "23:59"))
    start = utc(2026, 12, 7, 10)
    assert not is_within_availability(trainer, start, start)
    assert not is_within_availability(trainer, start, start - dt.timedelta(hours=1))
    naive = dt.datetime(2026, 12, 7, 10)
    assert not is_within_availability(trainer, naive, naive + dt.timedelta(hours=1))


def test_it_compares_in_the_trainers_timezone_whatever_the_input_offset():
    # 09:00-17:00 Monday in Tokyo (UTC+9) is 00:00-08:00Z Monday.
    trainer = trainer_with([(0, "09:00", "17:00")], tz="Asia/Tokyo")
    assert is_within_availability(trainer, utc(2026, 12, 7, 0), utc(2026, 12, 7, 1))
    assert not is_within_availability(trainer, utc(2026, 12, 7, 9), utc(2026, 12, 7, 10))
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    start = dt.datetime(2026, 12, 7, 1, tzinfo=paris)  # = 00:00Z = 09:00 Tokyo
    assert is_within_availability(trainer, start, start + dt.timedelta(hours=1))


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [
        # Winter (EST, UTC-5) before the 2026-03-08 switch, summer (EDT, UTC-4) after it,
        # and winter again after 2026-11-01.
        (dt.date(2026, 3, 6), 14),
        (dt.date(2026, 3, 9), 13),
        (dt.date(2026, 10, 30), 13),
        (dt.date(2026, 11, 2), 14),
    ],
)
def test_it_keeps_local_wall_time_across_dst(day, utc_hour):
    trainer = trainer_with(every_day("09:00", "17:00"), tz="America/New_York")
    start = dt.datetime.combine(day, dt.time(utc_hour), tzinfo=dt.UTC)
    assert start.astimezone(NY).hour == 9
    assert is_within_availability(trainer, start, start + dt.timedelta(hours=1))
    early = start - dt.timedelta(hours=1)
    assert not is_within_availability(trainer, early, early + dt.timedelta(hours=1))


def test_it_refuses_a_session_whose_clock_falls_back_out_of_the_window():
    # On Sunday 2026-11-01 New York's clock goes 01:59:59 EDT -> 01:00 EST (06:00Z), so a
    # 01:30-02:00 window happens twice: 05:30-06:00Z and 06:30-07:00Z. Between them the clock
    # reads 01:00-01:29, outside the window.
    trainer = trainer_with([(6, "01:30", "02:00")], tz="America/New_York")
    assert is_within_availability(trainer, utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 6))
    assert is_within_availability(trainer, utc(2026, 11, 1, 6, 30), utc(2026, 11, 1, 7))
    # 01:45 EDT to 01:45 EST: both ends read inside the window, the middle does not.
    assert not is_within_availability(trainer, utc(2026, 11, 1, 5, 45), utc(2026, 11, 1, 6, 45))


def test_it_accepts_a_session_spanning_the_repeated_hour_inside_a_window():
    # 01:30 EDT (05:30Z) to 01:30 EST (06:30Z): one real hour, always between 01:00 and 02:00.
    trainer = trainer_with([(6, "01:00", "02:00")], tz="America/New_York")
    assert is_within_availability(trainer, utc(2026, 11, 1, 5, 30), utc(2026, 11, 1, 6, 30))


def test_it_accepts_a_session_across_the_spring_forward_gap():
    # Sunday 2026-03-08: 01:30 EST (06:30Z) + 1 h = 03:30 EDT (07:30Z), inside 01:00-04:00.
    trainer = trainer_with([(6, "01:00", "04:00")], tz="America/New_York")
    assert is_within_availability(trainer, utc(2026, 3, 8, 6, 30), utc(2026, 3, 8, 7, 30))
    # ...but not inside 01:00-03:00: the session ends at 03:30 on the wall clock.
    short = trainer_with([(6, "01:00", "03:00")], tz="America/New_York")
    assert not is_within_availability(short, utc(2026, 3, 8, 6, 30), utc(2026, 3, 8, 7, 30))


def test_it_refuses_instead_of_crashing_at_the_edges_of_the_calendar():
    trainer = trainer_with(every_day("00:00", "23:59"), tz="Pacific/Kiritimati")
    start = dt.datetime(9999, 12, 31, 22, tzinfo=dt.UTC)
    assert not is_within_availability(trainer, start, start + dt.timedelta(hours=1))
    start = dt.datetime(1, 1, 1, 0, 30, tzinfo=dt.UTC)
    west = trainer_with(every_day("00:00", "23:59"), tz="America/New_York")
    assert not is_within_availability(west, start, start + dt.timedelta(hours=1))

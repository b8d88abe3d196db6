import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings.models import Booking
from core.tests.factories import BookingFactory
from trainers.availability import free_slots
from trainers.tests.helpers import every_day, trainer_with, utc

pytestmark = pytest.mark.django_db

NOW = utc(2026, 12, 1, 0)
DAY = dt.date(2026, 12, 3)  # a Thursday, well past the notice period


def slots(trainer, day=DAY, duration=60, now=NOW):
    return free_slots(trainer, day, duration, now=now)


def test_it_lists_quarter_hour_starts_that_fit_the_window():
    trainer = trainer_with(every_day("09:00", "11:00"))
    assert slots(trainer) == [
        utc(2026, 12, 3, 9, 0),
        utc(2026, 12, 3, 9, 15),
        utc(2026, 12, 3, 9, 30),
        utc(2026, 12, 3, 9, 45),
        utc(2026, 12, 3, 10, 0),
    ]
    assert slots(trainer, duration=120) == [utc(2026, 12, 3, 9, 0)]
    assert slots(trainer, duration=180) == []


def test_it_rounds_an_odd_window_start_up_to_the_quarter_hour():
    trainer = trainer_with(every_day("09:10", "10:40"))
    assert slots(trainer) == [utc(2026, 12, 3, 9, 15), utc(2026, 12, 3, 9, 30)]


def test_it_only_uses_windows_of_that_weekday():
    trainer = trainer_with([(DAY.weekday() + 1, "09:00", "17:00")])
    assert slots(trainer) == []


def test_it_excludes_starts_inside_the_minimum_notice(settings):
    settings.BOOKING_MIN_NOTICE_MINUTES = 120
    trainer = trainer_with(every_day("09:00", "13:00"))
    now = utc(2026, 12, 3, 9, 50)
    # 09:50 + 2 h = 11:50: the first start at least that late is 12:00.
    assert slots(trainer, now=now) == [utc(2026, 12, 3, 12, 0)]


def test_it_excludes_days_beyond_the_booking_horizon(settings):
    settings.BOOKING_MAX_DAYS_AHEAD = 1
    trainer = trainer_with(every_day("09:00", "11:00"))
    assert slots(trainer) == []


def test_it_returns_nothing_for_a_past_day():
    trainer = trainer_with(every_day("09:00", "11:00"))
    assert slots(trainer, day=dt.date(2026, 11, 20)) == []


def test_it_returns_nothing_when_the_trainer_is_not_accepting_bookings():
    trainer = trainer_with(every_day("09:00", "11:00"), accepting_bookings=False)
    assert slots(trainer) == []


def _book(trainer, start, minutes=60, **kwargs):
    return BookingFactory(
        trainer=trainer,
        start_time=start,
        end_time=start + dt.timedelta(minutes=minutes),
        duration_minutes=minutes,
        **kwargs,
    )


def test_it_excludes_starts_that_overlap_a_confirmed_booking():
    trainer = trainer_with(every_day("09:00", "12:00"))
    _book(trainer, utc(2026, 12, 3, 10), status=Booking.Status.CONFIRMED, hold_expires_at=None)
    # 09:00 ends exactly when the booking starts; 11:00 starts exactly when it ends.
    assert slots(trainer) == [utc(2026, 12, 3, 9, 0), utc(2026, 12, 3, 11, 0)]


def test_it_excludes_starts_that_overlap_a_live_hold():
    trainer = trainer_with(every_day("09:00", "11:00"))
    _book(trainer, utc(2026, 12, 3, 9, 30), hold_expires_at=NOW + dt.timedelta(minutes=5))
    assert slots(trainer) == []


def test_it_offers_the_slot_of_a_stale_hold_even_before_the_expiry_task_runs():
    trainer = trainer_with(every_day("09:00", "10:00"))
    stale = _book(trainer, utc(2026, 12, 3, 9), hold_expires_at=NOW - dt.timedelta(minutes=1))
    assert stale.status == Booking.Status.PENDING
    assert slots(trainer) == [utc(2026, 12, 3, 9)]


def test_it_offers_the_slot_of_cancelled_and_expired_bookings():
    trainer = trainer_with(every_day("09:00", "10:00"))
    _book(trainer, utc(2026, 12, 3, 9), status=Booking.Status.CANCELLED)
    _book(trainer, utc(2026, 12, 3, 9), status=Booking.Status.EXPIRED)
    assert slots(trainer) == [utc(2026, 12, 3, 9)]


def test_it_ignores_other_trainers_bookings():
    trainer = trainer_with(every_day("09:00", "10:00"))
    other = trainer_with(every_day("09:00", "10:00"))
    _book(other, utc(2026, 12, 3, 9), status=Booking.Status.CONFIRMED, hold_expires_at=None)
    assert slots(trainer) == [utc(2026, 12, 3, 9)]


def test_it_reads_bookings_in_one_query_however_many_there_are():
    trainer = trainer_with(every_day("06:00", "22:00"))
    _book(trainer, utc(2026, 12, 3, 7), status=Booking.Status.CONFIRMED, hold_expires_at=None)
    with CaptureQueriesContext(connection) as few:
        slots(trainer, duration=30)
    for hour in range(9, 21, 2):
        _book(
            trainer, utc(2026, 12, 3, hour), status=Booking.Status.CONFIRMED, hold_expires_at=None
        )
    with CaptureQueriesContext(connection) as many:
        result = slots(trainer, duration=30)
    assert len(many) == len(few) == 3  # the windows, the day's overrides, the day's bookings
    assert utc(2026, 12, 3, 9) not in result
    assert utc(2026, 12, 3, 10) in result


class TestDaylightSaving:
    """America/New_York: EST (UTC-5) until 2026-03-08 02:00, EDT (UTC-4) until 2026-11-01 02:00."""

    def test_a_nine_oclock_window_starts_at_14z_in_winter_and_13z_in_summer(self):
        trainer = trainer_with(every_day("09:00", "10:00"), tz="America/New_York")
        now = utc(2026, 2, 1)
        assert slots(trainer, day=dt.date(2026, 3, 6), now=now) == [utc(2026, 3, 6, 14)]
        assert slots(trainer, day=dt.date(2026, 3, 9), now=now) == [utc(2026, 3, 9, 13)]
        now = utc(2026, 10, 1)
        assert slots(trainer, day=dt.date(2026, 10, 30), now=now) == [utc(2026, 10, 30, 13)]
        assert slots(trainer, day=dt.date(2026, 11, 2), now=now) == [utc(2026, 11, 2, 14)]

    def test_it_never_offers_a_time_in_the_spring_forward_gap(self):
        # 2026-03-08 is a Sunday; local 02:00-02:59 does not exist that night.
        trainer = trainer_with([(6, "01:00", "04:00")], tz="America/New_York")
        result = slots(trainer, day=dt.date(2026, 3, 8), duration=30, now=utc(2026, 2, 1))
        # 01:00-01:45 EST (06:00-06:45Z), then 03:00-03:30 EDT (07:00-07:30Z); nothing at 02:xx.
        # 01:45 EST fits: thirty minutes later the clock reads 03:15 EDT.
        assert result == [
            utc(2026, 3, 8, 6, 0),
            utc(2026, 3, 8, 6, 15),
            utc(2026, 3, 8, 6, 30),
            utc(2026, 3, 8, 6, 45),
            utc(2026, 3, 8, 7, 0),
            utc(2026, 3, 8, 7, 15),
            utc(2026, 3, 8, 7, 30),
        ]

    def test_it_offers_both_instants_of_a_repeated_fall_back_hour(self):
        # 2026-11-01 is a Sunday; local 01:00-01:59 happens twice (EDT, then EST).
        trainer = trainer_with([(6, "01:00", "02:00")], tz="America/New_York")
        result = slots(trainer, day=dt.date(2026, 11, 1), duration=60, now=utc(2026, 10, 1))
        # The window lasts two real hours: 01:00 EDT = 05:00Z to 02:00 EST = 07:00Z. A one-hour
        # session may start from 05:00Z to 06:00Z (01:00 EST, ending 02:00 EST).
        assert result == [
            utc(2026, 11, 1, 5, 0),
            utc(2026, 11, 1, 5, 15),
            utc(2026, 11, 1, 5, 30),
            utc(2026, 11, 1, 5, 45),
            utc(2026, 11, 1, 6, 0),
        ]

    def test_day_means_the_trainers_local_date(self):
        # 20:00-21:00 in New York on Thursday 2026-12-03 is 01:00Z on Friday.
        trainer = trainer_with([(3, "20:00", "21:00")], tz="America/New_York")
        assert slots(trainer, day=dt.date(2026, 12, 3)) == [utc(2026, 12, 4, 1)]
        assert slots(trainer, day=dt.date(2026, 12, 4)) == []

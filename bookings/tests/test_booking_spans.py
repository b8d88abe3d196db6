"""booking_spans_blocking_for_trainers reads bookings' instants as text for speed: they must be
the very instants stored, to the microsecond, on SQLite and on PostgreSQL."""

import datetime as dt

import pytest

from bookings.selectors import booking_spans_blocking_for_trainers
from core.tests.factories import BookingFactory, TrainerProfileFactory

pytestmark = pytest.mark.django_db
UTC = dt.UTC
NOW = dt.datetime(2027, 3, 12, 12, tzinfo=UTC)


def test_it_reads_the_stored_instants_exactly():
    trainer, other = TrainerProfileFactory(), TrainerProfileFactory()
    odd = dt.datetime(2027, 3, 14, 6, 59, 59, 123456, tzinfo=UTC)
    whole = dt.datetime(2027, 3, 13, 9, tzinfo=dt.timezone(dt.timedelta(hours=9)))
    for start in (odd, whole):
        BookingFactory(
            trainer=trainer,
            start_time=start,
            end_time=start + dt.timedelta(minutes=90, microseconds=5),
            status="confirmed",
            hold_expires_at=None,
        )
    BookingFactory(trainer=other, start_time=odd, end_time=odd + dt.timedelta(hours=1))

    spans = booking_spans_blocking_for_trainers(
        trainer_ids=[trainer.pk], start=NOW, end=NOW + dt.timedelta(days=7), now=NOW
    )

    assert sorted(spans) == [
        (trainer.pk, whole, whole + dt.timedelta(minutes=90, microseconds=5)),
        (trainer.pk, odd, odd + dt.timedelta(minutes=90, microseconds=5)),
    ]
    assert all(s.utcoffset() == dt.timedelta(0) for _, s, e in spans)


def test_it_keeps_only_bookings_that_still_hold_their_time():
    trainer = TrainerProfileFactory()
    start = dt.datetime(2027, 3, 13, 9, tzinfo=UTC)
    hour = dt.timedelta(hours=1)
    live = BookingFactory(
        trainer=trainer, start_time=start, end_time=start + hour, hold_expires_at=NOW + hour
    )
    BookingFactory(
        trainer=trainer,
        start_time=start + hour,
        end_time=start + 2 * hour,
        hold_expires_at=NOW - hour,
    )  # stale hold
    BookingFactory(
        trainer=trainer,
        start_time=start + 2 * hour,
        end_time=start + 3 * hour,
        status="cancelled",
        hold_expires_at=None,
    )

    spans = booking_spans_blocking_for_trainers(
        trainer_ids=[trainer.pk], start=NOW, end=NOW + dt.timedelta(days=7), now=NOW
    )

    assert spans == [(trainer.pk, live.start_time, live.end_time)]

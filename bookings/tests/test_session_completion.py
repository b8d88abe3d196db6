"""complete_sessions: paid sessions become completed at their end plus the grace period, once."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from bookings.completion import booking_complete_due, booking_completed
from bookings.models import Booking
from bookings.tasks import complete_sessions
from core.tests.concurrency import run_concurrently
from core.tests.factories import BookingFactory, ClientFactory, TrainerProfileFactory
from notifications.tests.factories import PaidPaymentFactory, RefundFactory
from payments.models import Payment

pytestmark = pytest.mark.django_db

UTC = dt.UTC
END = dt.datetime(2030, 3, 4, 11, 0, tzinfo=UTC)  # the sessions below end here


def paid(start=END - dt.timedelta(hours=1), **kwargs) -> Booking:
    return PaidPaymentFactory(booking__start_time=start, **kwargs).booking


@pytest.fixture
def completed_ids():
    """Ids the booking_completed hook saw, in order; a booking twice would show up twice."""
    seen: list[int] = []

    def receiver(sender, booking, **kwargs):
        seen.append(booking.pk)

    booking_completed.connect(receiver, dispatch_uid="test-completed-ids")
    yield seen
    booking_completed.disconnect(dispatch_uid="test-completed-ids")


def status(booking) -> str:
    booking.refresh_from_db()
    return booking.status


def test_it_completes_a_paid_session_at_its_end_plus_the_grace_period(completed_ids):
    booking = paid()

    assert booking_complete_due(now=END + dt.timedelta(hours=24, seconds=-1)) == 0
    assert status(booking) == "confirmed"
    assert booking_complete_due(now=END + dt.timedelta(hours=24)) == 1
    assert status(booking) == "completed"
    assert completed_ids == [booking.pk]


def test_it_reads_the_grace_period_from_the_settings(settings):
    settings.SESSION_COMPLETION_GRACE_HOURS = 2
    booking = paid()

    assert booking_complete_due(now=END + dt.timedelta(hours=1)) == 0
    assert booking_complete_due(now=END + dt.timedelta(hours=2)) == 1
    assert status(booking) == "completed"


def test_it_leaves_cancelled_unpaid_refunded_and_disputed_sessions_alone(completed_ids):
    start = END - dt.timedelta(hours=1)
    cancelled = paid(booking__status="cancelled")
    unpaid = BookingFactory(start_time=start, status="pending")
    expired = BookingFactory(start_time=start, status="expired")
    refunded = paid(booking__payment_status="refunded", status=Payment.Status.REFUNDED)
    disputed = paid(status=Payment.Status.DISPUTED)
    partly = RefundFactory(
        payment__booking__start_time=start,
        payment__booking__payment_status="partially_refunded",
        payment__status=Payment.Status.PARTIALLY_REFUNDED,
        amount=1000,
    ).payment.booking

    assert booking_complete_due(now=END + dt.timedelta(days=2)) == 1

    statuses = {b.pk: status(b) for b in (cancelled, unpaid, expired, refunded, disputed, partly)}
    assert statuses == {
        cancelled.pk: "cancelled",
        unpaid.pk: "pending",
        expired.pk: "expired",
        refunded.pk: "confirmed",
        disputed.pk: "confirmed",
        partly.pk: "completed",  # a partial refund leaves a session that took place
    }
    assert completed_ids == [partly.pk]


def test_it_completes_a_session_once_its_dispute_is_won():
    payment = PaidPaymentFactory(booking__start_time=END - dt.timedelta(hours=1), status="disputed")
    later = END + dt.timedelta(days=2)
    assert booking_complete_due(now=later) == 0

    Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.SUCCEEDED)

    assert booking_complete_due(now=later) == 1
    assert status(payment.booking) == "completed"


def test_it_is_idempotent(completed_ids):
    first, second = paid(), paid(start=END - dt.timedelta(hours=3))
    later = END + dt.timedelta(days=1)

    assert booking_complete_due(now=later) == 2
    assert booking_complete_due(now=later) == 0
    assert sorted(completed_ids) == sorted([first.pk, second.pk])


def test_it_works_through_more_than_one_batch(monkeypatch):
    monkeypatch.setattr("bookings.completion.COMPLETE_BATCH_SIZE", 2)
    trainer = TrainerProfileFactory()
    for hours in range(1, 6):
        paid(start=END - dt.timedelta(hours=hours * 2), booking__trainer=trainer)

    assert booking_complete_due(now=END + dt.timedelta(days=1)) == 5
    assert set(Booking.objects.values_list("status", flat=True)) == {"completed"}


def test_it_counts_the_grace_period_in_elapsed_hours_across_a_dst_change():
    # New York sets its clocks forward at 2026-03-08 02:00: the day after a 23-hour day.
    ny = TrainerProfileFactory(timezone="America/New_York")
    tokyo = TrainerProfileFactory(timezone="Asia/Tokyo")
    end = dt.datetime(2026, 3, 8, 5, 0, tzinfo=UTC)  # 00:00 EST, before the change
    ny_session = paid(start=end - dt.timedelta(hours=1), booking__trainer=ny)
    tokyo_session = paid(start=end - dt.timedelta(hours=1), booking__trainer=tokyo)

    # 24 wall-clock hours later in New York is only 23 elapsed hours: not yet.
    assert booking_complete_due(now=end + dt.timedelta(hours=23)) == 0
    assert booking_complete_due(now=end + dt.timedelta(hours=24)) == 2
    assert (status(ny_session), status(tokyo_session)) == ("completed", "completed")


def test_the_hook_runs_inside_the_completing_transaction(django_capture_on_commit_callbacks):
    booking = paid()
    queued: list[int] = []

    def receiver(sender, booking, **kwargs):
        # What a payout does: write its rows here, queue the transfer for after the commit.
        assert transaction.get_connection().in_atomic_block
        transaction.on_commit(lambda: queued.append(booking.pk))

    booking_completed.connect(receiver, dispatch_uid="test-on-commit")
    try:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            booking_complete_due(now=END + dt.timedelta(days=1))
    finally:
        booking_completed.disconnect(dispatch_uid="test-on-commit")

    # Ours, and payments' own: the transfer of the trainer's share is sent after the commit.
    assert len(callbacks) == 2
    assert queued == [booking.pk]


def test_a_failing_hook_leaves_its_booking_confirmed_for_the_next_run():
    broken, fine = paid(), paid(start=END - dt.timedelta(hours=3))

    def receiver(sender, booking, **kwargs):
        if booking.pk == broken.pk:
            raise RuntimeError("payout service down")

    later = END + dt.timedelta(days=1)
    booking_completed.connect(receiver, dispatch_uid="test-broken")
    try:
        assert booking_complete_due(now=later) == 1
    finally:
        booking_completed.disconnect(dispatch_uid="test-broken")

    assert (status(broken), status(fine)) == ("confirmed", "completed")
    assert booking_complete_due(now=later) == 1
    assert status(broken) == "completed"


@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_complete_each_session_once(completed_ids):
    trainer, client = TrainerProfileFactory(), ClientFactory()
    bookings = [
        paid(
            start=END - dt.timedelta(hours=2 * i), booking__trainer=trainer, booking__client=client
        )
        for i in range(1, 7)
    ]

    counts = run_concurrently(lambda i: booking_complete_due(now=END + dt.timedelta(days=1)), 4)

    assert sum(counts) == len(bookings)
    assert sorted(completed_ids) == sorted(b.pk for b in bookings)
    assert set(Booking.objects.values_list("status", flat=True)) == {"completed"}


def test_the_command_takes_a_clock_to_advance_to():
    booking = paid()
    out = StringIO()

    call_command("complete_sessions", "--now", "2030-03-04T12:00:00+00:00", stdout=out)
    assert out.getvalue().strip() == "Completed 0 sessions."
    call_command("complete_sessions", "--now", "2030-03-05T11:00:00Z", stdout=out)
    assert "Completed 1 session." in out.getvalue()
    assert status(booking) == "completed"


@pytest.mark.parametrize("value", ["tomorrow", "2030-03-05T11:00:00", "2030-13-45T11:00:00Z"])
def test_the_command_refuses_a_clock_it_cannot_read(value):
    with pytest.raises(CommandError, match="--now"):
        call_command("complete_sessions", "--now", value)


def test_the_beat_task_completes_sessions_due_now():
    booking = paid(start=dt.datetime(2020, 1, 1, 9, 0, tzinfo=UTC))

    assert complete_sessions.apply().get() == 1
    assert status(booking) == "completed"

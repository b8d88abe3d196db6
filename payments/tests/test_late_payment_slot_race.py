"""A late payment on a stale hold racing a new booking of the same slot (PostgreSQL row locks):
settling the payment takes the trainer lock booking creation takes, so exactly one of them
keeps the slot and the other's money goes back in full."""

import datetime as dt
import threading
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone
from rest_framework.test import APIClient

from bookings.models import Booking
from bookings.services import booking_create
from core.tests.concurrency import run_concurrently
from core.tests.factories import BookingFactory, ClientFactory, bookable
from payments.models import Payment
from payments.tests import stripe_events as se

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.stripe]


def someone_waits_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        # Inside a transaction PostgreSQL serves pg_stat_activity from a snapshot: refresh it.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def test_exactly_one_keeps_the_slot_and_the_late_payment_is_refunded(localstripe, start_payment):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite serializes every write transaction")
    booking = BookingFactory(start_time=bookable(48))
    intent_id = start_payment(booking).json()["payment_intent_id"]
    localstripe.confirm(intent_id)
    succeeded = se.event(
        "payment_intent.succeeded",
        localstripe.sdk.v1.payment_intents.retrieve(intent_id).to_dict(),
    )
    # The client took too long: the hold is stale, so the slot is free to book again.
    Booking.objects.filter(pk=booking.pk).update(
        hold_expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    newcomer = ClientFactory()
    booked = threading.Event()
    webhook_done = threading.Event()

    def book_the_slot():
        with transaction.atomic():
            booking_create(
                client=newcomer,
                trainer=booking.trainer,
                start_time=booking.start_time,
                duration_minutes=booking.duration_minutes,
            )
            booked.set()
            # Hold the new booking (and the trainer lock) uncommitted until the payment's
            # settlement has either finished or is queued behind our lock.
            deadline = time.monotonic() + 30
            while not (webhook_done.is_set() or someone_waits_for_a_lock()):
                assert time.monotonic() < deadline, "the webhook neither finished nor waited"
                time.sleep(0.01)
        return "booked"

    def deliver_the_late_payment():
        assert booked.wait(timeout=30)
        try:
            return se.post(APIClient(), succeeded).status_code
        finally:
            webhook_done.set()

    results = run_concurrently(
        lambda i: book_the_slot() if i == 0 else deliver_the_late_payment(), 2
    )

    assert sorted(map(str, results)) == ["200", "booked"]
    new = Booking.objects.get(client=newcomer)
    booking.refresh_from_db()
    keeping = [b for b in (booking, new) if b.status in ("pending", "confirmed")]
    assert keeping == [new]
    payment = Payment.objects.get(booking=booking)
    assert (payment.status, payment.refund_amount) == ("refunded", 7500)
    assert [r.amount for r in localstripe.refunds(intent_id)] == [7500]
    assert booking.payment_status == "refunded"

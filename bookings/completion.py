"""Sessions that have taken place become `completed`: the moment the trainer's share is earned.

A confirmed, paid session is completed SESSION_COMPLETION_GRACE_HOURS after its end, unless it
was cancelled, refunded in full or its payment is disputed. The grace period leaves the client
time to report a session that did not happen before anything is owed to the trainer; it is
counted in elapsed hours, so a daylight-saving change in between moves nothing.

`booking_completed` is the hook for what follows a completion (a payout to the trainer, a request
for a review). It is sent once per booking, inside the transaction that completes it, while the
booking and its payment are locked: a receiver's rows commit or roll back with the completion,
and work outside the database (a Stripe transfer, an email) belongs in
`transaction.on_commit`, so it runs only for completions that stand. A receiver that raises
rolls its booking back to confirmed (it is tried again on the next run); the others go on.
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.dispatch import Signal
from django.utils import timezone

from bookings.models import Booking
from payments.models import Payment

logger = logging.getLogger(__name__)

# Sent with sender=Booking and booking=<the completed Booking, locked>.
booking_completed = Signal()

COMPLETE_BATCH_SIZE = 200
# Paid, not refunded in full. A partial refund (a goodwill gesture) leaves a real session.
COMPLETABLE_PAYMENT_STATUSES = (
    Booking.PaymentStatus.PAID,
    Booking.PaymentStatus.PARTIALLY_REFUNDED,
)


def completion_cutoff(now: dt.datetime) -> dt.datetime:
    """Sessions that ended at or before this instant are due for completion at `now`."""
    return now - dt.timedelta(hours=settings.SESSION_COMPLETION_GRACE_HOURS)


def bookings_due_for_completion(now: dt.datetime) -> QuerySet[Booking]:
    disputed = Payment.objects.filter(booking=OuterRef("pk"), status=Payment.Status.DISPUTED)
    return Booking.objects.filter(
        status=Booking.Status.CONFIRMED,
        payment_status__in=COMPLETABLE_PAYMENT_STATUSES,
        end_time__lte=completion_cutoff(now),
    ).exclude(Exists(disputed))


def booking_complete_due(*, now: dt.datetime | None = None) -> int:
    """Complete every session due at `now` (default: the current time); returns how many.

    Safe to run twice at once, or next to a cancellation, a refund or a dispute webhook: each
    booking is completed in its own short transaction under the locks those take (the payment,
    then the booking), after its conditions are checked again on the locked rows. Bookings are
    walked by id, so one that is skipped is not fetched again in the same run.
    """
    now = now or timezone.now()
    completed = 0
    last_id = 0
    while True:
        ids = list(
            bookings_due_for_completion(now)
            .filter(pk__gt=last_id)
            .order_by("pk")
            .values_list("pk", flat=True)[:COMPLETE_BATCH_SIZE]
        )
        if not ids:
            return completed
        last_id = ids[-1]
        for booking_id in ids:
            try:
                completed += _complete_one(booking_id, now)
            except Exception:
                logger.exception("Could not complete booking %s; it stays confirmed", booking_id)


def _complete_one(booking_id: int, now: dt.datetime) -> bool:
    with transaction.atomic():
        # The order the payment flows lock in (webhooks, refunds): the payment first, then its
        # booking. A dispute or a refund applied right now either finishes before us, and we see
        # it, or waits for our commit.
        payments = list(
            Payment.objects.select_for_update()
            .filter(booking_id=booking_id)
            .exclude(status=Payment.Status.CANCELED)
        )
        booking = Booking.objects.select_for_update().filter(pk=booking_id).first()
        if booking is None or not _is_due(booking, payments, now):
            return False  # another run completed it, or it was cancelled, refunded or disputed
        booking.set_status(Booking.Status.COMPLETED)
        booking.save(update_fields=["status", "updated_at"])
        booking_completed.send(sender=Booking, booking=booking)
    logger.info("Booking %s completed", booking_id)
    return True


def _is_due(booking: Booking, payments: list[Payment], now: dt.datetime) -> bool:
    return (
        booking.status == Booking.Status.CONFIRMED
        and booking.payment_status in COMPLETABLE_PAYMENT_STATUSES
        and booking.end_time <= completion_cutoff(now)
        and not any(p.status == Payment.Status.DISPUTED for p in payments)
    )

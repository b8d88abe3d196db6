"""Transfers for completed sessions that have none (manage.py backfill_transfers).

Sessions completed before transfers existed were never given the Transfer row the completion
now creates, so their trainers were never paid. Each such session gets it here through the
completion's own code path (payments.apply.transfers.transfer_create: the trainer's share after
the refunds so far, held when the trainer's payouts are, sent after commit only to a trainer
whose payouts are enabled), under the locks the completion takes in the order it takes them
(the booking's payments, then the booking), its conditions checked again on the locked rows.
So it is safe next to a running completion job, a refund or a dispute webhook, and a second run
creates nothing.

Left out: a payment refunded in full (nothing is owed), and a disputed one (the completion
skips those too; once the dispute is won the payment is collected again and a later run pays
the trainer; a lost one owes them nothing).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet

from bookings.models import Booking
from payments.apply.transfers import transfer_create
from payments.models import Payment, Transfer

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
# Collected and still owed to the trainer in part: not refunded in full, not disputed.
OWED_PAYMENT_STATUSES = (Payment.Status.SUCCEEDED, Payment.Status.PARTIALLY_REFUNDED)


@dataclass(frozen=True)
class BackfilledTransfer:
    booking_id: int
    trainer_id: int
    amount: int
    currency: str
    status: str


def sessions_without_transfer() -> QuerySet[Booking]:
    """Completed sessions whose payment was collected, is not disputed nor refunded in full,
    and that have no Transfer row."""
    owed = Payment.live().filter(booking=OuterRef("pk"), status__in=OWED_PAYMENT_STATUSES)
    return Booking.objects.filter(
        Exists(owed), status=Booking.Status.COMPLETED, transfer__isnull=True
    )


def transfers_backfill(*, dry_run: bool = False) -> Iterator[BackfilledTransfer]:
    """Create the missing transfers, one session per transaction; yields each as it is made. A
    dry run makes each in a transaction that is rolled back (nothing is kept or sent), so it
    shows exactly what a real run would create."""
    last_id = 0
    while True:
        ids = list(
            sessions_without_transfer()
            .filter(pk__gt=last_id)
            .order_by("pk")
            .values_list("pk", flat=True)[:BATCH_SIZE]
        )
        if not ids:
            return
        last_id = ids[-1]
        for booking_id in ids:
            made = _backfill_one(booking_id, dry_run=dry_run)
            if made is not None:
                yield made


def _backfill_one(booking_id: int, *, dry_run: bool) -> BackfilledTransfer | None:
    with transaction.atomic():
        # The completion's lock order (bookings.completion._complete_one), which every payment
        # flow takes: the payments, then the booking. A completion, refund or dispute running
        # now either finished before us, and we see it, or waits for our commit.
        payments = list(
            Payment.objects.select_for_update()
            .filter(booking_id=booking_id)
            .exclude(status=Payment.Status.CANCELED)
            .order_by("pk")
        )
        booking = Booking.objects.select_for_update().filter(pk=booking_id).first()
        if booking is None or not _owed_a_transfer(booking, payments):
            return None
        transfer = transfer_create(booking)
        if transfer is None:
            return None
        made = BackfilledTransfer(
            booking_id=booking.pk,
            trainer_id=transfer.trainer_id,
            amount=transfer.amount,
            currency=transfer.currency,
            status=transfer.status,
        )
        if dry_run:
            # Also drops the send transfer_create asked for after commit.
            transaction.set_rollback(True)
    if not dry_run:
        logger.info("Backfilled the transfer of session %s", booking_id)
    return made


def _owed_a_transfer(booking: Booking, payments: list[Payment]) -> bool:
    live = [p for p in payments if not p.refund_in_full_reason]
    return (
        booking.status == Booking.Status.COMPLETED
        and len(live) == 1
        and live[0].status in OWED_PAYMENT_STATUSES
        and not Transfer.objects.filter(booking_id=booking.pk).exists()
    )

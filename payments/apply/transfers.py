"""The trainer's share of a completed session, written to our rows with the payment locked.

- transfer_create: the session is completed (bookings.completion sends booking_completed inside
  its transaction, with the payment and the booking locked): a Transfer row of the trainer's
  share after the refunds so far, to be sent after commit.
- transfer_follow_payment: the payment changed (a refund, a dispute): called by payment_derive,
  under the same lock. A transfer not sent yet follows the share (a refund in full or a lost
  dispute cancels it); a sent one that now pays more than the share gets a pending
  TransferReversal row for the difference. Refunds before the transfer thus touch only the
  platform's balance; after it, the trainer's part of the refund (as Payment.payout_after_refunds
  says, the cancellation policy's fee rule) is taken back from them.
- transfer_apply_sent / reversal_apply_succeeded: what Stripe answered or an event said, with
  the ledger's posting in the same transaction (ledger.postings, keyed by Stripe's id, so a
  replay posts nothing twice).

After commit, `transfers_due` announces rows that may be ready to send; payments.commands.transfers
sends them (connected in payments.receivers): the apply layer never calls Stripe.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from core.money import format_amount
from ledger.postings import post_transfer, post_transfer_reversal
from payments import stripe_objects
from payments.models import Payment, Transfer, TransferReversal

logger = logging.getLogger(__name__)

# Sent after commit with sender=Transfer and payment_id=<id> or trainer_id=<id>: a transfer or a
# reversal of that payment (or of any payment of that trainer) may be ready to send.
transfers_due = Signal()

# A chargeback lost: the client got the whole charge back, so the trainer keeps nothing.
DISPUTE_LOST = "lost"


def announce_transfers_due(*, payment_id: int | None = None, trainer_id: int | None = None):
    """Ask for a send once the current transaction commits (never under our row locks, and not
    at all when it rolls back). robust: the rows are committed; a sweep sends what is missed."""
    transaction.on_commit(
        lambda: transfers_due.send(sender=Transfer, payment_id=payment_id, trainer_id=trainer_id),
        robust=True,
    )


def reversal_for_lost_chargeback(payment: Payment) -> bool:
    """Whether what is taken back from the trainer now is for a chargeback the platform lost
    (rather than for a refund): the ledger books the two against different accounts."""
    return bool(payment.dispute_id) and payment.dispute_status == DISPUTE_LOST


def trainer_share(payment: Payment) -> int:
    """What the trainer is owed of `payment` now: their share after the refunds that succeeded
    (a pending refund may still fail), nothing once a chargeback is lost."""
    if reversal_for_lost_chargeback(payment):
        return 0
    return payment.payout_after_refunds(payment.refund_amount)


def transfer_create(booking) -> Transfer | None:
    """The Transfer row of a booking just completed (its payment and booking locked by the
    caller); the existing one when there is one. None when the booking has no collected payment
    of its own (nothing to share)."""
    existing = Transfer.objects.filter(booking_id=booking.pk).first()
    if existing is not None:
        return existing
    payment = (
        Payment.live()
        .select_for_update()
        .filter(booking_id=booking.pk, status__in=Payment.COLLECTED_STATUSES)
        .first()
    )
    if payment is None:
        return None
    share = trainer_share(payment)
    trainer = booking.trainer
    if share <= 0:
        status = Transfer.Status.CANCELED
    elif trainer.payouts_held:
        status = Transfer.Status.HELD
    else:
        status = Transfer.Status.PENDING
    transfer = Transfer.objects.create(
        booking=booking,
        payment=payment,
        trainer=trainer,
        amount=max(share, 0),
        currency=payment.currency,
        status=status,
        hold_reason="The trainer's payouts are held by an admin." if status == "held" else "",
    )
    logger.info(
        "Transfer %s of booking %s: %s %s to trainer %s (%s)",
        transfer.pk,
        booking.pk,
        format_amount(transfer.amount, transfer.currency),
        transfer.currency.upper(),
        trainer.pk,
        transfer.status,
    )
    if status == Transfer.Status.PENDING:
        announce_transfers_due(payment_id=payment.pk)
    return transfer


def transfer_follow_payment(payment: Payment) -> None:
    """Bring the payment's transfer in line with the trainer's share (payment locked)."""
    transfer = Transfer.objects.select_for_update().filter(payment_id=payment.pk).first()
    if transfer is None or transfer.status == Transfer.Status.CANCELED:
        return
    share = trainer_share(payment)
    if transfer.status in Transfer.UNSENT_STATUSES:
        if share <= 0:
            transfer.set_status(Transfer.Status.CANCELED)
            transfer.save(update_fields=["status", "updated_at"])
            logger.info("Transfer %s canceled: nothing is left to pay", transfer.pk)
        elif share != transfer.amount:
            transfer.amount = share
            transfer.save(update_fields=["amount", "updated_at"])
        return
    owed_back = transfer.amount - transfer.reversed_amount() - share
    if owed_back <= 0:
        return
    lost = reversal_for_lost_chargeback(payment)
    reversal = TransferReversal.objects.create(
        transfer=transfer,
        amount=owed_back,
        currency=transfer.currency,
        reason=f"Dispute {payment.dispute_id} lost" if lost else "Refunded to the client",
    )
    logger.info(
        "Reversal %s of transfer %s: %s %s back from trainer %s",
        reversal.pk,
        transfer.pk,
        format_amount(owed_back, transfer.currency),
        transfer.currency.upper(),
        transfer.trainer_id,
    )
    announce_transfers_due(payment_id=payment.pk)


def transfer_apply_sent(transfer: Transfer, stripe_transfer: dict) -> bool:
    """Stripe made the transfer (its answer, or a transfer.* event carrying our row's id):
    record it once and post it to the ledger. The caller holds the payment's lock and this
    transfer's row. Returns True when it changed the row."""
    stripe_id = stripe_objects.text(stripe_transfer, "id")
    if not stripe_id or transfer.status == Transfer.Status.SENT:
        return False
    if not transfer.can_move_to(Transfer.Status.SENT):
        # Canceled while the request was on its way: the money went all the same, and what the
        # trainer should not keep is taken back below.
        logger.error(
            "Transfer %s was %s but Stripe made %s", transfer.pk, transfer.status, stripe_id
        )
    transfer.status = Transfer.Status.SENT
    amount = stripe_transfer.get("amount")
    if isinstance(amount, int) and not isinstance(amount, bool) and amount > 0:
        # What really left (a refund may have lowered our row while the request was sent).
        transfer.amount = amount
    transfer.stripe_transfer_id = stripe_id
    transfer.destination = stripe_objects.text(stripe_transfer, "destination") or (
        transfer.destination
    )
    transfer.sent_at = timezone.now()
    transfer.failure_message = ""
    transfer.save()
    post_transfer(
        transfer_id=stripe_id,
        trainer_id=transfer.trainer_id,
        amount=transfer.amount,
        currency=transfer.currency,
        payment=transfer.payment,
    )
    logger.info("Transfer %s sent: %s", transfer.pk, stripe_id)
    # A refund applied while it was on its way is taken back now.
    transfer_follow_payment(transfer.payment)
    return True


def reversal_apply_succeeded(reversal: TransferReversal, stripe_reversal: dict) -> bool:
    """Stripe made the reversal: record it once and post it to the ledger (caller holds the
    payment's lock)."""
    stripe_id = stripe_objects.text(stripe_reversal, "id")
    if not stripe_id or reversal.status == TransferReversal.Status.SUCCEEDED:
        return False
    reversal.set_status(TransferReversal.Status.SUCCEEDED)
    reversal.stripe_reversal_id = stripe_id
    reversal.failure_message = ""
    reversal.save()
    transfer = reversal.transfer
    post_transfer_reversal(
        reversal_id=stripe_id,
        trainer_id=transfer.trainer_id,
        amount=reversal.amount,
        currency=reversal.currency,
        payment=transfer.payment,
        for_lost_chargeback=reversal_for_lost_chargeback(transfer.payment),
    )
    logger.info("Reversal %s of transfer %s succeeded: %s", reversal.pk, transfer.pk, stripe_id)
    return True

"""What follows from a payment's rows, derived in one place.

A payment's refund totals, its collected status (succeeded, partially refunded, refunded,
disputed) and its booking's payment_status are never moved by hand: payment_derive() recomputes
them from the Refund rows, the dispute and the booking's payments whenever one of them changes.
So the order in which Stripe's events arrive cannot matter: a Dashboard refund recorded before
the charge's success still leaves the payment refunded once the success lands, and a booking
whose payment went back in full is never left confirmed.
"""

import logging

from django.db import transaction
from django.db.models import Max, Sum

from bookings.models import Booking
from notifications.services import notify_booking_cancelled, notify_refunds_succeeded
from payments.apply.transfers import transfer_follow_payment
from payments.models import Payment, Refund

logger = logging.getLogger(__name__)

# Dispute outcomes after which the money stays with us (Stripe: "won"; an inquiry that closed
# without becoming a chargeback: "warning_closed"). Any other status (open, or lost) shows the
# payment as disputed.
DISPUTE_KEPT = {"won", "warning_closed"}
# Dispute statuses after which Stripe changes nothing more.
DISPUTE_FINAL = {"won", "lost", "warning_closed"}

_BOOKING_PAYMENT_STATUS = {
    Payment.Status.PENDING: Booking.PaymentStatus.PENDING,
    Payment.Status.REQUIRES_ACTION: Booking.PaymentStatus.PENDING,
    Payment.Status.PROCESSING: Booking.PaymentStatus.PENDING,
    Payment.Status.REQUIRES_REVIEW: Booking.PaymentStatus.PENDING,
    Payment.Status.FAILED: Booking.PaymentStatus.FAILED,
    Payment.Status.CANCELED: Booking.PaymentStatus.UNPAID,
    Payment.Status.SUCCEEDED: Booking.PaymentStatus.PAID,
    Payment.Status.DISPUTED: Booking.PaymentStatus.PAID,
    Payment.Status.PARTIALLY_REFUNDED: Booking.PaymentStatus.PARTIALLY_REFUNDED,
    Payment.Status.REFUNDED: Booking.PaymentStatus.REFUNDED,
}
REFUNDED_IN_FULL = "The payment was refunded in full."


def collected_status(payment: Payment, refunded: int) -> str:
    """The status of a payment whose charge succeeded, given what was refunded of it."""
    if payment.dispute_id and payment.dispute_status not in DISPUTE_KEPT:
        return Payment.Status.DISPUTED
    if refunded >= payment.amount:
        return Payment.Status.REFUNDED
    return Payment.Status.PARTIALLY_REFUNDED if refunded > 0 else Payment.Status.SUCCEEDED


def booking_payment_status(booking: Booking) -> str:
    """The booking's payment_status: that of its live payment; without one, that of its newest
    payment being refunded in full (a cancelled booking whose late charge went back reads
    "refunded"); unpaid when there is neither."""
    own = (
        Payment.live().filter(booking_id=booking.pk).first()
        or Payment.objects.filter(booking_id=booking.pk)
        .exclude(refund_in_full_reason="")
        .order_by("-created_at", "-id")
        .first()
    )
    return Booking.PaymentStatus.UNPAID if own is None else _BOOKING_PAYMENT_STATUS[own.status]


def booking_derive(booking: Booking) -> bool:
    """Bring a locked booking's payment_status in line with its payments; a booking whose money
    went back in full is cancelled (a session nobody paid for is not on). Saves; True when it
    changed something."""
    status = booking_payment_status(booking)
    fields = []
    if booking.payment_status != status:
        booking.payment_status = status
        fields.append("payment_status")
    if status == Booking.PaymentStatus.REFUNDED and booking.is_cancellable():
        trainer_knows = booking.status == Booking.Status.CONFIRMED
        fields += booking.cancel(
            reason=booking.cancellation_reason or REFUNDED_IN_FULL, by=booking.cancelled_by
        )
        logger.info("Booking %s cancelled: its payment was refunded in full", booking.pk)
        if trainer_knows:
            # The trainer was told of the paid booking; now they hear it is off.
            notify_booking_cancelled(booking)
    if fields:
        booking.save(update_fields=[*fields, "updated_at"])
    return bool(fields)


def payment_derive(payment: Payment, booking: Booking | None = None) -> Payment:
    """Recompute a payment's refund totals and status and its booking's payment status.

    `payment`: the caller's row, locked (it is updated in place and saved); `booking`: its
    booking if the caller holds it locked, else it is locked here (payment then booking, the
    order every writer takes). Idempotent: call it after any change to a payment, its refunds
    or its dispute. Queues the refund email of every succeeded refund not yet notified.
    """
    with transaction.atomic():
        succeeded = payment.refunds.filter(status=Refund.Status.SUCCEEDED)
        totals = succeeded.aggregate(total=Sum("amount"), last=Max("created_at"))
        total = totals["total"] or 0
        if total > payment.amount:
            # Only possible with refunds made outside FitConnect (Stripe itself refuses them).
            logger.error(
                "Refunds of payment %s total %s, more than its amount %s",
                payment.pk,
                total,
                payment.amount,
            )
            total = payment.amount
        payment.refund_amount = total
        payment.refunded_at = totals["last"]
        latest = succeeded.order_by("-created_at", "-id").first()
        payment.refund_reason = latest.reason if latest else ""
        if payment.status in Payment.COLLECTED_STATUSES:
            payment.status = collected_status(payment, total)
        payment.save(
            update_fields=["refund_amount", "refunded_at", "refund_reason", "status", "updated_at"]
        )
        notify_refunds_succeeded(succeeded)  # once per refund: earlier ones are skipped
        if booking is None:
            booking = Booking.objects.select_for_update().get(pk=payment.booking_id)
        booking_derive(booking)
        # The trainer's transfer follows what the client got back.
        transfer_follow_payment(payment)
    return payment

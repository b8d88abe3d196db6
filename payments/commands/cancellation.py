"""The money side of a cancelled booking, settled in one place: bookings.services calls
payment_settle_cancellation after a booking is cancelled or its hold expired. An unpaid booking's
open attempt is canceled at Stripe; a paid one is refunded what the cancellation policy grants."""

import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from bookings.models import Booking
from payments import stripe_client
from payments.apply.intents import payment_cancel
from payments.commands.refunds import refund_reserve, refund_send
from payments.models import Payment, Refund
from payments.selectors import booking_cancellation_preview, payment_live_for_booking

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _FullRefund:
    refund_amount: int
    rule: str = "Cancelled by FitConnect: the client is refunded in full."


def payment_settle_cancellation(*, booking: Booking, actor, reason: str) -> Refund | None:
    """Settle the money side of a booking that `actor` has just cancelled.

    Called by bookings.services.booking_cancel after the booking is marked cancelled (and by the
    hold expiry with actor None). Unpaid: cancels the open PaymentIntent at Stripe and the
    payment, booking payment_status back to unpaid. Paid: refunds what bookings.policy grants
    (source=cancellation). Returns the Refund row made (None when nothing was refunded); a refund
    Stripe refused comes back as a failed row (the cancellation stands, an admin can refund from
    the payment), never as an exception.
    """
    payment = payment_live_for_booking(booking)
    if payment is None:
        return None
    if payment.status in Payment.OPEN_STATUSES:
        payment_cancel_open(payment)
        return None
    if payment.status not in (Payment.Status.SUCCEEDED, Payment.Status.PARTIALLY_REFUNDED):
        logger.warning(
            "Booking %s cancelled with payment %s %s: no refund",
            booking.pk,
            payment.pk,
            payment.status,
        )
        return None

    quote = (
        booking_cancellation_preview(booking=booking, actor=actor)
        if actor is not None
        else _FullRefund(payment.get_refundable_amount())
    )
    if quote.refund_amount <= 0:
        logger.info("Booking %s cancelled: no refund due (%s)", booking.pk, quote.rule)
        return None
    try:
        refund = refund_reserve(
            payment_id=payment.pk,
            amount=quote.refund_amount,
            reason=f"{reason} ({quote.rule})" if reason else quote.rule,
            requested_by=actor,
            source=Refund.Source.CANCELLATION,
            clamp=True,
        )
    except ValidationError as e:
        # e.g. a refund from the Dashboard took what was left a moment ago.
        logger.warning("Booking %s cancelled, no refund possible: %s", booking.pk, e.messages)
        return None
    refund, _error = refund_send(refund)  # a failure is logged there and shown on the row
    return refund


def payment_cancel_open(payment: Payment) -> None:
    """Cancel an unpaid payment's intent at Stripe, then the row.

    If Stripe cannot cancel it (down, or the intent succeeded a moment ago) the row stays as it
    is: the webhook or reconciliation brings the truth, and a payment that succeeds for a
    cancelled booking is refunded in full (payment_refund_in_full). A row with no intent id
    and no answer yet is left open too: its checkout may be charging the card right now, and
    the answer (or reconcile_payments, which finds the intent by our metadata) settles it. (A
    declined one has its answer: nothing is in flight.)
    """
    if not payment.stripe_payment_intent_id and payment.status != Payment.Status.FAILED:
        logger.info("Payment %s has no intent yet: left open until Stripe answers", payment.pk)
        return
    if payment.stripe_payment_intent_id:
        try:
            stripe_client.cancel_payment_intent(payment=payment)
        except stripe_client.StripeFailure as e:
            logger.error(
                "Stripe error canceling intent %s (payment %s, booking %s): %s",
                payment.stripe_payment_intent_id,
                payment.pk,
                payment.booking_id,
                e.message,
            )
            return
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.status == Payment.Status.CANCELED or not locked.can_move_to(
            Payment.Status.CANCELED
        ):
            return
        payment_cancel(locked)
    logger.info("Payment %s canceled with booking %s", payment.pk, payment.booking_id)

"""A PaymentIntent's state written to its locked payment: in progress, failed, canceled,
succeeded (and so paid, or to be refunded in full when the booking no longer wants the money), or
under review when Stripe's success disagrees with our row.

Called by the event handlers, reconciliation and the checkout with the payment row locked inside
their transaction. Idempotent and forward only (Payment.TRANSITIONS), so a duplicate, late or
replayed event can never undo a later truth. Objects are plain dicts (the raw event JSON or a
Stripe object's `to_dict()`); money read from them is integer minor units, as Stripe sends it.
"""

from __future__ import annotations

import logging

from django.utils import timezone

from bookings.models import Booking
from bookings.selectors import booking_blocking_qs
from notifications.services import notify_payment_failed, notify_payment_succeeded
from payments import stripe_client, stripe_objects
from payments.alerts import alert_raise
from payments.apply import movements
from payments.apply.derivation import booking_derive, payment_derive
from payments.apply.lookup import ApplyResult
from payments.models import Payment, PaymentAlert
from trainers.models import TrainerProfile

logger = logging.getLogger(__name__)

# Stripe's PaymentIntent status -> ours. `requires_payment_method` is handled apart: a fresh
# intent sits there, and a declined one goes back there carrying `last_payment_error`.
_INTENT_STATUS = {
    "requires_confirmation": Payment.Status.PENDING,
    "requires_action": Payment.Status.REQUIRES_ACTION,
    "processing": Payment.Status.PROCESSING,
    # FitConnect captures automatically; an authorised-not-captured intent is still in flight.
    "requires_capture": Payment.Status.PROCESSING,
    "succeeded": Payment.Status.SUCCEEDED,
    "canceled": Payment.Status.CANCELED,
}


def intent_target_status(intent: dict) -> str | None:
    status = stripe_objects.text(intent, "status")
    if status == "requires_payment_method":
        return (
            Payment.Status.FAILED
            if stripe_objects.field(intent, "last_payment_error")
            else Payment.Status.PENDING
        )
    return _INTENT_STATUS.get(status)


def intent_mismatch(payment: Payment, intent: dict) -> str:
    """What in Stripe's intent disagrees with our row ("" when nothing does): the amount, the
    currency, or the mode (a live charge answering a test key, or the other way round).

    The amount we charge comes from our row; an intent changed at Stripe (to 1 JPY, say) must
    not mark a 75.00 USD payment paid.
    """
    problems = []
    for key in ("amount", "amount_received"):
        value = stripe_objects.field(intent, key)
        if key == "amount_received" and value is None:
            continue
        if type(value) is not int or value != payment.amount:
            problems.append(f"{key} {value!r} instead of {payment.amount}")
    currency = stripe_objects.text(intent, "currency")
    if currency.lower() != payment.currency.lower():
        problems.append(f"currency {currency!r} instead of {payment.currency!r}")
    livemode = stripe_objects.field(intent, "livemode")
    if isinstance(livemode, bool) and livemode != stripe_client.live_mode():
        problems.append(f"livemode {livemode} with a {'live' if not livemode else 'test'} key")
    return "; ".join(problems)


def payment_apply_intent(payment: Payment, intent: dict, *, now=None) -> ApplyResult:
    """Bring a locked `payment` (and its booking) in line with Stripe's `intent`."""
    now = now or timezone.now()
    result = ApplyResult(payment=payment)
    target = intent_target_status(intent)
    if target is None:
        result.notes.append(f"intent status {stripe_objects.field(intent, 'status')} not mapped")
        return result
    if target == Payment.Status.SUCCEEDED:
        return _apply_succeeded(payment, intent, now=now, result=result)
    if not payment.can_move_to(target):
        # e.g. payment_failed or canceled after succeeded: Stripe's later truth already won.
        logger.info(
            "Ignoring intent %s state %s for payment %s (already %s)",
            stripe_objects.field(intent, "id"),
            target,
            payment.pk,
            payment.status,
        )
        result.notes.append(f"ignored {target}: payment is {payment.status}")
        return result

    booking = Booking.objects.select_for_update().get(pk=payment.booking_id)
    if target == Payment.Status.FAILED:
        code, message = stripe_objects.last_payment_error(intent)
        changed = payment.status != Payment.Status.FAILED or (code, message) != (
            payment.failure_code,
            payment.failure_message,
        )
        payment.mark_failed(code=code, message=message)
        if changed:
            logger.info(
                "Payment failed: payment %s booking %s (%s)", payment.pk, booking.pk, code or "-"
            )
            notify_payment_failed(payment)
    else:
        # canceled (which frees the booking for a new payment), or pending / requires_action /
        # processing: a payment in progress, also after a decline.
        changed = payment.set_status(target)
    payment.save()
    booking_derive(booking)
    result.changed = changed
    return result


def _apply_succeeded(payment: Payment, intent: dict, *, now, result: ApplyResult) -> ApplyResult:
    had_details = payment_has_card_details(payment)
    if (
        payment.status in Payment.COLLECTED_STATUSES
        or payment.status == Payment.Status.REQUIRES_REVIEW
    ):
        # A copy, a replay, or a later truth (refunded, disputed, under review) won already.
        result.notes.append(f"ignored succeeded: payment is {payment.status}")
        payment_copy_charge_details(payment, intent)
        payment.save()
        if payment.status != Payment.Status.REQUIRES_REVIEW:
            _receipt_now_or_after_details(payment, due=not had_details, result=result)
        return result

    booking = Booking.objects.select_for_update().get(pk=payment.booking_id)
    payment_copy_charge_details(payment, intent)
    result.changed = True
    mismatch = intent_mismatch(payment, intent)
    if mismatch:
        return _put_in_review(payment, booking, intent, mismatch, result=result)

    was_live = payment.status != Payment.Status.CANCELED
    payment.mark_succeeded()
    payment.succeeded_at = payment.succeeded_at or now
    payment.failure_code, payment.failure_message = "", ""
    payment.refund_in_full_reason = _unwanted_reason(payment, booking, was_live=was_live, now=now)
    payment.save()
    movements.charge_succeeded(payment)
    # Refunds recorded before this success (a Dashboard refund delivered first) count now.
    payment_derive(payment, booking)
    if payment.refund_in_full_reason:
        result.refund_in_full = True
        logger.warning(
            "Payment %s collected for booking %s that does not want it: refunding in full (%s)",
            payment.pk,
            booking.pk,
            payment.refund_in_full_reason,
        )
    elif payment.status != Payment.Status.REFUNDED and booking.confirm():
        booking.save(update_fields=["status", "hold_expires_at", "updated_at"])
    _receipt_now_or_after_details(payment, due=True, result=result)
    return result


def _put_in_review(
    payment: Payment, booking: Booking, intent: dict, mismatch: str, *, result: ApplyResult
) -> ApplyResult:
    """A success that disagrees with our row: neither paid nor refunded until a person looks."""
    payment.set_status(Payment.Status.REQUIRES_REVIEW)
    payment.review_reason = f"Stripe reported a success with {mismatch}."
    payment.save()
    booking_derive(booking)
    intent_id = stripe_objects.text(intent, "id")
    alert_raise(
        key=f"mismatch:payment:{payment.pk}:{intent_id}",
        kind=PaymentAlert.Kind.MISMATCH,
        message=f"Payment {payment.pk} (booking {booking.pk}), intent {intent_id}: "
        f"{payment.review_reason} It is not marked paid.",
        payment=payment,
        stripe_id=intent_id,
    )
    return result


def _unwanted_reason(payment: Payment, booking: Booking, *, was_live: bool, now) -> str:
    """Why the money of a payment that just succeeded must go back in full; "" when its booking
    takes it. Callers hold the payment and booking locks.

    The slot is checked under the trainer's lock, the one booking_create takes: a late payment
    on a stale hold and a new booking of the same time are serialized, so exactly one of them
    keeps the slot (the lock order is payment, booking, trainer, as payment_claim's).
    """
    others = Payment.live().filter(booking_id=booking.pk).exclude(pk=payment.pk)
    if others.filter(status__in=Payment.COLLECTED_STATUSES).exists():
        return "The booking was already paid by another payment."
    if not was_live and others.exists():
        return "Paid after a newer payment attempt for the booking replaced this one."
    if booking.status == Booking.Status.CANCELLED:
        return "Paid after the booking was cancelled: the session will not take place."
    if booking.status in (Booking.Status.CONFIRMED, Booking.Status.COMPLETED):
        return ""
    # pending or expired: the slot must still be its own.
    TrainerProfile.objects.select_for_update().filter(pk=booking.trainer_id).first()
    taken = (
        booking_blocking_qs(
            trainer=booking.trainer_id, start=booking.start_time, end=booking.end_time, now=now
        )
        .exclude(pk=booking.pk)
        .exists()
    )
    if not taken and booking.start_time > now:
        return ""
    if booking.status == Booking.Status.PENDING:
        booking.set_status(Booking.Status.EXPIRED)
        booking.hold_expires_at = None
        booking.save(update_fields=["status", "hold_expires_at", "updated_at"])
    if taken:
        return "Paid after the booking's hold expired and its time was booked by someone else."
    return "Paid after the session's start time."


def payment_cancel(payment: Payment, *, failure: tuple[str, str] | None = None) -> None:
    """Cancel a locked open attempt (its intent canceled at Stripe, or never made there); with
    `failure`, Stripe's (code, message) saying why is kept. The booking's status follows."""
    payment.set_status(Payment.Status.CANCELED)
    fields = ["status", "updated_at"]
    if failure is not None:
        payment.failure_code, payment.failure_message = failure[0][:100], failure[1]
        fields += ["failure_code", "failure_message"]
    payment.save(update_fields=fields)
    booking_derive(Booking.objects.select_for_update().get(pk=payment.booking_id))


def payment_has_card_details(payment: Payment) -> bool:
    return bool(payment.stripe_charge_id and payment.card_last4)


def _receipt_now_or_after_details(payment: Payment, *, due: bool, result: ApplyResult) -> None:
    """Record the receipt emails in this transaction when the card is known, else ask the caller
    to fetch the card after commit (payments.commands.details), which records them there.

    The receipt shows the card. A webhook's copy of the intent never has it (Stripe sends
    `payment_method` and `latest_charge` as bare ids), and the webhook does not ask Stripe
    (see payments.event_handlers). Either way the receipt rows are written in the same
    transaction as the card details, so "card known" implies "receipt recorded": that is what
    lets the task and reconciliation fetch the card again until it is known without ever
    losing or doubling a receipt. `due`: this call made the payment succeed or made its card
    known (a duplicate that changes nothing records nothing).
    """
    if payment_has_card_details(payment):
        if due:
            notify_payment_succeeded(payment)
        return
    result.fetch_details = True


def payment_copy_charge_details(payment: Payment, intent: dict) -> None:
    """The charge, card and receipt URL Stripe's intent shows, onto `payment` (the caller saves);
    what the intent leaves out keeps the value we had."""
    payment.stripe_charge_id = stripe_objects.charge_id(intent) or payment.stripe_charge_id
    method_type, brand, last4 = stripe_objects.card_details(intent)
    payment.payment_method_type = method_type or payment.payment_method_type
    payment.card_brand = brand or payment.card_brand
    payment.card_last4 = last4 or payment.card_last4
    payment.receipt_url = stripe_objects.receipt_url(intent) or payment.receipt_url

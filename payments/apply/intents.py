"""Applying what Stripe says to our rows: intents, refunds on a charge, disputes.

Webhooks (payments.event_handlers) and reconciliation call these with the payment row locked
(`payment_lock`) inside `transaction.atomic()`. Every function is idempotent and only moves a
state forward through Payment.TRANSITIONS / Booking's tables, so a duplicate, late or replayed
event can never undo a later truth. Objects are plain dicts (the raw event JSON or a Stripe
object's `to_dict()`); money read from them is integer minor units, as Stripe sends it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from bookings.models import Booking
from bookings.selectors import booking_blocking_qs
from notifications.services import notify_payment_failed, notify_payment_succeeded
from payments import stripe_client
from payments.alerts import alert_raise, refund_failed_alert
from payments.derivation import DISPUTE_FINAL, booking_derive, payment_derive
from payments.models import Payment, PaymentAlert, Refund
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


def our_id(value: Any) -> int | None:
    """One of our row ids as we put it in Stripe metadata ("42"), None for anything else
    (str.isdigit alone accepts "²", which int() refuses, and any number of digits)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    return None


@dataclass
class SyncResult:
    """What applying one Stripe object did (for logs, the reconcile summary and tests)."""

    payment: Payment | None = None
    changed: bool = False
    # The payment just succeeded but we no longer want its money (Payment.refund_in_full_reason):
    # refund it after commit (Stripe is never called under our row locks).
    refund_in_full: bool = False
    notes: list[str] = field(default_factory=list)


def payment_lock(*, intent_id: str = "", charge_id: str = "", payment_id=None) -> Payment | None:
    """The payment row for a Stripe intent or charge (or our id), locked until commit.

    Callers are inside transaction.atomic(). Metadata payment_id is the fallback for an intent
    whose id we have not stored yet (the create call's response was lost).
    """
    qs = Payment.objects.select_for_update()
    if intent_id:
        payment = qs.filter(stripe_payment_intent_id=intent_id).first()
        if payment is not None:
            return payment
    if charge_id:
        payment = qs.filter(stripe_charge_id=charge_id).first()
        if payment is not None:
            return payment
    payment_id = our_id(payment_id)
    if payment_id:
        payment = qs.filter(pk=payment_id).first()
        # Only adopt an intent id for a row that has none: metadata alone never re-points a
        # payment at another intent.
        if payment is not None and (
            not payment.stripe_payment_intent_id or payment.stripe_payment_intent_id == intent_id
        ):
            return payment
    return None


def intent_target_status(intent: dict) -> str | None:
    status = stripe_client.text(intent, "status")
    if status == "requires_payment_method":
        return (
            Payment.Status.FAILED
            if stripe_client.field(intent, "last_payment_error")
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
        value = stripe_client.field(intent, key)
        if key == "amount_received" and value is None:
            continue
        if type(value) is not int or value != payment.amount:
            problems.append(f"{key} {value!r} instead of {payment.amount}")
    currency = stripe_client.text(intent, "currency")
    if currency.lower() != payment.currency.lower():
        problems.append(f"currency {currency!r} instead of {payment.currency!r}")
    livemode = stripe_client.field(intent, "livemode")
    if isinstance(livemode, bool) and livemode != stripe_client.live_mode():
        problems.append(f"livemode {livemode} with a {'live' if not livemode else 'test'} key")
    return "; ".join(problems)


# --- PaymentIntents ------------------------------------------------------------------------------
def payment_apply_intent(payment: Payment, intent: dict, *, now=None) -> SyncResult:
    """Bring a locked `payment` (and its booking) in line with Stripe's `intent`."""
    now = now or timezone.now()
    result = SyncResult(payment=payment)
    target = intent_target_status(intent)
    if target is None:
        result.notes.append(f"intent status {stripe_client.field(intent, 'status')} not mapped")
        return result
    if target == Payment.Status.SUCCEEDED:
        return _apply_succeeded(payment, intent, now=now, result=result)
    if not payment.can_move_to(target):
        # e.g. payment_failed or canceled after succeeded: Stripe's later truth already won.
        logger.info(
            "Ignoring intent %s state %s for payment %s (already %s)",
            stripe_client.field(intent, "id"),
            target,
            payment.pk,
            payment.status,
        )
        result.notes.append(f"ignored {target}: payment is {payment.status}")
        return result

    booking = Booking.objects.select_for_update().get(pk=payment.booking_id)
    if target == Payment.Status.FAILED:
        code, message = stripe_client.last_payment_error(intent)
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


def _apply_succeeded(payment: Payment, intent: dict, *, now, result: SyncResult) -> SyncResult:
    had_details = payment_has_card_details(payment)
    if (
        payment.status in Payment.COLLECTED_STATUSES
        or payment.status == Payment.Status.REQUIRES_REVIEW
    ):
        # A copy, a replay, or a later truth (refunded, disputed, under review) won already.
        result.notes.append(f"ignored succeeded: payment is {payment.status}")
        _fill_charge_details(payment, intent)
        payment.save()
        if payment.status != Payment.Status.REQUIRES_REVIEW:
            _receipt_now_or_after_details(payment, due=not had_details)
        return result

    booking = Booking.objects.select_for_update().get(pk=payment.booking_id)
    _fill_charge_details(payment, intent)
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
    logger.info("Payment succeeded: payment %s booking %s", payment.pk, booking.pk)
    _receipt_now_or_after_details(payment, due=True)
    return result


def _put_in_review(
    payment: Payment, booking: Booking, intent: dict, mismatch: str, *, result: SyncResult
) -> SyncResult:
    """A success that disagrees with our row: neither paid nor refunded until a person looks."""
    payment.set_status(Payment.Status.REQUIRES_REVIEW)
    payment.review_reason = f"Stripe reported a success with {mismatch}."
    payment.save()
    booking_derive(booking)
    intent_id = stripe_client.text(intent, "id")
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


def payment_has_card_details(payment: Payment) -> bool:
    return bool(payment.stripe_charge_id and payment.card_last4)


def _receipt_now_or_after_details(payment: Payment, *, due: bool) -> None:
    """Record the receipt emails in this transaction when the card is known, else have
    payment_fill_details fetch the card after commit and record them there.

    The receipt shows the card. A webhook's copy of the intent never has it (Stripe sends
    `payment_method` and `latest_charge` as bare ids), and the webhook no longer asks Stripe
    (see payments.event_handlers). Either way the receipt rows are written in the same
    transaction as the card details, so "card known" implies "receipt recorded": that is what
    lets the task and reconciliation re-run payment_fill_details until the card is known
    without ever losing or doubling a receipt. `due`: this call made the payment succeed or
    made its card known (a duplicate that changes nothing records nothing).
    """
    if payment_has_card_details(payment):
        if due:
            notify_payment_succeeded(payment)
        return
    from payments.tasks import queue_fill_details

    payment_id = payment.pk
    # robust: the payment is committed as paid; a broker that is down must not turn the webhook
    # into a 500 (reconciliation fills what the task never did).
    transaction.on_commit(lambda: queue_fill_details(payment_id), robust=True)


def payment_fill_details(payment_id: int) -> bool:
    """Fetch a collected payment's intent from Stripe, store its card, charge and receipt URL
    and record its receipt emails, all once; True when it filled something.

    Runs after the webhook's commit (payments.tasks.payment_fill_details, retried with backoff)
    and from reconciliation; idempotent, so overlapping runs are harmless. Raises StripeFailure
    for the task to retry. No lock is taken to decide: a collected payment stays collected
    (Payment.TRANSITIONS), and the email rows' unique keys, not a lock, keep them exactly-once.
    """
    payment = Payment.objects.get(pk=payment_id)
    if (
        payment.status not in Payment.COLLECTED_STATUSES
        or not payment.stripe_payment_intent_id
        or payment_has_card_details(payment)
    ):
        return False
    intent = stripe_client.retrieve_payment_intent(payment.stripe_payment_intent_id).to_dict()
    _fill_charge_details(payment, intent)
    with transaction.atomic():
        # The email rows first, then the UPDATE that locks the payment row: the lock is held for
        # the commit only, and a rollback drops both (the next run records them again).
        notify_payment_succeeded(payment)
        Payment.objects.filter(pk=payment.pk).update(
            stripe_charge_id=payment.stripe_charge_id,
            payment_method_type=payment.payment_method_type,
            card_brand=payment.card_brand,
            card_last4=payment.card_last4,
            receipt_url=payment.receipt_url,
            updated_at=timezone.now(),
        )
    return True


def _fill_charge_details(payment: Payment, intent: dict) -> None:
    payment.stripe_charge_id = stripe_client.charge_id(intent) or payment.stripe_charge_id
    method_type, brand, last4 = stripe_client.card_details(intent)
    payment.payment_method_type = method_type or payment.payment_method_type
    payment.card_brand = brand or payment.card_brand
    payment.card_last4 = last4 or payment.card_last4
    payment.receipt_url = stripe_client.receipt_url(intent) or payment.receipt_url


# --- Refunds ------------------------------------------------------------------------------------
def payment_apply_refunds(payment: Payment, refunds: list[dict]) -> SyncResult:
    """Record Stripe's refunds of a locked payment's charge, each exactly once.

    A refund we made is matched by its Stripe id, or (when our call's response was lost) by the
    `refund_id` we put in its metadata; anything else was made in the Stripe Dashboard and gets
    its own row. A row's status only moves forward (Refund.TRANSITIONS), so the order of
    charge.refunded, refund.updated and refund.failed does not matter; a refund that failed
    releases its reserved amount and raises an alert. Totals are then derived from the rows, so
    nothing is counted twice, and a refund that succeeded gets its email once.
    """
    result = SyncResult(payment=payment)
    ours = {
        r.stripe_refund_id: r for r in payment.refunds.select_for_update() if r.stripe_refund_id
    }
    for data in refunds:
        stripe_id = stripe_client.text(data, "id")
        amount = stripe_client.field(data, "amount")
        if not stripe_id or type(amount) is not int or amount <= 0:
            continue
        stripe_status = stripe_client.text(data, "status")
        row = ours.get(stripe_id) or _refund_by_metadata(payment, data)
        if row is None:
            row = Refund.objects.create(
                payment=payment,
                stripe_refund_id=stripe_id,
                amount=amount,
                # A refund is always in its charge's currency; Stripe's copy is not re-read (an
                # odd value there would break every amount shown for this refund).
                currency=payment.currency,
                status=Refund.STRIPE_STATUS.get(stripe_status, Refund.Status.PENDING),
                source=Refund.Source.DASHBOARD,
                reason="Refunded in the Stripe Dashboard.",
            )
            result.changed = True
            logger.info(
                "Refund %s (%s) of payment %s made outside FitConnect recorded",
                row.pk,
                stripe_id,
                payment.pk,
            )
        else:
            # Stripe's id and status; the amount stays the one we reserved and sent.
            moved = row.advance(stripe_status)
            if moved or row.stripe_refund_id != stripe_id:
                row.stripe_refund_id = stripe_id
                if moved and row.status == Refund.Status.FAILED:
                    row.failure_message = stripe_client.text(data, "failure_reason") or "failed"
                    refund_failed_alert(row)
                row.save(
                    update_fields=["stripe_refund_id", "status", "failure_message", "updated_at"]
                )
                result.changed = True
        ours[stripe_id] = row
    payment.refresh_from_db()
    payment_derive(payment)
    return result


def _refund_by_metadata(payment: Payment, data: dict) -> Refund | None:
    refund_id = our_id(stripe_client.field(stripe_client.field(data, "metadata"), "refund_id"))
    if not refund_id:
        return None
    return (
        payment.refunds.select_for_update()
        .filter(pk=refund_id, stripe_refund_id__isnull=True)
        .first()
    )


# --- Disputes ------------------------------------------------------------------------------------
def payment_apply_dispute(payment: Payment, dispute: dict) -> SyncResult:
    """A chargeback: the payment shows `disputed` until Stripe closes it; won puts it back where
    its refunds leave it, lost keeps it disputed with dispute_status "lost" (both derived by
    payments.derivation from the dispute's status)."""
    result = SyncResult(payment=payment)
    dispute_id = stripe_client.text(dispute, "id")
    # An unreadable status is treated as an open dispute: the money is in question until a
    # readable outcome arrives.
    status = stripe_client.text(dispute, "status", max_length=50)
    if (
        payment.dispute_id == dispute_id
        and payment.dispute_status in DISPUTE_FINAL
        and status not in DISPUTE_FINAL
    ):
        # A created/updated delivered after closed: the outcome is already known.
        result.notes.append(f"ignored dispute {status}: already {payment.dispute_status}")
        return result
    before = (payment.status, payment.dispute_id, payment.dispute_status)
    payment.dispute_id, payment.dispute_status = dispute_id, status
    payment.save(update_fields=["dispute_id", "dispute_status", "updated_at"])
    payment_derive(payment)
    result.changed = before != (payment.status, payment.dispute_id, payment.dispute_status)
    if result.changed:
        logger.warning(
            "Payment %s dispute %s: %s (payment %s)", payment.pk, dispute_id, status, payment.status
        )
    return result

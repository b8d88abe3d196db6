"""Writes that move money. Stripe is called outside row locks; our rows are the source of truth.

Pattern for every Stripe call: decide and reserve under a lock in a short transaction, commit,
call Stripe (seconds, maybe), then record the outcome in a second short transaction. The emulator
ignores idempotency keys and accepts over-refunds, so these reservations are the real guard.
"""

import datetime as dt
import logging
import time
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bookings.models import Booking
from bookings.selectors import booking_blocking_qs
from core.errors import (
    Conflict,
    DomainError,
    NotFound,
    PaymentDeclined,
    PaymentServiceError,
)
from core.money import format_amount
from payments import stripe_client
from payments.alerts import refund_failed_alert
from payments.derivation import booking_derive, payment_derive
from payments.models import Payment, Refund
from payments.selectors import booking_cancellation_preview, payment_live_for_booking
from trainers.models import TrainerProfile

logger = logging.getLogger(__name__)

# A second caller for the same booking waits this long for the first one's intent id...
INTENT_WAIT_SECONDS = 5.0
# ...and a claim older than this without an intent id is an abandoned one (its process died, or
# Stripe never answered): the next caller supersedes it with a new row and so a new idempotency
# key (reusing the key with other parameters, a new card say, is an idempotency_error at Stripe).
# The old row is kept, canceled: if Stripe did make its intent, reconcile_payments finds it by
# our metadata and a late success is recorded on it and refunded in full.
INTENT_CLAIM_STALE_SECONDS = 60


def stripe_api_error(
    error: stripe_client.StripeFailure, *, action: str, payment
) -> PaymentDeclined | PaymentServiceError:
    """Log a Stripe failure and turn it into the error for the caller: a decline carries Stripe's
    message (meant for the cardholder); anything else is the payment service's failure."""
    ids = f"payment {payment.pk}, booking {payment.booking_id}"
    if isinstance(error, stripe_client.CardDeclined):
        logger.warning("Card declined %s (%s): %s", action, ids, error.code or error.message)
        return PaymentDeclined(error.message)
    logger.error("Stripe error %s (%s): %s", action, ids, error.message)
    return PaymentServiceError(f"Payment processing error: {error.message}")


# --- Create (or return) the booking's PaymentIntent ------------------------------------------
def payment_intent_for_booking(*, booking_id: int, user) -> Payment:
    """The open PaymentIntent for `user`'s booking, created on the first call.

    Calling again returns the same Payment row and intent (its client_secret is stored).
    Concurrent callers get one Payment row (a unique constraint plus the booking lock) and one
    intent: the first claims the row, the others wait for its intent id (409 "try again" if
    Stripe takes longer than INTENT_WAIT_SECONDS).
    After a decline (or a failed 3-D Secure, or an intent canceled at Stripe) the client gets a
    FRESH intent on a new Payment row; the old intent is canceled at Stripe and its row keeps
    the failure for the record. (Re-confirming the declined intent is what real Stripe allows,
    but the emulator answers it with a 400, and a fresh intent works with both.) So every repeat
    call asks Stripe for the current intent's state first.
    Raises NotFound (not the client's booking), ValidationError (cancelled, expired, completed,
    nothing to pay, hold lost), Conflict (already paid), PaymentDeclined/PaymentServiceError
    (Stripe).
    """
    deadline = time.monotonic() + INTENT_WAIT_SECONDS
    retired: str | None = None
    while True:
        payment, must_create = payment_claim(
            booking_id=booking_id, user=user, retire_intent=retired
        )
        if must_create:
            return _payment_create_intent(payment)
        if payment.stripe_payment_intent_id:
            if retired is None and _intent_needs_replacing(payment):
                retired = payment.stripe_payment_intent_id
                continue
            return payment
        if time.monotonic() >= deadline:
            raise Conflict("The payment for this booking is being set up; try again in a moment.")
        time.sleep(0.05)


def _intent_needs_replacing(payment: Payment) -> bool:
    """Ask Stripe whether the payment's intent can still be paid; a declined or canceled one is
    canceled at Stripe (if needed) and must be replaced."""
    try:
        intent = stripe_client.retrieve_payment_intent(payment.stripe_payment_intent_id or "")
        if intent.status == "succeeded":
            raise Conflict("This booking is already paid.")
        code, message = stripe_client.last_payment_error(intent)
        declined = intent.status == "requires_payment_method" and bool(code or message)
        if declined:
            stripe_client.cancel_payment_intent(payment=payment)
    except stripe_client.StripeFailure as e:
        raise stripe_api_error(e, action="checking payment intent", payment=payment) from e
    return declined or intent.status == "canceled"


def payment_claim(
    *, booking_id: int, user, retire_intent: str | None = None
) -> tuple[Payment, bool]:
    """Lock the booking's live payment (if any) and the booking, in that order, check it can be
    paid, renew its hold and return its live Payment row, creating it (then must_create is
    True: the caller asks Stripe for the intent).
    retire_intent: an intent found dead at Stripe; if it is still the live payment's, that
    payment is canceled and a new row created."""
    for _attempt in range(CLAIM_ATTEMPTS):
        claimed = _payment_claim_once(booking_id=booking_id, user=user, retire_intent=retire_intent)
        if claimed is not None:
            return claimed
    raise Conflict("The payment for this booking is being set up; try again in a moment.")


# A claim that finds a payment created while it waited for the booking starts over (see
# _payment_claim_once); more than a couple of rounds means a storm of clicks: ask to retry.
CLAIM_ATTEMPTS = 3


def _payment_claim_once(
    *, booking_id: int, user, retire_intent: str | None
) -> tuple[Payment, bool] | None:
    now = timezone.now()
    live = Payment.live()
    with transaction.atomic():
        # The live payment first, then the booking: the order every webhook, refund and
        # cancel takes (payment_lock, then its booking). Booking first deadlocked with a
        # success webhook on PostgreSQL when the client reloaded the pay page meanwhile.
        # (By id alone, no join: the booking's owner is checked under its own lock below.)
        payment = live.select_for_update().filter(booking_id=booking_id).first()
        booking = Booking.objects.select_for_update().filter(pk=booking_id, client=user).first()
        if booking is None:
            raise NotFound("Booking not found.")
        if payment is None and live.filter(booking=booking).exists():
            # Another claim created it while we waited for the booking. Locking it now would
            # be booking-then-payment again (a deadlock with a third claim that locked it
            # first): let go of the booking and start over.
            return None
        booking_check_payable(booking, now)

        if payment is not None and payment.status in Payment.COLLECTED_STATUSES:
            raise Conflict("This booking is already paid.")
        if payment is not None and payment.status == Payment.Status.REQUIRES_REVIEW:
            raise Conflict("This booking's payment is being reviewed; we will be in touch.")
        stale = now - dt.timedelta(seconds=INTENT_CLAIM_STALE_SECONDS)
        if payment is None:
            pass
        elif retire_intent and payment.stripe_payment_intent_id == retire_intent:
            logger.info("Payment %s retired: its intent %s is dead", payment.pk, retire_intent)
            payment = _payment_supersede(payment)
        elif not payment.stripe_payment_intent_id and payment.updated_at < stale:
            logger.warning(
                "Payment %s got no intent from Stripe in time: superseded by a new attempt",
                payment.pk,
            )
            payment = _payment_supersede(payment)
        must_create = payment is None
        if must_create:
            payment = Payment.objects.create(
                booking=booking, amount=booking.price, currency=booking.currency
            )

        if booking.status == Booking.Status.PENDING:
            booking.renew_hold(now)
            booking.save(update_fields=["hold_expires_at", "updated_at"])
        booking_derive(booking)
    return payment, must_create


def _payment_supersede(payment: Payment) -> None:
    """Close a locked attempt the booking no longer waits for; None, its successor is to be
    created. The row stays: a late success on it is recorded and refunded in full."""
    payment.set_status(Payment.Status.CANCELED)
    payment.save(update_fields=["status", "updated_at"])


def booking_check_payable(booking: Booking, now: dt.datetime) -> None:
    if booking.status in (
        Booking.Status.CANCELLED,
        Booking.Status.EXPIRED,
        Booking.Status.COMPLETED,
    ):
        raise ValidationError(f"This booking is {booking.status} and cannot be paid.")
    if booking.payment_status in (
        Booking.PaymentStatus.PAID,
        Booking.PaymentStatus.PARTIALLY_REFUNDED,
        Booking.PaymentStatus.REFUNDED,
    ):
        raise Conflict("This booking is already paid.")
    if booking.price <= 0:
        raise ValidationError("This booking has nothing to pay.")
    if booking.is_hold_stale(now):
        # The expiry task has not run yet; renewing the hold is only fair if nobody booked the
        # slot meanwhile. The trainer lock is the one booking_create takes, so no booking can
        # slip in between this check and our renewed hold.
        trainer = TrainerProfile.objects.select_for_update().get(pk=booking.trainer_id)
        taken = booking_blocking_qs(
            trainer=trainer, start=booking.start_time, end=booking.end_time, now=now
        ).exclude(pk=booking.pk)
        if taken.exists():
            raise ValidationError("The hold on this booking expired and the slot was taken.")


def _payment_create_intent(payment: Payment) -> Payment:
    try:
        intent = stripe_client.create_payment_intent(payment=payment)
    except stripe_client.StripeFailure as e:
        # Even with no answer: an intent made here is unconfirmed, and its client_secret never
        # reached the client, so nobody can pay it (reconcile_payments cancels it if it exists).
        payment_release_claim(payment, e)
        raise stripe_api_error(e, action="creating payment intent", payment=payment) from e

    # Conditional: a caller that took over a claim it thought abandoned, or a cancellation of the
    # booking, may have got here first; then this intent is not the payment's. One UPDATE is
    # atomic on its own (no transaction block: that was two more round trips).
    now = timezone.now()
    stored = (
        Payment.objects.filter(pk=payment.pk, stripe_payment_intent_id__isnull=True)
        .exclude(status=Payment.Status.CANCELED)
        .update(
            stripe_payment_intent_id=intent.id,
            stripe_client_secret=intent.client_secret or "",
            updated_at=now,
        )
    )
    if stored:
        # The row is what we just wrote: no need to read it back.
        payment.stripe_payment_intent_id = intent.id
        payment.stripe_client_secret = intent.client_secret or ""
        payment.updated_at = now
    else:
        payment.refresh_from_db()
    if not stored:
        if payment.stripe_payment_intent_id != intent.id:
            _cancel_orphan_intent(payment, intent.id)
        if payment.status == Payment.Status.CANCELED:
            raise Conflict("The booking was cancelled while its payment was being set up.")
        return payment
    if Booking.objects.filter(pk=payment.booking_id, status=Booking.Status.CANCELLED).exists():
        # Cancelled while Stripe was creating the intent: the cancel left this row open (it had
        # no intent to cancel yet); now it has one, cancel it before anyone can pay it.
        payment_cancel_open(payment)
        raise Conflict("The booking was cancelled while its payment was being set up.")
    logger.info(
        "Payment intent created: %s for booking %s (payment %s)",
        intent.id,
        payment.booking_id,
        payment.pk,
    )
    return payment


def payment_release_claim(payment: Payment, error: stripe_client.StripeFailure) -> None:
    """Close an attempt no card can be charged through, so the client can try again at once:
    Stripe refused to create its intent, or created one nobody can pay (see the callers). The
    row is kept, canceled with Stripe's reason; a row is never deleted."""
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.stripe_payment_intent_id or not locked.can_move_to(Payment.Status.CANCELED):
            return
        payment_close(locked, code=error.code, message=error.message)


def payment_close(payment: Payment, *, code: str = "", message: str = "") -> None:
    """Cancel a locked open attempt that no card can be charged through (Stripe refused or
    never received its intent), keeping Stripe's reason; the booking's status follows."""
    payment.set_status(Payment.Status.CANCELED)
    payment.failure_code, payment.failure_message = code[:100], message
    payment.save(update_fields=["status", "failure_code", "failure_message", "updated_at"])
    booking_derive(Booking.objects.select_for_update().get(pk=payment.booking_id))
    logger.info("Payment %s closed: %s", payment.pk, message or "Stripe has no intent for it")


def _cancel_orphan_intent(payment: Payment, intent_id: str) -> None:
    try:
        stripe_client.cancel_payment_intent(payment=payment, intent_id=intent_id)
        logger.warning("Canceled orphan intent %s of payment %s", intent_id, payment.pk)
    except stripe_client.StripeFailure as e:
        logger.error("Could not cancel orphan intent %s: %s", intent_id, e.message)


# --- Refunds -------------------------------------------------------------------------------
def payment_refund(
    *,
    payment: Payment,
    amount: int | None,
    reason: str,
    requested_by,
    source: str = Refund.Source.API,
) -> Refund:
    """Refund `amount` minor units of `payment` (None: everything still refundable).

    Validated before Stripe is called (ValidationError, nothing changes). A Stripe failure marks
    the reserved Refund row failed (releasing the reservation) and raises PaymentDeclined or
    PaymentServiceError.
    """
    refund = _refund_reserve(
        payment_id=payment.pk,
        amount=amount,
        reason=reason,
        requested_by=requested_by,
        source=source,
    )
    refund, error = _refund_send(refund)
    if error is not None:
        raise error
    return refund


def _refund_reserve(
    *, payment_id: int, amount: int | None, reason: str, requested_by, source: str, clamp=False
) -> Refund:
    """Reserve a pending Refund row under the payment lock. Pending refunds count against the
    refundable amount (Payment.get_refundable_amount), so two refunds racing each other see each
    other's reservation and can never together exceed what was paid. clamp: lower the amount to
    what is refundable instead of refusing (cancellations refund what the policy grants, at most
    what is left)."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if payment.status == Payment.Status.DISPUTED:
            raise ValidationError("This payment is disputed and cannot be refunded now.")
        if payment.status not in (Payment.Status.SUCCEEDED, Payment.Status.PARTIALLY_REFUNDED):
            raise ValidationError(
                f"Only a succeeded payment can be refunded; this one is {payment.status}."
            )
        refundable = payment.get_refundable_amount()
        if refundable <= 0:
            raise ValidationError("Nothing is left to refund on this payment.")
        if amount is None:
            amount = refundable
        elif amount > refundable:
            if not clamp:
                raise ValidationError(
                    {
                        "amount": "The amount exceeds what can still be refunded "
                        f"({format_amount(refundable, payment.currency)})."
                    }
                )
            amount = refundable
        return Refund.objects.create(
            payment=payment,
            amount=amount,
            currency=payment.currency,
            reason=reason,
            source=source,
            requested_by=requested_by,
        )


def _refund_send(refund: Refund) -> tuple[Refund, DomainError | None]:
    """Ask Stripe for the reserved refund and record the answer; returns the row and the
    error to raise when Stripe did not make it.

    A refusal (Stripe answered 4xx) fails the row and releases its reservation. No trustworthy
    answer (timeout, connection lost, Stripe 5xx) leaves it pending and reserved: Stripe may have
    made the refund, and releasing the amount would let a second request refund it again. The
    charge.refunded webhook (which matches our metadata) or reconcile_payments
    (payment_refund_settle_pending) settles it.
    """
    payment = refund.payment
    try:
        stripe_refund = stripe_client.create_refund(refund=refund)
    except stripe_client.StripeFailure as e:
        unknown = isinstance(e, stripe_client.StripeOutcomeUnknown)
        changes = {"failure_message": e.message, "updated_at": timezone.now()}
        if not unknown:
            changes["status"] = Refund.Status.FAILED
        Refund.objects.filter(pk=refund.pk, status=Refund.Status.PENDING).update(**changes)
        refund.refresh_from_db()
        if refund.status == Refund.Status.FAILED:
            refund_failed_alert(refund)
        error = stripe_api_error(e, action=f"creating refund {refund.pk}", payment=payment)
        if unknown:
            error = PaymentServiceError(
                f"Payment processing error: {e.message}. The refund is recorded as pending and "
                "will be confirmed with Stripe automatically; do not refund it again."
            )
        return refund, error
    return _refund_record(refund, stripe_refund), None


def _refund_record(refund: Refund, stripe_refund) -> Refund:
    """Store Stripe's refund on our reserved row and update the payment's totals."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=refund.payment_id)
        refund = Refund.objects.select_for_update().get(pk=refund.pk)
        refund.stripe_refund_id = stripe_refund.id
        # A refund event may have settled the row already (it matches our metadata): forward
        # moves only.
        if refund.advance(stripe_refund.status or "") and refund.status == Refund.Status.FAILED:
            refund.failure_message = stripe_refund.to_dict().get("failure_reason") or "failed"
            refund_failed_alert(refund)
        refund.save(update_fields=["stripe_refund_id", "status", "failure_message", "updated_at"])
        payment_derive(payment)
    logger.info(
        "Refund %s (%s) of payment %s, booking %s: %s %s",
        refund.pk,
        stripe_refund.id,
        payment.pk,
        payment.booking_id,
        format_amount(refund.amount, refund.currency),
        refund.status,
    )
    return refund


def payment_refund_settle_pending(refund: Refund) -> Refund:
    """Settle a refund whose Stripe call got no answer (see _refund_send).

    Stripe's own list tells whether the refund was made (our row id is in its metadata); if it
    was not, ask again with the row's idempotency key, so even a refund made meanwhile is
    returned rather than made twice. Raises StripeFailure when Stripe still cannot be asked.
    """
    payment = refund.payment
    made = [
        r
        for r in stripe_client.list_refunds(
            payment_intent_id=payment.stripe_payment_intent_id or ""
        )
        if (r.to_dict().get("metadata") or {}).get("refund_id") == str(refund.pk)
    ]
    if made:
        return _refund_record(refund, made[0])
    refund, error = _refund_send(refund)
    if error is not None and refund.status == Refund.Status.PENDING:
        raise stripe_client.StripeOutcomeUnknown(refund.failure_message)
    return refund


def payment_refund_in_full(payment_id: int) -> Refund | None:
    """Refund what is left of a payment whose money we no longer want
    (Payment.refund_in_full_reason: a late success for a cancelled booking, an already-paid one
    or a lost slot), once; returns the Refund row made (None when nothing was left to refund).

    Every path that meets such a success (webhook, reconciliation) calls this after commit,
    outside any lock. The refund is reserved under the payment's lock and counts pending
    refunds, so a second caller finds nothing left. Stripe's failure is on the returned row,
    never raised: no answer leaves it pending (reconciliation settles it); a refusal fails it,
    which alerts a person, and it is not retried here.
    """
    payment = Payment.objects.get(pk=payment_id)
    if not payment.refund_in_full_reason or not payment.is_refundable():
        return None
    if payment.refunds.filter(status=Refund.Status.FAILED, source=Refund.Source.CANCELLATION):
        return None
    try:
        refund = _refund_reserve(
            payment_id=payment.pk,
            amount=None,
            reason=payment.refund_in_full_reason,
            requested_by=None,
            source=Refund.Source.CANCELLATION,
        )
    except ValidationError:
        # Another caller (a webhook copy, reconciliation) reserved what was left a moment ago.
        return None
    refund, _error = _refund_send(refund)  # a failure is logged there and kept on the row
    return refund


# --- Cancellation ---------------------------------------------------------------------------
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
        refund = _refund_reserve(
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
    refund, _error = _refund_send(refund)  # a failure is logged there and shown on the row
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
        locked.set_status(Payment.Status.CANCELED)
        locked.save(update_fields=["status", "updated_at"])
        booking_derive(Booking.objects.select_for_update().get(pk=locked.booking_id))
    logger.info("Payment %s canceled with booking %s", payment.pk, payment.booking_id)

"""The booking's PaymentIntent: created once for the API's payment form (or returned again),
each attempt a Payment row claimed under the booking's lock; attempts that no card can be
charged through are closed."""

import datetime as dt
import logging
import time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bookings.models import Booking
from bookings.selectors import booking_blocking_qs
from core.errors import Conflict, NotFound
from payments import stripe_client, stripe_objects
from payments.apply.derivation import booking_derive
from payments.apply.intents import payment_cancel
from payments.commands.cancellation import payment_cancel_open
from payments.commands.stripe_errors import stripe_api_error
from payments.models import Payment
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
        code, message = stripe_objects.last_payment_error(intent)
        declined = intent.status == "requires_payment_method" and bool(code or message)
        if declined:
            stripe_client.cancel_payment_intent(payment=payment)
    except stripe_client.StripeFailure as e:
        raise stripe_api_error(
            e,
            action="checking payment intent",
            booking_id=payment.booking_id,
            payment_id=payment.pk,
        ) from e
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
        raise stripe_api_error(
            e,
            action="creating payment intent",
            booking_id=payment.booking_id,
            payment_id=payment.pk,
        ) from e

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
    payment_cancel(payment, failure=(code, message))
    logger.info("Payment %s closed: %s", payment.pk, message or "Stripe has no intent for it")


def _cancel_orphan_intent(payment: Payment, intent_id: str) -> None:
    try:
        stripe_client.cancel_payment_intent(payment=payment, intent_id=intent_id)
        logger.warning("Canceled orphan intent %s of payment %s", intent_id, payment.pk)
    except stripe_client.StripeFailure as e:
        logger.error("Could not cancel orphan intent %s: %s", intent_id, e.message)

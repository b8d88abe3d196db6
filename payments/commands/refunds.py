"""Refunds we ask Stripe for: through the API, for a cancellation, and the refund in full of a
late success. Each is reserved as a pending Refund row under the payment's lock before Stripe is
called, so racing refunds can never together exceed what was paid."""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.errors import DomainError, PaymentServiceError
from core.money import format_amount
from payments import stripe_client
from payments.alerts import refund_failed_alert
from payments.apply.refunds import payment_apply_refunds, refund_apply_answer
from payments.commands.stripe_errors import stripe_api_error
from payments.models import Payment, Refund

logger = logging.getLogger(__name__)


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
    refund = refund_reserve(
        payment_id=payment.pk,
        amount=amount,
        reason=reason,
        requested_by=requested_by,
        source=source,
    )
    refund, error = refund_send(refund)
    if error is not None:
        raise error
    return refund


def refund_reserve(
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


def refund_send(refund: Refund) -> tuple[Refund, DomainError | None]:
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
        error = stripe_api_error(
            e,
            action=f"creating refund {refund.pk}",
            booking_id=payment.booking_id,
            payment_id=payment.pk,
        )
        if unknown:
            error = PaymentServiceError(
                f"Payment processing error: {e.message}. The refund is recorded as pending and "
                "will be confirmed with Stripe automatically; do not refund it again."
            )
        return refund, error
    return _refund_record(refund, stripe_refund), None


def _refund_record(refund: Refund, stripe_refund) -> Refund:
    """Store Stripe's refund on our reserved row and update the payment's totals."""
    payment = refund.payment
    refund = refund_apply_answer(refund, stripe_refund.to_dict())
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
    """Settle a refund whose Stripe call got no answer (see refund_send).

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
    refund, error = refund_send(refund)
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
    if not _refunds_made_elsewhere_recorded(payment):
        return None  # Stripe could not tell us: reconciliation tries again
    payment.refresh_from_db()
    if not payment.is_refundable():
        return None
    try:
        refund = refund_reserve(
            payment_id=payment.pk,
            amount=None,
            reason=payment.refund_in_full_reason,
            requested_by=None,
            source=Refund.Source.CANCELLATION,
        )
    except ValidationError:
        # Another caller (a webhook copy, reconciliation) reserved what was left a moment ago.
        return None
    refund, _error = refund_send(refund)  # a failure is logged there and kept on the row
    return refund


def _refunds_made_elsewhere_recorded(payment: Payment) -> bool:
    """Record the refunds Stripe already has for `payment` (one made in the Dashboard before
    its event reached us) so that what is left to refund is Stripe's, not only ours: asking
    for more than the charge has left is refused by Stripe. False when Stripe could not be
    asked."""
    if not payment.stripe_payment_intent_id:
        return True
    try:
        refunds = stripe_client.list_refunds(payment_intent_id=payment.stripe_payment_intent_id)
    except stripe_client.StripeFailure as e:
        logger.warning(
            "Refunds of payment %s not listed before its refund in full: %s", payment.pk, e
        )
        return False
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        payment_apply_refunds(locked, [r.to_dict() for r in refunds])
    return True

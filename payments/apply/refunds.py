"""Stripe's refunds written to our Refund rows: the events' refunds of a charge, and Stripe's
answer to a refund we asked for (payments.commands.refunds). Each refund is one row, recorded
once; its status only moves forward (Refund.TRANSITIONS); the payment's totals follow
(payments.apply.derivation)."""

from __future__ import annotations

import logging

from django.db import transaction

from payments import stripe_objects
from payments.alerts import refund_failed_alert
from payments.apply import movements
from payments.apply.derivation import payment_derive
from payments.apply.lookup import ApplyResult, our_id
from payments.models import Payment, Refund

logger = logging.getLogger(__name__)


def refund_record(row: Refund, *, stripe_id: str, stripe_status: str, failure_reason: str) -> bool:
    """Store Stripe's id and status on our locked refund row, forward moves only (a late
    refund.updated never undoes a later truth); True when the row changed. The amount stays the
    one we reserved and sent. A refund that failed releases its reserved amount and alerts a
    person; a money movement (succeeded, or reversed after succeeding) is recorded once."""
    before = row.status
    moved = row.advance(stripe_status)
    if not moved and row.stripe_refund_id == stripe_id:
        return False
    row.stripe_refund_id = stripe_id
    if moved and row.status == Refund.Status.FAILED:
        row.failure_message = failure_reason or "failed"
        refund_failed_alert(row)
    row.save(update_fields=["stripe_refund_id", "status", "failure_message", "updated_at"])
    if moved and row.status == Refund.Status.SUCCEEDED:
        movements.refund_succeeded(row)
    elif moved and before == Refund.Status.SUCCEEDED:
        movements.refund_reversed(row)
    return True


def refund_apply_answer(refund: Refund, stripe_refund: dict) -> Refund:
    """Stripe's answer to our request for `refund` (its Refund object), stored on our reserved
    row, and the payment's totals updated. A refund event may have recorded it already: then
    nothing changes."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=refund.payment_id)
        refund = Refund.objects.select_for_update().get(pk=refund.pk)
        refund_record(
            refund,
            stripe_id=stripe_objects.text(stripe_refund, "id"),
            stripe_status=stripe_objects.text(stripe_refund, "status"),
            failure_reason=stripe_objects.text(stripe_refund, "failure_reason"),
        )
        payment_derive(payment)
    return refund


def payment_apply_refunds(payment: Payment, refunds: list[dict]) -> ApplyResult:
    """Record Stripe's refunds of a locked payment's charge, each exactly once.

    A refund we made is matched by its Stripe id, or (when our call's response was lost) by the
    `refund_id` we put in its metadata; anything else was made in the Stripe Dashboard and gets
    its own row. Rows only move forward, so the order of charge.refunded, refund.updated and
    refund.failed does not matter. Totals are then derived from the rows, so nothing is counted
    twice, and a refund that succeeded gets its email once.
    """
    result = ApplyResult(payment=payment)
    ours = {
        r.stripe_refund_id: r for r in payment.refunds.select_for_update() if r.stripe_refund_id
    }
    for data in refunds:
        stripe_id = stripe_objects.text(data, "id")
        amount = stripe_objects.field(data, "amount")
        if not stripe_id or type(amount) is not int or amount <= 0:
            continue
        stripe_status = stripe_objects.text(data, "status")
        row = ours.get(stripe_id) or _refund_by_metadata(payment, data)
        if row is None:
            row = _dashboard_refund(payment, stripe_id, amount, stripe_status)
            result.changed = True
        elif refund_record(
            row,
            stripe_id=stripe_id,
            stripe_status=stripe_status,
            failure_reason=stripe_objects.text(data, "failure_reason"),
        ):
            result.changed = True
        ours[stripe_id] = row
    payment.refresh_from_db()
    payment_derive(payment)
    return result


def _dashboard_refund(payment: Payment, stripe_id: str, amount: int, stripe_status: str) -> Refund:
    row = Refund.objects.create(
        payment=payment,
        stripe_refund_id=stripe_id,
        amount=amount,
        # A refund is always in its charge's currency; Stripe's copy is not re-read (an odd
        # value there would break every amount shown for this refund).
        currency=payment.currency,
        status=Refund.STRIPE_STATUS.get(stripe_status, Refund.Status.PENDING),
        source=Refund.Source.DASHBOARD,
        reason="Refunded in the Stripe Dashboard.",
    )
    logger.info(
        "Refund %s (%s) of payment %s made outside FitConnect recorded",
        row.pk,
        stripe_id,
        payment.pk,
    )
    if row.status == Refund.Status.SUCCEEDED:
        movements.refund_succeeded(row)
    return row


def _refund_by_metadata(payment: Payment, data: dict) -> Refund | None:
    refund_id = our_id(stripe_objects.field(stripe_objects.field(data, "metadata"), "refund_id"))
    if not refund_id:
        return None
    return (
        payment.refunds.select_for_update()
        .filter(pk=refund_id, stripe_refund_id__isnull=True)
        .first()
    )

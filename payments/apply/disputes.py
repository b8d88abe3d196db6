"""Chargebacks: Stripe's dispute of a payment written to the payment's row."""

from __future__ import annotations

import logging

from ledger.postings import CHARGEBACK_STATUSES
from payments import stripe_objects
from payments.apply import movements
from payments.apply.derivation import DISPUTE_FINAL, DISPUTE_KEPT, payment_derive
from payments.apply.lookup import ApplyResult
from payments.models import Payment

logger = logging.getLogger(__name__)


def payment_apply_dispute(payment: Payment, dispute: dict) -> ApplyResult:
    """A chargeback on a locked payment: it shows `disputed` until Stripe closes the dispute; won
    puts it back where its refunds leave it, lost keeps it disputed with dispute_status "lost"
    (both derived by payments.apply.derivation from the dispute's status)."""
    result = ApplyResult(payment=payment)
    dispute_id = stripe_objects.text(dispute, "id")
    # An unreadable status is treated as an open dispute: the money is in question until a
    # readable outcome arrives.
    status = stripe_objects.text(dispute, "status", max_length=50)
    if (
        payment.dispute_id == dispute_id
        and payment.dispute_status in DISPUTE_FINAL
        and status != payment.dispute_status
    ):
        # A created/updated delivered after closed: the outcome is already known. Stripe never
        # changes an outcome (won, lost, an inquiry closed), so one that disagrees with ours is
        # not applied either: a lost chargeback has taken the trainer's share back, and a
        # "won" would put the payment back, complete the session and transfer that share.
        if status in DISPUTE_FINAL:
            logger.error(
                "Payment %s dispute %s: Stripe says %s, already %s; kept",
                payment.pk,
                dispute_id,
                status,
                payment.dispute_status,
            )
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
        _record_movements(payment, opened=before[1] != dispute_id, was=before[2])
    return result


def _record_movements(payment: Payment, *, opened: bool, was: str) -> None:
    """The money a dispute moved: taken when it opens, back when it is won, gone when lost.

    An inquiry (warning_*) takes no money; one that Stripe turns into a chargeback later
    (warning_needs_response, then needs_response) takes it then, so that move counts as the
    opening too (the ledger posts a dispute's opening once, whichever call comes first)."""
    became_chargeback = payment.dispute_status in CHARGEBACK_STATUSES and (
        was not in CHARGEBACK_STATUSES
    )
    if opened or became_chargeback:
        movements.dispute_opened(payment)
    elif was not in DISPUTE_FINAL and payment.dispute_status not in DISPUTE_FINAL:
        return  # still open (needs_response, under_review...): nothing moved
    if payment.dispute_status in DISPUTE_KEPT and was not in DISPUTE_KEPT:
        movements.dispute_won(payment)
    elif payment.dispute_status == "lost" and was != "lost":
        movements.dispute_lost(payment)

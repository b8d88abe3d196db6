"""Reconciliation of refunds and disputes with Stripe's."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from payments import stripe_client, stripe_objects
from payments.alerts import alert_raise
from payments.apply.derivation import DISPUTE_FINAL
from payments.apply.disputes import payment_apply_dispute
from payments.apply.refunds import payment_apply_refunds
from payments.commands.refunds import payment_refund_settle_pending
from payments.models import Payment, PaymentAlert, Refund
from payments.reconciliation.summary import ReconcileSummary, run_item

logger = logging.getLogger(__name__)

LOOKBACK = dt.timedelta(days=3)


def settle_unanswered_refunds(now: dt.datetime, summary: ReconcileSummary) -> None:
    """Refunds still pending without a Stripe id RECONCILE_AFTER_MINUTES after our call got no
    answer: find them at Stripe by our metadata, or ask again with the same idempotency key
    (payments.commands.refunds.payment_refund_settle_pending; a dry run only looks)."""
    cutoff = now - dt.timedelta(minutes=settings.RECONCILE_AFTER_MINUTES)
    pending = Refund.objects.filter(
        status=Refund.Status.PENDING, stripe_refund_id__isnull=True, updated_at__lte=cutoff
    ).select_related("payment")
    for refund in pending.iterator():
        if summary.dry_run:
            summary.changes.append(f"refund {refund.pk}: would be looked up or asked again")
            continue
        run_item(summary, f"refund {refund.pk}", lambda r=refund: _settle(r, summary))


def _settle(refund: Refund, summary: ReconcileSummary) -> None:
    settled = payment_refund_settle_pending(refund)
    if settled.status != Refund.Status.PENDING:
        summary.refunds_settled += 1
        summary.changes.append(f"refund {refund.pk}: {settled.status}")


def check_refunds(now: dt.datetime, summary: ReconcileSummary) -> None:
    """Payments with a refund pending at Stripe (it has a Stripe id), or whose refunds changed
    in the last LOOKBACK: their refunds are compared with Stripe's. When our succeeded total
    differs from the charge's amount_refunded, Stripe's refunds are listed and applied (each
    one's status moves forward only); a difference that remains is an alert."""
    payments = (
        Payment.objects.filter(
            Q(refunds__status=Refund.Status.PENDING, refunds__stripe_refund_id__isnull=False)
            | Q(
                status__in=Payment.COLLECTED_STATUSES,
                refunds__updated_at__gte=now - LOOKBACK,
            )
        )
        .exclude(stripe_payment_intent_id__isnull=True)
        .distinct()
        .values_list("pk", flat=True)
    )
    for payment_id in payments:
        summary.refunds_checked += 1
        run_item(summary, f"payment {payment_id} refunds", lambda p=payment_id: _check(p, summary))


def _check(payment_id: int, summary: ReconcileSummary) -> None:
    payment = Payment.objects.get(pk=payment_id)
    intent = stripe_client.retrieve_payment_intent(payment.stripe_payment_intent_id)
    theirs = stripe_objects.amount_refunded(intent)
    pending = payment.refunds.filter(
        status=Refund.Status.PENDING, stripe_refund_id__isnull=False
    ).exists()
    if theirs == payment.refunds_succeeded() and not pending:
        return
    refunds = [r.to_dict() for r in stripe_client.list_refunds(payment_intent_id=intent.id)]
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        before = payment.refund_amount
        result = payment_apply_refunds(payment, refunds)
    if result.changed:
        summary.changes.append(f"payment {payment_id}: refunds {before} -> {payment.refund_amount}")
    ours = payment.refunds_succeeded()
    if theirs is not None and theirs != ours:
        alert_raise(
            key=f"refund_totals:payment:{payment_id}:{ours}:{theirs}",
            kind=PaymentAlert.Kind.REFUND_TOTALS,
            message=f"Payment {payment_id}: our succeeded refunds total {ours}, Stripe's "
            f"charge says {theirs} refunded (minor units of {payment.currency}).",
            payment=payment,
            stripe_id=intent.id,
        )


def check_disputes(summary: ReconcileSummary) -> None:
    """Disputes not closed yet: their status is read again from Stripe (a lost
    charge.dispute.closed would leave the payment disputed for ever)."""
    open_disputes = (
        Payment.objects.exclude(dispute_id="")
        .exclude(dispute_status__in=DISPUTE_FINAL)
        .values_list("pk", "dispute_id")
    )
    for payment_id, dispute_id in open_disputes:
        summary.disputes_checked += 1
        run_item(
            summary,
            f"dispute {dispute_id}",
            lambda p=payment_id, d=dispute_id: _check_dispute(p, d, summary),
        )


def _check_dispute(payment_id: int, dispute_id: str, summary: ReconcileSummary) -> None:
    dispute = stripe_client.retrieve_dispute(dispute_id).to_dict()
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        result = payment_apply_dispute(payment, dispute)
    if result.changed:
        summary.changes.append(
            f"payment {payment_id}: dispute {dispute_id} {payment.dispute_status}"
        )

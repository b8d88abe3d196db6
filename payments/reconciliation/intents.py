"""Reconciliation of payment attempts with their PaymentIntents at Stripe."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from payments import stripe_client
from payments.apply.intents import payment_apply_intent
from payments.apply.lookup import ApplyResult, our_id
from payments.commands.details import payment_fill_details, queue_fill_details_after_commit
from payments.commands.intents import payment_close
from payments.commands.refunds import payment_refund_in_full
from payments.models import Payment
from payments.reconciliation.summary import ReconcileSummary, run_item

logger = logging.getLogger(__name__)

# Look this far back for attempts, failures and cards to check (Stripe keeps events listable
# for 30 days; an attempt's fate is known within minutes).
LOOKBACK = dt.timedelta(days=3)
OPEN_STATUSES = (
    Payment.Status.PENDING,
    Payment.Status.REQUIRES_ACTION,
    Payment.Status.PROCESSING,
)


def resolve_attempts_without_intent(now: dt.datetime, summary: ReconcileSummary) -> None:
    """Attempts whose intent id we never stored (Stripe's answer was lost, or the attempt was
    superseded or its booking cancelled while it waited): find the intent by the payment id in
    its metadata and apply it, so a charge that went through is recorded (and refunded in full
    when unwanted). An open attempt Stripe has no intent for by now never reached it: closed.
    Attempts closed with Stripe's refusal (failure_message) are known and left alone.

    Stripe's search would find each intent by its metadata; the emulator has none, so one
    listing of the intents created since the oldest such attempt is filtered here.
    """
    cutoff = now - dt.timedelta(minutes=settings.RECONCILE_AFTER_MINUTES)
    unknown = {
        p.pk: p
        for p in Payment.objects.filter(
            stripe_payment_intent_id__isnull=True,
            failure_message="",
            created_at__gte=now - LOOKBACK,
        )
        .filter(Q(status=Payment.Status.CANCELED) | Q(updated_at__lte=cutoff))
        .exclude(status__in=Payment.COLLECTED_STATUSES)
    }
    if not unknown:
        return
    since = min(p.created_at for p in unknown.values()) - dt.timedelta(minutes=1)
    try:
        intents = stripe_client.list_payment_intents(created_gte=int(since.timestamp()))
    except stripe_client.StripeFailure as e:
        summary.errors.append(f"payments without an intent: {e.message}")
        return
    found: dict[int, dict] = {}
    for intent in (i.to_dict() for i in intents):
        payment_id = our_id((intent.get("metadata") or {}).get("payment_id"))
        if payment_id in unknown:
            found[payment_id] = intent
    for payment_id in unknown:
        summary.payments_checked += 1
        run_item(
            summary,
            f"payment {payment_id}",
            lambda p=payment_id: _adopt_intent(p, found.get(p), now=now, summary=summary),
        )


def _adopt_intent(payment_id: int, intent: dict | None, *, now, summary) -> None:
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if payment.stripe_payment_intent_id:
            return  # stored meanwhile (a webhook, the checkout's late answer)
        if intent is None:
            if payment.status != Payment.Status.CANCELED:
                payment_close(payment)
                summary.payments_updated += 1
                summary.changes.append(f"payment {payment_id}: no intent at Stripe, closed")
            return
        payment.stripe_payment_intent_id = intent["id"]
        payment.save(update_fields=["stripe_payment_intent_id", "updated_at"])
        before = payment.status
        _fetch_details_if_asked(payment_apply_intent(payment, intent, now=now))
    summary.payments_updated += 1
    summary.changes.append(
        f"payment {payment_id}: found its intent {intent['id']} ({intent.get('status')}), "
        f"{before} -> {payment.status}"
    )


def sync_open_payments(now: dt.datetime, summary: ReconcileSummary) -> None:
    """Payments still open RECONCILE_AFTER_MINUTES after their last change, and failed ones of
    the last LOOKBACK (a declined intent can be confirmed again and succeed): fetch the intent
    and apply it."""
    cutoff = now - dt.timedelta(minutes=settings.RECONCILE_AFTER_MINUTES)
    stale = (
        Payment.objects.filter(updated_at__lte=cutoff)
        .filter(
            Q(status__in=OPEN_STATUSES)
            | Q(status=Payment.Status.FAILED, updated_at__gte=now - LOOKBACK)
        )
        .exclude(stripe_payment_intent_id__isnull=True)
        .exclude(stripe_payment_intent_id="")
        .values_list("pk", "stripe_payment_intent_id")
    )
    for payment_id, intent_id in stale.iterator():
        summary.payments_checked += 1
        run_item(
            summary,
            f"payment {payment_id}",
            lambda p=payment_id, i=intent_id: _sync_one(p, i, now=now, summary=summary),
        )


def _sync_one(payment_id: int, intent_id: str, *, now, summary: ReconcileSummary) -> None:
    intent = stripe_client.retrieve_payment_intent(intent_id).to_dict()
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        before = payment.status
        result = payment_apply_intent(payment, intent, now=now)
        _fetch_details_if_asked(result)
    if result.changed:
        summary.payments_updated += 1
        summary.changes.append(f"payment {payment_id}: {before} -> {payment.status}")


def _fetch_details_if_asked(result: ApplyResult) -> None:
    # A success found here has no card yet: fetched after commit, as a webhook's would be. (A
    # late success's refund in full is left to refund_unwanted, the sweep's last step.)
    if result.fetch_details and result.payment is not None:
        queue_fill_details_after_commit(result.payment.pk)


def fill_missing_details(now: dt.datetime, summary: ReconcileSummary) -> None:
    """Payments paid in the last LOOKBACK whose card is still unknown RECONCILE_AFTER_MINUTES
    after they succeeded (the task of payments.commands.details was lost or gave up): fetch the
    card and record the receipt."""
    cutoff = now - dt.timedelta(minutes=settings.RECONCILE_AFTER_MINUTES)
    missing = (
        Payment.objects.filter(
            status__in=Payment.COLLECTED_STATUSES,
            succeeded_at__lte=cutoff,
            succeeded_at__gte=now - LOOKBACK,
        )
        .filter(Q(card_last4="") | Q(stripe_charge_id=""))
        .exclude(stripe_payment_intent_id__isnull=True)
        .exclude(stripe_payment_intent_id="")
        .values_list("pk", flat=True)
    )
    for payment_id in missing.iterator():
        run_item(
            summary,
            f"payment {payment_id} details",
            lambda p=payment_id: _fill_one(p, summary),
        )


def _fill_one(payment_id: int, summary: ReconcileSummary) -> None:
    if payment_fill_details(payment_id):
        summary.details_filled += 1
        summary.changes.append(f"payment {payment_id}: card details and receipt")


def refund_unwanted(summary: ReconcileSummary) -> None:
    """Payments whose money we no longer want (Payment.refund_in_full_reason) and that are not
    refunded in full yet: the refund after their success failed or never ran."""
    owed = Payment.objects.exclude(refund_in_full_reason="").filter(
        status__in=(Payment.Status.SUCCEEDED, Payment.Status.PARTIALLY_REFUNDED)
    )
    for payment_id in owed.values_list("pk", flat=True):
        if summary.dry_run:
            summary.changes.append(f"payment {payment_id}: would be refunded in full")
            continue
        run_item(
            summary,
            f"payment {payment_id} refund in full",
            lambda p=payment_id: _refund_one(p, summary),
        )


def _refund_one(payment_id: int, summary: ReconcileSummary) -> None:
    refund = payment_refund_in_full(payment_id)
    if refund is not None:
        summary.refunds_made += 1
        summary.changes.append(f"payment {payment_id}: refund {refund.pk} {refund.status}")

"""Catch up with Stripe when webhooks were lost, late or failed.

Three sweeps, each safe to run at any time and in parallel with webhooks (everything goes through
the same locked, idempotent sync functions):
1. payments still pending/requires_action/processing RECONCILE_AFTER_MINUTES after their last
   change: fetch the intent and apply it;
2. Stripe's recent /v1/events, fed through the webhook's own store-and-apply path (the event id
   dedups what was already delivered);
3. stored events whose handler failed: re-run, as Stripe's retries would;
4. payments paid in the last EVENTS_LOOKBACK whose card is still unknown
   RECONCILE_AFTER_MINUTES after they succeeded (the webhook applies the event's copy of the
   intent, which has no card; payments.tasks.payment_fill_details fetches it after commit, and
   this catches a task that was lost or gave up): fetch the card and record the receipt;
5. refunds still pending without a Stripe id RECONCILE_AFTER_MINUTES after our call to Stripe
   got no answer: find them at Stripe by our metadata, or ask again with the same idempotency
   key (payments.services.payment_refund_settle_pending).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from payments import stripe_client
from payments.models import Payment, Refund, WebhookEvent
from payments.services import (
    payment_close_unreached,
    payment_refund_in_full,
    payment_refund_settle_pending,
)
from payments.sync import our_id, payment_apply_intent, payment_fill_details
from payments.webhooks import Outcome, stripe_event_ingest, stripe_event_process

logger = logging.getLogger(__name__)

# With no stored event, look this far back (Stripe keeps events listable for 30 days).
EVENTS_LOOKBACK = dt.timedelta(days=3)
# Re-list a margin before the newest stored event: deliveries arrive out of order, so an older
# event may still be missing while a newer one was stored.
EVENTS_OVERLAP = dt.timedelta(hours=1)
RECONCILE_STATUSES = (
    Payment.Status.PENDING,
    Payment.Status.REQUIRES_ACTION,
    Payment.Status.PROCESSING,
)


@dataclass
class ReconcileSummary:
    payments_checked: int = 0
    payments_updated: int = 0
    events_listed: int = 0
    events_applied: int = 0
    events_retried: int = 0
    details_filled: int = 0
    refunds_settled: int = 0
    refunds_made: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        return (
            f"Checked {self.payments_checked} open payments ({self.payments_updated} updated); "
            f"listed {self.events_listed} Stripe events ({self.events_applied} newly applied); "
            f"retried {self.events_retried} failed events; filled the card of "
            f"{self.details_filled} paid payments; settled {self.refunds_settled} pending "
            f"refunds; {len(self.errors)} errors."
        )


def reconcile_payments(now: dt.datetime | None = None) -> ReconcileSummary:
    now = now or timezone.now()
    summary = ReconcileSummary()
    _resolve_attempts_without_intent(now, summary)
    _sync_open_payments(now, summary)
    just_failed = _apply_recent_events(now, summary)
    _retry_failed_events(summary, skip=just_failed)
    _fill_missing_details(now, summary)
    _settle_pending_refunds(now, summary)
    _refund_unwanted(summary)
    log = logger.warning if summary.errors else logger.info
    log("Reconciliation: %s", summary)
    return summary


def _sync_open_payments(now: dt.datetime, summary: ReconcileSummary) -> None:
    cutoff = now - dt.timedelta(minutes=settings.RECONCILE_AFTER_MINUTES)
    stale = (
        Payment.objects.filter(status__in=RECONCILE_STATUSES, updated_at__lte=cutoff)
        .exclude(stripe_payment_intent_id__isnull=True)
        .exclude(stripe_payment_intent_id="")
        .values_list("pk", "stripe_payment_intent_id")
    )
    for payment_id, intent_id in stale.iterator():
        summary.payments_checked += 1
        try:
            intent = stripe_client.retrieve_payment_intent(intent_id).to_dict()
        except stripe_client.StripeFailure as e:
            summary.errors.append(f"payment {payment_id}: {e.message}")
            continue
        with transaction.atomic():
            payment = Payment.objects.select_for_update().get(pk=payment_id)
            result = payment_apply_intent(payment, intent, now=now)
        summary.payments_updated += int(result.changed)


def _resolve_attempts_without_intent(now: dt.datetime, summary: ReconcileSummary) -> None:
    """Attempts whose intent id we never stored (Stripe's answer was lost, or the attempt was
    superseded or its booking cancelled while it waited): find the intent by the payment id in
    its metadata and apply it, so a charge that went through is recorded (and refunded in full
    when unwanted). An open attempt with no intent at Stripe by now never reached it: closed.
    Attempts closed with Stripe's refusal (failure_message) are known and left alone."""
    cutoff = now - dt.timedelta(minutes=settings.RECONCILE_AFTER_MINUTES)
    unknown = (
        Payment.objects.filter(
            stripe_payment_intent_id__isnull=True,
            failure_message="",
            created_at__gte=now - EVENTS_LOOKBACK,
        )
        .filter(Q(status=Payment.Status.CANCELED) | Q(updated_at__lte=cutoff))
        .exclude(status__in=Payment.COLLECTED_STATUSES)
    )
    rows = {p.pk: p for p in unknown}
    if not rows:
        return
    since = min(p.created_at for p in rows.values()) - dt.timedelta(minutes=1)
    try:
        intents = stripe_client.list_payment_intents(created_gte=int(since.timestamp()))
    except stripe_client.StripeFailure as e:
        summary.errors.append(f"payments without intent: {e.message}")
        return
    found: dict[int, dict] = {}
    for intent in (i.to_dict() for i in intents):
        payment_id = our_id((intent.get("metadata") or {}).get("payment_id"))
        if payment_id in rows:
            found[payment_id] = intent
    for payment_id in rows:
        summary.payments_checked += 1
        with transaction.atomic():
            payment = Payment.objects.select_for_update().get(pk=payment_id)
            if payment.stripe_payment_intent_id:
                continue  # stored meanwhile (a webhook, the checkout's late answer)
            intent = found.get(payment_id)
            if intent is None:
                if payment.status != Payment.Status.CANCELED:
                    payment_close_unreached(payment)
                    summary.payments_updated += 1
                continue
            payment.stripe_payment_intent_id = intent["id"]
            payment.save(update_fields=["stripe_payment_intent_id", "updated_at"])
            result = payment_apply_intent(payment, intent, now=now)
        summary.payments_updated += 1
        logger.warning(
            "Payment %s: found its intent %s at Stripe (%s)", payment_id, intent["id"], result.notes
        )


def _events_since(now: dt.datetime) -> int:
    newest = WebhookEvent.objects.order_by("-received_at", "-id").values_list("payload", flat=True)
    created = next((p.get("created") for p in newest[:1] if isinstance(p, dict)), None)
    floor = int((now - EVENTS_LOOKBACK).timestamp())
    if not isinstance(created, int):
        return floor
    return max(floor, created - int(EVENTS_OVERLAP.total_seconds()))


def _apply_recent_events(now: dt.datetime, summary: ReconcileSummary) -> set[int]:
    since = _events_since(now)
    events: list[dict] = []
    starting_after = None
    try:
        while True:
            page = stripe_client.list_events(created_gte=since, starting_after=starting_after)
            batch = [e.to_dict() for e in page.data]
            events.extend(batch)
            if not page.has_more or not batch:
                break
            starting_after = batch[-1]["id"]
    except stripe_client.StripeFailure as e:
        summary.errors.append(f"events: {e.message}")
    failed: set[int] = set()
    # Most listed events were delivered by webhook already: skip those in one query.
    applied = set(
        WebhookEvent.objects.filter(
            stripe_event_id__in=[e.get("id") for e in events], processed_at__isnull=False, error=""
        ).values_list("stripe_event_id", flat=True)
    )
    # Stripe lists newest first; apply oldest first, as they happened.
    for event in sorted(reversed(events), key=lambda e: e.get("created") or 0):
        if not event.get("id") or not event.get("type"):
            continue
        summary.events_listed += 1
        if event["id"] in applied:
            continue
        row, outcome = stripe_event_ingest(event)
        if outcome is Outcome.APPLIED:
            summary.events_applied += 1
        elif outcome is Outcome.FAILED:
            failed.add(row.pk)
            summary.errors.append(f"event {row.stripe_event_id}: {row.type} failed")
    return failed


def _retry_failed_events(summary: ReconcileSummary, *, skip: set[int]) -> None:
    rows = WebhookEvent.objects.exclude(error="").exclude(pk__in=skip)
    for row in rows.order_by("received_at", "id"):
        summary.events_retried += 1
        if stripe_event_process(row) is Outcome.FAILED:
            summary.errors.append(f"event {row.stripe_event_id}: {row.type} failed again")


def _fill_missing_details(now: dt.datetime, summary: ReconcileSummary) -> None:
    cutoff = now - dt.timedelta(minutes=settings.RECONCILE_AFTER_MINUTES)
    missing = (
        Payment.objects.filter(
            status__in=Payment.COLLECTED_STATUSES,
            succeeded_at__lte=cutoff,
            succeeded_at__gte=now - EVENTS_LOOKBACK,
        )
        .filter(Q(card_last4="") | Q(stripe_charge_id=""))
        .exclude(stripe_payment_intent_id__isnull=True)
        .exclude(stripe_payment_intent_id="")
        .values_list("pk", flat=True)
    )
    for payment_id in missing.iterator():
        try:
            summary.details_filled += int(payment_fill_details(payment_id))
        except stripe_client.StripeFailure as e:
            summary.errors.append(f"payment {payment_id} details: {e.message}")


def _settle_pending_refunds(now: dt.datetime, summary: ReconcileSummary) -> None:
    cutoff = now - dt.timedelta(minutes=settings.RECONCILE_AFTER_MINUTES)
    pending = Refund.objects.filter(
        status=Refund.Status.PENDING, stripe_refund_id__isnull=True, updated_at__lte=cutoff
    ).select_related("payment")
    for refund in pending.iterator():
        try:
            settled = payment_refund_settle_pending(refund)
        except stripe_client.StripeFailure as e:
            summary.errors.append(f"refund {refund.pk}: {e.message}")
            continue
        summary.refunds_settled += int(settled.status != Refund.Status.PENDING)


def _refund_unwanted(summary: ReconcileSummary) -> None:
    """Payments whose money we no longer want and that are not refunded in full yet: a late
    success recorded by any path (webhook, event list, the open-payment sweep above), whose
    refund after commit failed or never ran."""
    owed = Payment.objects.exclude(refund_in_full_reason="").filter(
        status__in=(Payment.Status.SUCCEEDED, Payment.Status.PARTIALLY_REFUNDED)
    )
    for payment_id in owed.values_list("pk", flat=True):
        try:
            refund = payment_refund_in_full(payment_id)
        except Exception as e:
            # Stripe failed (the refund service logged it) or refused: tried again next run.
            summary.errors.append(f"payment {payment_id} refund in full: {e}")
            continue
        summary.refunds_made += int(refund is not None)

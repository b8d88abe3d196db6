"""Stripe's events in: verify, store, dispatch. One path for every event, however it arrives.

A webhook delivery (payments.webhooks), an event reconciliation listed from Stripe, a stored
event whose handler failed (retried) or one an operator replays: each goes through
stripe_event_apply, which in ONE transaction stores the event (its id is unique, so a copy is
stored once), claims it and applies it through its handler (payments.event_handlers). A copy
arriving at the same moment waits for the first to commit and then finds nothing left to do.
A handler that fails rolls all of it back; the event is then stored with its error (Stripe's
retry, reconciliation and the replay command run it again). After commit, what the handler asked
for runs: the card of a new success is fetched, a success we do not want is refunded in full.
"""

from __future__ import annotations

import enum
import json
import logging

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from payments import stripe_client
from payments.apply.lookup import ApplyResult
from payments.commands.details import queue_fill_details_after_commit
from payments.commands.refunds import payment_refund_in_full
from payments.event_handlers import EVENT_HANDLERS
from payments.models import WebhookEvent

logger = logging.getLogger(__name__)


class Outcome(enum.StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    FAILED = "failed"
    # Failed because Stripe could not be asked (the handler's fetch): retried, nobody's bug.
    STRIPE_UNAVAILABLE = "stripe_unavailable"


def stripe_event_verify(payload: bytes, sig_header: str, *, secret: str | None = None) -> dict:
    """The event in a delivery whose signature checks out with `secret` (default: the platform
    endpoint's); InvalidWebhook for anything else."""
    try:
        stripe_client.construct_event(payload, sig_header, secret)
    except (AttributeError, TypeError) as e:
        # The SDK checks the signature, then chokes on signed JSON that is not an object.
        raise stripe_client.InvalidWebhook("Invalid webhook payload.") from e
    event = json.loads(payload)
    if not isinstance(event, dict):
        raise stripe_client.InvalidWebhook("Invalid webhook payload.")
    data = event.get("data")
    if not (
        isinstance(event.get("id"), str)
        and 0 < len(event["id"]) <= 255
        and isinstance(event.get("type"), str)
        and 0 < len(event["type"]) <= 100
        and isinstance(data, dict)
        and isinstance(data.get("object"), dict)
    ):
        raise stripe_client.InvalidWebhook("Invalid webhook payload.")
    return event


def stripe_event_apply(event: dict, *, force: bool = False) -> tuple[WebhookEvent, Outcome]:
    """Store, claim and apply one event unless it was applied already (`force`: apply it again,
    for the replay command; handlers are idempotent, so that is safe)."""
    handler = EVENT_HANDLERS.get(event["type"])
    obj = event["data"]["object"]
    if handler and handler.fetch and not force:
        # A copy of an event applied already asks Stripe nothing (the claim below would find it
        # applied too, but only after the fetch).
        applied = WebhookEvent.objects.filter(
            stripe_event_id=event["id"], processed_at__isnull=False, error=""
        ).first()
        if applied is not None:
            return applied, Outcome.DUPLICATE
    try:
        # Outside the transaction: Stripe is never called while we hold row locks.
        fresh = handler.fetch(obj) if handler and handler.fetch else None
        with transaction.atomic():
            row = _store_and_claim(event, force=force)
            if row is None:
                return WebhookEvent.objects.get(stripe_event_id=event["id"]), Outcome.DUPLICATE
            if handler is None:
                result = ApplyResult()
            else:
                result = handler.apply(event if handler.whole_event else obj, fresh)
    except Exception as exc:
        return _record_failure(event, exc, force=force)
    _after_commit(result)
    return row, Outcome.APPLIED


def stripe_event_process(row: WebhookEvent, *, force: bool = False) -> Outcome:
    """A stored event applied (a retry, or a replay with `force`): the same path as a new one."""
    return stripe_event_apply(row.payload, force=force)[1]


def _store_and_claim(event: dict, *, force: bool) -> WebhookEvent | None:
    """Inside the applying transaction: the event's row, inserted already claimed when it is new,
    else claimed with a conditional UPDATE; None when it was applied already (a copy, a replay)."""
    now = timezone.now()
    try:
        # A savepoint: the insert of a copy fails without ending our transaction. On PostgreSQL
        # it waits for the transaction that inserted the first copy, then fails.
        with transaction.atomic():
            return WebhookEvent.objects.create(**_columns(event), processed_at=now, attempts=1)
    except IntegrityError:
        pass  # stored already: a copy, or an earlier delivery whose handler failed
    claim = WebhookEvent.objects.filter(stripe_event_id=event["id"])
    if not force:
        claim = claim.filter(Q(processed_at__isnull=True) | ~Q(error=""))
    # A copy being applied right now holds this row until it commits; then the WHERE no longer
    # matches and nothing is applied twice.
    if not claim.update(processed_at=now, attempts=F("attempts") + 1, error=""):
        return None
    return WebhookEvent.objects.get(stripe_event_id=event["id"])


def _columns(event: dict) -> dict:
    return {
        "stripe_event_id": event["id"],
        "type": event["type"],
        "api_version": (event.get("api_version") or "")[:32],
        "livemode": bool(event.get("livemode")),
        "payload": event,
    }


def _record_failure(event: dict, exc: Exception, *, force: bool) -> tuple[WebhookEvent, Outcome]:
    """Store the event with its error, in its own transaction (the handler's was rolled back)."""
    row, _created = WebhookEvent.objects.get_or_create(
        stripe_event_id=event["id"], defaults=_columns(event)
    )
    if row.processed_at and not row.error and not force:
        # A copy stored and applied it while ours was failing: nothing is missing.
        return row, Outcome.DUPLICATE
    logger.exception("Stripe event %s (%s) failed", row.stripe_event_id, row.type)
    text = f"{type(exc).__name__}: {exc}"[:2000] or type(exc).__name__
    WebhookEvent.objects.filter(pk=row.pk).update(error=text, attempts=F("attempts") + 1)
    row.refresh_from_db()
    if isinstance(exc, stripe_client.StripeFailure):
        return row, Outcome.STRIPE_UNAVAILABLE
    return row, Outcome.FAILED


def _after_commit(result: ApplyResult) -> None:
    """What the handler asked for once its transaction committed (on_commit: never under our
    row locks, nor in a reconciliation dry run, whose transaction is rolled back)."""
    if result.payment is None:
        return
    payment_id = result.payment.pk
    if result.fetch_details:
        queue_fill_details_after_commit(payment_id)
    if result.refund_in_full:
        # The success is recorded with its reason, so a refund that fails now is not the event's
        # failure (never a 500; robust: logged): reconcile_payments refunds what is still owed.
        transaction.on_commit(lambda: payment_refund_in_full(payment_id), robust=True)

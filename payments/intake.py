"""Stripe webhook intake: verify, store, apply once.

Every verified delivery is stored in WebhookEvent, so nothing Stripe told us is lost; the event id
is unique, so a copy is stored once. A new event whose handler needs nothing from Stripe first
(every type but charge.refunded) is inserted and applied in one transaction; a handler error
rolls that back and stores the event with its error instead. Otherwise the event is stored
first and applying is claimed with a conditional UPDATE inside the handler's transaction. Either
way a copy arriving at the same moment waits for the first and then finds nothing left to do.
Reconciliation feeds events it lists from Stripe through the same `stripe_event_ingest`.
"""

from __future__ import annotations

import enum
import json
import logging

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from payments import stripe_client
from payments.event_handlers import EVENT_HANDLERS
from payments.models import WebhookEvent
from payments.services import payment_refund_in_full
from payments.sync import SyncResult

logger = logging.getLogger(__name__)


class Outcome(enum.StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"
    FAILED = "failed"
    # Failed because Stripe could not be asked (the handler's fetch): retried, nobody's bug.
    STRIPE_UNAVAILABLE = "stripe_unavailable"


def stripe_event_verify(payload: bytes, sig_header: str) -> dict:
    """The event in a delivery whose signature checks out; InvalidWebhook for anything else."""
    try:
        stripe_client.construct_event(payload, sig_header)
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


def stripe_event_store(event: dict) -> tuple[WebhookEvent, bool]:
    """(row, created): the stored event, created once however many copies arrive at once."""
    try:
        with transaction.atomic():
            row = WebhookEvent.objects.create(
                stripe_event_id=event["id"],
                type=event["type"],
                api_version=(event.get("api_version") or "")[:32],
                livemode=bool(event.get("livemode")),
                payload=event,
            )
            return row, True
    except IntegrityError:
        # A copy inserted it first (on PostgreSQL our INSERT waited for its commit).
        return WebhookEvent.objects.get(stripe_event_id=event["id"]), False


def stripe_event_process(row: WebhookEvent, *, force: bool = False) -> Outcome:
    """Apply a stored event unless it was already applied (or `force`, for the replay command).

    An event whose handler failed keeps its error and is claimable again: Stripe's retry, the
    replay command or reconciliation re-runs it. Handlers are idempotent, so `force` is safe.
    """
    if row.processed_at and not row.error and not force:
        return Outcome.DUPLICATE
    handler = EVENT_HANDLERS.get(row.type)
    obj = row.payload["data"]["object"]
    try:
        fresh = handler.fetch(obj) if handler and handler.fetch else None
        with transaction.atomic():
            claim = WebhookEvent.objects.filter(pk=row.pk)
            if not force:
                claim = claim.filter(Q(processed_at__isnull=True) | ~Q(error=""))
            # The claim: a copy being applied right now holds this row until it commits; then
            # the WHERE no longer matches and we return DUPLICATE without applying anything.
            if not claim.update(processed_at=timezone.now(), attempts=F("attempts") + 1, error=""):
                return Outcome.DUPLICATE
            result = handler.apply(obj, fresh) if handler else SyncResult()
    except Exception as exc:
        _record_error(row, exc, count_attempt=True)
        return _failure(exc)
    return _after_commit(row, result)


def _failure(exc: Exception) -> Outcome:
    if isinstance(exc, stripe_client.StripeFailure):
        return Outcome.STRIPE_UNAVAILABLE
    return Outcome.FAILED


def _after_commit(row: WebhookEvent, result: SyncResult) -> Outcome:
    if result.refund_in_full and result.payment is not None:
        # On commit: Stripe is never called under our row locks (nor by a reconciliation dry
        # run, whose transaction is rolled back). The success is recorded with its reason, so a
        # refund that fails now is not the event's failure (never a 500; robust: logged):
        # reconcile_payments refunds what is still owed.
        payment_id = result.payment.pk
        transaction.on_commit(lambda: payment_refund_in_full(payment_id), robust=True)
    return Outcome.APPLIED


class _AlreadyStored(Exception):
    """The event id is stored already (a copy, or an earlier failed delivery)."""


def _store_and_apply(event: dict, handler) -> tuple[WebhookEvent, Outcome]:
    """A new event stored and applied in ONE transaction (one commit instead of two).

    Nothing is lost by not committing the row first: if applying fails, the transaction (row
    included) rolls back and the event is then stored with its error in its own transaction
    (500, Stripe retries, the replay command and reconciliation see it); if the process dies
    mid-way, Stripe got no 2xx and delivers it again. A copy arriving at the same moment blocks
    on the unique event id until this commits, then takes the duplicate path.
    """
    obj = event["data"]["object"]
    try:
        with transaction.atomic():
            try:
                row = WebhookEvent.objects.create(
                    stripe_event_id=event["id"],
                    type=event["type"],
                    api_version=(event.get("api_version") or "")[:32],
                    livemode=bool(event.get("livemode")),
                    payload=event,
                    processed_at=timezone.now(),
                    attempts=1,
                )
            except IntegrityError as e:
                raise _AlreadyStored from e  # leaves the atomic block: rolled back
            result = handler.apply(obj, None) if handler else SyncResult()
    except _AlreadyStored:
        row = WebhookEvent.objects.get(stripe_event_id=event["id"])
        return row, stripe_event_process(row)
    except Exception as exc:
        row, _created = stripe_event_store(event)
        if row.processed_at and not row.error:
            # A copy stored and applied it while ours was failing: nothing is missing.
            return row, Outcome.DUPLICATE
        _record_error(row, exc, count_attempt=True)
        return row, _failure(exc)
    return row, _after_commit(row, result)


def _record_error(row: WebhookEvent, exc: Exception, *, count_attempt: bool) -> None:
    logger.exception("Stripe event %s (%s) failed", row.stripe_event_id, row.type)
    text = f"{type(exc).__name__}: {exc}"[:2000] or type(exc).__name__
    update = {"error": text}
    if count_attempt:
        update["attempts"] = F("attempts") + 1
    WebhookEvent.objects.filter(pk=row.pk).update(**update)


def stripe_event_ingest(event: dict) -> tuple[WebhookEvent, Outcome]:
    """Store then apply one event (from a webhook or from Stripe's /v1/events)."""
    handler = EVENT_HANDLERS.get(event["type"])
    if handler is None or handler.fetch is None:
        # Nothing to ask Stripe first: store and apply at once (see _store_and_apply).
        return _store_and_apply(event, handler)
    row, created = stripe_event_store(event)
    outcome = stripe_event_process(row)
    if not created and outcome is Outcome.DUPLICATE:
        logger.info("Stripe event %s (%s) already applied", row.stripe_event_id, row.type)
    return row, outcome


class StripeWebhookView(APIView):
    """POST /api/v1/payments/webhook/: Stripe's deliveries. No user, no CSRF token: the
    signature is the authentication (DRF's as_view is already csrf_exempt)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    @classmethod
    def as_view(cls, **initkwargs):
        # The error row must survive the handler's rollback even if ATOMIC_REQUESTS is turned on.
        return transaction.non_atomic_requests(super().as_view(**initkwargs))

    @extend_schema(request=OpenApiTypes.OBJECT, responses={200: OpenApiTypes.OBJECT})
    def post(self, request):
        try:
            event = stripe_event_verify(request.body, request.headers.get("Stripe-Signature", ""))
        except stripe_client.InvalidWebhook as e:
            return Response({"error": str(e)}, status=400)
        row, outcome = stripe_event_ingest(event)
        if outcome in (Outcome.FAILED, Outcome.STRIPE_UNAVAILABLE):
            # The one deliberate 500: Stripe retries until we answer 2xx. The details stay on
            # the stored row (admin, replay command), never in the response.
            return Response(
                {"error": f"Event {row.stripe_event_id} could not be applied; it will be retried."},
                status=500,
            )
        return Response({"received": True, "duplicate": outcome is Outcome.DUPLICATE})

"""Reconciliation of Stripe's events: list what webhooks may have missed, retry what failed."""

from __future__ import annotations

import datetime as dt
import logging

from payments import stripe_client
from payments.intake import Outcome, stripe_event_apply, stripe_event_process
from payments.models import StripeEventCursor, WebhookEvent
from payments.reconciliation.summary import ReconcileSummary, run_item

logger = logging.getLogger(__name__)

CURSOR = "events"
# With no cursor yet, list this far back; never further than Stripe keeps events (30 days).
FIRST_LOOKBACK = dt.timedelta(days=3)
RETENTION = dt.timedelta(days=30)
# Re-list this margin before the cursor: an event is visible in Stripe's list a moment after
# its `created` second, so one created just before the last listing may have been missed.
CURSOR_MARGIN = dt.timedelta(minutes=5)


def apply_new_events(now: dt.datetime, summary: ReconcileSummary) -> set[int]:
    """Stripe's events since the stored cursor, fed through the webhook's own store-and-apply
    path (the event id dedups what webhooks already delivered), oldest first. The cursor moves
    to the newest event listed once every listed event is stored; returns the ids of the rows
    whose handler failed just now (retry_failed_events leaves them for the next run)."""
    cursor = StripeEventCursor.objects.filter(name=CURSOR).first()
    floor = int((now - RETENTION).timestamp())
    if cursor is None:
        since = int((now - FIRST_LOOKBACK).timestamp())
    else:
        since = max(floor, cursor.created - int(CURSOR_MARGIN.total_seconds()))
    try:
        events = _list_events(since)
    except stripe_client.StripeFailure as e:
        summary.errors.append(f"events: {e.message}")
        return set()
    applied = set(
        WebhookEvent.objects.filter(
            stripe_event_id__in=[e["id"] for e in events], processed_at__isnull=False, error=""
        ).values_list("stripe_event_id", flat=True)
    )
    failed: set[int] = set()
    for event in events:
        summary.events_listed += 1
        if event["id"] not in applied:
            run_item(summary, f"event {event['id']}", lambda e=event: _ingest(e, summary, failed))
    stored = set(
        WebhookEvent.objects.filter(stripe_event_id__in=[e["id"] for e in events]).values_list(
            "stripe_event_id", flat=True
        )
    )
    # Up to the oldest event that could not be stored (it is listed again next time), else the
    # newest listed. Stripe's own `created` times, never our clock.
    missing = [e["created"] for e in events if e["id"] not in stored]
    position = min(missing) if missing else max((e["created"] for e in events), default=None)
    if position is not None and (cursor is None or position > cursor.created):
        StripeEventCursor.objects.update_or_create(name=CURSOR, defaults={"created": position})
    return failed


def _list_events(since: int) -> list[dict]:
    """Every event created at or after `since`, oldest first (Stripe lists newest first)."""
    events: list[dict] = []
    starting_after = None
    while True:
        page = stripe_client.list_events(created_gte=since, starting_after=starting_after)
        batch = [e.to_dict() for e in page.data]
        events.extend(batch)
        if not page.has_more or not batch:
            break
        starting_after = batch[-1]["id"]
    usable = [
        e
        for e in events
        if isinstance(e.get("id"), str) and e.get("type") and isinstance(e.get("created"), int)
    ]
    return sorted(reversed(usable), key=lambda e: e["created"])


def _ingest(event: dict, summary: ReconcileSummary, failed: set[int]) -> None:
    row, outcome = stripe_event_apply(event)
    if outcome is Outcome.APPLIED:
        summary.events_applied += 1
        summary.changes.append(f"event {row.stripe_event_id} ({row.type}) applied")
    elif outcome is Outcome.STRIPE_UNAVAILABLE:
        failed.add(row.pk)
        summary.errors.append(f"event {row.stripe_event_id}: {row.type} waits for Stripe")
    elif outcome is Outcome.FAILED:
        failed.add(row.pk)
        row.refresh_from_db()
        summary.failures.append(f"event {row.stripe_event_id}: {row.type} failed: {row.error}")


def retry_failed_events(summary: ReconcileSummary, *, skip: set[int]) -> None:
    """Stored events whose handler failed: re-run, as Stripe's retries would."""
    rows = WebhookEvent.objects.exclude(error="").exclude(pk__in=skip)
    for row in rows.order_by("received_at", "id"):
        summary.events_retried += 1
        run_item(summary, f"event {row.stripe_event_id}", lambda r=row: _retry(r, summary))


def _retry(row: WebhookEvent, summary: ReconcileSummary) -> None:
    outcome = stripe_event_process(row)
    if outcome is Outcome.STRIPE_UNAVAILABLE:
        summary.errors.append(f"event {row.stripe_event_id}: {row.type} waits for Stripe")
    elif outcome is Outcome.FAILED:
        row.refresh_from_db()
        summary.failures.append(f"event {row.stripe_event_id}: {row.type} failed: {row.error}")
    else:
        summary.changes.append(f"event {row.stripe_event_id} ({row.type}) applied on retry")

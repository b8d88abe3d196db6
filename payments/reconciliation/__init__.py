"""Catch up with Stripe when webhooks were lost, late or failed: reconcile_payments().

Sweeps, each safe to run at any time and in parallel with webhooks (everything goes through the
same locked, idempotent apply layer); each item is its own transactions and its own error,
so one bad row never stops a sweep:
1. attempts without an intent id: found at Stripe by our metadata (intents.py);
2. payments still open, or failed lately: their intent fetched and applied (intents.py);
3. Stripe's events since a stored cursor, through the webhook's own path (events.py);
4. stored events whose handler failed: re-run (events.py);
5. paid payments whose card is still unknown: fetched, receipt recorded (intents.py);
6. refunds whose Stripe call got no answer: found by our metadata or asked again; refunds
   pending at Stripe, and refund totals against the charge's amount_refunded (refunds.py);
7. open disputes: their status read again (refunds.py);
8. payments whose money we no longer want: refunded in full (intents.py);
9. trainers' transfers: the waiting ones sent, then each session completed, refunded, disputed
   or paid out lately checked for exactly one transfer of the trainer's share, and no transfer
   where none is due (transfers.py; `everything`: every session ever);
10. the ledger verified against the rows and Stripe, last, after everything above was applied
    and posted (ledger.py); a difference needs a person.

A dry run does everything but the ledger's verification in one transaction that is rolled
back, without asking Stripe to create or refund anything, and lists what would change (it
holds the rows it reads until it ends: run it at a quiet moment).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from payments.models import PaymentAlert
from payments.reconciliation import events, intents, refunds, transfers
from payments.reconciliation.ledger import verify_the_ledger
from payments.reconciliation.summary import ReconcileSummary, run_item

__all__ = ["ReconcileSummary", "reconcile_payments"]

logger = logging.getLogger(__name__)


def reconcile_payments(
    now: dt.datetime | None = None, *, dry_run: bool = False, everything: bool = False
) -> ReconcileSummary:
    now = now or timezone.now()
    summary = ReconcileSummary(dry_run=dry_run)
    if dry_run:
        with transaction.atomic():
            _sweep(now, summary, everything=everything)
            transaction.set_rollback(True)
    else:
        _sweep(now, summary, everything=everything)
    summary.open_alerts = PaymentAlert.objects.filter(resolved_at__isnull=True).count()
    log = logger.warning if summary.needs_person or summary.errors else logger.info
    log("Reconciliation%s: %s", " (dry run)" if dry_run else "", summary)
    return summary


def _sweep(now: dt.datetime, summary: ReconcileSummary, *, everything: bool) -> None:
    intents.resolve_attempts_without_intent(now, summary)
    intents.sync_open_payments(now, summary)
    just_failed = events.apply_new_events(now, summary)
    events.retry_failed_events(summary, skip=just_failed)
    intents.fill_missing_details(now, summary)
    refunds.settle_unanswered_refunds(now, summary)
    refunds.check_refunds(now, summary)
    refunds.check_disputes(summary)
    intents.refund_unwanted(summary)
    transfers.send_waiting(summary)
    run_item(
        summary,
        "checking transfers",
        lambda: transfers.check_transfers(now, summary, everything=everything),
    )
    if not summary.dry_run:
        run_item(summary, "ledger verification", lambda: verify_the_ledger(now, summary))

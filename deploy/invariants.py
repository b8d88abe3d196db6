"""After a load run: wait for the work in flight to finish, catch up as beat would, then check
that nothing was lost or doubled. Runs in a process with the stack's settings:

    python -c "import django; django.setup(); from deploy.invariants import settle_and_check; ..."

Checks:
- no trainer has two active bookings that overlap;
- every PaymentIntent the emulator charged is recorded as collected, its booking paid (or
  refunded), and every payment we record as collected was charged at the emulator;
- every stored Stripe event is applied without error;
- every e-mail is sent, and exactly one message was written per e-mail;
- `verify_ledger --all` exits 0: every transaction balances, the ledger agrees with every
  payment and refund row, and with the emulator's charges and refunds of the run.
"""

from __future__ import annotations

import datetime as dt
import email
import io
import time
from collections import Counter
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from deploy.client import stripe
from notifications.delivery import notification_ids_stuck
from notifications.models import EmailNotification
from notifications.tasks import queue_send
from payments.models import Payment, WebhookEvent
from payments.reconciliation import reconcile_payments

COLLECTED = {"succeeded", "partially_refunded", "refunded"}
PAID = {"paid", "partially_refunded", "refunded"}


def _busy() -> dict:
    return {
        "emails_in_flight": EmailNotification.objects.filter(
            status__in=["queued", "sending"]
        ).count(),
        "events_unapplied": WebhookEvent.objects.filter(
            Q(processed_at__isnull=True) | ~Q(error="")
        ).count(),
    }


def wait_idle(timeout: float) -> dict:
    """Wait until no e-mail is queued or being sent and every event is applied."""
    deadline = time.monotonic() + timeout
    while True:
        busy = _busy()
        if not any(busy.values()) or time.monotonic() > deadline:
            return busy
        time.sleep(1)


def catch_up() -> dict:
    """What beat's schedule does within minutes, done now: reconcile every open payment with
    the emulator (lost webhooks, lost card-detail tasks) and queue again every e-mail whose task
    was lost (broker restarted, worker killed)."""
    settings.RECONCILE_AFTER_MINUTES = 0
    summary = reconcile_payments()
    # "Stuck" means older than the usual thresholds: ask as if an hour had passed.
    stuck = notification_ids_stuck(now=timezone.now() + dt.timedelta(hours=1))
    for notification_id in stuck:
        queue_send(notification_id)
    return {"reconciliation": summary.as_dict(), "emails_requeued": len(stuck)}


def _emulator_intents(stripe_url: str) -> dict[str, str]:
    intents, after = {}, None
    while True:
        query = "limit=100" + (f"&starting_after={after}" if after else "")
        page = stripe(stripe_url, "GET", f"/v1/payment_intents?{query}").body
        for intent in page["data"]:
            intents[intent["id"]] = intent["status"]
        if not page.get("has_more") or not page["data"]:
            return intents
        after = page["data"][-1]["id"]


def double_bookings() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM bookings_booking a JOIN bookings_booking b
              ON a.trainer_id = b.trainer_id AND a.id < b.id
             AND a.start_time < b.end_time AND b.start_time < a.end_time
             WHERE a.status IN ('pending', 'confirmed', 'completed')
               AND b.status IN ('pending', 'confirmed', 'completed')
            """
        )
        return cursor.fetchone()[0]


def check(stripe_url: str, mail_dir: str) -> dict:
    problems: dict[str, list] = {}
    charged = {pi for pi, status in _emulator_intents(stripe_url).items() if status == "succeeded"}
    payments = {
        p.stripe_payment_intent_id: (p.status, p.booking.payment_status)
        for p in Payment.objects.select_related("booking")
    }
    problems["charged_not_recorded"] = sorted(
        pi for pi in charged if payments.get(pi, ("", ""))[0] not in COLLECTED
    )
    problems["charged_booking_not_paid"] = sorted(
        pi for pi in charged if pi in payments and payments[pi][1] not in PAID
    )
    problems["recorded_not_charged"] = sorted(
        pi for pi, (status, _) in payments.items() if status in COLLECTED and pi not in charged
    )
    problems["events_not_applied"] = list(
        WebhookEvent.objects.filter(Q(processed_at__isnull=True) | ~Q(error="")).values_list(
            "stripe_event_id", flat=True
        )
    )
    problems["emails_not_sent"] = list(
        EmailNotification.objects.exclude(status="sent").values_list("key", flat=True)
    )
    written = Counter(
        email.message_from_bytes(path.read_bytes())["X-FitConnect-Notification"]
        for path in Path(mail_dir).glob("*.eml")
    )
    problems["emails_written_twice"] = sorted(k for k, n in written.items() if n > 1)
    sent_keys = set(EmailNotification.objects.filter(status="sent").values_list("key", flat=True))
    problems["emails_sent_not_written"] = sorted(sent_keys - set(written))
    overlapping = double_bookings()
    problems["double_bookings"] = [overlapping] if overlapping else []
    ledger = "not installed"
    if apps.is_installed("ledger"):
        report = io.StringIO()
        try:
            call_command("verify_ledger", "--all", stdout=report)
            ledger = "ok"
        except CommandError as error:
            ledger = f"failed (exit {error.returncode}): {error}"
        if ledger != "ok":
            problems["ledger"] = [ledger] + [
                line.strip() for line in report.getvalue().splitlines() if line.startswith("  - ")
            ]
    counts = {
        "bookings": dict(Counter(Payment.objects.values_list("booking__status", flat=True))),
        "payments": dict(Counter(Payment.objects.values_list("status", flat=True))),
        "charged_at_emulator": len(charged),
        "webhook_events": WebhookEvent.objects.count(),
        "emails_sent": len(sent_keys),
        "email_files": sum(written.values()),
        "ledger": ledger,
    }
    return {"ok": not any(problems.values()), "problems": problems, "counts": counts}


def settle_and_check(stripe_url: str, mail_dir: str, idle_timeout: float = 120) -> dict:
    before = wait_idle(idle_timeout)
    caught_up = catch_up()
    # Claims left by a killed worker are taken again once their lease ends.
    lease = settings.NOTIFICATION_SENDING_LEASE_SECONDS
    if EmailNotification.objects.filter(status="sending").exists():
        time.sleep(lease + 1)
        caught_up["emails_requeued"] += len(
            [
                queue_send(i)
                for i in notification_ids_stuck(now=timezone.now() + dt.timedelta(hours=1))
            ]
        )
    after = wait_idle(idle_timeout)
    return {"idle_before_catch_up": before, "catch_up": caught_up, "idle_after": after,
            **check(stripe_url, mail_dir)}  # fmt: skip

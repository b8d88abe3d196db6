import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from notifications.models import EmailNotification
from notifications.tasks import requeue_stuck_notifications

pytestmark = pytest.mark.django_db


def row(key, **fields):
    return EmailNotification.objects.create(
        key=key,
        kind="refund_succeeded",
        recipient=f"{key}@example.com",
        subject=key,
        context={"amount": "1.00 USD"},
        **fields,
    )


def age(notification, minutes):
    EmailNotification.objects.filter(pk=notification.pk).update(
        updated_at=timezone.now() - dt.timedelta(minutes=minutes)
    )


def test_it_sends_emails_whose_task_was_lost_and_leaves_the_rest():
    lost = row("lost")  # the broker was down when its event committed
    age(lost, 45)
    row(  # its worker died mid-send an hour ago
        "dead", status="sending", attempts=1, claimed_at=timezone.now() - dt.timedelta(hours=1)
    )
    backing_off = row("backoff", attempts=2)  # its retry is scheduled: not ours to send
    age(backing_off, 5)
    row("sending", status="sending", attempts=1, claimed_at=timezone.now())
    given_up = row("failed", status="failed", attempts=6)
    age(given_up, 600)

    assert requeue_stuck_notifications.delay().get() == 2

    assert sorted(m.subject for m in mail.outbox) == ["dead", "lost"]
    statuses = dict(EmailNotification.objects.values_list("key", "status"))
    assert statuses == {
        "lost": "sent",
        "dead": "sent",
        "backoff": "queued",
        "sending": "sending",
        "failed": "failed",
    }

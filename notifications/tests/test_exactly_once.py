import datetime as dt

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from notifications.delivery import notification_claim
from notifications.models import EmailNotification
from notifications.services import (
    notify_booking_cancelled,
    notify_payment_failed,
    notify_payment_succeeded,
    notify_refund_succeeded,
)
from notifications.tasks import send_email_notification
from notifications.tests.factories import PaidPaymentFactory, RefundFactory

pytestmark = pytest.mark.django_db


def succeeded():
    return notify_payment_succeeded, (PaidPaymentFactory(),), 2


def failed():
    payment = PaidPaymentFactory(status="failed", failure_message="Your card was declined.")
    return notify_payment_failed, (payment,), 1


def refunded():
    return notify_refund_succeeded, (RefundFactory(),), 1


def cancelled():
    refund = RefundFactory()
    booking = refund.payment.booking
    booking.status, booking.cancelled_by = "cancelled", booking.client
    booking.save()
    return notify_booking_cancelled, (booking, refund), 1


@pytest.mark.parametrize("event", [succeeded, failed, refunded, cancelled])
def test_it_sends_one_email_when_the_same_event_is_notified_twice(commit, event):
    notify, args, emails_per_event = event()

    commit(notify, *args)
    commit(notify, *args)  # a duplicate webhook, or the sync path after the webhook

    assert len(mail.outbox) == emails_per_event
    assert EmailNotification.objects.count() == emails_per_event
    assert set(EmailNotification.objects.values_list("status", flat=True)) == {"sent"}


def test_it_sends_nothing_when_the_task_runs_again_after_success(commit):
    notification = commit(notify_refund_succeeded, RefundFactory())

    assert send_email_notification.delay(notification.pk).get() == "skipped"
    assert send_email_notification.delay(notification.pk).get() == "skipped"

    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.attempts == 1


def test_it_sends_nothing_when_the_event_is_rolled_back(django_capture_on_commit_callbacks):
    refund = RefundFactory()

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify_refund_succeeded(refund)
        raise RuntimeError("the payments transaction failed after notifying")

    assert mail.outbox == []
    assert not EmailNotification.objects.exists()


def test_it_lets_only_one_task_claim_a_row():
    notification = EmailNotification.objects.create(
        key="k", kind="refund_succeeded", recipient="a@example.com", subject="s"
    )

    assert notification_claim(notification.pk) is not None
    assert notification_claim(notification.pk) is None


def test_it_lets_another_task_take_over_a_claim_a_dead_worker_left_behind():
    notification = EmailNotification.objects.create(
        key="k",
        kind="refund_succeeded",
        recipient="a@example.com",
        subject="s",
        status="sending",
        claimed_at=timezone.now() - dt.timedelta(minutes=11),
        attempts=1,
    )

    claimed = notification_claim(notification.pk)

    assert claimed is not None
    assert claimed.attempts == 2

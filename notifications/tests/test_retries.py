import smtplib

import pytest
from django.core import mail

from notifications.services import notify_refund_succeeded
from notifications.tests.backends import FlakyBackend
from notifications.tests.factories import RefundFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def flaky(settings):
    settings.EMAIL_BACKEND = "notifications.tests.backends.FlakyBackend"
    saved = FlakyBackend.failures, FlakyBackend.error
    yield FlakyBackend
    FlakyBackend.failures, FlakyBackend.error = saved


def test_it_retries_a_failed_send_and_delivers_once(commit, flaky):
    flaky.failures = 2

    notification = commit(notify_refund_succeeded, RefundFactory())

    notification.refresh_from_db()
    assert len(mail.outbox) == 1
    assert notification.status == "sent"
    assert notification.attempts == 3
    assert "SMTPServerDisconnected" in notification.last_error
    assert notification.sent_at is not None


def test_it_gives_up_after_the_last_retry_and_marks_the_email_failed(commit, flaky, settings):
    flaky.failures = 100
    flaky.error = smtplib.SMTPDataError(451, b"4.3.0 Mailbox temporarily unavailable")

    notification = commit(notify_refund_succeeded, RefundFactory())

    notification.refresh_from_db()
    assert mail.outbox == []
    assert notification.status == "failed"
    assert notification.attempts == settings.NOTIFICATION_MAX_RETRIES + 1
    assert "Mailbox temporarily unavailable" in notification.last_error


def test_it_fails_at_once_on_an_error_retrying_cannot_fix(commit, flaky):
    flaky.failures = 1
    flaky.error = ValueError("a bug, not the mail server")

    notification = commit(notify_refund_succeeded, RefundFactory())

    notification.refresh_from_db()
    assert mail.outbox == []
    assert notification.status == "failed"
    assert notification.attempts == 1
    assert "a bug, not the mail server" in notification.last_error

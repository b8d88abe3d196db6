import pytest
from django.core import mail
from django.test import Client

from notifications.models import EmailNotification
from notifications.services import notify_refund_succeeded
from notifications.tests.factories import RefundFactory

pytestmark = pytest.mark.django_db

URL = "/admin/notifications/emailnotification/"


@pytest.fixture
def admin_client(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


def gave_up(commit):
    notification = commit(notify_refund_succeeded, RefundFactory())
    EmailNotification.objects.filter(pk=notification.pk).update(
        status="failed", last_error="SMTPServerDisconnected: gone"
    )
    mail.outbox.clear()
    return notification


def test_it_lists_emails_with_their_status_and_error(admin_client, commit):
    notification = gave_up(commit)

    listing = admin_client.get(URL, {"status__exact": "failed"})
    detail = admin_client.get(f"{URL}{notification.pk}/change/")

    assert listing.status_code == 200
    assert notification.key in listing.content.decode()
    assert detail.status_code == 200
    assert "SMTPServerDisconnected: gone" in detail.content.decode()


def test_it_sends_a_failed_email_again_from_the_admin(
    admin_client, commit, django_capture_on_commit_callbacks
):
    notification = gave_up(commit)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            URL, {"action": "resend_failed", "_selected_action": [notification.pk]}
        )

    assert response.status_code == 302
    notification.refresh_from_db()
    assert notification.status == "sent"
    assert len(mail.outbox) == 1


def test_it_never_sends_a_sent_email_again(
    admin_client, commit, django_capture_on_commit_callbacks
):
    notification = commit(notify_refund_succeeded, RefundFactory())

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(URL, {"action": "resend_failed", "_selected_action": [notification.pk]})

    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == ("sent", 1)


def test_it_hides_the_emails_from_non_staff(client_user):
    client = Client()
    client.force_login(client_user)

    assert client.get(URL).status_code == 302  # to the admin login

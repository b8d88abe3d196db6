"""Through a real SMTP server (aiosmtpd) listening on a free local port, started by the test."""

import socket

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message

from notifications.models import EmailNotification
from notifications.services import notify_payment_succeeded
from notifications.tests.factories import PaidPaymentFactory

pytestmark = pytest.mark.django_db


class Inbox(Message):
    def __init__(self):
        super().__init__()
        self.messages = []

    def handle_message(self, message):
        self.messages.append(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()


def test_it_delivers_the_receipt_through_an_smtp_server(commit, smtp_server):
    payment = PaidPaymentFactory(card_last4="4242")

    commit(notify_payment_succeeded, payment)

    received = {m["To"]: m for m in smtp_server.messages}
    receipt = received[payment.booking.client.email]
    trainer_name = payment.booking.trainer.user.get_full_name()
    assert receipt["Subject"] == f"Receipt: 75.00 USD for your session with {trainer_name}"
    assert receipt["X-FitConnect-Notification"] == f"payment_succeeded:payment:{payment.pk}"
    parts = {part.get_content_type(): part for part in receipt.walk()}
    text, html, invite = (
        parts[kind].get_payload(decode=True).decode()
        for kind in ("text/plain", "text/html", "text/calendar")
    )
    assert "Visa ending 4242" in text
    assert "Visa ending 4242" in html
    assert parts["text/calendar"].get_param("method") == "REQUEST"
    assert f"UID:booking-{payment.booking_id}@" in invite
    assert payment.booking.trainer.user.email in received
    assert set(EmailNotification.objects.values_list("status", flat=True)) == {"sent"}

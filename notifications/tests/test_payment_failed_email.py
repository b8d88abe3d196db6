import pytest
from django.core import mail

from notifications.services import notify_payment_failed
from notifications.tests.factories import PaidPaymentFactory

pytestmark = pytest.mark.django_db


def declined_payment(**kwargs):
    return PaidPaymentFactory(
        status="failed",
        booking__status="pending",
        booking__payment_status="failed",
        failure_code="card_declined",
        failure_message="Your card has insufficient funds.",
        receipt_url="",
        **kwargs,
    )


def test_it_tells_the_client_why_and_links_to_retry_the_payment(commit, settings):
    settings.SITE_URL = "https://fitconnect.example.com/"
    payment = declined_payment()

    commit(notify_payment_failed, payment)

    [message] = mail.outbox
    assert message.to == [payment.booking.client.email]
    retry = f"https://fitconnect.example.com/sessions/{payment.booking_id}/pay/"
    for body in (message.body, message.alternatives[0].content):
        assert "Your card has insufficient funds." in body
        assert "75.00 USD" in body
        assert retry in body


def test_it_gives_a_generic_reason_when_stripe_gave_none(commit):
    payment = declined_payment()
    payment.failure_message = ""

    commit(notify_payment_failed, payment)

    assert "Your card issuer declined the payment." in mail.outbox[0].body


def test_it_emails_again_when_the_retried_payment_is_declined_for_another_reason(commit):
    payment = declined_payment()
    commit(notify_payment_failed, payment)

    payment.failure_code, payment.failure_message = "expired_card", "Your card has expired."
    commit(notify_payment_failed, payment)

    assert len(mail.outbox) == 2
    assert "Your card has expired." in mail.outbox[1].body

import pytest
from django.core import mail

from notifications.services import notify_refund_succeeded
from notifications.tests.factories import RefundFactory

pytestmark = pytest.mark.django_db


def test_it_tells_the_client_the_amount_and_when_to_expect_it(commit):
    refund = RefundFactory(amount=3750, payment__card_last4="4242", reason="Late cancellation")

    commit(notify_refund_succeeded, refund)

    [message] = mail.outbox
    assert message.to == [refund.payment.booking.client.email]
    assert "37.50 USD" in message.subject
    for body in (message.body, message.alternatives[0].content):
        assert "37.50 USD" in body
        assert "75.00 USD" in body  # what was paid, so a partial refund reads as partial
        assert "5 to 10 business days" in body
        assert "Visa ending 4242" in body


def test_it_sends_one_email_per_partial_refund(commit):
    first = RefundFactory(amount=2000)
    second = RefundFactory(payment=first.payment, amount=1500)

    commit(notify_refund_succeeded, first)
    commit(notify_refund_succeeded, second)

    assert [m.subject for m in mail.outbox] == [
        "Your refund of 20.00 USD is on its way",
        "Your refund of 15.00 USD is on its way",
    ]

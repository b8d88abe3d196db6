"""A card declined in the browser checkout sends the decline email, as one declined through the
API does (the README promises it). The checkout closes a declined attempt at once, so the
payment_failed webhook that sends it for the API found the payment canceled and sent nothing."""

import pytest
from django.core import mail

from core.errors import PaymentDeclined
from core.tests.factories import BookingFactory
from notifications.models import EmailNotification
from payments.commands.checkout import checkout_pay
from payments.models import Payment
from payments.tests.checkout_helpers import card_set_up_for

pytestmark = [pytest.mark.django_db, pytest.mark.stripe]


def test_a_browser_decline_sends_the_decline_email(
    localstripe, stripe_requests, django_capture_on_commit_callbacks
):
    booking = BookingFactory()
    stripe_requests.answer(card_set_up_for(booking, "pm_card_chargeCustomerFail"))

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PaymentDeclined):
        checkout_pay(booking_id=booking.pk, client=booking.client, setup_intent_id="seti_test1")

    payment = Payment.objects.get()
    assert payment.failure_code == "card_declined"
    [notification] = EmailNotification.objects.filter(kind="payment_failed")
    assert notification.status == "sent"
    [message] = mail.outbox
    assert message.to == [booking.client.email]
    assert "did not go through" in message.subject
    assert f"/sessions/{booking.pk}/pay/" in message.body

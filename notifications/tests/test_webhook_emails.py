"""Signed Stripe events posted to the webhook as Stripe delivers them: sometimes twice, sometimes
re-sent as a new event. Each thing that happened still produces one email."""

import pytest
import stripe
from django.conf import settings
from django.core import mail

from core.tests.factories import BookingFactory
from notifications.tests.factories import PaidPaymentFactory
from payments.models import Payment
from payments.tests import stripe_events as se

pytestmark = pytest.mark.django_db


@pytest.fixture
def deliver(api, django_capture_on_commit_callbacks):
    """deliver(event) -> response: POST it signed, then run what its transaction queued."""

    def post(evt):
        with django_capture_on_commit_callbacks(execute=True):
            response = se.post(api, evt)
        assert response.status_code == 200, response.content
        return response

    return post


def emails_to(address):
    return [m for m in mail.outbox if m.to == [address]]


@pytest.fixture
def paid_at_stripe(localstripe, start_payment):
    """A booking whose client started paying and whose card was charged at the emulator."""
    booking = BookingFactory()
    intent_id = start_payment(booking).json()["payment_intent_id"]
    localstripe.confirm(intent_id, "pm_card_visa")
    return booking, localstripe.sdk.v1.payment_intents.retrieve(intent_id).to_dict()


@pytest.mark.stripe
def test_it_sends_one_receipt_for_a_duplicate_payment_intent_succeeded(deliver, paid_at_stripe):
    booking, intent = paid_at_stripe
    evt = se.event("payment_intent.succeeded", intent)

    first, second = deliver(evt), deliver(evt)
    deliver(se.event("payment_intent.succeeded", intent))  # the same news as a new event

    assert (first.json()["duplicate"], second.json()["duplicate"]) == (False, True)
    [receipt] = emails_to(booking.client.email)
    assert receipt.subject.startswith("Receipt: 75.00 USD")
    assert "Visa ending 4242" in receipt.body
    assert len(emails_to(booking.trainer.user.email)) == 1
    assert len(mail.outbox) == 2


@pytest.mark.stripe
def test_it_sends_one_failure_email_for_a_duplicate_payment_failed(
    deliver, localstripe, start_payment
):
    booking = BookingFactory()
    intent_id = start_payment(booking).json()["payment_intent_id"]
    with pytest.raises(stripe.CardError):
        localstripe.confirm(intent_id, "pm_card_chargeCustomerFail")
    intent = localstripe.sdk.v1.payment_intents.retrieve(intent_id).to_dict()
    evt = se.event("payment_intent.payment_failed", intent)

    deliver(evt)
    deliver(evt)
    deliver(se.event("payment_intent.payment_failed", intent))

    [message] = mail.outbox
    assert message.to == [booking.client.email]
    assert Payment.objects.get(stripe_payment_intent_id=intent_id).failure_message in message.body
    assert f"{settings.SITE_URL}/sessions/{booking.pk}/pay/" in message.body


def test_it_sends_one_refund_email_for_a_dashboard_refund_delivered_twice(deliver):
    payment = PaidPaymentFactory(stripe_charge_id="ch_dashboard")
    refunds = [se.refund("re_dashboard", 2500)]
    evt = se.event("charge.refunded", se.charge(payment, refunds=refunds))

    deliver(evt)
    deliver(evt)
    deliver(se.event("charge.refunded", se.charge(payment, refunds=refunds)))

    [message] = mail.outbox
    assert message.to == [payment.booking.client.email]
    assert message.subject == "Your refund of 25.00 USD is on its way"

"""A payment_intent.succeeded whose amount, currency or mode disagrees with our row (an intent
changed at Stripe to 1 JPY, say) never marks the payment paid: it goes to requires_review with
the reason, is logged loudly and shown to admins, and the webhook still answers 200."""

import logging

import pytest

from core.tests.factories import BookingFactory
from payments.models import Payment, PaymentAlert
from payments.tests import stripe_events as se

pytestmark = [pytest.mark.django_db, pytest.mark.stripe]


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"amount": 1, "amount_received": 1, "currency": "jpy"}, "amount 1 instead of 7500"),
        ({"currency": "eur"}, "currency 'eur' instead of 'usd'"),
        ({"livemode": True}, "livemode True"),
    ],
)
def test_it_puts_the_payment_in_review_not_paid(
    api, localstripe, start_payment, caplog, changes, reason
):
    booking = BookingFactory()
    intent_id = start_payment(booking).json()["payment_intent_id"]
    localstripe.confirm(intent_id)
    intent = localstripe.sdk.v1.payment_intents.retrieve(intent_id).to_dict()

    with caplog.at_level(logging.ERROR, logger="payments"):
        response = se.post(api, se.event("payment_intent.succeeded", {**intent, **changes}))

    assert response.status_code == 200
    payment = Payment.objects.get()
    assert payment.status == "requires_review"
    assert reason in payment.review_reason
    booking.refresh_from_db()
    assert (booking.status, booking.payment_status) == ("pending", "pending")
    alert = PaymentAlert.objects.get()
    assert (alert.kind, alert.payment) == ("mismatch", payment)
    assert reason in caplog.text
    # A replayed copy changes nothing, and the client cannot start a second payment meanwhile.
    assert se.post(api, se.event("payment_intent.succeeded", intent)).status_code == 200
    assert Payment.objects.get().status == "requires_review"
    assert start_payment(booking).status_code == 409

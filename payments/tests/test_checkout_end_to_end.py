"""The issue's "done when": a client pays through our API, confirms at the emulator, and the
emulator's own signed webhook (delivered to a live server) marks the payment and booking paid."""

import time

import pytest
import stripe

from bookings.models import Booking
from core.tests.factories import BookingFactory
from payments.models import Payment, WebhookEvent

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.stripe]


def wait_for(predicate, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def webhook(localstripe, live_server):
    localstripe.register_webhook(live_server.url + "/api/v1/payments/webhook/")
    return localstripe


def test_it_marks_the_payment_succeeded_from_the_emulators_webhook(webhook, start_payment):
    booking = BookingFactory()  # 60 min at 75.00/h
    response = start_payment(booking)
    assert response.status_code == 200
    assert response.json()["amount"] == "75.00"
    intent_id = response.json()["payment_intent_id"]

    webhook.confirm(intent_id, "pm_card_visa")

    payment = Payment.objects.get(stripe_payment_intent_id=intent_id)
    # The card is fetched from Stripe just after the webhook commits the success.
    assert wait_for(lambda: Payment.objects.get(pk=payment.pk).card_last4 != "")
    payment.refresh_from_db()
    assert payment.status == "succeeded"
    assert (payment.amount, payment.platform_fee_amount, payment.trainer_payout_amount) == (
        7500,
        1125,
        6375,
    )
    assert (payment.payment_method_type, payment.card_brand, payment.card_last4) == (
        "card",
        "visa",
        "4242",
    )
    assert payment.stripe_charge_id.startswith("ch_")
    assert payment.succeeded_at is not None
    booking.refresh_from_db()
    assert (booking.status, booking.payment_status) == ("confirmed", "paid")
    assert booking.hold_expires_at is None
    # Filtered by intent: the emulator may still deliver an earlier test's event to this server.
    event = WebhookEvent.objects.get(
        type="payment_intent.succeeded", payload__data__object__id=intent_id
    )
    assert event.processed_at is not None
    assert event.error == ""


def test_it_records_a_decline_from_the_emulators_webhook(webhook, start_payment, caplog):
    booking = BookingFactory()
    intent_id = start_payment(booking).json()["payment_intent_id"]

    with pytest.raises(stripe.CardError):
        webhook.confirm(intent_id, "pm_card_chargeCustomerFail")

    assert wait_for(lambda: Payment.objects.get().status == "failed")
    payment = Payment.objects.get()
    assert payment.failure_code == "card_declined"
    assert payment.failure_message == "Your card was declined."
    assert Booking.objects.get(pk=booking.pk).payment_status == "failed"
    assert f"Payment failed: payment {payment.pk} booking {booking.pk}" in caplog.text

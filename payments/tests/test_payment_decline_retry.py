import pytest
import stripe

from bookings.models import Booking
from core.tests.factories import BookingFactory
from payments.models import Payment

pytestmark = [pytest.mark.django_db, pytest.mark.stripe]


def decline(localstripe, intent_id):
    with pytest.raises(stripe.CardError) as declined:
        localstripe.confirm(intent_id, "pm_card_chargeCustomerFail")
    assert declined.value.code == "card_declined"


def test_a_client_can_pay_with_another_card_after_a_decline(localstripe, start_payment):
    booking = BookingFactory()
    first = start_payment(booking).json()
    decline(localstripe, first["payment_intent_id"])

    retry = start_payment(booking)

    assert retry.status_code == 200
    second = retry.json()
    assert second["payment_intent_id"] != first["payment_intent_id"]
    assert second["amount"] == "75.00"
    assert localstripe.confirm(second["payment_intent_id"]).status == "succeeded"
    old = localstripe.sdk.v1.payment_intents.retrieve(first["payment_intent_id"])
    assert old.status == "canceled"  # the declined intent can never be charged later
    statuses = dict(Payment.objects.values_list("pk", "status"))
    assert statuses == {first["payment_id"]: "canceled", second["payment_id"]: "pending"}
    booking.refresh_from_db()
    assert booking.payment_status == Booking.PaymentStatus.PENDING


def test_it_retries_after_the_failure_webhook_marked_the_payment_failed(localstripe, start_payment):
    booking = BookingFactory()
    first = start_payment(booking).json()
    decline(localstripe, first["payment_intent_id"])
    # What the payment_intent.payment_failed handler does.
    payment = Payment.objects.get()
    payment.mark_failed(code="card_declined", message="Your card was declined.")
    payment.save()
    booking.refresh_from_db()
    booking.payment_status = "failed"
    booking.save()

    second = start_payment(booking).json()

    assert second["payment_id"] != first["payment_id"]
    payment.refresh_from_db()
    assert (payment.status, payment.failure_code) == ("canceled", "card_declined")
    booking.refresh_from_db()
    assert booking.payment_status == Booking.PaymentStatus.PENDING
    assert len(localstripe.intents()) == 2


def test_it_answers_409_when_stripe_already_took_the_money(localstripe, start_payment):
    booking = BookingFactory()
    first = start_payment(booking).json()
    localstripe.confirm(first["payment_intent_id"])  # the webhook has not arrived yet

    response = start_payment(booking)

    assert response.status_code == 409
    assert response.json() == {"error": "This booking is already paid."}
    assert Payment.objects.count() == 1
    assert len(localstripe.intents()) == 1

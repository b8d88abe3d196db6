"""Stripe failures become clear API errors (402 for a decline, 502 otherwise), never a 500,
and leave nothing half-done."""

import logging

import pytest

from bookings.models import Booking
from core.tests.factories import BookingFactory
from payments.models import Payment, Refund

pytestmark = [pytest.mark.django_db, pytest.mark.stripe]
NOWHERE = "http://127.0.0.1:9"  # nothing listens on the discard port


def test_a_decline_is_a_402_with_stripes_message(
    localstripe, stripe_requests, start_payment, caplog
):
    stripe_requests.answer(
        lambda r: (
            402,
            {
                "error": {
                    "type": "card_error",
                    "code": "card_declined",
                    "decline_code": "insufficient_funds",
                    "message": "Your card has insufficient funds.",
                }
            },
        )
    )
    booking = BookingFactory()
    with caplog.at_level(logging.WARNING, logger="payments.commands.stripe_errors"):
        response = start_payment(booking)
    assert response.status_code == 402
    assert response.json() == {"error": "Your card has insufficient funds."}
    assert "Card declined creating payment intent" in caplog.text
    assert not Payment.live().exists()
    kept = Payment.objects.get()  # the attempt stays on record, closed
    assert (kept.status, kept.failure_code) == ("canceled", "card_declined")
    booking.refresh_from_db()
    assert booking.payment_status == Booking.PaymentStatus.UNPAID


def test_stripe_down_is_a_502_and_the_client_can_try_again(
    localstripe, settings, start_payment, caplog
):
    booking = BookingFactory()
    settings.STRIPE_API_BASE = NOWHERE
    with caplog.at_level(logging.ERROR, logger="payments.commands.stripe_errors"):
        response = start_payment(booking)
    assert response.status_code == 502
    assert response.json() == {
        "error": "Payment processing error: could not reach Stripe to create the payment"
    }
    assert "Stripe error creating payment intent (payment" in caplog.text
    assert not Payment.live().exists()
    booking.refresh_from_db()
    assert booking.payment_status == Booking.PaymentStatus.UNPAID

    settings.STRIPE_API_BASE = localstripe.base
    assert start_payment(booking).status_code == 200


def test_a_stripe_error_answer_is_a_502(localstripe, stripe_requests, start_payment):
    stripe_requests.answer(
        lambda r: (500, {"error": {"type": "api_error", "message": "Something broke."}})
    )
    response = start_payment(BookingFactory())
    assert response.status_code == 502
    assert response.json() == {"error": "Payment processing error: Something broke."}


def test_a_refund_stripe_refuses_is_a_502_and_releases_the_reservation(
    paid_booking, as_user, stripe_requests
):
    booking, payment = paid_booking()
    api = as_user(booking.trainer.user)
    url = f"/api/v1/payments/{payment.pk}/refund/"
    refuse = {"error": {"type": "invalid_request_error", "message": "Charge is not refundable."}}
    stripe_requests.answer(lambda r: (400, refuse) if r.path == "/v1/refunds" else None)

    response = api.post(url, {"reason": "Ill"}, format="json")

    assert response.status_code == 502
    assert response.json()["error"] == "Payment processing error: Charge is not refundable."
    failed = Refund.objects.get()
    assert failed.status == Refund.Status.FAILED
    payment.refresh_from_db()
    assert (payment.status, payment.refund_amount) == (Payment.Status.SUCCEEDED, 0)

    stripe_requests.answer(None)
    again = api.post(url, {"reason": "Ill"}, format="json")
    assert again.status_code == 200
    assert again.json()["amount"] == "75.00"

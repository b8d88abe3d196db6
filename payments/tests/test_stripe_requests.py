"""What our code sends to Stripe: idempotency keys from our rows, metadata, the pinned version."""

import pytest

from core.tests.factories import BookingFactory
from payments import stripe_client
from payments.models import Payment, Refund

pytestmark = [pytest.mark.django_db, pytest.mark.stripe]


def test_every_write_carries_a_key_from_our_row(
    localstripe, stripe_requests, as_user, start_payment
):
    booking = BookingFactory()
    body = start_payment(booking).json()
    payment = Payment.objects.get()
    [create] = stripe_requests.to("/v1/payment_intents")
    assert create.method == "POST"
    assert create.headers["Idempotency-Key"] == f"payment:{payment.pk}:intent"
    assert create.headers["Stripe-Version"] == stripe_client.STRIPE_API_VERSION
    assert create.params["amount"] == "7500"
    assert create.params["currency"] == "usd"
    assert create.params["metadata[booking_id]"] == str(booking.pk)
    assert create.params["metadata[payment_id]"] == str(payment.pk)
    assert create.params["allowed_payment_method_types[0]"] == "card"

    localstripe.confirm(body["payment_intent_id"])
    payment.mark_succeeded()
    payment.save()
    as_user(booking.trainer.user).post(
        f"/api/v1/payments/{payment.pk}/refund/", {"amount": "5.00", "reason": "x"}, format="json"
    )
    refund = Refund.objects.get()
    [refund_request] = stripe_requests.to("/v1/refunds")
    assert refund_request.headers["Idempotency-Key"] == f"refund:{refund.pk}"
    assert refund_request.params == {
        "payment_intent": body["payment_intent_id"],
        "amount": "500",
        "metadata[refund_id]": str(refund.pk),
        "metadata[payment_id]": str(payment.pk),
    }


def test_cancelling_an_unpaid_booking_cancels_with_a_key(
    localstripe, stripe_requests, as_user, start_payment
):
    booking = BookingFactory()
    start_payment(booking)
    as_user(booking.client).post(f"/api/v1/bookings/{booking.pk}/cancel/", {}, format="json")
    payment = Payment.objects.get()
    [cancel] = [r for r in stripe_requests.requests if r.path.endswith("/cancel")]
    assert cancel.path == f"/v1/payment_intents/{payment.stripe_payment_intent_id}/cancel"
    assert cancel.headers["Idempotency-Key"] == f"payment:{payment.pk}:cancel"


def test_real_stripe_gets_the_pinned_versions_parameter(settings, stripe_requests, start_payment):
    """Without STRIPE_API_BASE we talk to api.stripe.com: the recorder answers for it."""
    settings.STRIPE_API_BASE = ""
    settings.STRIPE_SECRET_KEY = "sk_test_real_shape"
    stripe_requests.answer(
        lambda r: (
            200,
            {
                "id": "pi_real",
                "object": "payment_intent",
                "client_secret": "pi_real_secret_x",
                "amount": 7500,
                "currency": "usd",
                "status": "requires_payment_method",
            },
        )
    )
    response = start_payment(BookingFactory())
    assert response.json()["payment_intent_id"] == "pi_real"
    [create] = stripe_requests.requests
    assert create.url.startswith("https://api.stripe.com/v1/payment_intents")
    assert create.params["allowed_payment_method_types[0]"] == "card"
    assert "payment_method_types[0]" not in create.params

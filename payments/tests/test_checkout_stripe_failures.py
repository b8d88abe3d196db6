"""The browser checkout when Stripe fails to charge: a refusal frees the booking for another try
at once; no answer keeps the attempt (it may still charge the card) and says so."""

import pytest

from core.errors import Conflict, PaymentServiceError
from core.tests.factories import BookingFactory
from payments.models import Payment
from payments.tests.checkout_helpers import card_set_up_for, pay

pytestmark = [pytest.mark.django_db, pytest.mark.stripe]


def failing_charge(booking, status, body):
    card = card_set_up_for(booking)

    def answer(request):
        if request.method == "POST" and request.path == "/v1/payment_intents":
            return status, body
        return card(request)

    return answer


def test_a_refused_charge_frees_the_booking_for_another_try(localstripe, stripe_requests):
    booking = BookingFactory()
    refusal = {"error": {"type": "invalid_request_error", "message": "No such payment method."}}
    stripe_requests.answer(failing_charge(booking, 400, refusal))

    with pytest.raises(PaymentServiceError, match="No such payment method"):
        pay(booking)
    assert not Payment.objects.exclude(status=Payment.Status.CANCELED).exists()

    stripe_requests.answer(card_set_up_for(booking))
    attempt = pay(booking)
    assert attempt.status == "succeeded"
    assert Payment.objects.get(pk=attempt.payment.pk).stripe_payment_intent_id.startswith("pi_")


def test_a_charge_without_an_answer_is_kept_and_a_second_try_waits(localstripe, stripe_requests):
    booking = BookingFactory()
    lost = {"error": {"type": "api_error", "message": "Service unavailable."}}
    stripe_requests.answer(failing_charge(booking, 503, lost))

    with pytest.raises(PaymentServiceError):
        pay(booking)
    kept = Payment.objects.get()
    assert (kept.status, kept.stripe_payment_intent_id) == (Payment.Status.PENDING, None)

    stripe_requests.answer(card_set_up_for(booking))
    with pytest.raises(Conflict, match="still being confirmed with Stripe"):
        pay(booking)
    assert Payment.objects.count() == 1

import pytest
from rest_framework.test import APIClient

from bookings.models import Booking
from core.tests.concurrency import run_concurrently
from core.tests.factories import BookingFactory
from payments.models import Payment

pytestmark = pytest.mark.stripe
THREADS = 12


@pytest.mark.django_db(transaction=True)
def test_it_creates_one_payment_and_one_intent_under_parallel_requests(localstripe):
    booking = BookingFactory()

    def attempt(_):
        api = APIClient()
        api.force_authenticate(booking.client)
        response = api.post(
            "/api/v1/payments/create-payment-intent/", {"booking_id": booking.pk}, format="json"
        )
        return response.status_code, response.json()

    responses = run_concurrently(attempt, THREADS)

    assert len(responses) == THREADS
    # Everyone gets the one intent; a caller that waited too long gets a clear 409, never a 500.
    ok = [body for status, body in responses if status == 200]
    assert {status for status, _ in responses} <= {200, 409}
    assert ok and all(body == ok[0] for body in ok)
    payment = Payment.objects.get()
    assert payment.stripe_payment_intent_id == ok[0]["payment_intent_id"]
    assert [i.id for i in localstripe.intents()] == [payment.stripe_payment_intent_id]
    assert Booking.objects.get().payment_status == Booking.PaymentStatus.PENDING

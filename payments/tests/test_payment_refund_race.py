import pytest
from rest_framework.test import APIClient

from core.tests.concurrency import run_concurrently
from payments.models import Payment, Refund

pytestmark = pytest.mark.stripe
THREADS = 8


@pytest.mark.django_db(transaction=True)
def test_it_never_refunds_more_than_was_paid_under_parallel_requests(paid_booking, localstripe):
    booking, payment = paid_booking()  # 75.00

    def attempt(_):
        api = APIClient()
        api.force_authenticate(booking.trainer.user)
        response = api.post(
            f"/api/v1/payments/{payment.pk}/refund/",
            {"amount": "20.00", "reason": "Goodwill"},
            format="json",
        )
        return response.status_code

    statuses = run_concurrently(attempt, THREADS)

    # Three refunds of 20.00 fit in 75.00; every other request is refused before Stripe.
    assert sorted(statuses) == [200] * 3 + [400] * (THREADS - 3)
    at_stripe = localstripe.refunds(payment.stripe_payment_intent_id)
    assert sorted(r.amount for r in at_stripe) == [2000, 2000, 2000]
    payment.refresh_from_db()
    assert (payment.status, payment.refund_amount) == (Payment.Status.PARTIALLY_REFUNDED, 6000)
    assert Refund.objects.filter(status=Refund.Status.SUCCEEDED).count() == 3
    assert Refund.objects.count() == 3

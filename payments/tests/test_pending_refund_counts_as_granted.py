"""A refund still pending at Stripe (its call got no answer) counts as granted wherever a
refundable amount or a cancellation quote is worked out: a late cancellation after a pending
goodwill refund gives the client no more than the policy's share in total."""

import datetime as dt

import pytest
from django.utils import timezone

from core.tests.factories import future
from payments.models import Refund
from payments.reconciliation import reconcile_payments

pytestmark = [pytest.mark.django_db, pytest.mark.stripe]
NOWHERE = "http://127.0.0.1:9"  # nothing listens on the discard port


@pytest.fixture
def pending_goodwill(paid_booking, as_user, localstripe, settings):
    """A 75.00 booking 5 h ahead; the trainer's goodwill refund of 37.50 got no answer."""
    booking, payment = paid_booking(start_time=future(5))
    settings.STRIPE_API_BASE = NOWHERE
    response = as_user(booking.trainer.user).post(
        f"/api/v1/payments/{payment.pk}/refund/",
        {"amount": "37.50", "reason": "Goodwill"},
        format="json",
    )
    assert response.status_code == 502
    assert Refund.objects.get().status == Refund.Status.PENDING
    settings.STRIPE_API_BASE = localstripe.base
    return booking, payment


def test_the_cancellation_quote_counts_the_pending_refund(pending_goodwill, as_user):
    booking, _payment = pending_goodwill

    quote = as_user(booking.client).get(f"/api/v1/bookings/{booking.pk}/").json()

    assert quote["cancellation_refund"]["amount"] == "0.00"


def test_a_late_cancellation_refunds_no_more_than_the_policy_in_total(
    pending_goodwill, as_user, localstripe
):
    booking, payment = pending_goodwill

    response = as_user(booking.client).post(
        f"/api/v1/bookings/{booking.pk}/cancel/", {"reason": "Late"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["refund"] is None
    reconcile_payments(now=timezone.now() + dt.timedelta(minutes=30))
    refunded = [r.amount for r in localstripe.refunds(payment.stripe_payment_intent_id)]
    assert refunded == [3750]  # the policy's 50%, not 37.50 + 37.50
    payment.refresh_from_db()
    assert payment.refund_amount == 3750

"""A Payment row claimed for a booking but still waiting for its Stripe intent."""

import datetime as dt

import pytest
from django.utils import timezone

from core.tests.factories import BookingFactory
from payments.commands import intents
from payments.models import Payment

pytestmark = [pytest.mark.django_db, pytest.mark.stripe]


def claim(booking, age: dt.timedelta) -> Payment:
    payment = Payment.objects.create(booking=booking, amount=booking.price, currency="usd")
    Payment.objects.filter(pk=payment.pk).update(updated_at=timezone.now() - age)
    return payment


def test_a_caller_gives_up_with_409_while_another_creates_the_intent(
    localstripe, start_payment, monkeypatch
):
    monkeypatch.setattr(intents, "INTENT_WAIT_SECONDS", 0.2)
    booking = BookingFactory()
    claim(booking, dt.timedelta(seconds=1))
    response = start_payment(booking)
    assert response.status_code == 409
    assert response.json() == {
        "error": "The payment for this booking is being set up; try again in a moment."
    }
    assert localstripe.intents() == []


def test_an_abandoned_claim_is_superseded_by_a_new_attempt(localstripe, start_payment):
    # A new row, so a new idempotency key: reusing the old key with other parameters is an
    # idempotency_error at Stripe. The old row stays (its intent may yet turn up).
    booking = BookingFactory()
    abandoned = claim(booking, dt.timedelta(minutes=5))
    response = start_payment(booking)
    assert response.status_code == 200
    fresh = Payment.objects.get(pk=response.json()["payment_id"])
    assert fresh.pk != abandoned.pk
    assert fresh.stripe_payment_intent_id == response.json()["payment_intent_id"]
    abandoned.refresh_from_db()
    assert (abandoned.status, abandoned.stripe_payment_intent_id) == ("canceled", None)

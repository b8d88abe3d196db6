"""A delivery Stripe sends twice (or a dozen times at once) is stored once and applied once."""

import json

import pytest
from django.test import Client

from core.tests.concurrency import run_concurrently
from payments.models import Payment, Refund, WebhookEvent
from payments.tests import stripe_events as se

COPIES = 12


def dashboard_refund_event(payment):
    return se.event("charge.refunded", se.charge(payment, refunds=[se.refund("re_dup", 2500)]))


@pytest.mark.django_db
def test_it_acknowledges_a_sequential_duplicate_and_applies_it_once(api):
    payment = se.payment(status="succeeded", stripe_charge_id="ch_dup")
    evt = dashboard_refund_event(payment)

    first, second = se.post(api, evt), se.post(api, evt)

    assert (first.status_code, second.status_code) == (200, 200)
    assert (first.json()["duplicate"], second.json()["duplicate"]) == (False, True)
    row = WebhookEvent.objects.get()
    assert row.attempts == 1
    assert Refund.objects.count() == 1
    assert Payment.objects.get(pk=payment.pk).refund_amount == 2500


@pytest.mark.django_db(transaction=True)
def test_it_applies_simultaneous_copies_once():
    payment = se.payment(status="succeeded", stripe_charge_id="ch_dup")
    body = json.dumps(dashboard_refund_event(payment)).encode()
    signature = se.sign(body)

    def deliver(_):
        response = se.post(Client(), None, body=body, signature=signature)
        return response.status_code, response.json().get("duplicate")

    responses = run_concurrently(deliver, COPIES)
    statuses = [status for status, _ in responses]
    duplicates = [duplicate for _, duplicate in responses]

    assert statuses == [200] * COPIES
    assert duplicates.count(False) == 1
    row = WebhookEvent.objects.get()
    assert (row.attempts, row.error) == (1, "")
    assert Refund.objects.count() == 1
    assert Payment.objects.get(pk=payment.pk).refund_amount == 2500


@pytest.mark.stripe
@pytest.mark.django_db(transaction=True)
def test_simultaneous_copies_of_a_late_payment_refund_it_once(localstripe, start_payment):
    from bookings.models import Booking
    from core.tests.factories import BookingFactory

    booking = BookingFactory()
    intent_id = start_payment(booking).json()["payment_intent_id"]
    Booking.objects.filter(pk=booking.pk).update(status="cancelled")
    localstripe.confirm(intent_id, "pm_card_visa")
    intent = localstripe.sdk.v1.payment_intents.retrieve(intent_id).to_dict()
    body = json.dumps(se.event("payment_intent.succeeded", intent)).encode()
    signature = se.sign(body)
    statuses = run_concurrently(
        lambda _: se.post(Client(), None, body=body, signature=signature).status_code, COPIES
    )

    assert statuses == [200] * COPIES
    assert Refund.objects.count() == 1
    assert [r.amount for r in localstripe.refunds(intent_id)] == [7500]
    payment = Payment.objects.get()
    assert (payment.status, payment.refund_amount) == ("refunded", 7500)

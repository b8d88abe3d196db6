import pytest

from payments.models import Payment, WebhookEvent
from payments.tests import stripe_events as se

pytestmark = pytest.mark.django_db


def test_it_stores_and_acknowledges_an_event_type_it_does_not_handle(api):
    evt = se.event("payout.paid", {"id": "po_1", "object": "payout", "amount": 100})

    response = se.post(api, evt)

    assert response.status_code == 200
    row = WebhookEvent.objects.get(stripe_event_id=evt["id"])
    assert row.type == "payout.paid"
    assert row.processed_at is not None
    assert row.attempts == 1


def test_it_acknowledges_an_event_for_an_intent_it_does_not_know(api):
    obj = {
        "id": "pi_someone_else",
        "object": "payment_intent",
        "status": "succeeded",
        "metadata": {},
    }

    response = se.post(api, se.event("payment_intent.succeeded", obj))

    assert response.status_code == 200
    assert WebhookEvent.objects.get().processed_at is not None
    assert not Payment.objects.exists()

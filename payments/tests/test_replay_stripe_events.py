"""A handler error is stored and answered 500 (Stripe retries); replay_stripe_events re-runs it."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError

from core.tests.factories import BookingFactory
from payments import event_handlers
from payments.models import Payment, WebhookEvent
from payments.tests import stripe_events as se

pytestmark = [pytest.mark.django_db, pytest.mark.stripe]


def _broken_apply(payment, intent, **kwargs):
    raise OperationalError("deadlock detected")


@pytest.fixture
def failed_delivery(api, localstripe, start_payment, monkeypatch):
    """A succeeded event whose handler failed (a database error mid-apply): (response, payment,
    event)."""
    booking = BookingFactory()
    intent_id = start_payment(booking).json()["payment_intent_id"]
    localstripe.confirm(intent_id, "pm_card_visa")
    intent = localstripe.sdk.v1.payment_intents.retrieve(intent_id).to_dict()
    evt = se.event("payment_intent.succeeded", intent)
    with monkeypatch.context() as patch:
        patch.setattr(event_handlers, "payment_apply_intent", _broken_apply)
        response = se.post(api, evt)
    return response, Payment.objects.get(stripe_payment_intent_id=intent_id), evt


def replay(*args):
    out = io.StringIO()
    call_command("replay_stripe_events", *args, stdout=out)
    return out.getvalue()


def test_it_answers_500_and_stores_the_error(failed_delivery):
    response, payment, evt = failed_delivery

    assert response.status_code == 500
    body = response.json()
    assert body == {"error": f"Event {evt['id']} could not be applied; it will be retried."}
    row = WebhookEvent.objects.get()
    assert (row.processed_at, row.attempts) == (None, 1)
    assert row.error == "OperationalError: deadlock detected"
    payment.refresh_from_db()
    assert payment.status == "pending"


def test_stripes_retry_applies_it(api, failed_delivery):
    _, payment, evt = failed_delivery

    response = se.post(api, evt)

    assert (response.status_code, response.json()["duplicate"]) == (200, False)
    row = WebhookEvent.objects.get()
    assert (row.error, row.attempts) == ("", 2)
    assert row.processed_at is not None
    assert Payment.objects.get(pk=payment.pk).status == "succeeded"


def test_replay_failed_applies_it(failed_delivery, django_capture_on_commit_callbacks):
    _, payment, evt = failed_delivery

    with django_capture_on_commit_callbacks(execute=True):  # the card is fetched after commit
        out = replay("--failed")

    assert f"{evt['id']} payment_intent.succeeded: applied" in out
    assert "Replayed 1 event(s), 0 still failing." in out
    payment.refresh_from_db()
    assert (payment.status, payment.card_last4) == ("succeeded", "4242")
    assert payment.booking.payment_status == "paid"
    assert WebhookEvent.objects.get().error == ""


def test_replay_one_event_by_id(failed_delivery):
    _, payment, evt = failed_delivery

    out = replay("--event", evt["id"])

    assert "applied" in out
    assert Payment.objects.get(pk=payment.pk).status == "succeeded"


def test_replay_reports_an_event_that_fails_again(failed_delivery, monkeypatch):
    monkeypatch.setattr(event_handlers, "payment_apply_intent", _broken_apply)

    with pytest.raises(CommandError, match="1 event"):
        replay("--failed")

    assert WebhookEvent.objects.get().attempts == 2


def test_replay_says_when_nothing_failed(localstripe):
    assert "No failed events." in replay("--failed")


def test_replay_refuses_an_unknown_event_id(localstripe):
    with pytest.raises(CommandError, match="No stored event evt_nope"):
        replay("--event", "evt_nope")

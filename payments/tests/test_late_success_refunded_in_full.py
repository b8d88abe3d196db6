"""A charge that succeeds for a payment we no longer want (its booking was cancelled while the
card was being charged, or the booking was paid by a newer attempt) is recorded and refunded in
full exactly once, never answered with a 500, and reconciliation converges on it."""

import datetime as dt
import logging

import pytest
from django.utils import timezone

from bookings.models import Booking
from core.errors import Conflict, PaymentServiceError
from core.tests.factories import BookingFactory
from notifications.models import EmailNotification
from payments.models import Payment, PaymentAlert, WebhookEvent
from payments.reconciliation import reconcile_payments
from payments.tests import stripe_events as se
from payments.tests.checkout_helpers import card_set_up_for, pay

pytestmark = [pytest.mark.django_db, pytest.mark.stripe]
LATER = dt.timedelta(minutes=30)
LOST = (503, {"error": {"type": "api_error", "message": "Service unavailable."}})


def succeeded_event(localstripe, intent_id):
    intent = localstripe.sdk.v1.payment_intents.retrieve(intent_id).to_dict()
    assert intent["status"] == "succeeded"
    return se.event("payment_intent.succeeded", intent)


def refunded_at_stripe(localstripe, intent_id) -> list[int]:
    return [r.amount for r in localstripe.refunds(intent_id)]


def test_a_cancel_while_the_card_is_charged_refunds_the_late_success_once(
    localstripe, stripe_requests, as_user, api, django_capture_on_commit_callbacks
):
    booking = BookingFactory()
    card = card_set_up_for(booking)

    def cancel_in_another_tab(request):
        if request.method == "POST" and request.path == "/v1/payment_intents":
            # The payment row is saved and Stripe is charging the card, no intent id stored yet.
            response = as_user(booking.client).post(
                f"/api/v1/bookings/{booking.pk}/cancel/", {"reason": "Other tab"}, format="json"
            )
            assert response.status_code == 200
        return card(request)

    stripe_requests.answer(cancel_in_another_tab)
    with pytest.raises(Conflict, match="refunded in full"):
        pay(booking)  # the client is told
    stripe_requests.answer(None)
    payment = Payment.objects.get()
    event = succeeded_event(localstripe, payment.stripe_payment_intent_id)

    with django_capture_on_commit_callbacks(execute=True):
        response = se.post(api, event)
        again = se.post(api, se.event("payment_intent.succeeded", event["data"]["object"]))

    assert (response.status_code, again.status_code) == (200, 200)
    summary = reconcile_payments(now=timezone.now() + LATER)
    assert summary.errors == []
    assert reconcile_payments(now=timezone.now() + LATER).errors == []
    assert refunded_at_stripe(localstripe, payment.stripe_payment_intent_id) == [7500]
    payment.refresh_from_db()
    assert (payment.status, payment.refund_amount) == ("refunded", 7500)
    assert payment.refund_in_full_reason.startswith("Paid after the booking was cancelled")
    booking.refresh_from_db()
    assert (booking.status, booking.payment_status) == ("cancelled", "refunded")
    refund_emails = EmailNotification.objects.filter(kind="refund_succeeded")
    assert [n.recipient for n in refund_emails] == [booking.client.email]
    assert not WebhookEvent.objects.exclude(error="").exists()


@pytest.fixture
def lost_then_new_card(localstripe, stripe_requests):
    """The first charge succeeds at Stripe but its answer is lost; after the retry delay the
    client pays with a new card. Stripe refuses an idempotency key reused with other
    parameters (real Stripe's idempotency_error; the emulator ignores keys)."""
    booking = BookingFactory()
    card = {"now": card_set_up_for(booking)}
    keys: dict[str, dict] = {}
    lose = {"next": True}

    def stripe(request):
        if request.method == "POST" and request.path == "/v1/payment_intents":
            key = request.headers.get("Idempotency-Key")
            if key in keys and keys[key] != request.params:
                return 400, {
                    "error": {
                        "type": "idempotency_error",
                        "message": "Keys for idempotent requests can only be used with the "
                        "same parameters they were first used with.",
                    }
                }
            keys[key] = request.params
            if lose["next"]:
                lose["next"] = False
                localstripe.sdk.v1.payment_intents.create(
                    {
                        "amount": int(request.params["amount"]),
                        "currency": request.params["currency"],
                        "payment_method": "pm_card_visa",
                        "allowed_payment_method_types": ["card"],
                        "confirm": True,
                        "metadata": {
                            "booking_id": request.params["metadata[booking_id]"],
                            "payment_id": request.params["metadata[payment_id]"],
                        },
                    }
                )
                return LOST
        return card["now"](request)

    stripe_requests.answer(stripe)
    with pytest.raises(PaymentServiceError):
        pay(booking)
    first = Payment.objects.get()
    assert (first.status, first.stripe_payment_intent_id) == ("pending", None)
    Payment.objects.filter(pk=first.pk).update(updated_at=timezone.now() - LATER)
    new_card = localstripe.sdk.v1.payment_methods.create(
        {
            "type": "card",
            "card": {"number": "5555555555554444", "exp_month": 12, "exp_year": 2030, "cvc": "123"},
        }
    )
    card["now"] = card_set_up_for(booking, new_card.id)
    second = pay(booking)
    assert second.status == "succeeded"
    stripe_requests.answer(None)
    return booking, first, Payment.objects.get(pk=second.payment.pk)


def first_intent_id(localstripe, first) -> str:
    (intent,) = [i for i in localstripe.intents() if i.metadata["payment_id"] == str(first.pk)]
    return intent.id


def test_a_retry_with_a_new_card_never_deletes_the_attempt_stripe_charged(
    lost_then_new_card, localstripe, api, django_capture_on_commit_callbacks
):
    booking, first, second = lost_then_new_card
    assert second.pk != first.pk
    first.refresh_from_db()  # kept, out of the booking's way
    assert first.status == "canceled"

    with django_capture_on_commit_callbacks(execute=True):
        se.post(api, succeeded_event(localstripe, second.stripe_payment_intent_id))
        late = se.post(api, succeeded_event(localstripe, first_intent_id(localstripe, first)))

    assert late.status_code == 200
    first.refresh_from_db()
    assert first.stripe_payment_intent_id == first_intent_id(localstripe, first)
    assert (first.status, first.refund_amount) == ("refunded", 7500)
    assert refunded_at_stripe(localstripe, first.stripe_payment_intent_id) == [7500]
    assert refunded_at_stripe(localstripe, second.stripe_payment_intent_id) == []
    booking.refresh_from_db()
    assert (booking.status, booking.payment_status) == ("confirmed", "paid")
    told = EmailNotification.objects.filter(kind="trainer_new_booking")
    assert [n.key for n in told] == [f"trainer_new_booking:payment:{second.pk}"]


def test_reconciliation_finds_the_lost_attempt_by_its_metadata_and_refunds_it_once(
    lost_then_new_card, localstripe, api
):
    booking, first, second = lost_then_new_card
    se.post(api, succeeded_event(localstripe, second.stripe_payment_intent_id))

    summary = reconcile_payments(now=timezone.now() + LATER)
    reconcile_payments(now=timezone.now() + LATER)

    assert summary.errors == []
    first.refresh_from_db()
    assert (first.status, first.refund_amount) == ("refunded", 7500)
    assert refunded_at_stripe(localstripe, first.stripe_payment_intent_id) == [7500]
    booking.refresh_from_db()
    assert (booking.status, booking.payment_status) == ("confirmed", "paid")


def test_a_succeeded_intent_with_our_metadata_but_no_row_is_an_alert(api, caplog):
    intent = {
        "id": "pi_nobody_has_it",
        "object": "payment_intent",
        "amount": 7500,
        "currency": "usd",
        "status": "succeeded",
        "metadata": {"booking_id": "1", "payment_id": "424242"},
    }

    with caplog.at_level(logging.ERROR, logger="payments"):
        response = se.post(api, se.event("payment_intent.succeeded", intent))

    assert response.status_code == 200
    alert = PaymentAlert.objects.get()
    assert (alert.kind, alert.stripe_id, alert.resolved_at) == (
        "unmatched_charge",
        "pi_nobody_has_it",
        None,
    )
    assert "pi_nobody_has_it" in caplog.text


def test_an_attempt_stripe_never_received_is_closed_by_reconciliation(
    localstripe, as_user, settings
):
    booking = BookingFactory()
    Payment.objects.create(booking=booking, amount=booking.price, currency="usd")
    response = as_user(booking.client).post(f"/api/v1/bookings/{booking.pk}/cancel/", {})
    assert response.status_code == 200
    assert Payment.objects.get().status == "pending"  # it may have been charging the card

    summary = reconcile_payments(now=timezone.now() + LATER)

    assert summary.errors == []
    assert Payment.objects.get().status == "canceled"
    assert Booking.objects.get().payment_status == "unpaid"

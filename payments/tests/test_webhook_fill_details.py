"""payment_intent.succeeded is applied from the event's own copy with no Stripe call in the
request; the card, charge and receipt URL are fetched after commit by
payments.commands.details.payment_fill_details, which records the receipt exactly once."""

import pytest
from django.core import mail

from bookings.models import Booking
from config.celery import app as celery_app
from core.tests.factories import BookingFactory
from notifications.models import EmailNotification
from payments.commands.details import FILL_DETAILS_EAGER_ATTEMPTS
from payments.models import Payment, WebhookEvent
from payments.reconciliation import reconcile_payments
from payments.tests import stripe_events as se

pytestmark = [pytest.mark.django_db, pytest.mark.stripe]


@pytest.fixture(autouse=True)
def _eager_tasks():
    """Tasks run in-process (the embedded default), whatever broker the environment names."""
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = saved


@pytest.fixture
def paid_event(localstripe, start_payment, stripe_requests):
    """(booking, payment, event): paid with pm_card_visa at the emulator, and the signed
    payment_intent.succeeded Stripe would send; the request recorder starts empty."""
    booking = BookingFactory()
    intent_id = start_payment(booking).json()["payment_intent_id"]
    localstripe.confirm(intent_id, "pm_card_visa")
    intent = localstripe.sdk.v1.payment_intents.retrieve(intent_id).to_dict()
    stripe_requests.requests.clear()
    payment = Payment.objects.get(stripe_payment_intent_id=intent_id)
    return booking, payment, se.event("payment_intent.succeeded", intent)


def retrieves(stripe_requests, payment):
    return stripe_requests.to(f"/v1/payment_intents/{payment.stripe_payment_intent_id}")


def receipts(booking):
    return [m for m in mail.outbox if m.to == [booking.client.email]]


def fail_retrieves(times: int | None):
    """An answerer: Stripe's 500 for the first `times` intent retrieves (None: all of them)."""
    failed = []

    def answer(request):
        if request.method == "GET" and (times is None or len(failed) < times):
            failed.append(request)
            return 500, {"error": {"type": "api_error", "message": "Stripe is having a moment."}}
        return None

    return answer


def test_it_marks_the_payment_paid_without_calling_stripe_then_fills_the_card_and_one_receipt(
    api, paid_event, stripe_requests, django_capture_on_commit_callbacks
):
    booking, payment, evt = paid_event

    with django_capture_on_commit_callbacks(execute=True):
        response = se.post(api, evt)
        # The request itself: applied, committed, and no Stripe call.
        assert response.status_code == 200
        assert stripe_requests.requests == []
        payment.refresh_from_db()
        assert (payment.status, payment.card_last4) == ("succeeded", "")
        assert payment.stripe_charge_id.startswith("ch_")  # the event's copy names the charge
        assert Booking.objects.get(pk=booking.pk).payment_status == "paid"
        assert not EmailNotification.objects.exists()

    # After commit: the task fetched the intent once, filled the card and sent the receipt.
    assert len(retrieves(stripe_requests, payment)) == 1
    payment.refresh_from_db()
    assert (payment.payment_method_type, payment.card_brand, payment.card_last4) == (
        "card",
        "visa",
        "4242",
    )
    [receipt] = receipts(booking)
    assert "Visa ending 4242" in receipt.body
    assert len(mail.outbox) == 2  # and the trainer's "new paid booking"


def test_a_repeated_success_neither_calls_stripe_nor_sends_a_second_receipt(
    api, paid_event, stripe_requests, django_capture_on_commit_callbacks
):
    booking, _payment, evt = paid_event
    with django_capture_on_commit_callbacks(execute=True):
        se.post(api, evt)
    stripe_requests.requests.clear()

    with django_capture_on_commit_callbacks(execute=True):
        duplicate = se.post(api, evt)
        resent = se.post(api, se.event("payment_intent.succeeded", evt["data"]["object"]))

    assert (duplicate.json()["duplicate"], resent.json()["duplicate"]) == (True, False)
    assert stripe_requests.requests == []
    assert len(receipts(booking)) == 1
    assert EmailNotification.objects.filter(kind="payment_succeeded").count() == 1


def test_a_failing_card_fetch_leaves_the_payment_paid_and_is_retried(
    api, paid_event, stripe_requests, django_capture_on_commit_callbacks
):
    booking, payment, evt = paid_event
    stripe_requests.answer(fail_retrieves(1))

    with django_capture_on_commit_callbacks(execute=True):
        response = se.post(api, evt)

    assert response.status_code == 200
    assert WebhookEvent.objects.get().error == ""
    assert len(retrieves(stripe_requests, payment)) == 2  # the 500, then the retry
    payment.refresh_from_db()
    assert (payment.status, payment.card_brand, payment.card_last4) == ("succeeded", "visa", "4242")
    booking.refresh_from_db()
    assert (booking.status, booking.payment_status) == ("confirmed", "paid")
    assert len(receipts(booking)) == 1


def test_reconciliation_fills_the_card_and_sends_the_receipt_when_the_task_gave_up(
    api, paid_event, stripe_requests, django_capture_on_commit_callbacks, settings
):
    booking, payment, evt = paid_event
    stripe_requests.answer(fail_retrieves(None))

    with django_capture_on_commit_callbacks(execute=True):
        response = se.post(api, evt)

    # Stripe down for every attempt: the payment is still paid, only the card and receipt wait.
    assert response.status_code == 200
    assert len(retrieves(stripe_requests, payment)) == FILL_DETAILS_EAGER_ATTEMPTS
    payment.refresh_from_db()
    assert (payment.status, payment.card_last4) == ("succeeded", "")
    assert Booking.objects.get(pk=booking.pk).payment_status == "paid"
    assert receipts(booking) == []

    stripe_requests.answer(None)
    settings.RECONCILE_AFTER_MINUTES = 0
    with django_capture_on_commit_callbacks(execute=True):
        summary = reconcile_payments()
        again = reconcile_payments()

    assert (summary.details_filled, again.details_filled, summary.errors) == (1, 0, [])
    payment.refresh_from_db()
    assert (payment.card_brand, payment.card_last4) == ("visa", "4242")
    [receipt] = receipts(booking)
    assert "Visa ending 4242" in receipt.body

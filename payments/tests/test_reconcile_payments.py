"""reconcile_payments recovers what lost webhooks never told us."""

import io

import pytest
from django.core.management import call_command

from bookings.models import Booking
from core.tests.factories import BookingFactory
from payments.models import Payment, WebhookEvent
from payments.reconciliation import reconcile_payments
from payments.tasks import reconcile_payments as reconcile_task

pytestmark = [pytest.mark.django_db, pytest.mark.stripe]


@pytest.fixture
def paid_without_webhook(localstripe, start_payment):
    """Paid at the emulator; no webhook is registered, so we never heard of it."""
    booking = BookingFactory()
    intent_id = start_payment(booking).json()["payment_intent_id"]
    localstripe.confirm(intent_id, "pm_card_visa")
    return booking, Payment.objects.get(stripe_payment_intent_id=intent_id)


def assert_paid(booking, payment):
    payment.refresh_from_db()
    assert (payment.status, payment.card_brand, payment.card_last4) == ("succeeded", "visa", "4242")
    booking.refresh_from_db()
    assert (booking.status, booking.payment_status) == ("confirmed", "paid")


def test_the_command_recovers_a_lost_webhook(paid_without_webhook, settings):
    settings.RECONCILE_AFTER_MINUTES = 0
    booking, payment = paid_without_webhook
    out = io.StringIO()

    call_command("reconcile_payments", stdout=out)

    assert_paid(booking, payment)
    assert "Checked 1 open payments (1 updated)" in out.getvalue()
    assert "0 errors" in out.getvalue()


def test_it_recovers_a_recent_payment_through_stripes_event_list(
    paid_without_webhook, django_capture_on_commit_callbacks
):
    # Too recent for the open-payments sweep (RECONCILE_AFTER_MINUTES): the event list finds it
    # (and, as for a webhook, the card is fetched right after the event's commit).
    booking, payment = paid_without_webhook

    with django_capture_on_commit_callbacks(execute=True):
        summary = reconcile_payments()

    assert summary.payments_checked == 0
    assert summary.events_applied >= 1
    assert_paid(booking, payment)
    assert WebhookEvent.objects.filter(type="payment_intent.succeeded").count() == 1


def test_it_applies_listed_events_only_once(paid_without_webhook):
    reconcile_payments()
    second = reconcile_payments()

    assert second.events_applied == 0
    assert second.events_listed >= 1
    assert WebhookEvent.objects.get(type="payment_intent.succeeded").attempts == 1


def test_it_leaves_a_payment_stripe_still_waits_on(localstripe, start_payment, settings):
    settings.RECONCILE_AFTER_MINUTES = 0
    booking = BookingFactory()
    start_payment(booking)

    summary = reconcile_payments()

    assert (summary.payments_checked, summary.payments_updated) == (1, 0)
    assert Payment.objects.get().status == "pending"
    assert Booking.objects.get(pk=booking.pk).payment_status == "pending"


def test_it_reports_stripe_being_down_without_failing(paid_without_webhook, settings):
    settings.RECONCILE_AFTER_MINUTES = 0
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"

    summary = reconcile_payments()

    # The open payment, the event list, the ledger's comparison with Stripe.
    assert len(summary.errors) == 3
    assert (summary.ledger_exit_code, summary.needs_person) == (2, False)
    assert Payment.objects.get().status == "pending"


def test_the_periodic_task_runs_it(paid_without_webhook, settings):
    settings.RECONCILE_AFTER_MINUTES = 0
    booking, payment = paid_without_webhook

    result = reconcile_task.delay().get()

    assert result["payments_updated"] == 1
    assert_paid(booking, payment)


def test_it_retries_a_stored_event_whose_handler_failed(localstripe):
    from payments.models import Refund
    from payments.tests import stripe_events as se

    payment = se.payment(status="succeeded", stripe_charge_id="ch_retry")
    evt = se.event("charge.refunded", se.charge(payment, refunds=[se.refund("re_1", 1000)]))
    WebhookEvent.objects.create(
        stripe_event_id=evt["id"], type=evt["type"], payload=evt, attempts=1, error="Boom"
    )

    summary = reconcile_payments()

    assert summary.events_retried == 1
    row = WebhookEvent.objects.get()
    assert (row.error, row.attempts) == ("", 2)
    assert Refund.objects.get().amount == 1000

"""reconcile_payments converges: one bad row never stops a sweep, and it also covers failed
payments, events older than the newest stored one, refund totals against Stripe's, open
disputes; --dry-run lists what it would change and changes nothing; the command exits non-zero
only when something needs a person."""

import datetime as dt
import io

import pytest
import stripe
from django.core.management import CommandError, call_command
from django.utils import timezone

from core.tests.factories import BookingFactory
from payments.models import Payment, PaymentAlert, Refund, WebhookEvent
from payments.reconciliation import reconcile_payments
from payments.tests import stripe_events as se

pytestmark = [pytest.mark.django_db, pytest.mark.stripe]
LATER = dt.timedelta(minutes=30)
NO_EVENTS = (200, {"object": "list", "data": [], "has_more": False, "url": "/v1/events"})


@pytest.fixture
def paid_without_webhook(localstripe, start_payment):
    """Paid at the emulator; no webhook is registered, so we never heard of it."""

    def make():
        booking = BookingFactory()
        intent_id = start_payment(booking).json()["payment_intent_id"]
        localstripe.confirm(intent_id)
        return Payment.objects.get(stripe_payment_intent_id=intent_id)

    return make


def test_one_bad_row_never_stops_the_sweep(localstripe, start_payment, paid_without_webhook):
    # A declined payment whose row our code cannot render (a currency we do not know) ...
    bad = BookingFactory()
    intent_id = start_payment(bad).json()["payment_intent_id"]
    with pytest.raises(stripe.CardError):
        localstripe.confirm(intent_id, "pm_card_chargeCustomerFail")
    Payment.objects.filter(stripe_payment_intent_id=intent_id).update(currency="xxx")
    # ... and a good one paid without a webhook.
    good = paid_without_webhook()

    summary = reconcile_payments(now=timezone.now() + LATER)

    good.refresh_from_db()
    assert good.status == "succeeded"
    # The bad payment, and the copy of its failure event from Stripe's list: each counted.
    assert len(summary.failures) == 2
    assert all("Unsupported currency 'xxx'" in f for f in summary.failures)
    assert summary.needs_person
    with pytest.raises(CommandError, match="1 failure"):
        call_command("reconcile_payments", stdout=io.StringIO(), stderr=io.StringIO())


def test_it_rechecks_a_failed_payment_that_succeeded_at_stripe_after_all(
    paid_without_webhook, stripe_requests
):
    # A stale payment_failed was applied, the success that followed was lost, and Stripe's
    # event list does not have it either: only the payment itself tells.
    payment = paid_without_webhook()
    payment.mark_failed(code="card_declined", message="Declined.")
    payment.save()
    stripe_requests.answer(lambda r: NO_EVENTS if r.path == "/v1/events" else None)

    summary = reconcile_payments(now=timezone.now() + LATER)

    payment.refresh_from_db()
    assert payment.status == "succeeded"
    assert f"payment {payment.pk}: failed -> succeeded" in summary.changes


def test_it_lists_events_older_than_the_newest_one_a_webhook_stored(paid_without_webhook):
    payment = paid_without_webhook()
    # A webhook stored an event created two hours later (a clock ahead, a retried delivery):
    # "the newest stored event minus an hour" would never list the lost success again.
    later = se.event(
        "customer.created", {"id": "cus_1"}, created=int(timezone.now().timestamp()) + 7200
    )
    WebhookEvent.objects.create(
        stripe_event_id=later["id"], type=later["type"], payload=later, processed_at=timezone.now()
    )

    summary = reconcile_payments()  # too soon for the open-payment sweep

    assert summary.payments_checked == 0
    payment.refresh_from_db()
    assert payment.status == "succeeded"


def test_it_recovers_a_dashboard_refund_whose_event_was_lost(paid_booking, localstripe, as_user):
    booking, payment = paid_booking()
    refunded = as_user(booking.trainer.user).post(
        f"/api/v1/payments/{payment.pk}/refund/",
        {"amount": "10.00", "reason": "Goodwill"},
        format="json",
    )
    assert refunded.status_code == 200
    # Refunded in the Dashboard; the emulator never sends charge.refunded.
    localstripe.sdk.v1.refunds.create(
        {"payment_intent": payment.stripe_payment_intent_id, "amount": 2000}
    )

    summary = reconcile_payments(now=timezone.now() + LATER)

    payment.refresh_from_db()
    assert payment.refund_amount == 3000
    assert Refund.objects.get(source="dashboard").amount == 2000
    assert summary.open_alerts == 0


def test_refund_totals_that_still_differ_from_stripes_are_an_alert(
    paid_booking, as_user, stripe_requests, localstripe
):
    booking, payment = paid_booking()
    refunded = as_user(booking.trainer.user).post(
        f"/api/v1/payments/{payment.pk}/refund/",
        {"amount": "10.00", "reason": "Goodwill"},
        format="json",
    )
    assert refunded.status_code == 200

    def charge_says_more(request):
        if request.method == "GET" and request.path.startswith("/v1/payment_intents/"):
            intent = localstripe.sdk.v1.payment_intents.retrieve(
                payment.stripe_payment_intent_id, {"expand": ["latest_charge"]}
            ).to_dict()
            intent["latest_charge"]["amount_refunded"] = 5000
            return 200, intent
        return None

    stripe_requests.answer(charge_says_more)
    summary = reconcile_payments(now=timezone.now() + LATER)

    alert = PaymentAlert.objects.get()
    assert (alert.kind, alert.payment) == ("refund_totals", payment)
    assert summary.needs_person


def test_it_reads_an_open_dispute_again(localstripe, stripe_requests):
    payment = se.payment(
        status="disputed", dispute_id="dp_lost_close", dispute_status="needs_response"
    )

    def dispute(request):
        if request.path == "/v1/disputes/dp_lost_close":
            return 200, {**se.dispute(payment, status="won", dispute_id="dp_lost_close")}
        return None

    stripe_requests.answer(dispute)
    summary = reconcile_payments()

    payment.refresh_from_db()
    assert (payment.status, payment.dispute_status) == ("succeeded", "won")
    assert summary.disputes_checked == 1


def test_a_dry_run_lists_what_it_would_change_and_changes_nothing(
    paid_without_webhook, localstripe, settings
):
    settings.RECONCILE_AFTER_MINUTES = 0
    payment = paid_without_webhook()
    out = io.StringIO()

    call_command("reconcile_payments", "--dry-run", stdout=out)

    assert f"Would change: payment {payment.pk}: pending -> succeeded" in out.getvalue()
    payment.refresh_from_db()
    assert payment.status == "pending"
    assert not WebhookEvent.objects.exists()

    call_command("reconcile_payments", stdout=out)
    payment.refresh_from_db()
    assert payment.status == "succeeded"


def test_stripe_being_down_is_retried_not_a_persons_job(paid_without_webhook, settings):
    settings.RECONCILE_AFTER_MINUTES = 0
    paid_without_webhook()
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    err = io.StringIO()

    call_command("reconcile_payments", stdout=io.StringIO(), stderr=err)  # exits 0

    assert "Stripe (retried next run)" in err.getvalue()

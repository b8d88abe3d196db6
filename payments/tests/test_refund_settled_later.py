"""Refunds Stripe answers `pending` are settled later: by refund.updated, refund.failed or
charge.refund.updated (the emulator sends none of them: built and signed here), or by
reconciliation, which re-checks every pending refund that has a Stripe id. A failed refund
releases its reserved amount and alerts an admin; a succeeded one is emailed once."""

import datetime as dt

import pytest
from django.utils import timezone

from notifications.models import EmailNotification
from payments.models import PaymentAlert, Refund
from payments.reconciliation import reconcile_payments
from payments.tests import stripe_events as se

pytestmark = [pytest.mark.django_db, pytest.mark.stripe]


def stripe_refund(refund, payment, *, status, **extra) -> dict:
    return {
        "id": "re_pending_1",
        "object": "refund",
        "amount": refund.amount if refund else 7500,
        "currency": "usd",
        "status": status,
        "charge": payment.stripe_charge_id,
        "payment_intent": payment.stripe_payment_intent_id,
        "metadata": {"refund_id": str(refund.pk), "payment_id": str(payment.pk)},
        **extra,
    }


@pytest.fixture
def pending_refund(paid_booking, as_user, stripe_requests):
    """A full refund Stripe accepted as `pending` (as it does for some cards and banks)."""
    booking, payment = paid_booking()

    def pending(request):
        if request.method == "POST" and request.path == "/v1/refunds":
            row = Refund.objects.get(pk=request.params["metadata[refund_id]"])
            return 200, stripe_refund(row, payment, status="pending")
        return None

    stripe_requests.answer(pending)
    response = as_user(booking.trainer.user).post(
        f"/api/v1/payments/{payment.pk}/refund/", {"reason": "Ill"}, format="json"
    )
    assert response.status_code == 200, response.content
    stripe_requests.answer(None)
    refund = Refund.objects.get()
    assert (refund.status, refund.stripe_refund_id) == ("pending", "re_pending_1")
    return booking, payment, refund


def refund_emails():
    return EmailNotification.objects.filter(kind="refund_succeeded").count()


@pytest.mark.parametrize("event_type", ["refund.updated", "charge.refund.updated"])
def test_a_pending_refund_that_succeeds_is_recorded_and_emailed_once(
    api, pending_refund, event_type
):
    _booking, payment, refund = pending_refund
    succeeded = stripe_refund(refund, payment, status="succeeded")

    for _ in range(2):  # a copy of the event, then a late `pending` one, change nothing more
        assert se.post(api, se.event(event_type, succeeded)).status_code == 200
    stale = stripe_refund(refund, payment, status="pending")
    assert se.post(api, se.event("refund.updated", stale)).status_code == 200

    refund.refresh_from_db()
    assert refund.status == "succeeded"
    payment.refresh_from_db()
    assert (payment.status, payment.refund_amount) == ("refunded", 7500)
    assert refund_emails() == 1


def test_a_refund_that_fails_releases_its_amount_and_alerts_an_admin(api, pending_refund):
    _booking, payment, refund = pending_refund
    failed = stripe_refund(
        refund, payment, status="failed", failure_reason="expired_or_canceled_card"
    )

    assert se.post(api, se.event("refund.failed", failed)).status_code == 200

    refund.refresh_from_db()
    assert (refund.status, refund.failure_message) == ("failed", "expired_or_canceled_card")
    payment.refresh_from_db()
    assert (payment.status, payment.refund_amount) == ("succeeded", 0)
    assert payment.get_refundable_amount() == 7500
    alert = PaymentAlert.objects.get()
    assert (alert.kind, alert.payment) == ("refund_failed", payment)
    assert refund_emails() == 0


def test_reconciliation_rechecks_a_pending_refund_that_has_a_stripe_id(
    pending_refund, stripe_requests
):
    _booking, payment, refund = pending_refund

    def stripe_settled_it(request):
        if request.method == "GET" and request.path == "/v1/refunds":
            data = [stripe_refund(refund, payment, status="succeeded")]
            return 200, {"object": "list", "data": data, "has_more": False, "url": "/v1/refunds"}
        return None

    stripe_requests.answer(stripe_settled_it)
    summary = reconcile_payments(now=timezone.now() + dt.timedelta(minutes=30))

    assert summary.errors == []
    refund.refresh_from_db()
    assert refund.status == "succeeded"
    payment.refresh_from_db()
    assert payment.refund_amount == 7500
    assert refund_emails() == 1

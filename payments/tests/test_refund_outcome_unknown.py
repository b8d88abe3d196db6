"""A refund whose Stripe call gets no trustworthy answer (timeout, connection lost, Stripe 5xx)
stays pending and keeps its amount reserved, because Stripe may have made it: a second request
cannot refund the money again, and reconcile_payments settles the row with Stripe's truth."""

import datetime as dt

import pytest
from django.utils import timezone

from payments.models import Payment, Refund
from payments.reconciliation import reconcile_payments

pytestmark = [pytest.mark.django_db, pytest.mark.stripe]
NOWHERE = "http://127.0.0.1:9"  # nothing listens on the discard port
LATER = dt.timedelta(minutes=30)


def refund_request(as_user, booking, payment):
    return as_user(booking.trainer.user).post(
        f"/api/v1/payments/{payment.pk}/refund/", {"reason": "Ill"}, format="json"
    )


def test_an_unreachable_stripe_leaves_the_refund_pending_and_reserved(
    paid_booking, as_user, localstripe, settings
):
    booking, payment = paid_booking()
    settings.STRIPE_API_BASE = NOWHERE

    response = refund_request(as_user, booking, payment)

    assert response.status_code == 502
    assert "recorded as pending" in response.json()["error"]
    pending = Refund.objects.get()
    assert (pending.status, pending.amount) == (Refund.Status.PENDING, 7500)
    assert "could not reach Stripe" in pending.failure_message
    assert payment.get_refundable_amount() == 0

    settings.STRIPE_API_BASE = localstripe.base
    again = refund_request(as_user, booking, payment)
    assert again.status_code == 400
    assert Refund.objects.count() == 1
    assert localstripe.refunds(payment.stripe_payment_intent_id) == []

    summary = reconcile_payments(now=timezone.now() + LATER)

    assert summary.refunds_settled == 1
    assert [r.amount for r in localstripe.refunds(payment.stripe_payment_intent_id)] == [7500]
    pending.refresh_from_db()
    assert pending.status == Refund.Status.SUCCEEDED
    assert pending.stripe_refund_id.startswith("re_")
    payment.refresh_from_db()
    assert (payment.status, payment.refund_amount) == (Payment.Status.REFUNDED, 7500)


NO_EVENTS = (200, {"object": "list", "data": [], "has_more": False, "url": "/v1/events"})


@pytest.mark.parametrize("events", ["listed", "missed"])
def test_a_refund_stripe_made_before_its_answer_was_lost_is_adopted_not_repeated(
    paid_booking, as_user, localstripe, stripe_requests, events
):
    """Reconciliation learns of it from Stripe's charge.refunded and refund.created events, or,
    when those are missed too, finds it at Stripe by our metadata; either way it is never asked
    for again."""
    booking, payment = paid_booking()

    def made_then_lost(request):
        if request.method == "POST" and request.path == "/v1/refunds":
            # Stripe carries out the refund, then the connection drops before its answer.
            localstripe.sdk.v1.refunds.create(
                {
                    "payment_intent": request.params["payment_intent"],
                    "amount": int(request.params["amount"]),
                    "metadata": {"refund_id": request.params["metadata[refund_id]"]},
                }
            )
            return 503, {"error": {"type": "api_error", "message": "Service unavailable."}}
        return None

    stripe_requests.answer(made_then_lost)
    response = refund_request(as_user, booking, payment)
    assert response.status_code == 502
    assert Refund.objects.get().status == Refund.Status.PENDING

    missed = events == "missed"
    stripe_requests.answer(
        lambda request: NO_EVENTS if missed and request.path == "/v1/events" else None
    )
    summary = reconcile_payments(now=timezone.now() + LATER)

    assert summary.refunds_settled == (1 if missed else 0)
    if not missed:
        assert any("(charge.refunded) applied" in change for change in summary.changes)
    assert [r.amount for r in localstripe.refunds(payment.stripe_payment_intent_id)] == [7500]
    refund = Refund.objects.get()
    assert refund.status == Refund.Status.SUCCEEDED
    payment.refresh_from_db()
    assert payment.refund_amount == 7500


def test_reconciliation_leaves_a_refund_pending_while_stripe_stays_unreachable(
    paid_booking, as_user, localstripe, settings
):
    booking, payment = paid_booking()
    settings.STRIPE_API_BASE = NOWHERE
    refund_request(as_user, booking, payment)

    summary = reconcile_payments(now=timezone.now() + LATER)

    assert summary.refunds_settled == 0
    assert any(e.startswith(f"refund {Refund.objects.get().pk}:") for e in summary.errors)
    assert Refund.objects.get().status == Refund.Status.PENDING

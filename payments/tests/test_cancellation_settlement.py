"""The money side of POST /api/v1/bookings/{id}/cancel/: the policy's refund, or the open intent
canceled at Stripe."""

import datetime as dt

import pytest
from django.utils import timezone

from bookings.models import Booking
from bookings.services import booking_expire_stale
from core.tests.factories import BookingFactory, future
from payments.models import Payment, Refund
from payments.reconciliation import reconcile_payments

pytestmark = [pytest.mark.django_db, pytest.mark.stripe]


def cancel(as_user, user, booking, reason="Can't make it"):
    return as_user(user).post(
        f"/api/v1/bookings/{booking.pk}/cancel/", {"reason": reason}, format="json"
    )


def refunded_at_stripe(localstripe, payment) -> list[int]:
    return [r.amount for r in localstripe.refunds(payment.stripe_payment_intent_id)]


@pytest.mark.parametrize(
    ("hours_ahead", "refund", "booking_payment_status"),
    [
        (48, "75.00", Booking.PaymentStatus.REFUNDED),
        (24.5, "75.00", Booking.PaymentStatus.REFUNDED),
        (5, "37.50", Booking.PaymentStatus.PARTIALLY_REFUNDED),
    ],
)
def test_it_refunds_a_client_by_the_policy(
    paid_booking, as_user, localstripe, hours_ahead, refund, booking_payment_status
):
    start = timezone.now().replace(second=0, microsecond=0) + dt.timedelta(hours=hours_ahead)
    booking, payment = paid_booking(start_time=start)
    preview = as_user(booking.client).get(f"/api/v1/bookings/{booking.pk}/").json()
    assert preview["cancellation_refund"]["amount"] == refund

    response = cancel(as_user, booking.client, booking)

    assert response.status_code == 200
    row = Refund.objects.get()
    assert response.json()["refund"] == {"id": row.pk, "amount": refund, "status": "succeeded"}
    assert (row.source, row.requested_by) == (Refund.Source.CANCELLATION, booking.client)
    assert row.reason.startswith("Can't make it (Cancelled ")
    assert refunded_at_stripe(localstripe, payment) == [row.amount]
    booking.refresh_from_db()
    payment.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert booking.payment_status == booking_payment_status
    assert payment.refund_amount == row.amount


def test_it_refunds_nothing_after_the_session_started(paid_booking, as_user, localstripe):
    booking, payment = paid_booking(start_time=future(-1))
    response = cancel(as_user, booking.client, booking)
    assert response.status_code == 200
    assert response.json()["refund"] is None
    assert refunded_at_stripe(localstripe, payment) == []
    payment.refresh_from_db()
    assert (payment.status, payment.refund_amount) == (Payment.Status.SUCCEEDED, 0)


@pytest.mark.parametrize("who", ["trainer", "admin"])
def test_it_refunds_in_full_when_the_trainer_or_an_admin_cancels(
    paid_booking, as_user, admin_user, localstripe, who
):
    booking, payment = paid_booking(start_time=future(3))
    actor = booking.trainer.user if who == "trainer" else admin_user
    response = cancel(as_user, actor, booking)
    assert response.json()["refund"]["amount"] == "75.00"
    assert refunded_at_stripe(localstripe, payment) == [7500]
    booking.refresh_from_db()
    assert booking.payment_status == Booking.PaymentStatus.REFUNDED


@pytest.mark.parametrize(("hours_ahead", "refund"), [(48, "63.75"), (5, "31.88")])
def test_it_keeps_the_platform_fee_when_configured(
    paid_booking, as_user, localstripe, settings, hours_ahead, refund
):
    settings.CANCELLATION_PLATFORM_KEEPS_FEE = True
    booking, payment = paid_booking(start_time=future(hours_ahead))
    response = cancel(as_user, booking.client, booking)
    assert response.json()["refund"]["amount"] == refund
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PARTIALLY_REFUNDED
    assert refunded_at_stripe(localstripe, payment) == [payment.refund_amount]


def test_it_cancels_the_open_intent_of_an_unpaid_booking(localstripe, start_payment, as_user):
    booking = BookingFactory()
    intent_id = start_payment(booking).json()["payment_intent_id"]
    response = cancel(as_user, booking.client, booking)
    assert response.status_code == 200
    assert response.json()["refund"] is None
    assert localstripe.sdk.v1.payment_intents.retrieve(intent_id).status == "canceled"
    payment = Payment.objects.get()
    booking.refresh_from_db()
    assert payment.status == Payment.Status.CANCELED
    assert booking.payment_status == Booking.PaymentStatus.UNPAID


def test_it_cancels_the_open_intent_when_the_hold_expires(localstripe, start_payment):
    booking = BookingFactory()
    intent_id = start_payment(booking).json()["payment_intent_id"]
    Booking.objects.filter(pk=booking.pk).update(
        hold_expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert booking_expire_stale() == 1
    assert localstripe.sdk.v1.payment_intents.retrieve(intent_id).status == "canceled"
    assert Payment.objects.get().status == Payment.Status.CANCELED


def test_the_cancellation_stands_and_its_refund_waits_when_stripe_does_not_answer(
    paid_booking, as_user, localstripe, settings
):
    booking, payment = paid_booking()
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there
    response = cancel(as_user, booking.client, booking)
    assert response.status_code == 200
    row = Refund.objects.get()
    assert response.json()["refund"] == {"id": row.pk, "amount": "75.00", "status": "pending"}
    assert "could not reach Stripe" in row.failure_message
    booking.refresh_from_db()
    payment.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert (payment.status, payment.refund_amount) == (Payment.Status.SUCCEEDED, 0)
    # Stripe may have made it: the amount stays reserved until reconciliation knows.
    assert payment.get_refundable_amount() == 0

    settings.STRIPE_API_BASE = localstripe.base
    reconcile_payments(now=timezone.now() + dt.timedelta(minutes=30))
    row.refresh_from_db()
    payment.refresh_from_db()
    assert row.status == Refund.Status.SUCCEEDED
    assert refunded_at_stripe(localstripe, payment) == [7500]
    assert (payment.status, payment.refund_amount) == (Payment.Status.REFUNDED, 7500)

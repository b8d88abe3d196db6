import datetime as dt
import logging

import pytest
from django.utils import timezone

from bookings.models import Booking
from core.tests.factories import BookingFactory, TrainerProfileFactory
from payments.models import Payment

pytestmark = [pytest.mark.django_db, pytest.mark.stripe]
URL = "/api/v1/payments/create-payment-intent/"


def test_it_creates_an_intent_priced_from_the_booking(localstripe, start_payment, caplog):
    booking = BookingFactory()  # 60 min at 75.00/h
    with caplog.at_level(logging.INFO, logger="payments.commands.intents"):
        response = start_payment(booking)

    assert response.status_code == 200
    body = response.json()
    payment = Payment.objects.get()
    assert body == {
        "client_secret": payment.stripe_client_secret,
        "payment_intent_id": payment.stripe_payment_intent_id,
        "payment_id": payment.pk,
        "amount": "75.00",
        "currency": "usd",
    }
    assert body["client_secret"].startswith(body["payment_intent_id"] + "_secret_")
    assert (payment.amount, payment.platform_fee_amount, payment.trainer_payout_amount) == (
        7500,
        1125,
        6375,
    )
    [intent] = localstripe.intents()
    assert (intent.id, intent.amount, intent.currency) == (
        payment.stripe_payment_intent_id,
        7500,
        "usd",
    )
    assert intent.metadata.to_dict() == {
        "booking_id": str(booking.pk),
        "payment_id": str(payment.pk),
    }
    assert (
        f"Payment intent created: {intent.id} for booking {booking.pk} (payment {payment.pk})"
        in caplog.text
    )
    assert payment.stripe_client_secret not in caplog.text


def test_it_ignores_an_amount_in_the_request(localstripe, as_user):
    booking = BookingFactory()
    response = as_user(booking.client).post(
        URL, {"booking_id": booking.pk, "amount": "1.00", "currency": "jpy"}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["amount"], response.json()["currency"]) == ("75.00", "usd")
    assert localstripe.intents()[0].amount == 7500


def test_it_marks_the_booking_payment_pending_and_renews_the_hold(localstripe, start_payment):
    booking = BookingFactory(hold_expires_at=timezone.now() + dt.timedelta(minutes=2))
    before = timezone.now()
    start_payment(booking)
    booking.refresh_from_db()
    assert booking.payment_status == Booking.PaymentStatus.PENDING
    assert booking.hold_expires_at >= before + dt.timedelta(minutes=15)


def test_it_returns_the_same_open_intent_when_called_again(localstripe, start_payment):
    booking = BookingFactory()
    first = start_payment(booking).json()
    second = start_payment(booking).json()
    assert first == second
    assert Payment.objects.count() == 1
    assert len(localstripe.intents()) == 1


@pytest.mark.parametrize("status", ["cancelled", "expired", "completed"])
def test_it_refuses_a_booking_that_cannot_be_paid(localstripe, start_payment, status):
    booking = BookingFactory(status=status)
    response = start_payment(booking)
    assert response.status_code == 400
    assert status in response.json()["error"]
    assert not Payment.objects.exists()
    assert localstripe.intents() == []


def test_it_refuses_a_booking_already_paid(paid_booking, start_payment, localstripe):
    booking, _ = paid_booking()
    response = start_payment(booking)
    assert response.status_code == 409
    assert response.json() == {"error": "This booking is already paid."}
    assert Payment.objects.count() == 1
    assert len(localstripe.intents()) == 1


def test_it_hides_other_peoples_bookings(localstripe, start_payment, outsider, admin_user):
    booking = BookingFactory()
    for user in (outsider, booking.trainer.user, admin_user):
        response = start_payment(booking, user=user)
        assert response.status_code == 404, user
        assert response.json() == {"error": "Booking not found."}
    assert not Payment.objects.exists()
    booking.refresh_from_db()
    assert booking.payment_status == Booking.PaymentStatus.UNPAID


@pytest.mark.parametrize(
    "body", [{}, {"booking_id": "abc"}, {"booking_id": -1}, {"booking_id": 2**70}]
)
def test_it_rejects_a_bad_booking_id(localstripe, as_user, client_user, body):
    response = as_user(client_user).post(URL, body, format="json")
    assert response.status_code == 400
    assert "booking_id" in response.json()["fields"]


def test_it_answers_404_for_an_unknown_booking(localstripe, as_user, client_user):
    response = as_user(client_user).post(URL, {"booking_id": 999999}, format="json")
    assert response.status_code == 404


def test_it_requires_authentication(api):
    assert api.post(URL, {"booking_id": 1}, format="json").status_code == 401


def test_it_renews_a_stale_hold_while_the_slot_is_free(localstripe, start_payment):
    booking = BookingFactory(hold_expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert start_payment(booking).status_code == 200
    booking.refresh_from_db()
    assert booking.hold_expires_at > timezone.now()


def test_it_refuses_a_stale_hold_whose_slot_was_taken(localstripe, start_payment):
    trainer = TrainerProfileFactory()
    stale = BookingFactory(
        trainer=trainer, hold_expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    BookingFactory(trainer=trainer, start_time=stale.start_time, status=Booking.Status.CONFIRMED)
    response = start_payment(stale)
    assert response.status_code == 400
    assert "slot was taken" in response.json()["error"]
    assert not Payment.objects.exists()

import logging

import pytest

from bookings.models import Booking
from payments.models import Payment, Refund

pytestmark = [pytest.mark.django_db, pytest.mark.stripe]


def url(payment) -> str:
    return f"/api/v1/payments/{payment.pk}/refund/"


def refund(as_user, user, payment, **body):
    return as_user(user).post(url(payment), {"reason": "Trainer was ill", **body}, format="json")


def assert_unchanged(payment, localstripe):
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert payment.refund_amount == 0
    assert not Refund.objects.exists()
    assert localstripe.refunds(payment.stripe_payment_intent_id) == []


def test_it_refunds_everything_by_default(paid_booking, as_user, localstripe, caplog):
    booking, payment = paid_booking()
    with caplog.at_level(logging.INFO, logger="payments.commands.refunds"):
        response = refund(as_user, booking.trainer.user, payment)

    assert response.status_code == 200
    body = response.json()
    [at_stripe] = localstripe.refunds(payment.stripe_payment_intent_id)
    assert at_stripe.amount == 7500
    assert at_stripe.metadata.to_dict() == {
        "refund_id": str(Refund.objects.get().pk),
        "payment_id": str(payment.pk),
    }
    assert body["message"] == "Refund processed successfully"
    assert body["refund_id"] == at_stripe.id
    assert body["amount"] == "75.00"
    assert body["payment"]["status"] == "refunded"
    assert body["payment"]["refund_amount"] == "75.00"
    assert body["payment"]["refunds"][0]["requested_by_email"] == booking.trainer.user.email
    payment.refresh_from_db()
    booking.refresh_from_db()
    assert (payment.status, payment.refund_amount) == (Payment.Status.REFUNDED, 7500)
    assert payment.refunded_at is not None
    assert payment.refund_reason == "Trainer was ill"
    assert booking.payment_status == Booking.PaymentStatus.REFUNDED
    refund_row = Refund.objects.get()
    assert (refund_row.status, refund_row.source, refund_row.stripe_refund_id) == (
        Refund.Status.SUCCEEDED,
        Refund.Source.API,
        at_stripe.id,
    )
    assert f"of payment {payment.pk}, booking {booking.pk}: 75.00 succeeded" in caplog.text


def test_it_refunds_part_then_the_rest(paid_booking, as_user, admin_user, localstripe):
    booking, payment = paid_booking()
    first = refund(as_user, admin_user, payment, amount="25.50")
    assert first.status_code == 200
    assert first.json()["payment"]["status"] == "partially_refunded"
    booking.refresh_from_db()
    assert booking.payment_status == Booking.PaymentStatus.PARTIALLY_REFUNDED

    over = refund(as_user, admin_user, payment, amount="49.51")
    assert over.status_code == 400
    assert over.json()["error"] == "amount: The amount exceeds what can still be refunded (49.50)."

    rest = refund(as_user, admin_user, payment)
    assert rest.status_code == 200
    assert rest.json()["amount"] == "49.50"
    payment.refresh_from_db()
    booking.refresh_from_db()
    assert (payment.status, payment.refund_amount) == (Payment.Status.REFUNDED, 7500)
    assert booking.payment_status == Booking.PaymentStatus.REFUNDED
    assert sum(r.amount for r in localstripe.refunds(payment.stripe_payment_intent_id)) == 7500
    assert refund(as_user, admin_user, payment).status_code == 400


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("75.01", "exceeds what can still be refunded (75.00)"),
        ("-5.00", "greater than zero"),
        ("0", "greater than zero"),
        ("0.00", "greater than zero"),
        ("10.001", "more than 2 decimal places"),
        (10.5, "decimal string"),
        ("ten", "not a valid amount"),
        ("NaN", "not a valid amount"),
        (True, "decimal string"),
        ({"value": 1}, "decimal string"),
    ],
)
def test_it_rejects_a_bad_amount_before_calling_stripe(
    paid_booking, as_user, localstripe, amount, message
):
    booking, payment = paid_booking()
    response = refund(as_user, booking.trainer.user, payment, amount=amount)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert "amount" in response.json()["fields"]
    assert_unchanged(payment, localstripe)


def test_it_requires_a_reason(paid_booking, as_user, localstripe):
    booking, payment = paid_booking()
    response = as_user(booking.trainer.user).post(url(payment), {"amount": "5.00"}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()["fields"]
    assert_unchanged(payment, localstripe)


def test_it_tells_the_client_to_cancel_the_booking(paid_booking, as_user, localstripe):
    booking, payment = paid_booking()
    response = refund(as_user, booking.client, payment)
    assert response.status_code == 403
    assert (
        f"cancelling their booking (POST /api/v1/bookings/{booking.pk}/cancel/)"
        in (response.json()["error"])
    )
    assert_unchanged(payment, localstripe)


def test_it_hides_the_payment_from_outsiders(paid_booking, as_user, outsider, trainer, localstripe):
    _booking, payment = paid_booking()
    for user in (outsider, trainer.user):  # another trainer is an outsider too
        response = refund(as_user, user, payment)
        assert response.status_code == 404
        assert response.json() == {"error": "Not found."}
    assert_unchanged(payment, localstripe)


def test_it_refuses_a_payment_that_has_not_succeeded(localstripe, start_payment, as_user):
    from core.tests.factories import BookingFactory

    booking = BookingFactory()
    payment = Payment.objects.get(pk=start_payment(booking).json()["payment_id"])
    response = refund(as_user, booking.trainer.user, payment)
    assert response.status_code == 400
    assert (
        response.json()["error"] == "Only a succeeded payment can be refunded; this one is pending."
    )
    assert not Refund.objects.exists()


def test_it_refuses_a_disputed_payment(paid_booking, as_user, localstripe):
    booking, payment = paid_booking()
    Payment.objects.filter(pk=payment.pk).update(status=Payment.Status.DISPUTED)
    response = refund(as_user, booking.trainer.user, payment)
    assert response.status_code == 400
    assert "disputed" in response.json()["error"]
    assert not Refund.objects.exists()

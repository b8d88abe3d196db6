"""charge.dispute.*: the payment shows disputed until Stripe decides; won restores it."""

import pytest

from payments.models import Refund
from payments.tests import stripe_events as se

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid():
    return se.payment(status="succeeded", stripe_charge_id="ch_disputed")


def send(api, type_, payment, status, **kw):
    return se.post(api, se.event(type_, se.dispute(payment, status=status, **kw)))


def test_it_marks_the_payment_disputed(api, paid):
    response = send(api, "charge.dispute.created", paid, "needs_response")

    assert response.status_code == 200
    paid.refresh_from_db()
    assert (paid.status, paid.dispute_id, paid.dispute_status) == (
        "disputed",
        "dp_test_1",
        "needs_response",
    )


def test_it_puts_a_won_dispute_back_to_succeeded(api, paid):
    send(api, "charge.dispute.created", paid, "needs_response")
    send(api, "charge.dispute.closed", paid, "won")

    paid.refresh_from_db()
    assert (paid.status, paid.dispute_status) == ("succeeded", "won")


def test_it_puts_a_won_dispute_back_to_partially_refunded(api, paid):
    Refund.objects.create(
        payment=paid, stripe_refund_id="re_1", amount=1500, currency="usd", status="succeeded"
    )
    paid.refund_amount = 1500
    paid.status = "partially_refunded"
    paid.save()

    send(api, "charge.dispute.created", paid, "needs_response")
    send(api, "charge.dispute.closed", paid, "won")

    paid.refresh_from_db()
    assert (paid.status, paid.refund_amount) == ("partially_refunded", 1500)


def test_it_keeps_a_lost_dispute_disputed(api, paid):
    send(api, "charge.dispute.created", paid, "needs_response")
    send(api, "charge.dispute.closed", paid, "lost")

    paid.refresh_from_db()
    assert (paid.status, paid.dispute_status) == ("disputed", "lost")


def test_it_ignores_a_created_delivered_after_closed(api, paid):
    send(api, "charge.dispute.created", paid, "needs_response")
    send(api, "charge.dispute.closed", paid, "won")
    send(api, "charge.dispute.updated", paid, "under_review")

    paid.refresh_from_db()
    assert (paid.status, paid.dispute_status) == ("succeeded", "won")


def test_it_refuses_refunds_while_disputed(api, paid, as_user, admin_user):
    send(api, "charge.dispute.created", paid, "needs_response")

    response = as_user(admin_user).post(
        f"/api/v1/payments/{paid.pk}/refund/", {"reason": "x"}, format="json"
    )

    assert response.status_code == 400
    assert not Refund.objects.exists()


def test_it_shows_admins_the_disputed_payment(api, paid, as_user, admin_user):
    send(api, "charge.dispute.created", paid, "needs_response")

    response = as_user(admin_user).get(f"/api/v1/payments/{paid.pk}/")

    assert response.status_code == 200
    assert response.json()["status"] == "disputed"

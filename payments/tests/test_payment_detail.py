import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from payments.models import Refund
from payments.tests.test_payment_list import make_payment

pytestmark = pytest.mark.django_db


def url(payment) -> str:
    return f"/api/v1/payments/{payment.pk}/"


def test_it_shows_refunds_and_stripe_details(as_user, admin_user):
    payment = make_payment(
        stripe_payment_intent_id="pi_2",
        status="partially_refunded",
        refund_amount=2500,
        failure_code="",
    )
    refund = Refund.objects.create(
        payment=payment,
        stripe_refund_id="re_1",
        amount=2500,
        currency="usd",
        status="succeeded",
        reason="Late start",
        requested_by=admin_user,
    )
    Refund.objects.create(
        payment=payment, amount=1000, currency="usd", status="succeeded", source="dashboard"
    )
    response = as_user(payment.booking.client).get(url(payment))
    assert response.status_code == 200
    body = response.json()
    assert body["currency"] == "usd"
    assert body["platform_fee_percentage"] == "15.00"
    assert body["refund_amount"] == "25.00"
    assert body["stripe_payment_intent_id"] == "pi_2"
    assert (body["failure_code"], body["failure_message"]) == ("", "")
    assert body["refunds"][0] == {
        "id": refund.pk,
        "stripe_refund_id": "re_1",
        "amount": "25.00",
        "currency": "usd",
        "status": "succeeded",
        "reason": "Late start",
        "source": "api",
        "requested_by_email": admin_user.email,
        "created_at": refund.created_at.isoformat().replace("+00:00", "Z"),
    }
    assert body["refunds"][1]["requested_by_email"] is None


def test_its_query_count_does_not_grow_with_refunds(as_user, admin_user):
    payment = make_payment()
    api = as_user(admin_user)
    with CaptureQueriesContext(connection) as few:
        api.get(url(payment))
    for _ in range(5):
        Refund.objects.create(
            payment=payment, amount=100, currency="usd", status="succeeded", requested_by=admin_user
        )
    with CaptureQueriesContext(connection) as many:
        assert len(api.get(url(payment)).json()["refunds"]) == 5
    assert len(many) == len(few)


def test_it_shows_the_trainer_and_admins(as_user, admin_user):
    payment = make_payment()
    assert as_user(payment.booking.trainer.user).get(url(payment)).status_code == 200
    assert as_user(admin_user).get(url(payment)).status_code == 200


def test_it_hides_the_payment_from_outsiders(as_user, outsider, trainer):
    payment = make_payment()
    for user in (outsider, trainer.user):
        response = as_user(user).get(url(payment))
        assert response.status_code == 404
        assert response.json() == {"error": "Not found."}


def test_it_answers_404_for_an_unknown_id(as_user, admin_user):
    assert as_user(admin_user).get("/api/v1/payments/987654/").status_code == 404

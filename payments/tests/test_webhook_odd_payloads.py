"""A signed event whose object has odd field types or sizes is acknowledged (2xx) or refused
(400), never a 500: Stripe would retry it for days and nothing would ever change."""

import pytest

from payments.models import Refund, WebhookEvent
from payments.tests import stripe_events as se

pytestmark = pytest.mark.django_db


def assert_acknowledged(response):
    """200, and the stored event carries no error (nothing left for retries to redo)."""
    assert response.status_code == 200, response.content
    assert WebhookEvent.objects.get().error == ""


@pytest.fixture
def paid():
    return se.payment(status="succeeded", stripe_charge_id="ch_odd")


ODD_INTENTS = [
    {"status": ["succeeded"]},
    {"status": {"a": 1}},
    {"status": "requires_payment_method", "last_payment_error": {"code": 402, "message": 5}},
    {"status": "requires_payment_method", "last_payment_error": {"decline_code": ["x"]}},
    {"metadata": {"payment_id": "\u00b2"}, "id": "pi_other"},
    {"metadata": {"payment_id": "9" * 40}, "id": "pi_other"},
    {"metadata": "x"},
    {"status": "succeeded", "latest_charge": {"id": "c" * 400}},
    {"status": "succeeded", "latest_charge": {"id": ["x"]}},
    {
        "status": "succeeded",
        "payment_method": {"type": "c" * 80, "card": {"brand": "b" * 50, "last4": "123456"}},
    },
    {"status": "succeeded", "latest_charge": {"id": "ch_1", "receipt_url": "u" * 600}},
]


@pytest.mark.parametrize("extra", ODD_INTENTS)
@pytest.mark.parametrize("start", ["pending", "succeeded"])
def test_it_never_answers_500_to_an_odd_intent(api, extra, start):
    payment = se.payment(status=start)
    obj = se.intent(payment, status="succeeded")
    obj.update(extra)
    response = se.post(api, se.event("payment_intent.succeeded", obj))
    assert_acknowledged(response)


ODD_REFUNDS = [
    {"id": ["re_x"]},
    {"id": {"a": 1}},
    {"status": ["succeeded"]},
    {"currency": "dollars"},
    {"currency": 5},
    {"id": "r" * 400},
    {"metadata": {"refund_id": "\u00b2"}},
    {"metadata": {"refund_id": "9" * 40}},
    {"metadata": "x"},
]


@pytest.mark.parametrize("extra", ODD_REFUNDS)
def test_it_never_answers_500_to_an_odd_refund(api, paid, extra):
    refund = se.refund("re_odd", 500)
    refund.update(extra)
    response = se.post(api, se.event("charge.refunded", se.charge(paid, refunds=[refund])))
    assert_acknowledged(response)


ODD_CHARGES = [
    {"refunds": {"data": ["x", 5], "has_more": False}},
    {"id": ["x"]},
    {"metadata": {"payment_id": "\u00b2"}},
]


@pytest.mark.parametrize("extra", ODD_CHARGES)
def test_it_never_answers_500_to_an_odd_charge(api, paid, extra):
    obj = se.charge(paid)
    obj.update(extra)
    response = se.post(api, se.event("charge.refunded", obj))
    assert_acknowledged(response)


ODD_DISPUTES = [
    {"status": ["lost"]},
    {"status": "s" * 80},
    {"id": "d" * 400},
    {"id": ["dp"]},
    {"charge": ["ch_odd"]},
    {"charge": 5},
    {"payment_intent": {"id": "x"}},
]


@pytest.mark.parametrize("type_", ["charge.dispute.created", "charge.dispute.closed"])
@pytest.mark.parametrize("extra", ODD_DISPUTES)
def test_it_never_answers_500_to_an_odd_dispute(api, paid, extra, type_):
    obj = se.dispute(paid, status="needs_response", dispute_id="dp_odd")
    obj["charge"] = "ch_odd"
    obj.update(extra)
    response = se.post(api, se.event(type_, obj))
    assert_acknowledged(response)


def test_it_records_a_dashboard_refund_with_an_odd_currency_in_the_payments_currency(api, paid):
    refund = se.refund("re_odd_currency", 2500, currency="dollars")

    assert_acknowledged(
        se.post(api, se.event("charge.refunded", se.charge(paid, refunds=[refund])))
    )

    row = Refund.objects.get()
    assert (row.amount, row.currency, row.source) == (2500, paid.currency, "dashboard")
    paid.refresh_from_db()
    assert (paid.refund_amount, paid.status) == (2500, "partially_refunded")


def test_it_ignores_a_metadata_payment_id_that_is_not_one_of_ours(api):
    payment = se.payment(status="pending", intent_id=None)
    payment.stripe_payment_intent_id = None
    payment.save()
    obj = se.intent(payment, status="succeeded", id="pi_elsewhere")
    obj["metadata"] = {"payment_id": f"{payment.pk}\u00b2"}

    assert_acknowledged(se.post(api, se.event("payment_intent.succeeded", obj)))

    payment.refresh_from_db()
    assert (payment.status, payment.stripe_payment_intent_id) == ("pending", None)

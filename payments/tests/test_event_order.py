"""A payment's status and its booking's payment status follow from its refund rows whatever
order Stripe's events arrive in: a refund made in the Dashboard and delivered before
payment_intent.succeeded never leaves a refunded payment confirming a session."""

import pytest

from core.tests.factories import BookingFactory
from notifications.models import EmailNotification
from payments.models import Payment
from payments.tests import stripe_events as se

pytestmark = [pytest.mark.django_db, pytest.mark.stripe]


@pytest.fixture
def paid_at_stripe(localstripe, start_payment):
    """Paid at the emulator; no event applied yet: (booking, payment, the succeeded intent)."""
    booking = BookingFactory()
    intent_id = start_payment(booking).json()["payment_intent_id"]
    localstripe.confirm(intent_id)
    intent = localstripe.sdk.v1.payment_intents.retrieve(intent_id).to_dict()
    return booking, Payment.objects.get(stripe_payment_intent_id=intent_id), intent


def dashboard_refund(localstripe, payment, amount) -> dict:
    refund = localstripe.sdk.v1.refunds.create(
        {"payment_intent": payment.stripe_payment_intent_id, "amount": amount}
    )
    return se.event("charge.refunded", se.charge(payment, refunds=[refund.to_dict()]))


def test_a_full_dashboard_refund_before_the_success_never_confirms_the_session(
    api, localstripe, paid_at_stripe
):
    booking, payment, intent = paid_at_stripe

    assert se.post(api, dashboard_refund(localstripe, payment, 7500)).status_code == 200
    assert se.post(api, se.event("payment_intent.succeeded", intent)).status_code == 200

    payment.refresh_from_db()
    assert (payment.status, payment.refund_amount) == ("refunded", 7500)
    booking.refresh_from_db()
    assert booking.status != "confirmed"
    assert booking.payment_status == "refunded"
    assert not EmailNotification.objects.filter(kind="trainer_new_booking").exists()


def test_a_partial_dashboard_refund_before_the_success_still_confirms_it(
    api, localstripe, paid_at_stripe
):
    booking, payment, intent = paid_at_stripe

    se.post(api, dashboard_refund(localstripe, payment, 2500))
    se.post(api, se.event("payment_intent.succeeded", intent))

    payment.refresh_from_db()
    assert (payment.status, payment.refund_amount) == ("partially_refunded", 2500)
    booking.refresh_from_db()
    assert (booking.status, booking.payment_status) == ("confirmed", "partially_refunded")


@pytest.mark.parametrize("refund_first", [True, False])
def test_either_order_ends_in_the_same_rows(api, localstripe, paid_at_stripe, refund_first):
    booking, payment, intent = paid_at_stripe
    events = [
        dashboard_refund(localstripe, payment, 7500),
        se.event("payment_intent.succeeded", intent),
    ]
    for event in events if refund_first else reversed(events):
        assert se.post(api, event).status_code == 200

    payment.refresh_from_db()
    booking.refresh_from_db()
    assert (payment.status, payment.refund_amount, booking.payment_status) == (
        "refunded",
        7500,
        "refunded",
    )
    assert booking.status == "cancelled"

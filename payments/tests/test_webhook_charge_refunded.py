"""charge.refunded: Dashboard refunds get their own rows; ours are never counted twice."""

import pytest

from bookings.models import Booking
from payments.models import Payment, Refund
from payments.tests import stripe_events as se

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid():
    payment = se.payment(status="succeeded", stripe_charge_id="ch_paid_1")
    Booking.objects.filter(pk=payment.booking_id).update(status="confirmed", payment_status="paid")
    return payment


def deliver(api, payment, refunds):
    return se.post(api, se.event("charge.refunded", se.charge(payment, refunds=refunds)))


def test_it_records_a_dashboard_refund_as_its_own_row(api, paid):
    response = deliver(api, paid, [se.refund("re_dash_1", 2500)])

    assert response.status_code == 200
    refund = Refund.objects.get()
    assert (refund.stripe_refund_id, refund.amount, refund.status, refund.source) == (
        "re_dash_1",
        2500,
        "succeeded",
        "dashboard",
    )
    paid.refresh_from_db()
    assert (paid.refund_amount, paid.status) == (2500, "partially_refunded")
    assert paid.refunded_at is not None
    assert paid.booking.payment_status == "partially_refunded"


def test_it_refunds_the_payment_fully_when_the_dashboard_refunds_everything(api, paid):
    deliver(api, paid, [se.refund("re_dash_1", 2500), se.refund("re_dash_2", 5000)])

    paid.refresh_from_db()
    assert (paid.refund_amount, paid.status) == (7500, "refunded")
    assert paid.booking.payment_status == "refunded"
    assert Refund.objects.filter(source="dashboard").count() == 2


def test_it_does_not_double_count_a_refund_we_made(api, paid):
    ours = Refund.objects.create(
        payment=paid, stripe_refund_id="re_ours", amount=3000, currency="usd", status="succeeded"
    )

    deliver(api, paid, [se.refund("re_ours", 3000)])

    assert list(Refund.objects.values_list("pk", flat=True)) == [ours.pk]
    paid.refresh_from_db()
    assert paid.refund_amount == 3000


def test_it_matches_our_pending_refund_by_metadata_when_its_stripe_id_is_not_stored_yet(api, paid):
    # Our refund call reached Stripe but its answer has not been recorded (yet, or ever).
    ours = Refund.objects.create(payment=paid, amount=3000, currency="usd", status="pending")

    deliver(api, paid, [se.refund("re_late", 3000, refund_id=ours.pk)])

    ours.refresh_from_db()
    assert (ours.stripe_refund_id, ours.status, ours.source) == ("re_late", "succeeded", "api")
    assert Refund.objects.count() == 1
    paid.refresh_from_db()
    assert (paid.refund_amount, paid.status) == (3000, "partially_refunded")


def test_it_adds_only_the_new_refund_when_the_charge_lists_earlier_ones(api, paid):
    deliver(api, paid, [se.refund("re_dash_1", 1000)])
    deliver(api, paid, [se.refund("re_dash_1", 1000), se.refund("re_dash_2", 2000)])

    assert Refund.objects.count() == 2
    paid.refresh_from_db()
    assert paid.refund_amount == 3000


def test_it_marks_a_failed_refund_and_releases_its_amount(api, paid):
    deliver(api, paid, [se.refund("re_dash_1", 1000, status="pending")])
    deliver(api, paid, [se.refund("re_dash_1", 1000, status="failed")])

    refund = Refund.objects.get()
    assert refund.status == "failed"
    paid.refresh_from_db()
    assert (paid.refund_amount, paid.status) == (0, "succeeded")
    assert paid.get_refundable_amount() == 7500


def test_it_finds_the_payment_by_charge_id_without_an_intent(api, paid):
    obj = se.charge(paid, refunds=[se.refund("re_dash_1", 500)])
    obj["payment_intent"] = None

    se.post(api, se.event("charge.refunded", obj))

    assert Payment.objects.get(pk=paid.pk).refund_amount == 500


def test_a_copy_of_an_applied_event_asks_stripe_nothing(api, paid, stripe_requests):
    """charge.refunded without its refunds (newer API versions leave them out) makes us list
    them at Stripe; a copy of the event already applied must not ask again."""
    charge = se.charge(paid)
    del charge["refunds"]
    stripe_requests.answer(
        lambda r: (
            200,
            {
                "object": "list",
                "url": "/v1/refunds",
                "has_more": False,
                "data": [se.refund("re_dash_9", 2500)],
            },
        )
    )
    event = se.event("charge.refunded", charge)

    assert se.post(api, event).json() == {"received": True, "duplicate": False}
    assert se.post(api, event).json() == {"received": True, "duplicate": True}
    assert len(stripe_requests.to("/v1/refunds")) == 1
    assert Refund.objects.get().amount == 2500

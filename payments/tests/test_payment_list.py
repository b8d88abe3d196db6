import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.tests.factories import BookingFactory, TrainerProfileFactory
from payments.models import Payment

pytestmark = pytest.mark.django_db
URL = "/api/v1/payments/"


def make_payment(booking=None, **fields) -> Payment:
    booking = booking or BookingFactory()
    defaults = {"amount": booking.price, "currency": booking.currency, "status": "succeeded"}
    return Payment.objects.create(booking=booking, **{**defaults, **fields})


def test_it_lists_the_seed_fields(as_user):
    payment = make_payment(
        stripe_payment_intent_id="pi_1",
        payment_method_type="card",
        card_brand="visa",
        card_last4="4242",
        receipt_url="https://pay.stripe.com/receipts/1",
    )
    client = payment.booking.client
    response = as_user(client).get(URL)
    assert response.status_code == 200
    [row] = response.json()
    assert row == {
        "id": payment.pk,
        "booking_id": payment.booking_id,
        "client_email": client.email,
        "trainer_email": payment.booking.trainer.user.email,
        "amount": "75.00",
        "platform_fee_amount": "11.25",
        "trainer_payout_amount": "63.75",
        "status": "succeeded",
        "payment_method_type": "card",
        "card_brand": "visa",
        "card_last4": "4242",
        "receipt_url": "https://pay.stripe.com/receipts/1",
        "created_at": payment.created_at.isoformat().replace("+00:00", "Z"),
    }


def test_each_user_sees_only_their_payments(as_user, admin_user, outsider):
    trainer = TrainerProfileFactory()
    mine = make_payment(BookingFactory(trainer=trainer))
    other = make_payment()

    def ids(user):
        return sorted(p["id"] for p in as_user(user).get(URL).json())

    assert ids(mine.booking.client) == [mine.pk]
    assert ids(trainer.user) == [mine.pk]
    assert ids(admin_user) == sorted([mine.pk, other.pk])
    assert ids(outsider) == []


def test_it_pages_with_link_headers(as_user, admin_user):
    for _ in range(3):
        make_payment()
    response = as_user(admin_user).get(URL, {"page_size": 2})
    assert len(response.json()) == 2
    assert response["X-Total-Count"] == "3"
    assert 'rel="next"' in response["Link"]


def test_its_query_count_does_not_grow_with_rows(as_user, admin_user):
    api = as_user(admin_user)
    make_payment()
    with CaptureQueriesContext(connection) as few:
        api.get(URL)
    for _ in range(15):
        make_payment()
    with CaptureQueriesContext(connection) as many:
        assert len(api.get(URL).json()) == 16
    assert len(many) == len(few)


def test_it_requires_authentication(api):
    assert api.get(URL).status_code == 401
